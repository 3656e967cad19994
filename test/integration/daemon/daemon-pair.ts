// Helpers for the daemon's differential tests: the real supervisord 4.2.5 and the procvisor daemon
// (dist/cli/procvisor.js) each started with `-n -c FILE` on the same configuration in a temp dir of
// its own, both driven by the stock supervisorctl (and a small XML-RPC client); outputs are compared
// once pids, uptimes, stop times, ports and temp paths are masked.
//
// Every daemon is started with a marker in its environment (PVD_TEST_MARK=<its temp dir>), which
// its children inherit: `marked()` finds every process a daemon started, even one that was
// orphaned, so a suite can prove that nothing it started survives.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import { XmlRpcClient, type XmlRpcClientOptions } from '../../../src/xmlrpc/client.js';
import { XmlRpcFault, type XmlRpcEncodable, type XmlRpcValue } from '../../../src/xmlrpc/types.js';
import { pool } from '../../helpers/concurrency.js';
import { sleep, until } from '../../helpers/wait-for.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '../../..');
export const PROCVISOR_JS = join(ROOT, 'dist/cli/procvisor.js');
export const FIXTURES = join(ROOT, 'test/fixtures/daemon');

function works(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const HAVE_PROCVISOR = existsSync(PROCVISOR_JS);
export const HAVE_SUPERVISORD = works('supervisord', ['--version']) && works('supervisorctl', ['-h']);
/** Both daemons and the stock supervisorctl are available. */
export const CAN_DIFF = HAVE_PROCVISOR && HAVE_SUPERVISORD;

if (!HAVE_PROCVISOR) process.stdout.write('\nNOTICE: dist/cli/procvisor.js missing (run `npm run build`): daemon tests skipped.\n\n');

export type Kind = 'supervisord' | 'procvisor';

/** The environment the daemons run with (their children inherit it, marker included). */
function daemonEnv(mark: string): Record<string, string> {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LC_CTYPE: 'C.UTF-8', TZ: 'UTC', PVD_TEST_MARK: mark };
}

/** The environment supervisorctl runs with (no marker: it is not a daemon's child). */
export const CTL_ENV: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LC_CTYPE: 'C.UTF-8', TZ: 'UTC' };

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TimedResult extends RunResult {
  /** Wall-clock duration in ms. */
  ms: number;
}

/** Runs a command to completion; killed (code -1, `TIMEOUT` appended to stderr) after `timeoutMs`. */
export function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<TimedResult> {
  const started = Date.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(file, args, { cwd: options.cwd ?? tmpdir(), env: options.env ?? CTL_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 15_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code: timedOut ? -1 : (code ?? -1), stdout, stderr: timedOut ? `${stderr}TIMEOUT` : stderr, ms: Date.now() - started });
    });
  });
}

/** Reads a fixture from test/fixtures/daemon, replacing `@NAME@` placeholders. */
export function fixture(name: string, vars: Record<string, string | number> = {}): string {
  let text = readFileSync(join(FIXTURES, name), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`@${k}@`, String(v));
  return text;
}

/** The sections every differential config starts with (supervisord, unix_http_server, rpcinterface, supervisorctl). */
export const PREAMBLE = `[supervisord]
logfile=%(here)s/supervisord.log
pidfile=%(here)s/supervisord.pid
childlogdir=%(here)s
loglevel=info
identifier=svtest

[unix_http_server]
file=%(here)s/s.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://%(here)s/s.sock
`;

/** The outcome of one XML-RPC call: its value or its fault. */
export type Outcome = { value: XmlRpcValue } | { fault: { code: number; string: string } };

/**
 * The daemons a suite starts (push each one): after all its tests they are stopped and their
 * directories removed, and the suite fails if a process they started is still alive.
 */
export function suiteDaemons(): LiveDaemon[] {
  const started: LiveDaemon[] = [];
  afterAll(async () => {
    const left = (await Promise.all(started.map((d) => d.stop()))).flat();
    for (const d of started) d.remove();
    expect(left, 'processes started by the daemons still alive').toEqual([]);
  }, 20_000);
  return started;
}

