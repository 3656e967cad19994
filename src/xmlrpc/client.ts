// XML-RPC client over HTTP, spoken over TCP (http://host:port) or a Unix socket (unix:///path),
// as supervisorctl's SupervisorTransport does: POST /RPC2, basic auth, a kept-alive connection.

import http from 'node:http';
import { decodeResponse } from './decode.js';
import { encodeMethodCall } from './encode.js';
import { XmlRpcParseError, type XmlRpcEncodable, type XmlRpcValue } from './types.js';

/** Where a server listens, parsed from a supervisorctl `serverurl`. */
export type ServerAddress = { kind: 'http'; serverurl: string; host: string; port: number } | { kind: 'unix'; serverurl: string; path: string };

/** Why a serverurl cannot be used; the messages are Python's. */
export type XmlRpcUrlErrorKind = 'UNKNOWN_PROTOCOL' | 'PORT_OUT_OF_RANGE' | 'PORT_NOT_INTEGER';

/** A serverurl that is neither `http://…` nor `unix://…`, or has a bad port. */
export class XmlRpcUrlError extends Error {
  override name = 'XmlRpcUrlError';
  constructor(
    readonly kind: XmlRpcUrlErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The server could not be reached: `code` is the Node error code (`ENOENT` for a missing
 * socket file, `ECONNREFUSED`, `EACCES`, `ENOTFOUND`, `ETIMEDOUT`…).
 */
export class XmlRpcConnectionError extends Error {
  override name = 'XmlRpcConnectionError';
  constructor(
    readonly code: string,
    readonly serverurl: string,
    options?: ErrorOptions,
  ) {
    super(`${serverurl}: ${code}`, options);
  }
}

/** The server answered with an HTTP status other than 200 (401: authentication required). */
export class XmlRpcProtocolError extends Error {
  override name = 'XmlRpcProtocolError';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
  ) {
    super(`${url}: ${status} ${statusText}`);
  }
}

/**
 * Parses a serverurl as supervisorctl does (`urlparse`, default port 80).
 * @throws {XmlRpcUrlError}
 */
export function parseServerUrl(serverurl: string): ServerAddress {
  if (serverurl.startsWith('unix://')) return { kind: 'unix', serverurl, path: serverurl.slice(7) };
  if (!serverurl.startsWith('http://')) {
    throw new XmlRpcUrlError('UNKNOWN_PROTOCOL', `Unknown protocol for serverurl ${serverurl}`);
  }
  const netloc = (/^[^/?#]*/.exec(serverurl.slice(7))?.[0] ?? '').replace(/^.*@/, '');
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(netloc);
  const colon = netloc.lastIndexOf(':');
  const host = bracketed ? bracketed[1]! : colon >= 0 ? netloc.slice(0, colon) : netloc;
  const portText = bracketed ? (bracketed[2] ?? '') : colon >= 0 ? netloc.slice(colon + 1) : '';
  let port = 80;
  if (portText !== '') {
    if (!/^[0-9]+$/.test(portText)) {
      throw new XmlRpcUrlError('PORT_NOT_INTEGER', `Port could not be cast to integer value as '${portText}'`);
    }
    port = Number(portText);
    if (port > 65535) throw new XmlRpcUrlError('PORT_OUT_OF_RANGE', 'Port out of range 0-65535');
  }
  return { kind: 'http', serverurl, host: host.toLowerCase(), port };
}

export interface XmlRpcClientOptions {
  /** `http://host:port` or `unix:///abs/path.sock`. */
  serverurl: string;
  /** Basic-auth credentials, sent only when both are set (as supervisorctl does). */
  username?: string | null | undefined;
  password?: string | null | undefined;
  /** Request path; supervisord serves any path starting with /RPC2. Default `/RPC2`. */
  path?: string;
  /** Largest response body accepted, in bytes. Default 64 MiB. */
  maxResponseBytes?: number;
  /** Give up on a request after this many ms. Default: none (supervisord holds deferred replies). */
  timeoutMs?: number;
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; errors?: unknown[] } | undefined;
  if (typeof e?.code === 'string') return e.code;
  for (const inner of e?.errors ?? []) {
    const code = (inner as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') return code; // AggregateError from autoSelectFamily
  }
  return 'EUNKNOWN';
}

/**
 * A client for one server. Calls share a kept-alive connection; `close()` drops it.
 *
 * @example
 * const client = new XmlRpcClient({ serverurl: 'unix:///tmp/supervisor.sock' });
 * const infos = await client.call('supervisor.getAllProcessInfo');
 * client.close();
 */
export class XmlRpcClient implements Disposable {
  /** The parsed serverurl. */
  readonly address: ServerAddress;
  // Kept-alive connections for calls (streams use their own connection).
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  readonly #options: XmlRpcClientOptions;

  /** @throws {XmlRpcUrlError} for a serverurl supervisorctl would refuse. */
  constructor(options: XmlRpcClientOptions) {
    this.#options = options;
    this.address = parseServerUrl(options.serverurl);
  }

  /**
   * Calls `method` with `params` and resolves with the decoded return value.
   * @throws {XmlRpcFault} the server's fault.
   * @throws {XmlRpcConnectionError} when the server cannot be reached.
   * @throws {XmlRpcProtocolError} for a non-200 answer (401 when credentials are missing/wrong).
   * @throws {XmlRpcParseError} for an unreadable or oversized response.
   */
  async call(method: string, ...params: XmlRpcEncodable[]): Promise<XmlRpcValue> {
    const body = Buffer.from(encodeMethodCall(method, params), 'utf8');
    let text: string;
    try {
      text = await this.#post(body);
    } catch (err) {
      // A kept-alive connection the server closed while idle: retry once on a fresh one.
      if (!(err instanceof RetryableError)) throw err;
      text = await this.#post(body);
    }
    return decodeResponse(text);
  }

  /**
   * Opens a streaming GET (supervisord's `/logtail/NAME/CHANNEL` and `/mainlogtail`), resolving
   * once the headers arrived. Destroy the response (or abort `signal`) to stop.
   * @throws {XmlRpcConnectionError}, {XmlRpcProtocolError} (404 for an unknown process or log).
   */
  openStream(path: string, signal?: AbortSignal): Promise<http.IncomingMessage> {
    // Its own kept-alive connection: supervisord (medusa) only streams the chunked body to
    // HTTP/1.1 keep-alive requests; with `Connection: close` it sends nothing until the end.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({ ...this.#target(), path, method: 'GET', agent, signal });
      req.setHeader('Accept-Encoding', 'chunked');
      req.setHeader('Accept', '*/*');
      const auth = this.#authorization(true);
      if (auth) req.setHeader('Authorization', auth);
      req.on('error', (err) => reject(this.#connectionError(err)));
      req.on('response', (res) => {
        res.once('close', () => agent.destroy());
        if (res.statusCode === 200) return resolve(res);
        res.resume();
        reject(new XmlRpcProtocolError(this.#url(path), res.statusCode ?? 0, res.statusMessage ?? ''));
      });
      req.end();
    }).catch((err: unknown) => {
      agent.destroy();
      throw err;
    });
  }

  /** Closes the kept-alive connection. The client can still be used afterwards. */
  close(): void {
    this.#agent.destroy();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #target(): http.RequestOptions {
    const a = this.address;
    return a.kind === 'unix' ? { socketPath: a.path, headers: { Host: 'localhost' } } : { host: a.host, port: a.port };
  }

  #url(path: string): string {
    return `${this.#options.serverurl}${path}`;
  }

  // supervisorctl's XML-RPC transport needs both; its tail -f client only the password.
  #authorization(passwordOnly: boolean): string | undefined {
    const { username, password } = this.#options;
    if (password == null || (!passwordOnly && username == null) || (passwordOnly && !password)) return undefined;
    return `Basic ${Buffer.from(`${username ?? ''}:${password}`, 'utf8').toString('base64')}`;
  }

  #connectionError(err: unknown): Error {
    if (err instanceof XmlRpcParseError || err instanceof XmlRpcProtocolError) return err;
    if ((err as Error | undefined)?.name === 'AbortError') return err as Error;
    return new XmlRpcConnectionError(errorCode(err), this.#options.serverurl, { cause: err });
  }

  #post(body: Buffer): Promise<string> {
    const path = this.#options.path ?? '/RPC2';
    return new Promise((resolve, reject) => {
      const req = http.request({ ...this.#target(), agent: this.#agent, path, method: 'POST' });
      req.setHeader('Content-Type', 'text/xml');
      req.setHeader('Accept', 'text/xml');
      req.setHeader('Content-Length', String(body.length));
      const auth = this.#authorization(false);
      if (auth) req.setHeader('Authorization', auth);
      if (this.#options.timeoutMs !== undefined) {
        req.setTimeout(this.#options.timeoutMs, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      }
      let responded = false;
      req.on('error', (err) => {
        const code = errorCode(err);
        if (!responded && req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) reject(new RetryableError());
        else reject(this.#connectionError(err));
      });
      req.on('response', (res) => {
        responded = true;
        if (res.statusCode !== 200) {
          res.resume();
          reject(new XmlRpcProtocolError(this.#url(path), res.statusCode ?? 0, res.statusMessage ?? ''));
          return;
        }
        this.#readBody(res).then(resolve, (err: unknown) => reject(this.#connectionError(err)));
      });
      req.end(body);
    });
  }

  #readBody(res: http.IncomingMessage): Promise<string> {
    const limit = this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          res.destroy();
          reject(new XmlRpcParseError('TOO_LARGE', `response larger than ${limit} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
  }
}

// Internal marker: the request failed on a reused keep-alive socket before any response.
class RetryableError extends Error {}
