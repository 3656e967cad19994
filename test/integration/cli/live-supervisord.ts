// Helpers for the differential tests: a real supervisord 4.2.5 in a temp dir, and runners that
// send the same command line through the real supervisorctl and through our main().

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../src/cli/procvisorctl.js';
import { XmlRpcClient } from '../../../src/xmlrpc/client.js';
import type { XmlRpcValue } from '../../../src/xmlrpc/codec.js';
import { sleep } from '../../helpers/wait-for.js';

export function hasSupervisord(): boolean {
  try {
    execFileSync('supervisord', ['--version'], { stdio: 'ignore' });
    execFileSync('supervisorctl', ['-h'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real supervisorctl, killed (and reported with code -1) if it runs past `timeoutMs`. */
export function runReal(args: readonly string[], cwd: string, timeoutMs = 10_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('supervisorctl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? -1 : (code ?? -1), stdout, stderr: timedOut ? `${stderr}TIMEOUT` : stderr });
    });
  });
}

/**
 * Our CLI, in-process, posing as /usr/bin/supervisorctl so usage texts match. Without a
 * `signal`, a 10 s "Ctrl-C" bounds commands that would otherwise wait forever.
 */
export async function runOurs(
  args: readonly string[],
  cwd: string,
  signal: AbortSignal = AbortSignal.timeout(10_000),
  onStdout?: (chunk: string) => void,
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: {
      write: (s: string) => {
        stdout += s;
        onStdout?.(s);
      },
    },
    stderr: { write: (s: string) => (stderr += s) },
    cwd,
    progname: '/usr/bin/supervisorctl',
    signal,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Hides what legitimately differs between two runs: pids, uptimes, stop times. */
export function mask(r: RunResult): RunResult {
  const hide = (s: string): string =>
    s.replace(/pid \d+, uptime \d+:\d\d:\d\d/g, 'pid PID, uptime UPTIME').replace(/\b[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M\b/g, 'DATE');
  return { code: r.code, stdout: hide(r.stdout), stderr: hide(r.stderr) };
}

function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** A supervisord started with `-n` on a config in its own temp dir. */
export class LiveSupervisord {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'pvctl-'));
  readonly conf = path.join(this.dir, 'supervisord.conf');
  readonly socket = path.join(this.dir, 's.sock');
  // The daemon we started; undefined before start and after it exited.
  #child: ChildProcess | undefined;
  // Every child pid seen, with its command line, so stop() can make sure none survives
  // (a pid is only killed while /proc still shows the same command line).
  readonly #childPids = new Map<number, string>();
  #exited: Promise<void> = Promise.resolve();

  writeConfig(text: string): void {
    writeFileSync(this.conf, text);
  }

  client(): XmlRpcClient {
    return new XmlRpcClient({ serverurl: `unix://${this.socket}` });
  }

  start(): void {
    const child = spawn('supervisord', ['-n', '-c', this.conf], { cwd: this.dir, stdio: 'ignore' });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.#exited.then(() => {
      if (this.#child === child) this.#child = undefined;
    });
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Polls (50 ms, bounded) until `ready` holds for the daemon's process infos. */
  async waitUntil(ready: (infos: Record<string, XmlRpcValue>[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    using client = this.client();
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const state = (await client.call('supervisor.getState')) as { statename: string };
        const infos = (await client.call('supervisor.getAllProcessInfo')) as Record<string, XmlRpcValue>[];
        for (const i of infos) if (typeof i.pid === 'number' && i.pid > 0) this.#remember(i.pid);
        if (state.statename === 'RUNNING' && ready(infos)) return;
        last = infos.map((i) => `${i.name as string}=${i.statename as string}`).join(' ');
      } catch (e) {
        last = e;
        client.close();
      }
      await sleep(50);
    }
    throw new Error(`supervisord not ready after ${timeoutMs} ms: ${String(last)}`);
  }

  #remember(pid: number): void {
    const cmdline = cmdlineOf(pid);
    if (cmdline !== undefined) this.#childPids.set(pid, cmdline);
  }

  /** Resolves when the daemon has exited (after `shutdown`, or stop()). */
  async waitForExit(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('supervisord did not exit')), timeoutMs);
    });
    try {
      await Promise.race([this.#exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the daemon we started (SIGTERM, then SIGKILL), kills leftover children, removes the dir. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child?.pid !== undefined) {
      child.kill('SIGTERM');
      await this.waitForExit(8_000).catch(() => {
        child.kill('SIGKILL');
        return this.waitForExit(2_000);
      });
    }
    for (const [pid, cmdline] of this.#childPids) {
      if (cmdlineOf(pid) === cmdline) process.kill(pid, 'SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
