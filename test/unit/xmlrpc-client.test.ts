import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XmlRpcClient, XmlRpcConnectionError, XmlRpcProtocolError, XmlRpcUrlError, parseServerUrl } from '../../src/xmlrpc/client.js';
import { XmlRpcFault, XmlRpcParseError, decodeMethodCall, encodeFault, encodeResponse } from '../../src/xmlrpc/codec.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socketId: number;
}

let dir: string;
let server: http.Server;
let unixServer: http.Server;
let seen: Seen[] = [];
let respond: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
const sockets = new WeakMap<object, number>();
let nextSocketId = 0;

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, nextSocketId++);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, socketId: sockets.get(req.socket)! });
    respond(req, body, res);
  });
}

// Echoes the call back: the method name and params as the response value.
function echo(_req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
  const call = decodeMethodCall(body);
  res.writeHead(200, { 'Content-Type': 'text/xml' });
  res.end(encodeResponse({ method: call.methodName, params: call.params }));
}

function listen(s: http.Server, where: number | string): Promise<void> {
  return new Promise((resolve) => s.listen(where, resolve));
}

let port: number;
let socketPath: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'xmlrpc-client-'));
  socketPath = path.join(dir, 'rpc.sock');
  server = http.createServer(handler);
  unixServer = http.createServer(handler);
  await listen(server, 0);
  await listen(unixServer, socketPath);
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  unixServer.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => unixServer.close(r));
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  seen = [];
  respond = echo;
});
respond = echo;

describe('parseServerUrl', () => {
  it.each([
    ['http://127.0.0.1:9001', { kind: 'http', host: '127.0.0.1', port: 9001 }],
    ['http://LocalHost', { kind: 'http', host: 'localhost', port: 80 }],
    ['http://user:pw@h:1/RPC2', { kind: 'http', host: 'h', port: 1 }],
    ['http://[::1]:9001', { kind: 'http', host: '::1', port: 9001 }],
    ['http://h:', { kind: 'http', host: 'h', port: 80 }],
    ['unix:///tmp/x.sock', { kind: 'unix', path: '/tmp/x.sock' }],
  ])('%s', (url, expected) => {
    expect(parseServerUrl(url)).toMatchObject(expected);
  });

  it.each([
    ['https://x', 'UNKNOWN_PROTOCOL', 'Unknown protocol for serverurl https://x'],
    ['http://h:99999', 'PORT_OUT_OF_RANGE', 'Port out of range 0-65535'],
    ['http://h:x', 'PORT_NOT_INTEGER', "Port could not be cast to integer value as 'x'"],
  ])("refuses %s with Python's message", (url, kind, message) => {
    let error: unknown;
    try {
      parseServerUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XmlRpcUrlError);
    expect(error).toMatchObject({ kind, message });
  });
});

