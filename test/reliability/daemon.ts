// A procvisor daemon (`node dist/cli/procvisor.js -n -c FILE`) in a temp dir of its own, serving a
// unix socket and loopback TCP, and raw HTTP requests to it with a time bound (a request that does
// not answer in time is a hang, never a wait). Every process the daemon starts carries a marker in
// its environment, so `survivors()` finds anything left behind after it stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeResponse } from '../../src/xmlrpc/decode.js';
import { encodeMethodCall } from '../../src/xmlrpc/encode.js';
import { XmlRpcFault, type XmlRpcEncodable, type XmlRpcValue } from '../../src/xmlrpc/types.js';
import { sleep } from '../helpers/wait-for.js';
import { markedProcs, ROOT, type Proc } from './lib.js';
import { freePort } from '../helpers/concurrency.js';

export const PROCVISOR_JS = join(ROOT, 'dist/cli/procvisor.js');
const MARK_KEY = 'PROCVISOR_DAEMON_MARK';

export type Transport = 'unix' | 'tcp';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** requestOverSocket: the error that ended the socket while the body was being sent. */
  writeError?: string;
}

/** A request that got no complete answer within its bound. */
export class HangError extends Error {}

export interface RequestOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Send the body chunked (no Content-Length). */
  chunked?: boolean;
  timeoutMs?: number;
  agent?: http.Agent | false;
  /** For streams (logtail, follow): stop reading after this long and return what came. */
  readForMs?: number;
}