/** Pids of live processes whose environment carries one of `marks` (zombies excluded). */
export function marked(marks: readonly string[]): number[] {
  const wanted = marks.map((m) => `PVD_TEST_MARK=${m}\0`);
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (!wanted.some((w) => env.includes(w))) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (/\) Z /.test(stat)) continue;
      out.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * The stock supervisorctl, many command lines per Python process: ctl-driver.py calls
 * `supervisor.supervisorctl.main(args)` for each request and reports what it printed and its
 * exit status (a fresh supervisorctl process costs ~0.25 s of CPU per command).
 */
export class CtlDriver {
  readonly #child: ChildProcess;
  #buffer = '';
  readonly #waiting: Array<(line: string) => void> = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor() {
    this.#child = spawn('python3', [join(HERE, 'ctl-driver.py')], { env: CTL_ENV, cwd: tmpdir(), stdio: ['pipe', 'pipe', 'inherit'] });
    this.#child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.#buffer += d;
      for (let nl = this.#buffer.indexOf('\n'); nl >= 0; nl = this.#buffer.indexOf('\n')) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.#waiting.shift()?.(line);
      }
    });
  }

  /** `supervisorctl ...args`; requests are answered one at a time, in order. */
  run(args: readonly string[]): Promise<TimedResult> {
    const next = this.#queue.then(
      () =>
        new Promise<TimedResult>((resolveRun) => {
          const started = Date.now();
          this.#waiting.push((line) => resolveRun({ ...(JSON.parse(line) as RunResult), ms: Date.now() - started }));
          this.#child.stdin?.write(`${JSON.stringify({ args })}\n`);
        }),
    );
    this.#queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.#child.stdin?.end();
    setTimeout(() => this.#child.kill('SIGKILL'), 2_000).unref();
  }
}

/** One daemon (real or ours) in its own temp dir. */
export class LiveDaemon {
  readonly dir: string;
  readonly conf: string;
  readonly socket: string;
  readonly pidfile: string;
  readonly mainLog: string;
  /** Ports written into the config (masked in outputs). */
  ports: number[] = [];
  stdout = '';
  stderr = '';
  #child: ChildProcess | undefined;
  #driver: CtlDriver | undefined;
  /** Settles with the daemon's exit status once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });

  constructor(readonly kind: Kind) {
    this.dir = mkdtempSync(join(tmpdir(), kind === 'procvisor' ? 'pvd-o-' : 'pvd-r-'));
    this.conf = join(this.dir, 'supervisord.conf');
    this.socket = join(this.dir, 's.sock');
    this.pidfile = join(this.dir, 'supervisord.pid');
    this.mainLog = join(this.dir, 'supervisord.log');
  }

  writeConfig(text: string, file = this.conf): void {
    writeFileSync(file, text);
  }

  /** The daemon's command line for `args` (default `-n -c CONF`). */
  command(args: readonly string[] = ['-n', '-c', this.conf]): [string, string[]] {
    return this.kind === 'supervisord' ? ['supervisord', [...args]] : [process.execPath, [PROCVISOR_JS, ...args]];
  }

