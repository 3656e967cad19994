// The daemon's HTTP servers: `[unix_http_server]` (a unix socket, owner-only by default) and
// `[inet_http_server]` (loopback unless configured otherwise, never on another address without
// credentials). Both serve XML-RPC at /RPC2, `tail -f` streams at /logtail and /mainlogtail, and
// whatever extra routes the daemon adds (the JSON API, the status page).
import { createHash, timingSafeEqual } from 'node:crypto';
import { chmodSync, chownSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect } from 'node:net';
import { decodeMethodCallOffThread } from '../xmlrpc/decode-async.js';
import { BufferPool, encodeFault, encodeResponseBytes } from '../xmlrpc/encode.js';
import type { XmlRpcEncodable } from '../xmlrpc/types.js';
import { followFile } from '../logs/follow.js';
import { parseUserGroup } from '../dialect/datatypes-host.js';
import { dispatch, faultOf, type Supervisor } from './rpc-methods.js';
import { type Credentials, hasCredentials, trustRequest } from './command-access.js';
import { internalError, UnexpectedPythonError } from './rpc-python.js';

export type { Credentials } from './command-access.js';

export interface UnixServerConfig {
  file: string;
  chmod?: number;
  chown?: string;
  credentials?: Credentials | undefined;
}

export interface InetServerConfig {
  host: string;
  port: number;
  credentials?: Credentials | undefined;
}

/** An extra route: returns true when it handled the request. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

/** Largest request body accepted (XML-RPC and JSON). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const sha1 = (s: string) => createHash('sha1').update(s).digest();

/** Checks HTTP basic credentials in constant time (plain or `{SHA}` passwords). */
export function checkAuth(header: string | undefined, creds: Credentials | undefined): boolean {
  if (!creds) return true;
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return false;
  const user = decoded.slice(0, i);
  const pass = decoded.slice(i + 1);
  const want = creds.password.startsWith('{SHA}') ? Buffer.from(creds.password.slice(5).toLowerCase(), 'hex') : sha1(creds.password);
  const got = sha1(pass);
  const userOk = timingSafeEqual(sha1(user), sha1(creds.username));
  const passOk = want.length === got.length && timingSafeEqual(want, got);
  return userOk && passOk;
}

/** Reads a request body up to `limit` bytes; rejects with HttpError(413) beyond. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new HttpError(413, 'request body too large'));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        // Stop reading; the 413 goes out with Connection: close (destroying now would reset it).
        reject(new HttpError(413, 'request body too large'));
        req.pause();
        req.removeAllListeners('data');
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string | Buffer | readonly Buffer[], type = 'text/plain'): void {
  if (res.headersSent) return void res.end();
  if (status === 413) res.setHeader('Connection', 'close');
  const parts = typeof body === 'string' || Buffer.isBuffer(body) ? [body] : body;
  let length = 0;
  for (const part of parts) length += Buffer.byteLength(part);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': length });
  res.cork(); // the head and every part leave in one writev (end uncorks)
  for (const part of parts) res.write(part);
  res.end();
}

/**
 * Whether a browser sent `req` for another site's page (its Origin, or Sec-Fetch-Site);
 * supervisorctl and scripts send neither.
 */
export function isCrossSite(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === 'null') return true;
  if (origin !== undefined) {
    try {
      if (new URL(origin).host !== req.headers.host) return true;
    } catch {
      return true;
    }
  }
  return req.headers['sec-fetch-site'] === 'cross-site';
}

/** The buffers XML-RPC responses are written into, shared by every server of the process. */
const responseBuffers = new BufferPool();

async function handleRpc(s: Supervisor, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return send(res, 400, 'Bad Request');
  if (isCrossSite(req)) return send(res, 403, 'Forbidden: cross-site request');
  let call;
  let body: Buffer;
  try {
    body = await readBody(req);
    call = await decodeMethodCallOffThread(body);
  } catch (e) {
    return send(res, e instanceof HttpError ? e.status : 400, e instanceof HttpError ? e.message : 'Bad Request');
  }
  let xml: string | Buffer[];
  try {
    const chunks = encodeResponseBytes((await dispatch(s, call.methodName, call.params)) as XmlRpcEncodable, responseBuffers);
    // 'close' follows the last write's completion, or the connection's end: nothing reads them then.
    res.once('close', () => responseBuffers.give(chunks));
    xml = chunks;
  } catch (e) {
    if (e instanceof UnexpectedPythonError) return internalError(s, res, body.toString('utf8'), e);
    const f = faultOf(e);
    xml = encodeFault(f.faultCode, f.faultString);
  }
  send(res, 200, xml, 'text/xml');
}

