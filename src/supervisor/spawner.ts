// The side effects of a process's life: starting a child (environment, fork, the child-side
// failure report) and signalling it. SupervisedProcess decides; a Spawner acts. The real one below
// uses node:child_process and process.kill; tests substitute a fake that runs nothing.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Clock, TimerHandle } from './clock.js';
import type { ResolvedCommand } from './command.js';
import type { ProcessSpec } from './config.js';
import { droppedExec, identityFor } from './drop-privileges.js';
import { GUARD_VARIABLE, guardChild, releaseChild } from './orphan-guard.js';
import { readPipe } from './pipe-reader.js';
import { lookupUser } from '../dialect/users.js';
import { errnoName } from '../logs/rotating-file.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** What to start. */
export interface SpawnRequest {
  command: ResolvedCommand;
  env: Environment;
  /** Working directory of the child, or null for the host's. */
  directory: string | null;
  /** User to run as (only possible when the host is root), or null. */
  user: string | null;
  umask: number | null;
  /** The child's stderr is its stdout pipe. */
  redirectStderr: boolean;
  /** A descriptor to give the child as its stdin (an fcgi program's socket) instead of a pipe. */
  stdin?: number;
  /**
   * Run, instead of the command, a child that writes these lines to its stderr and exits 127: how
   * supervisord's forked child reports a failure between fork and exec.
   */
  failure?: readonly string[];
}

/** What the child reports back; `exit` is called once, after its pipes were drained. */
export interface ChildEvents {
  /** Bytes the child wrote; `chunk` may be overwritten after the call (copy what you keep). */
  output(channel: 'stdout' | 'stderr', chunk: Buffer): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
  /** The exec failed after the fork (the child never had a pid); `errno` is e.g. ENOENT. */
  execFailed(errno: string): void;
  /** Any other error reported for the child (logged, not a death). */
  error(err: Error): void;
}

/** A started child. */
export interface ChildHandle {
  /** undefined when the exec failed: `execFailed` follows. */
  readonly pid: number | undefined;
  /** Writes to the child's stdin; false when the pipe is closed. */
  writeStdin(data: string | Buffer): boolean;
  /** Closes the parent's end of stdin (after the child was reaped). */
  closeStdin(): void;
}

/** Outcome of a kill(2): ok, or the errno code and message of its failure. */
export type KillResult = { ok: true } | { ok: false; code: string; message: string };

export interface Spawner {
  /** Starts a child. Throws an errno error (EAGAIN, EMFILE, …) when the fork itself fails. */
  spawn(request: SpawnRequest, events: ChildEvents): ChildHandle;
  /** kill(2): `target` is a pid, or minus a process group id. */
  kill(target: number, signal: number): KillResult;
  /** Whether process group `pgid` still has members that may be signalled. */
  groupExists(pgid: number): boolean;
  /** The group of a reaped child is empty (or was ended): stop watching it. */
  release(pgid: number): void;
}

/** The environment supervisord gives a child, built from the host's and the program's. */
export function childEnvironment(
  spec: ProcessSpec,
  host: { base: Environment; serverUrl: string | null; guardValue: string | null },
  extra: Readonly<Record<string, string>>,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...host.base, SUPERVISOR_ENABLED: '1' };
  if (spec.serverurl && spec.serverurl !== 'AUTO') env.SUPERVISOR_SERVER_URL = spec.serverurl;
  else if (host.serverUrl) env.SUPERVISOR_SERVER_URL = host.serverUrl;
  env.SUPERVISOR_PROCESS_NAME = spec.name;
  env.SUPERVISOR_GROUP_NAME = spec.group;
  if (host.guardValue) env[GUARD_VARIABLE] = host.guardValue;
  return Object.assign(env, extra, spec.environment);
}

/** The two lines supervisord's child writes when it cannot exec the command. */
export function execFailureLines(file: string, errno: string): string[] {
  return [`supervisor: couldn't exec ${file}: ${errno}`, 'supervisor: child process was not spawned'];
}

/** A child that writes `lines` to its stderr and exits 127. */
function failureScript(lines: readonly string[]): string[] {
  return ['-c', 'for l in "$@"; do printf "%s\\n" "$l" >&2; done; exit 127', 'sh', ...lines];
}

