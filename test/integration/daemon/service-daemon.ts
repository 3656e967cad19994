// One procvisor daemon (dist/cli/procvisor.js) in a temporary directory, for the container and
// service-manager tests: its output, its exit, GET requests on its unix socket, and the processes
// it leaves.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { procTable, type ProcRow } from '../../helpers/processes.js';
import { PROCVISOR_JS } from './daemon-pair.js';
import { until as untilDone } from '../../helpers/wait-for.js';

/** Polls `check` until it gives a value (bounded; default 8 s), failing with `what`. */
export function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 8_000): Promise<T> {
  return untilDone(check, what, timeoutMs, 25);
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Answer {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The environment of a daemon under test (no NODE_EXTRA_CA_CERTS, as for every child). */
export function daemonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NOTIFY_SOCKET;
  delete env.WATCHDOG_USEC;
  delete env.WATCHDOG_PID;
  return { ...env, ...extra };
}

export class ServiceDaemon {
  readonly dir = mkdtempSync(join(tmpdir(), 'pv-svc-'));
  readonly socket = join(this.dir, 's.sock');
  readonly conf = join(this.dir, 'supervisord.conf');
  child: ChildProcess | undefined;
  output = '';
  exited: Promise<Exit> | undefined;
  exit: Exit | undefined;

  /** Writes the configuration: a [supervisord] and [unix_http_server] preamble, then `body`. */
  write(body: string, supervisord = '', server = ''): void {
    writeFileSync(
      this.conf,
      `[supervisord]\nlogfile=${join(this.dir, 'main.log')}\npidfile=${join(this.dir, 'pv.pid')}\nchildlogdir=${this.dir}\n${supervisord}\n` +
        `[unix_http_server]\nfile=${this.socket}\n${server}\n[supervisorctl]\nserverurl=unix://${this.socket}\n\n` +
        `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n${body}`,
    );
  }

  /** Starts `command` (default: node procvisor.js -c conf -n). */
  start(options: { command?: string[]; env?: Record<string, string> } = {}): ChildProcess {
    const [file, ...args] = options.command ?? [process.execPath, PROCVISOR_JS, '-c', this.conf, '-n'];
    const child = spawn(file as string, args, { env: daemonEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (this.output += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (this.output += c));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((this.exit = { code, signal }))));
    this.child = child;
    return child;
  }

  /** GET `path` on the daemon's socket, with basic auth when given. */
  get(path: string, auth?: { username: string; password: string }): Promise<Answer> {
    const headers: Record<string, string> = auth ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
    return new Promise((resolve, reject) => {
      const req = http.get({ socketPath: this.socket, path, headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => {
          let json: unknown = body;
          try {
            json = JSON.parse(body);
          } catch {
            // not JSON (a 401 page)
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      });
      req.setTimeout(5000, () => req.destroy(new Error(`GET ${path}: no answer`)));
      req.on('error', reject);
    });
  }

  /** Waits for the exit (bounded), after which it says how it ended. */
  async waitExit(timeoutMs = 20_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`daemon did not exit within ${timeoutMs} ms; output:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited as Promise<Exit>, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Processes that descend from the daemon's process (zombies included). */
  descendants(): ProcRow[] {
    const root = this.child?.pid;
    if (!root) return [];
    const rows = procTable();
    const out: ProcRow[] = [];
    const seen = new Set([root]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const r of rows) {
        if (!seen.has(r.pid) && seen.has(r.ppid)) {
          seen.add(r.pid);
          out.push(r);
          grew = true;
        }
      }
    }
    return out;
  }

  /** Ends whatever is left of the daemon (SIGKILL to its process), then removes the directory. */
  async cleanup(): Promise<void> {
    if (this.child && !this.exit) {
      this.child.kill('SIGKILL');
      await this.waitExit(10_000).catch(() => undefined);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