export class TestDaemon {
  readonly dir: string;
  readonly conf: string;
  readonly socket: string;
  readonly mark = randomUUID();
  port = 0;
  child: ChildProcess | undefined;
  stderr = '';
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'procvisor-rel-daemon-'));
    this.conf = join(this.dir, 'supervisord.conf');
    this.socket = join(this.dir, 's.sock');
  }

  /** Writes the configuration (preamble + `programs`), starts the daemon and waits for it to answer. */
  async start(programs: string, options: { loglevel?: string; startTimeoutMs?: number } = {}): Promise<void> {
    this.port = await freePort();
    writeFileSync(
      this.conf,
      `[supervisord]
logfile=%(here)s/supervisord.log
pidfile=%(here)s/supervisord.pid
childlogdir=%(here)s
loglevel=${options.loglevel ?? 'info'}
identifier=reliability

[unix_http_server]
file=%(here)s/s.sock

[inet_http_server]
port=127.0.0.1:${this.port}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

${programs}
`,
    );
    const env: Record<string, string | undefined> = { ...process.env, [MARK_KEY]: this.mark };
    delete env.NODE_EXTRA_CA_CERTS;
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [PROCVISOR_JS, '-n', '-s', '-c', this.conf], { env, cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (this.stderr.length < 100_000) this.stderr += d;
    });
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const deadline = performance.now() + (options.startTimeoutMs ?? 15_000);
    for (;;) {
      try {
        const r = await this.rpc('unix', 'supervisor.getState');
        if ('value' in r) return;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || performance.now() > deadline) throw new Error(`daemon did not come up: ${this.stderr}`);
      await sleep(50);
    }
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** One raw HTTP request, bounded: rejects with HangError when no complete answer came in time. */
  request(transport: Transport, o: RequestOptions = {}): Promise<RawResponse> {
    const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body, 'utf8');
    const headers: Record<string, string | number> = { ...(o.headers ?? {}) };
    if (body && !o.chunked && headers['Content-Length'] === undefined) headers['Content-Length'] = body.length;
    const target = transport === 'unix' ? { socketPath: this.socket } : { host: '127.0.0.1', port: this.port };
    const timeoutMs = o.timeoutMs ?? 5000;
    return new Promise<RawResponse>((resolve, reject) => {
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        fn();
      };
      const req = http.request({ ...target, method: o.method ?? 'POST', path: o.path ?? '/RPC2', headers, agent: o.agent ?? false });
      const timer = setTimeout(() => {
        finish(() => reject(new HangError(`no answer within ${timeoutMs} ms: ${o.method ?? 'POST'} ${o.path ?? '/RPC2'}`)));
        req.destroy();
      }, timeoutMs);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let streamTimer: NodeJS.Timeout | undefined;
        if (o.readForMs !== undefined) {
          streamTimer = setTimeout(() => {
            finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
            res.destroy();
          }, o.readForMs);
        }
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(streamTimer);
          finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        res.on('error', (e) => finish(() => reject(e)));
      });
      req.on('error', (e) => finish(() => reject(e)));
      if (body) {
        if (o.chunked) {
          // Write in pieces, as a streaming client would; stop if the server answered already.
          let off = 0;
          const pump = () => {
            while (off < body.length && !done) {
              const piece = body.subarray(off, off + 65536);
              off += piece.length;
              if (!req.write(piece)) return void req.once('drain', pump);
            }
            if (!done) req.end();
          };
          req.on('error', () => undefined);
          pump();
          return;
        }
        req.end(body);
      } else req.end();
    });
  }

  /**
   * A request over a bare socket, for bodies the server refuses before reading them all: the body
   * is written while the answer is read, write errors after the server closed (EPIPE, ECONNRESET)
   * are ignored, and the status line of whatever came back is returned (0 when nothing came).
   */
  requestOverSocket(
    transport: Transport,
    o: { method?: string; path?: string; headers?: Record<string, string | number>; body: Buffer; chunked?: boolean; timeoutMs?: number },
  ): Promise<RawResponse> {
    const timeoutMs = o.timeoutMs ?? 10_000;
    const sock = transport === 'unix' ? net.connect(this.socket) : net.connect(this.port, '127.0.0.1');
    const head = [`${o.method ?? 'POST'} ${o.path ?? '/RPC2'} HTTP/1.1`, `Host: ${transport === 'unix' ? 'localhost' : `127.0.0.1:${this.port}`}`];
    for (const [k, v] of Object.entries(o.headers ?? {})) head.push(`${k}: ${v}`);
    head.push(o.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${o.body.length}`, 'Connection: close', '', '');
    return new Promise<RawResponse>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks);
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(text.subarray(0, 20).toString('latin1'));
        const sep = text.indexOf('\r\n\r\n');
        resolve({
          status: m ? Number(m[1]) : 0,
          headers: {},
          body: sep >= 0 ? text.subarray(sep + 4) : Buffer.alloc(0),
          ...(writeError ? { writeError } : {}),
        });
      };
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        sock.destroy();
        reject(new HangError(`no answer within ${timeoutMs} ms (socket)`));
      }, timeoutMs);
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('close', done);
      let writeError: string | undefined;
      // EPIPE/ECONNRESET: the server answered early and closed (Node then drops what it received).
      sock.on('error', (e: NodeJS.ErrnoException) => (writeError = e.code ?? e.message));
      sock.write(head.join('\r\n'));
      let off = 0;
      const pump = () => {
        while (off < o.body.length && !sock.destroyed) {
          const piece = o.body.subarray(off, off + 65536);
          off += piece.length;
          if (o.chunked) {
            sock.write(`${piece.length.toString(16)}\r\n`);
            sock.write(piece);
          }
          const ok = o.chunked ? sock.write('\r\n') : sock.write(piece);
          if (!ok) return void sock.once('drain', pump);
        }
        if (o.chunked && !sock.destroyed) sock.write('0\r\n\r\n');
      };
      pump();
    });
  }

  /** An XML-RPC call: its value or its fault (an HTTP error rejects). */
  async rpc(
    transport: Transport,
    method: string,
    params: readonly XmlRpcEncodable[] = [],
    agent?: http.Agent,
  ): Promise<{ value: XmlRpcValue } | { fault: { code: number; string: string } }> {
    const res = await this.request(transport, {
      body: encodeMethodCall(method, params),
      headers: { 'Content-Type': 'text/xml' },
      agent: agent ?? false,
      timeoutMs: 30_000,
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
    try {
      return { value: decodeResponse(res.body.toString('utf8')) };
    } catch (e) {
      if (e instanceof XmlRpcFault) return { fault: { code: e.faultCode, string: e.faultString } };
      throw e;
    }
  }

  /** Stops the daemon (SIGTERM: supervisord's orderly shutdown), bounded; SIGKILL if it hangs. */
  async stop(timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; clean: boolean }> {
    if (!this.child) return { code: null, signal: null, clean: true };
    if (this.alive) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const r = await this.exited;
    clearTimeout(timer);
    return { ...r, clean: r.signal === null };
  }

  /** Live processes the daemon started, found by marker (after stop() this should be empty). */
  survivors(): Proc[] {
    return markedProcs(MARK_KEY, this.mark).filter((p) => p.pid !== this.pid);
  }

  /** Kills marked leftovers (only this daemon's) and removes the temp dir. */
  cleanup(): void {
    for (const p of this.survivors()) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
