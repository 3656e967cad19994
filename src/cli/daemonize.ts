// Going into the background, as supervisord does without -n (and with nodaemon=false): the
// command returns once the daemon is up, and the daemon runs on in a session of its own with
// /dev/null as stdin, stdout and stderr, in `directory` when one is set, with `umask`.
//
// supervisord forks after reading its configuration and opening its servers, so those errors
// still reach the terminal, with exit status 2. Node cannot fork: the launcher starts the daemon
// again as a detached process and waits for one word from it on a status pipe (its fd 3):
// `ready` once its servers listen and its pidfile is written, the point at which supervisord's
// parent exits 0; otherwise whatever error stopped it, which the launcher prints before exiting
// with the daemon's status. The daemon itself enters `directory` and sets `umask` once its
// servers listen (Daemon's `background` option), as supervisord's forked child does.
import { spawn } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';

/**
 * Set by whoever starts a daemon process that must not go into the background itself: `daemon`
 * (the launcher below: report on the status pipe) or `init` (tini in front of a PID-1 start, see
 * pid1.ts). The daemon takes it out of its environment before anything is spawned.
 */
export const LAUNCH_ENV = 'PROCVISOR_LAUNCH';

/** The daemon's end of the status pipe. */
const STATUS_FD = 3;

/** How this process was started: by the launcher, by tini (PID 1), or directly (undefined). */
export function takeLaunch(env: NodeJS.ProcessEnv = process.env): 'daemon' | 'init' | undefined {
  const v = env[LAUNCH_ENV];
  delete env[LAUNCH_ENV];
  return v === 'daemon' || v === 'init' ? v : undefined;
}

/** Where the daemon a launcher started reports until it is ready. */
export interface StatusPipe {
  /** Writes to the launcher's stderr (through the pipe) until `ready`. */
  stderr: { write(s: string): unknown };
  /** Tells the launcher the daemon is up and closes the pipe: the launcher exits 0. */
  ready(): void;
}

/** The daemon's end of the status pipe (fd 3, which the launcher gave it). */
export function statusPipe(): StatusPipe {
  let open = true;
  const send = (s: string): void => {
    if (!open) return;
    try {
      writeSync(STATUS_FD, s);
    } catch {
      open = false; // the launcher is gone: nobody is left to tell
    }
  };
  return {
    stderr: { write: send },
    ready() {
      send('ready\n');
      if (!open) return;
      open = false;
      try {
        closeSync(STATUS_FD);
      } catch {
        // already closed
      }
    },
  };
}

/**
 * Starts this daemon again, with the same arguments and working directory, in the background;
 * resolves with the launcher's exit status: 0 once the daemon said it is ready, else the daemon's
 * own status (2 for a configuration error) after its error was written to `stderr`.
 */
export function launchDaemon(argv: readonly string[], stderr: { write(s: string): unknown }): Promise<number> {
  const script = process.argv[1] as string;
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: { ...process.env, [LAUNCH_ENV]: 'daemon' },
  });
  const status = child.stdio[STATUS_FD] as (NodeJS.ReadableStream & { destroy(): void }) | null | undefined;
  return new Promise((done) => {
    let said = '';
    let settled = false;
    const settle = (code: number): void => {
      if (settled) return;
      settled = true;
      child.unref();
      status?.destroy();
      done(code);
    };
    child.once('error', (e) => {
      stderr.write(`Error: could not start the daemon: ${e.message}\n`);
      settle(1);
    });
    status?.setEncoding('utf8');
    status?.on('data', (s: string) => {
      said += s;
      if (said.startsWith('ready\n')) settle(0);
    });
    // 'close': after the pipe was read to its end, so nothing the daemon said is lost.
    child.once('close', (code, signal) => {
      if (settled) return;
      stderr.write(said || `Error: the daemon exited (${signal ?? `status ${code}`}) before it was ready\n`);
      settle(code ?? 1);
    });
  });
}