describe('XmlRpcClient', () => {
  it("calls over TCP and over a Unix socket, with supervisorctl's headers", async () => {
    using tcp = new XmlRpcClient({ serverurl: `http://127.0.0.1:${port}` });
    using unix = new XmlRpcClient({ serverurl: `unix://${socketPath}` });
    expect(await tcp.call('supervisor.getProcessInfo', 'a')).toEqual({ method: 'supervisor.getProcessInfo', params: ['a'] });
    expect(await unix.call('supervisor.getPID')).toEqual({ method: 'supervisor.getPID', params: [] });
    expect(seen.map((s) => [s.method, s.url])).toEqual([
      ['POST', '/RPC2'],
      ['POST', '/RPC2'],
    ]);
    expect(seen[1]!.headers.host).toBe('localhost');
    expect(seen[0]!.headers['content-type']).toBe('text/xml');
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });

  it('keeps the connection alive between calls', async () => {
    using client = new XmlRpcClient({ serverurl: `unix://${socketPath}` });
    await client.call('a.b');
    await client.call('a.c');
    await client.call('a.d');
    expect(new Set(seen.map((s) => s.socketId)).size).toBe(1);
  });

  it('retries once when the server closed the idle kept-alive connection', async () => {
    using client = new XmlRpcClient({ serverurl: `unix://${socketPath}` });
    await client.call('a.b');
    unixServer.closeAllConnections();
    await new Promise((r) => setImmediate(r));
    expect(await client.call('a.c')).toEqual({ method: 'a.c', params: [] });
  });

  it('sends basic auth only when both username and password are set', async () => {
    using both = new XmlRpcClient({ serverurl: `unix://${socketPath}`, username: 'user', password: 'secret' });
    using onlyPassword = new XmlRpcClient({ serverurl: `unix://${socketPath}`, password: 'secret' });
    await both.call('x.y');
    await onlyPassword.call('x.y');
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('user:secret').toString('base64')}`);
    expect(seen[1]!.headers.authorization).toBeUndefined();
  });

  it("throws the server's fault as XmlRpcFault", async () => {
    respond = (_req, _body, res) => res.end(encodeFault(10, 'BAD_NAME: nosuch'));
    using client = new XmlRpcClient({ serverurl: `unix://${socketPath}` });
    await expect(client.call('supervisor.getProcessInfo', 'nosuch')).rejects.toMatchObject({
      constructor: XmlRpcFault,
      faultCode: 10,
      faultString: 'BAD_NAME: nosuch',
    });
  });

  it('maps a 401 to XmlRpcProtocolError with the status', async () => {
    respond = (_req, _body, res) => {
      res.writeHead(401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="default"' });
      res.end('Unauthorized');
    };
    using client = new XmlRpcClient({ serverurl: `http://127.0.0.1:${port}` });
    const error = await client.call('supervisor.getVersion').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XmlRpcProtocolError);
    expect(error).toMatchObject({ status: 401, statusText: 'Unauthorized' });
  });

  it('maps a missing socket to ENOENT and a closed port to ECONNREFUSED', async () => {
    using missing = new XmlRpcClient({ serverurl: `unix://${dir}/nope.sock` });
    const closed = http.createServer();
    await listen(closed, 0);
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    using refused = new XmlRpcClient({ serverurl: `http://127.0.0.1:${closedPort}` });
    await expect(missing.call('a.b')).rejects.toMatchObject({ constructor: XmlRpcConnectionError, code: 'ENOENT' });
    await expect(refused.call('a.b')).rejects.toMatchObject({ constructor: XmlRpcConnectionError, code: 'ECONNREFUSED' });
  });

  it('maps a socket file nobody listens on to ECONNREFUSED', async () => {
    const stale = path.join(dir, 'stale.sock');
    const s = http.createServer();
    await listen(s, stale);
    // Closing removes the file; recreate a plain file to get the "not a socket" case instead.
    await new Promise((r) => s.close(r));
    writeFileSync(stale, '');
    using client = new XmlRpcClient({ serverurl: `unix://${stale}` });
    const error = (await client.call('a.b').catch((e: unknown) => e)) as XmlRpcConnectionError;
    expect(error).toBeInstanceOf(XmlRpcConnectionError);
    expect(['ECONNREFUSED', 'ENOTSOCK']).toContain(error.code);
  });

  it('refuses a response over the size limit', async () => {
    respond = (_req, _body, res) => res.end(encodeResponse('x'.repeat(5000)));
    using client = new XmlRpcClient({ serverurl: `unix://${socketPath}`, maxResponseBytes: 1000 });
    await expect(client.call('a.b')).rejects.toMatchObject({ constructor: XmlRpcParseError, kind: 'TOO_LARGE' });
  });

  it('refuses an unparsable response body', async () => {
    respond = (_req, _body, res) => res.end('<html>oops</html>');
    using client = new XmlRpcClient({ serverurl: `unix://${socketPath}` });
    await expect(client.call('a.b')).rejects.toBeInstanceOf(XmlRpcParseError);
  });
});

describe('XmlRpcClient.openStream', () => {
  it('streams a GET body until aborted, with basic auth', async () => {
    respond = (_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first\n');
    };
    const abort = new AbortController();
    using client = new XmlRpcClient({ serverurl: `unix://${socketPath}`, username: 'u', password: 'p' });
    const res = await client.openStream('/logtail/a/stdout', abort.signal);
    const chunks: string[] = [];
    const done = (async () => {
      try {
        for await (const c of res) {
          chunks.push(String(c));
          abort.abort();
        }
      } catch {
        // aborted
      }
    })();
    await done;
    expect(chunks).toEqual(['first\n']);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/logtail/a/stdout' });
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('rejects with the HTTP status for a 404', async () => {
    respond = (_req, _body, res) => {
      res.writeHead(404);
      res.end();
    };
    using client = new XmlRpcClient({ serverurl: `unix://${socketPath}` });
    await expect(client.openStream('/logtail/nosuch/stdout')).rejects.toMatchObject({
      constructor: XmlRpcProtocolError,
      status: 404,
    });
  });
});