/** Failures supervisord's child would hit between fork and exec, checked before spawning. */
function childSideFailure(request: SpawnRequest): string[] | undefined {
  const { user, directory } = request;
  if (user !== null) {
    const entry = lookupUser(user);
    const uid = entry?.uid ?? -1;
    if (process.getuid && process.getuid() !== uid && process.getuid() !== 0) {
      return [`supervisor: couldn't setuid to ${uid}: Can't drop privilege as nonroot user`, 'supervisor: child process was not spawned'];
    }
  }
  if (directory !== null) {
    try {
      if (!statSync(directory).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    } catch (e) {
      return [`supervisor: couldn't chdir to ${directory}: ${errnoName(e)}`, 'supervisor: child process was not spawned'];
    }
  }
  return undefined;
}

function fork(request: SpawnRequest): ChildProcess {
  const failure = request.failure ?? childSideFailure(request);
  const { command } = request;
  const options: SpawnOptions = {
    detached: true,
    env: request.env,
    stdio: [request.stdin ?? 'pipe', 'pipe', request.redirectStderr ? 'ignore' : 'pipe'],
    argv0: command.argv[0],
  };
  let file = command.file;
  let args = command.argv.slice(1);
  if (failure) {
    file = '/bin/sh';
    args = failureScript(failure);
    delete options.argv0;
    if (request.redirectStderr) args[1] = (args[1] as string).replace('>&2', '');
    else options.stdio = ['pipe', 'pipe', 'pipe'];
  } else {
    const identity = request.user !== null ? identityFor(request.user) : undefined;
    const dropped =
      identity && droppedExec(identity, { file, argv: command.argv, directory: request.directory, redirectStderr: request.redirectStderr }, request.env);
    if (dropped) {
      ({ file, args } = dropped);
      options.env = dropped.env;
      delete options.argv0;
    } else {
      // No perl: spawn's own uid and gid (no supplementary groups; the directory is entered first).
      if (request.directory !== null) options.cwd = request.directory;
      if (identity) {
        options.uid = identity.uid;
        options.gid = identity.gid;
      }
      if (request.redirectStderr) {
        // fd 2 must be the stdout pipe itself, as supervisord's dup2 makes it.
        args = ['-c', 'exec "$0" "$@" 2>&1', file, ...args];
        file = '/bin/sh';
        delete options.argv0;
      }
    }
  }
  const saved = request.umask !== null ? process.umask(request.umask) : undefined;
  try {
    return spawn(file, args, options);
  } finally {
    if (saved !== undefined) process.umask(saved);
  }
}

/**
 * Whether process group `pgid` still has members we may signal (kill(-pgid, 0)). Asked after
 * every exit, where the answer is almost always ESRCH: the thrown error skips its stack trace,
 * which would cost more than the system call.
 */
function groupExists(pgid: number): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false; // ESRCH, or EPERM: members we could not end anyway
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * The real spawner. Each child leads its own process group; with `orphanGuard` it is registered
 * with the host's watchdog (see orphan-guard.ts). `clock` bounds how long a reap waits for the
 * pipes to drain.
 */
export function nodeSpawner(options: { clock: Clock; orphanGuard: boolean }): Spawner {
  const { clock, orphanGuard } = options;
  return {
    spawn(request, events) {
      const child = fork(request);
      if (child.pid === undefined) {
        // libuv reports exec failures in the parent, on the next tick.
        child.once('error', (err) => events.execFailed(errnoName(err)));
        return { pid: undefined, writeStdin: () => false, closeStdin: () => {} };
      }
      if (orphanGuard) guardChild(child.pid);
      child.stdin?.on('error', () => {});
      let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let done = false;
      let cap: TimerHandle | undefined;
      let openPipes = 0;
      const finish = (drained: boolean) => {
        if (done || !exited || !drained) return;
        done = true;
        clock.clearTimeout(cap);
        events.exit(exited.code, exited.signal);
      };
      const pipeClosed = () => finish(--openPipes === 0);
      for (const channel of ['stdout', 'stderr'] as const) {
        const stream = child[channel];
        if (!stream) continue;
        openPipes++;
        readPipe(stream, (view) => events.output(channel, view), pipeClosed);
      }
      child.on('exit', (code, signal) => {
        exited = { code, signal };
        // Drain what is already in the pipes first (supervisord does), but never wait long for a
        // grandchild that holds them open.
        if (openPipes === 0) return finish(true);
        cap = clock.setTimeout(() => finish(true), 50);
      });
      child.on('error', (err) => events.error(err));
      return {
        pid: child.pid,
        writeStdin(data) {
          const stdin = child.stdin;
          if (!stdin || stdin.destroyed || !stdin.writable) return false;
          stdin.write(data);
          return true;
        },
        closeStdin: () => child.stdin?.destroy(),
      };
    },
    kill(target, signal) {
      try {
        process.kill(target, signal);
        return { ok: true };
      } catch (e) {
        return { ok: false, code: (e as NodeJS.ErrnoException).code ?? '', message: (e as Error).message };
      }
    },
    groupExists,
    release(pgid) {
      if (orphanGuard) releaseChild(pgid);
    },
  };
}
