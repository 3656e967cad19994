// Runs the real supervisord 4.2.5 on fixture configurations, for differential tests: copies a
// fixture into a temp dir (with a preamble that points logs, pidfile and socket there), starts
// `supervisord -c FILE -n`, asks it for getAllConfigInfo over its unix socket with a small Python
// client, stops it by pid; also reads files with supervisord's own option parser (one Python run).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(HERE, '../../fixtures/conf');
const PYTHON = '/usr/bin/python3';

/** The supervisord on PATH, or null (the differential tests are then skipped). */
export function findSupervisord(): string | null {
  try {
    const path = execFileSync('sh', ['-c', 'command -v supervisord'], { encoding: 'utf8' }).trim();
    execFileSync(path, ['--version'], { stdio: 'ignore' });
    return existsSync(PYTHON) ? path : null;
  } catch {
    return null;
  }
}

/** The environment both supervisord and procvisor read with (LC_CTYPE set: no locale coercion). */
export function fixtureEnv(): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LC_CTYPE: 'C.UTF-8',
    PV_FIXTURE: 'fixture-value',
    PV_NUMBER: '12',
  };
}

export type FixtureMode = 'daemon' | 'oracle-only' | 'raw';

export interface PreparedFixture {
  name: string;
  dir: string;
  conf: string;
  socket: string;
  isError: boolean;
  mode: FixtureMode;
}

const PREAMBLE = `
[supervisord]
logfile=%(here)s/supervisord.log
pidfile=%(here)s/supervisord.pid
childlogdir=%(here)s
nodaemon=true

[unix_http_server]
file=%(here)s/s.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
`;

export function listFixtures(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.conf') && statSync(join(FIXTURES, f)).isFile())
    .sort();
}

/** Copies fixture `file` (and its `NAME.d/` directory) into a fresh temp dir. */
export function prepareFixture(file: string): PreparedFixture {
  const name = basename(file, '.conf');
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  const mode: FixtureMode = text.startsWith('; differential: raw') ? 'raw' : text.startsWith('; differential: oracle-only') ? 'oracle-only' : 'daemon';
  const dir = mkdtempSync(join(tmpdir(), 'pvc-'));
  const conf = join(dir, file);
  writeFileSync(conf, mode === 'raw' ? text : text + PREAMBLE);
  const sub = join(FIXTURES, `${name}.d`);
  if (existsSync(sub)) cpSync(sub, join(dir, `${name}.d`), { recursive: true });
  return { name, dir, conf, socket: join(dir, 's.sock'), isError: name.startsWith('error-'), mode };
}

export function removeFixture(f: PreparedFixture): void {
  rmSync(f.dir, { recursive: true, force: true });
}

/** What the real daemon said: its config info, or its exit status and stderr. */
export type DaemonResult =
  | { ok: true; config: Array<Record<string, unknown>>; processes: Array<Record<string, unknown>> }
  | { ok: false; code: number | null; stderr: string; error?: string };

/** Every supervisord pid started here, so the suite can prove none survives. */
export const startedPids = new Set<number>();

function waitExit(child: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** A long-lived supervisord-client.py: one socket path in, one JSON line out. */
export class ConfigInfoClient {
  readonly #child: ChildProcess;
  #buffer = '';
  #waiting: Array<(line: string) => void> = [];

  constructor(env: Record<string, string>) {
    this.#child = spawn(PYTHON, [join(HERE, 'supervisord-client.py')], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    this.#child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.#buffer += d;
      for (let nl = this.#buffer.indexOf('\n'); nl >= 0; nl = this.#buffer.indexOf('\n')) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.#waiting.shift()?.(line);
      }
    });
  }

  query(socket: string): Promise<{ ok: boolean; config?: Array<Record<string, unknown>>; processes?: Array<Record<string, unknown>>; error?: string }> {
    return new Promise((resolve) => {
      this.#waiting.push((line) => resolve(JSON.parse(line)));
      this.#child.stdin?.write(`${socket}\n`);
    });
  }

  close(): Promise<number | null> {
    this.#child.stdin?.end();
    return waitExit(this.#child, 5_000);
  }
}

/** Resolves once `path` exists (or rejects when `stop` settles first). */
function waitForFile(path: string, stop: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    void stop.then(() => {
      done = true;
      resolve(false);
    });
    const poll = () => {
      if (done) return;
      if (existsSync(path)) return resolve(true);
      setTimeout(poll, 20);
    };
    poll();
  });
}

/**
 * Starts supervisord on the fixture and queries it (error fixtures: waits for its exit). Sends
 * SIGTERM afterwards; `stopped` settles when it has exited (SIGKILL after 15 s).
 */
export async function runDaemon(
  supervisord: string,
  f: PreparedFixture,
  env: Record<string, string>,
  client: ConfigInfoClient,
): Promise<{ result: DaemonResult; stopped: Promise<unknown> }> {
  const child = spawn(supervisord, ['-c', f.conf, '-n'], { cwd: f.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.pid !== undefined) startedPids.add(child.pid);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = waitExit(child, 60_000);
  if (f.isError || !(await waitForFile(f.socket, exited))) {
    const code = await exited;
    return { result: { ok: false, code, stderr }, stopped: exited };
  }
  const reply = await client.query(f.socket);
  if (!reply.ok) {
    if (child.exitCode === null) child.kill('SIGTERM');
    const code = await exited;
    return { result: { ok: false, code, stderr, error: reply.error }, stopped: exited };
  }
  child.kill('SIGTERM');
  const stopped = waitExit(child, 15_000);
  if (reply.ok) return { result: { ok: true, config: reply.config ?? [], processes: reply.processes ?? [] }, stopped };
  return { result: { ok: false, code: null, stderr, error: reply.error }, stopped };
}

/** Runs `items` through `fn`, at most `limit` at a time. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

export type OracleResult =
  | {
      ok: true;
      supervisord: Record<string, unknown>;
      groups: Array<{ name: string; priority: number; processes: Array<Record<string, unknown>> }>;
      servers: Array<Record<string, unknown>>;
      warnings: string[];
      rpcinterface: Array<{ name: string; extras: Record<string, string> }>;
      serverurl: string | null;
    }
  | { ok: false; error: string };

/** supervisord's option parser on every path (one Python process). */
export function runOracle(paths: readonly string[], env: Record<string, string>): OracleResult[] {
  const out = execFileSync(PYTHON, [join(HERE, 'supervisord-oracle.py')], { input: JSON.stringify(paths), env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out) as OracleResult[];
}
