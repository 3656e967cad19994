// Three procvisor daemons (dist/cli/procvisor.js) on loopback as fleet nodes, each reaching etcd
// through TCP proxies the test can cut (so a node can be kept from etcd while the test writes to
// it), with small HTTP helpers for their JSON APIs. Every daemon runs with a marker in its
// environment (inherited by its children) so the suite can prove nothing it started survives.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { PROCVISOR_JS } from '../daemon/daemon-pair.js';
import { freePort } from '../../helpers/concurrency.js';
import { procTable } from '../../helpers/processes.js';
import { until } from '../../helpers/wait-for.js';

export const USER = 'u';
export const PASSWORD = 'p';

/** A TCP proxy to one etcd member that can refuse and drop connections. */
export class CuttableProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #cut = false;
  port = 0;

  constructor(readonly target: number) {
    this.#server = net.createServer((client) => {
      if (this.#cut) return client.destroy();
      const upstream = net.connect(target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => (client.destroy(), upstream.destroy()));
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }

  /** Drops every connection and refuses new ones. */
  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((r) => this.#server.close(r));
  }
}

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, asserted field by field
}

export class FleetNode {
  child: ChildProcess | undefined;
  port = 0;
  readonly conf: string;
  /** This node's own way to each etcd member (cut one node off while the others keep etcd). */
  readonly proxies: CuttableProxy[];

  constructor(
    readonly name: string,
    readonly dir: string,
    readonly mark: string,
    etcdClientPorts: readonly number[],
    readonly options: string,
    readonly scheme: 'http' | 'https' = 'http',
  ) {
    this.conf = join(dir, 'supervisord.conf');
    this.proxies = etcdClientPorts.map((p) => new CuttableProxy(p));
  }

  /** Drops this node's connections to etcd and refuses new ones. */
  cutEtcd(): void {
    for (const p of this.proxies) p.cut();
  }

  restoreEtcd(): void {
    for (const p of this.proxies) p.restore();
  }

  async close(): Promise<void> {
    await this.stop();
    await Promise.all(this.proxies.map((p) => p.close()));
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.port ||= await freePort();
    for (const p of this.proxies) if (!p.port) await p.listen();
    const etcd = this.proxies.map((p) => `${this.scheme}://127.0.0.1:${p.port}`).join(',');
    writeFileSync(
      this.conf,
      [
        '[supervisord]',
        'logfile=%(here)s/main.log',
        'pidfile=%(here)s/supervisord.pid',
        'childlogdir=%(here)s',
        '[inet_http_server]',
        `port=127.0.0.1:${this.port}`,
        `username=${USER}`,
        `password=${PASSWORD}`,
        '[rpcinterface:supervisor]',
        'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
        '[fleet]',
        `etcd=${etcd}`,
        `node=${this.name}`,
        this.options,
        '',
      ].join('\n'),
    );
    const out = openSync(join(this.dir, 'out.log'), 'a');
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TZ: 'UTC', PVD_TEST_MARK: this.mark };
    this.child = spawn(process.execPath, [PROCVISOR_JS, '-n', '-c', this.conf], { env, stdio: ['ignore', out, out] });
    closeSync(out);
    await until(
      async () => (await this.api('GET', '/api/fleet')).status === 200,
      () => `node ${this.name} answering; its output:\n${this.output()}`,
      15_000,
      50,
    );
  }

  output(): string {
    try {
      return readFileSync(join(this.dir, 'out.log'), 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '(none)';
    }
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  /** SIGKILL of the daemon (its watchdog ends its children). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM and wait for the exit (bounded). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  api(method: string, path: string, body?: unknown): Promise<Reply> {
    return request(this.port, method, path, body);
  }

  /** This node's own view of a process (its local JSON API, which needs no etcd). */
  async local(program: string): Promise<{ statename: string; pid: number } | undefined> {
    const r = await this.api('GET', '/api/status');
    if (r.status !== 200) throw new Error(`GET /api/status on ${this.name}: ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body.processes as { group: string; statename: string; pid: number }[]).find((p) => p.group === program);
  }

  /** Waits until the node reports an error reaching etcd; its /api/fleet answer then. */
  fleetError(timeoutMs = 20_000): Promise<{ connected: boolean; lastError: string }> {
    return until(
      async () => {
        const b = (await this.api('GET', '/api/fleet')).body as { connected: boolean; lastError?: string };
        return b.lastError !== undefined && (b as { connected: boolean; lastError: string });
      },
      () => `node ${this.name} reporting an error reaching etcd; its output:\n${this.output()}`,
      timeoutMs,
      50,
    );
  }

  async localPids(): Promise<Record<string, number>> {
    const r = await this.api('GET', '/api/status');
    return Object.fromEntries((r.body.processes as { namespec: string; pid: number }[]).map((p) => [p.namespec, p.pid]));
  }
}

export function request(port: number, method: string, path: string, body?: unknown): Promise<Reply> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
  if (data !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // kept as text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** Pids of live processes whose command line is exactly `cmd`. */
export function pidsRunning(cmd: string): number[] {
  return procTable()
    .filter((r) => r.state !== 'Z' && r.cmd === cmd)
    .map((r) => r.pid);
}

/** Pids of every live process carrying `mark` in its environment. */
export function markedPids(mark: string): number[] {
  const out: number[] = [];
  for (const r of procTable()) {
    if (r.state === 'Z') continue;
    try {
      if (readFileSync(`/proc/${r.pid}/environ`, 'utf8').split('\0').includes(`PVD_TEST_MARK=${mark}`)) out.push(r.pid);
    } catch {
      // gone
    }
  }
  return out;
}