  /** Starts the daemon (foreground); call `ready()` to wait for its socket. */
  start(args?: readonly string[], wrapper: readonly string[] = []): void {
    const [command, commandArgs] = this.command(args);
    // `wrapper` runs the daemon (`prlimit --nofile=… --`, `setpriv … --`): its own argv, then the daemon's.
    const [file, argv] = wrapper.length ? [wrapper[0] as string, [...wrapper.slice(1), command, ...commandArgs]] : [command, commandArgs];
    const child = spawn(file, argv, { cwd: this.dir, env: daemonEnv(this.dir), stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    void this.exited.then(() => {
      if (this.#child === child) this.#child = undefined;
    });
  }

  /** The daemon's pid while it runs. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  client(options: Partial<XmlRpcClientOptions> = {}): XmlRpcClient {
    return new XmlRpcClient({ serverurl: `unix://${this.socket}`, ...options });
  }

  /** One XML-RPC call over the unix socket (a new connection each time). */
  async call(method: string, ...params: XmlRpcEncodable[]): Promise<Outcome> {
    using client = this.client();
    try {
      return { value: await client.call(method, ...params) };
    } catch (e) {
      if (e instanceof XmlRpcFault) return { fault: { code: e.faultCode, string: e.faultString } };
      throw e;
    }
  }

  /** Like call(), but throws a fault. */
  async value(method: string, ...params: XmlRpcEncodable[]): Promise<XmlRpcValue> {
    const o = await this.call(method, ...params);
    if ('fault' in o) throw new Error(`${this.kind}: ${method} failed: ${o.fault.code} ${o.fault.string}`);
    return o.value;
  }

  async infos(): Promise<Record<string, XmlRpcValue>[]> {
    return (await this.value('supervisor.getAllProcessInfo')) as Record<string, XmlRpcValue>[];
  }

  async info(name: string): Promise<Record<string, XmlRpcValue>> {
    return (await this.value('supervisor.getProcessInfo', name)) as Record<string, XmlRpcValue>;
  }

  /**
   * Whether `pid` has exec'd its program: a fork of the daemon shows the daemon's own command
   * line until it does. supervisord's child keeps its parent's Python signal handlers until exec,
   * so a signal sent in that window is swallowed and a stop then waits out stopwaitsecs before its
   * SIGKILL (a start with startsecs=0 answers before the exec): signal a process only once it has.
   */
  #execed(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1') !== readFileSync(`/proc/${this.pid}/cmdline`, 'latin1');
    } catch {
      return false;
    }
  }

  /** Whether every process in `infos` that has a pid has exec'd (see #execed). */
  #allExeced(infos: Record<string, XmlRpcValue>[]): boolean {
    return infos.every((i) => !((i.pid as number) > 0) || this.#execed(i.pid as number));
  }

  /** Waits until every process has exec'd; a daemon that does not answer (in 2 s) has none to wait for. */
  async allExeced(timeoutMs = 8_000): Promise<void> {
    const infos = async () => {
      using client = this.client({ timeoutMs: 2_000 });
      return (await client.call('supervisor.getAllProcessInfo')) as Record<string, XmlRpcValue>[];
    };
    await until(async () => this.#allExeced(await infos().catch(() => [])), `${this.kind}: every process exec'd`, timeoutMs);
  }

  /** Waits until program `name` has a process that has exec'd its program (see #execed). */
  async execed(name: string, timeoutMs = 8_000): Promise<void> {
    await until(
      async () => {
        const pid = (await this.info(name)).pid as number;
        return pid > 0 && this.#execed(pid);
      },
      `${this.kind}: ${name} exec'd`,
      timeoutMs,
    );
  }

  /** Waits until the daemon answers (state RUNNING), `ready(infos)` holds and every process has exec'd. */
  async ready(ready: (infos: Record<string, XmlRpcValue>[]) => boolean = () => true, timeoutMs = 10_000): Promise<void> {
    let last = '';
    await until(
      async () => {
        if (!this.pid) throw new Error(`${this.kind} exited: ${this.stderr}`);
        const state = (await this.value('supervisor.getState')) as { statename: string };
        const infos = await this.infos();
        last = infos.map((i) => `${i.name as string}=${i.statename as string}`).join(' ');
        return state.statename === 'RUNNING' && ready(infos) && this.#allExeced(infos);
      },
      `${this.kind} ready (${this.dir})`,
      timeoutMs,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)} [${last}]`);
    });
  }

  /** The stock supervisorctl's main() (through a CtlDriver): `supervisorctl -c CONF ...args`. */
  async ctl(args: readonly string[]): Promise<TimedResult> {
    this.#driver ??= new CtlDriver();
    return this.#driver.run(['-c', this.conf, ...args]);
  }

  /** The stock supervisorctl executable itself: `supervisorctl -c CONF ...args`. */
  ctlExe(args: readonly string[], timeoutMs?: number): Promise<TimedResult> {
    return run('supervisorctl', ['-c', this.conf, ...args], { cwd: this.dir, ...(timeoutMs ? { timeoutMs } : {}) });
  }

  /**
   * `supervisorctl -c CONF ...args` for commands that never end (`tail -f`, `maintail -f`):
   * `onStdout` sees the output so far and returns true to send Ctrl-C (SIGINT, once).
   */
  ctlStream(args: readonly string[], onStdout: (stdout: string) => boolean | Promise<boolean>, timeoutMs = 8_000): Promise<RunResult> {
    return new Promise((resolveRun, reject) => {
      const child = spawn('supervisorctl', ['-c', this.conf, ...args], { cwd: this.dir, env: CTL_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        void Promise.resolve(onStdout(stdout)).then((stop) => {
          if (!stop || interrupted) return;
          interrupted = true; // once: a second SIGINT would hit Python's atexit handlers
          // Not while the client is still handling the chunk it just printed: a KeyboardInterrupt
          // inside asyncore's dispatch becomes "Cannot connect, error: <class 'KeyboardInterrupt'>".
          setTimeout(() => child.kill('SIGINT'), 200);
        }, reject);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolveRun({ code: code ?? -1, stdout, stderr: signal === 'SIGKILL' ? `${stderr}TIMEOUT` : stderr });
      });
    });
  }

  /** Main-log lines without their timestamps (`INFO message`), pids masked, optionally filtered. */
  logLines(filter?: RegExp, file = this.mainLog): string[] {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // not there (yet)
    }
    return text
      .split('\n')
      .map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} /, '').replace(/\bpid \d+/g, 'pid <PID>'))
      .filter((l) => l !== '' && (!filter || filter.test(l)));
  }

  /** Hides what legitimately differs between two daemons: pids, uptimes, times, ports, paths. */
  mask(s: string): string {
    let out = s.replaceAll(this.dir, '<DIR>');
    for (const p of this.ports) out = out.replaceAll(String(p), '<PORT>');
    return out
      .replace(/pid \d+, uptime \d+:\d\d:\d\d/g, 'pid <PID>, uptime <UPTIME>')
      .replace(/\b[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M\b/g, '<DATE>')
      .replace(/---svtest-[A-Za-z0-9_]+\.log/g, '---svtest-<AUTO>.log');
  }

  maskResult(r: RunResult): RunResult {
    return { code: r.code, stdout: this.mask(r.stdout), stderr: this.mask(r.stderr) };
  }

  /**
   * Stops the daemon and returns the pids of processes it started that were still alive
   * afterwards (they are then killed). supervisord is first asked to stop all processes: on
   * SIGTERM alone it pops one group per 1 s tick from its stop queue, stopped groups included.
   */
  async stop(graceMs = 8_000): Promise<number[]> {
    this.#driver?.close();
    this.#driver = undefined;
    const child = this.#child;
    if (child && this.pid !== undefined) {
      await this.allExeced().catch(() => undefined); // (a stop before an exec would wait out stopwaitsecs)
      if (this.kind === 'supervisord') {
        using client = this.client({ timeoutMs: graceMs });
        await client.call('supervisor.stopAllProcesses').catch(() => undefined);
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // Helpers of the daemon (procvisor's orphan watchdog) leave right after it: give them 2 s.
    const deadline = Date.now() + 2_000;
    let left = marked([this.dir]);
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(25);
      left = marked([this.dir]);
    }
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return left;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The real supervisord and procvisor on the same configuration. */
export class DaemonPair {
  readonly real = new LiveDaemon('supervisord');
  readonly ours = new LiveDaemon('procvisor');

  get both(): [LiveDaemon, LiveDaemon] {
    return [this.real, this.ours];
  }

  /** Writes `text(daemon)` as each daemon's config (the function gets the daemon for ports/paths). */
  writeConfig(text: string | ((d: LiveDaemon) => string), file?: (d: LiveDaemon) => string): void {
    for (const d of this.both) d.writeConfig(typeof text === 'string' ? text : text(d), file?.(d));
  }

  /** Starts both (in parallel) and waits until each is ready. */
  async start(ready?: (infos: Record<string, XmlRpcValue>[]) => boolean, timeoutMs?: number): Promise<void> {
    for (const d of this.both) d.start();
    await Promise.all(this.both.map((d) => d.ready(ready, timeoutMs)));
  }

  /** `supervisorctl -c CONF ...cmd` against both at once; masked results [real, ours]. */
  async ctl(cmd: readonly string[]): Promise<[RunResult, RunResult]> {
    const [r, o] = await Promise.all([this.real.ctl(cmd), this.ours.ctl(cmd)]);
    return [this.real.maskResult(r), this.ours.maskResult(o)];
  }

  /**
   * Each daemon runs `cmds` one after another; the two sequences run side by side. A command
   * follows once every process the last one started has exec'd (`start` then `stop` would
   * otherwise race supervisord's exec: see LiveDaemon.execed).
   */
  async ctlSequence(cmds: readonly (readonly string[])[]): Promise<[RunResult[], RunResult[]]> {
    const seq = async (d: LiveDaemon): Promise<RunResult[]> => {
      const out: RunResult[] = [];
      for (const c of cmds) {
        out.push(d.maskResult(await d.ctl(c)));
        await d.allExeced();
      }
      return out;
    };
    const [r, o] = await Promise.all([seq(this.real), seq(this.ours)]);
    return [r, o];
  }

  /** Independent commands, `limit` at a time (each against both daemons). */
  ctlBatch(cmds: readonly (readonly string[])[], limit = 2): Promise<[RunResult, RunResult][]> {
    return pool(cmds, limit, (c) => this.ctl(c));
  }

  /** Stops both; returns the pids that were still alive afterwards (then killed). */
  async stop(): Promise<number[]> {
    const left = (await Promise.all(this.both.map((d) => d.stop()))).flat();
    return left;
  }

  remove(): void {
    for (const d of this.both) d.remove();
  }
}

/** A raw HTTP exchange with a daemon's server (unix socket or TCP). */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export function rawRequest(
  target: { socketPath: string } | { host: string; port: number },
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolveReq, reject) => {
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
    const headers: Record<string, string> = { Host: 'localhost', ...(options.headers ?? {}) };
    if (body) headers['Content-Length'] ??= String(body.length);
    const req = http.request({ ...target, method: options.method ?? 'POST', path: options.path ?? '/RPC2', headers, agent: false });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolveReq({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }),
      );
      res.on('error', reject);
    });
    req.end(body);
  });
}

/** An XML-RPC methodCall document. */
export function methodCall(name: string, params: string[] = []): string {
  const ps = params.map((p) => `<param><value><string>${p}</string></value></param>`).join('');
  return `<?xml version="1.0"?><methodCall><methodName>${name}</methodName><params>${ps}</params></methodCall>`;
}

const MASKED_NUMBERS = new Set(['pid', 'start', 'stop', 'now']);

/**
 * An XML-RPC value (or Outcome) with what differs between daemons hidden: non-zero `pid`,
 * `start`, `stop`, `now` members become `<pid>`…, strings go through `d.mask()`.
 */
export function normalize(d: LiveDaemon, v: unknown, key?: string): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(d, x));
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(d, x, k)]));
  }
  if (typeof v === 'number' && key !== undefined && MASKED_NUMBERS.has(key)) return v > 0 ? `<${key}>` : v;
  if (typeof v === 'string') return d.mask(v);
  return v;
}

/**
 * A POST written on a bare socket, for bodies the server may refuse half-way: the head goes first
 * and the body only if no answer came within 100 ms; the body is written 64 KiB at a time, each
 * piece after the previous one was flushed, and writing stops as soon as an answer arrives (a
 * write after the server closed would end in EPIPE and take the unread answer with it). Returns
 * the status code of the answer (0 if none), its text and the time it took.
 */
export function postRaw(
  target: { socketPath: string } | { host: string; port: number },
  head: Record<string, string>,
  body: Buffer,
  timeoutMs = 5_000,
): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolvePost) => {
    const socket = 'socketPath' in target ? net.connect(target.socketPath) : net.connect(target.port, target.host);
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      resolvePost({ status: Number(/^HTTP\/1\.\d (\d{3})/.exec(text)?.[1] ?? 0), text, ms: Date.now() - started });
    };
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.on('connect', () => {
      const lines = ['POST /RPC2 HTTP/1.1', 'Host: localhost', ...Object.entries(head).map(([k, v]) => `${k}: ${v}`), '', ''];
      socket.write(lines.join('\r\n'));
      let offset = 0;
      const pump = (): void => {
        if (chunks.length > 0 || socket.destroyed || offset >= body.length) return;
        const piece = body.subarray(offset, offset + 64 * 1024);
        offset += piece.length;
        socket.write(piece, () => setImmediate(pump));
      };
      setTimeout(pump, 100);
    });
  });
}
