// Running as PID 1 (the main process of a container, or of `unshare --pid --fork`). PID 1 inherits
// every orphan in its PID namespace and must reap them, but Node can only wait for the children it
// spawned itself (no waitpid(-1)), and Node 20 cannot exec. So when procvisor finds itself PID 1
// it starts `tini -s -- <node> <the same arguments>`: tini registers as a child subreaper, so
// orphans of every program re-parent to tini, which reaps them; the real daemon runs as tini's
// child. This process stays as a thin parent that forwards the supervisor's signals to tini (tini
// forwards them to the daemon) and exits with tini's status, which is the daemon's. Where Node has
// process.execve (22.15 and later) this process becomes tini instead, and nothing stays behind.
//
// Without tini the daemon runs as PID 1 anyway, after a warning: orphans then stay zombies.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import { LAUNCH_ENV } from './daemonize.js';

/** The signals a container runtime or an operator sends to the supervisor. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];

/** Set to `0` (or `off`) to run as PID 1 without the tini parent. */
export const INIT_ENV = 'PROCVISOR_INIT';

/** The tini to use: `$PROCVISOR_TINI`, else the first `tini` on PATH, else the usual places. */
export function findTini(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (env.PROCVISOR_TINI) return executable(env.PROCVISOR_TINI) ? env.PROCVISOR_TINI : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return [...dirs.map((d) => join(d, 'tini')), '/usr/bin/tini', '/sbin/tini', '/usr/local/bin/tini'].find(executable);
}

/** Whether this process should put tini in front of the daemon. */
export function wantsInit(pid = process.pid, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[INIT_ENV]?.toLowerCase();
  return pid === 1 && v !== '0' && v !== 'off' && v !== 'false';
}

/**
 * Runs the daemon under `tini -s` and resolves with its exit status; this process only forwards
 * signals. Resolves undefined (after writing a warning to `stderr`) when there is no tini, so the
 * caller runs the daemon itself.
 */
export function runUnderTini(argv: readonly string[], stderr: { write(s: string): unknown } = process.stderr): Promise<number> | undefined {
  const tini = findTini();
  if (!tini) {
    stderr.write(
      'procvisor: WARNING: running as PID 1 without tini, so orphaned processes will not be reaped and stay zombies. ' +
        'Install tini (Debian: apt-get install tini) or start the container with an init (docker run --init).\n',
    );
    return undefined;
  }
  const daemonArgs = [process.execPath, ...process.execArgv, ...process.argv.slice(1, 2), ...argv];
  // The daemon under tini stays in the foreground, with or without -n (daemonize.ts).
  const env = { ...process.env, [LAUNCH_ENV]: 'init' };
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (typeof execve === 'function') {
    try {
      // tini becomes PID 1 itself, the daemon its child: no Node process left in front.
      execve(tini, [tini, '--', ...daemonArgs], env);
    } catch {
      // fall back to a thin parent
    }
  }
  // -s: be a child subreaper (tini is not PID 1 here).
  const child = spawn(tini, ['-s', '--', ...daemonArgs], { stdio: 'inherit', env });
  const forward = (sig: NodeJS.Signals) => () => {
    try {
      child.kill(sig);
    } catch {
      // tini is already gone; its exit ends this process
    }
  };
  for (const sig of FORWARDED_SIGNALS) process.on(sig, forward(sig));
  return new Promise((resolve) => {
    child.once('error', (e) => {
      stderr.write(`procvisor: could not start ${tini}: ${e.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0)));
  });
}
