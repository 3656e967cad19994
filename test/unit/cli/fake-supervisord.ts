// An in-process stand-in for supervisord's HTTP side: XML-RPC methods from a table, optional
// basic auth, and streaming GETs, on a Unix socket in a temp dir.

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XmlRpcFault, decodeMethodCall, encodeFault, encodeResponse, type XmlRpcEncodable, type XmlRpcValue } from '../../../src/xmlrpc/codec.js';

export type FakeMethod = (...params: XmlRpcValue[]) => XmlRpcEncodable | Promise<XmlRpcEncodable>;

export interface FakeSupervisord extends AsyncDisposable {
  serverurl: string;
  /** Every method called, in order, with its params. */
  calls: { method: string; params: XmlRpcValue[] }[];
  methods: Map<string, FakeMethod>;
  /** GET handlers by path (tail -f). */
  streams: Map<string, (res: http.ServerResponse) => void>;
  /** When set, requests without this Authorization header get a 401. */
  requireAuth: string | undefined;
  close(): Promise<void>;
}

export const processInfo = (name: string, group: string, statename: string, extra: Record<string, XmlRpcEncodable> = {}) => {
  const states: Record<string, number> = { STOPPED: 0, STARTING: 10, RUNNING: 20, BACKOFF: 30, STOPPING: 40, EXITED: 100, FATAL: 200 };
  return {
    name,
    group,
    statename,
    state: states[statename] ?? 1000,
    description: statename === 'RUNNING' ? 'pid 42, uptime 0:00:01' : 'Not started',
    pid: statename === 'RUNNING' ? 42 : 0,
    ...extra,
  };
};

export async function startFakeSupervisord(): Promise<FakeSupervisord> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-supervisord-'));
  const socketPath = path.join(dir, 'supervisor.sock');
  const fake: FakeSupervisord = {
    serverurl: `unix://${socketPath}`,
    calls: [],
    methods: new Map<string, FakeMethod>([['supervisor.getVersion', () => '3.0']]),
    streams: new Map(),
    requireAuth: undefined,
    close,
    [Symbol.asyncDispose]: close,
  };
  const server = http.createServer((req, res) => {
    if (fake.requireAuth !== undefined && req.headers.authorization !== fake.requireAuth) {
      res.writeHead(401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="default"' });
      res.end();
      return;
    }
    if (req.method === 'GET') {
      const stream = fake.streams.get(req.url ?? '');
      if (stream) return stream(res);
      res.writeHead(404, 'Not Found');
      res.end();
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => void answer(body, res));
  });

  async function answer(body: string, res: http.ServerResponse): Promise<void> {
    const { methodName, params } = decodeMethodCall(body);
    fake.calls.push({ method: methodName, params });
    const method = fake.methods.get(methodName);
    let xml: string;
    try {
      if (!method) throw new XmlRpcFault(1, 'UNKNOWN_METHOD');
      xml = encodeResponse(await method(...params));
    } catch (e) {
      if (!(e instanceof XmlRpcFault)) throw e;
      xml = encodeFault(e.faultCode, e.faultString);
    }
    res.writeHead(200, { 'Content-Type': 'text/xml' });
    res.end(xml);
  }

  async function close(): Promise<void> {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }

  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return fake;
}

/** Captures main()'s output. */
export function captureIo() {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { HOME: '/nonexistent-home' },
      cwd: '/',
      progname: '/usr/bin/procvisorctl',
      configSearchPaths: [] as string[],
    },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}