/** supervisord's logtail: the last 1024 bytes, then what is appended, as a chunked stream. */
async function streamFile(path: string | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!path || !existsSync(path)) return send(res, 404, 'Not Found');
  const ac = new AbortController();
  req.on('close', () => ac.abort());
  res.writeHead(200, { 'Content-Type': 'text/plain;charset=utf-8', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  try {
    for await (const chunk of followFile(path, { signal: ac.signal, fromBytes: 1024 })) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
  } catch {
    // the client went away or the file vanished
  }
  res.end();
}

function logtailPath(s: Supervisor, rest: string): string | undefined {
  let parts: string[];
  try {
    parts = rest.split('/').map((p) => decodeURIComponent(p));
  } catch {
    return undefined; // malformed percent-encoding: no such log
  }
  const [name = '', channel = 'stdout'] = parts;
  if (channel !== 'stdout' && channel !== 'stderr') return undefined;
  try {
    const info = s.pm.getProcessInfo(name);
    return (channel === 'stdout' ? info.stdout_logfile : info.stderr_logfile) || undefined;
  } catch {
    return undefined;
  }
}

export interface ServerOptions {
  supervisor: Supervisor;
  credentials?: Credentials | undefined;
  routes?: Route[];
  /** Routes answered before the credentials are checked (health probes, when configured so). */
  anonymousRoutes?: Route[];
  /**
   * Host names a request's Host header may carry when no credentials are set (a TCP server on
   * loopback): refuses DNS-rebinding pages that point a foreign name at 127.0.0.1.
   */
  allowedHosts?: ReadonlySet<string>;
  /**
   * The listener is reachable by its owner only (a unix socket with mode 0700): its requests may
   * define commands without credentials. Elsewhere that needs real credentials.
   */
  ownerOnly?: boolean;
}

/** The Host header's name without the port (`[::1]:9001` → `::1`). */
function hostName(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(1, header.indexOf(']'));
  const i = header.lastIndexOf(':');
  return (i > 0 ? header.slice(0, i) : header).toLowerCase();
}

/** The request handler shared by every listener. */
export function createHandler(options: ServerOptions) {
  const s = options.supervisor;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (options.anonymousRoutes?.length && (await answerAnonymous(options.anonymousRoutes, req, res))) return;
      if (!checkAuth(req.headers.authorization, options.credentials)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="default"', 'Content-Type': 'text/html' });
        res.end('<html><head><title>Unauthorized</title></head><body>401 Unauthorized</body></html>');
        return;
      }
      if (!options.credentials && options.allowedHosts && req.headers.host !== undefined && !options.allowedHosts.has(hostName(req.headers.host))) {
        return send(res, 403, 'Forbidden: unexpected Host header');
      }
      if (options.ownerOnly || hasCredentials(options.credentials)) trustRequest(req);
      let url: URL;
      try {
        // Prefix the origin ourselves: a path starting with // must not be read as a host.
        url = new URL(`http://localhost${(req.url ?? '/').startsWith('/') ? '' : '/'}${req.url ?? '/'}`);
      } catch {
        return send(res, 400, 'Bad Request');
      }
      if (url.pathname.startsWith('/RPC2')) return await handleRpc(s, req, res);
      if (url.pathname.startsWith('/logtail/')) return await streamFile(logtailPath(s, url.pathname.slice(9)), req, res);
      if (url.pathname === '/mainlogtail') return await streamFile(s.pm.mainLog.path, req, res);
      for (const route of options.routes ?? []) if (await route(req, res, url)) return;
      send(res, 404, 'Not Found');
    } catch (e) {
      send(res, e instanceof HttpError ? e.status : 500, e instanceof HttpError ? e.message : 'Internal Server Error');
    }
  };
}

async function answerAnonymous(routes: Route[], req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = req.url ?? '/';
  if (!path.startsWith('/')) return false;
  const url = new URL(`http://localhost${path}`);
  for (const route of routes) if (await route(req, res, url)) return true;
  return false;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Host names accepted on a TCP server without credentials: loopback names and the bind host. */
export function loopbackHosts(bindHost: string): ReadonlySet<string> {
  return new Set([...LOOPBACK, bindHost.toLowerCase()].filter(Boolean));
}

export const ADDRESS_IN_USE =
  'Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord.';

function listen(server: Server, target: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new Error(ADDRESS_IN_USE) : e));
    server.listen(target, () => resolve());
  });
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** How long a connection whose request could not be parsed is still read after its answer. */
const LINGER_MS = 2000;

/**
 * An HTTP server for `handler`. A request that cannot be parsed (an unknown method, a head too
 * large) is answered and the connection closed, but what the client still sends is read and
 * dropped for a while: closing with unread data makes the kernel reset the connection, and the
 * client, still writing its body, would lose the answer (Node's default destroys at once).
 */
function newServer(handler: ReturnType<typeof createHandler>): Server {
  const server = createServer((req, res) => void handler(req, res));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.on('data', () => undefined).on('error', () => undefined);
    socket.resume(); // the parser may have paused it: the rest of the request must be read
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
  return server;
}

/** Listens on a unix socket: refuses one somebody answers on, replaces a stale file, applies chmod/chown. */
export async function listenUnix(handler: ReturnType<typeof createHandler>, cfg: UnixServerConfig): Promise<Server> {
  if (existsSync(cfg.file)) {
    if (await socketAnswers(cfg.file)) throw new Error(ADDRESS_IN_USE);
    unlinkSync(cfg.file);
  }
  const server = newServer(handler);
  await listen(server, { path: cfg.file });
  chmodSync(cfg.file, cfg.chmod ?? 0o700);
  if (cfg.chown) {
    // user or user:group, names or ids; without a group the socket's group is left as it is.
    const [uid, gid] = parseUserGroup(cfg.chown);
    chownSync(cfg.file, uid, gid);
  }
  return server;
}

/** Listens on TCP. A non-loopback address without credentials is refused. */
export async function listenInet(handler: ReturnType<typeof createHandler>, cfg: InetServerConfig): Promise<Server> {
  if (!LOOPBACK.has(cfg.host) && !hasCredentials(cfg.credentials)) {
    throw new Error(
      `refusing to serve on ${cfg.host || '*'}:${cfg.port} without credentials: set username and password in [inet_http_server], or bind to 127.0.0.1`,
    );
  }
  const server = newServer(handler);
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // deferred RPCs (start with wait) may legitimately take long
  await listen(server, { host: cfg.host || '0.0.0.0', port: cfg.port });
  return server;
}
