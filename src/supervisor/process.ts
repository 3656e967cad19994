// SupervisedProcess: one configured process, its child, its state and its timers. The only place
// where a process state is written (#setState). Mirrors supervisord's Subprocess, event-driven:
// each state owns at most one timer, armed on entry and cancelled on exit.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { statSync } from 'node:fs';
import { BadCommandError, resolveCommand, type ResolvedCommand } from './command.js';
import type { Clock, TimerHandle } from './clock.js';
import type { Channel, ProcessSpec } from './config.js';
import type { ProcessStateEvent } from './events.js';
import { decideOnExit, describeExit } from './exit.js';
import { GUARD_VARIABLE, guardChild, releaseChild } from './orphan-guard.js';
import { describeProcess, type ProcessInfo, type ProcessStatusInfo } from './process-info.js';
import { signalName } from './signals.js';
import { STATE_CODE, type ProcessState } from './states.js';
import { assertTransition } from './transitions.js';
import { lookupUser } from '../dialect/users.js';
import { retryDelay, shouldGiveUp } from './backoff.js';
import { type LineSource, type ReadinessConfig, type ReadinessGate, lineSplitter, startReadiness } from './readiness.js';
import type { ProcessLogs } from './output.js';
import { dispatcherErrorMessage, errnoName } from '../logs/rotating-file.js';
import { hangUpStoppedOrphans } from './orphaned-groups.js';

/** What a process needs from its manager. */
export interface ProcessHost {
  readonly clock: Clock;
  readonly spawn: typeof nodeSpawn;
  readonly orphanGuard: boolean;
  /** PROCVISOR_GUARD value marking this manager's children and their descendants; null when off. */
  readonly guardValue: string | null;
  /** Automatic starts (autorestart, backoff retries) only happen while this is true. */
  canAutoStart(): boolean;
  /** The environment children start from (the manager's plus `[supervisord] environment`). */
  baseEnvironment(): Readonly<Record<string, string | undefined>>;
  serverUrl(): string | null;
  emitState(event: ProcessStateEvent): void;
  output(proc: SupervisedProcess, channel: Channel, chunk: Buffer): void;
  log(level: 'critical' | 'error' | 'warn' | 'info' | 'debug', message: string): void;
}

/** A failure after the fork, as supervisord's child reports it before exiting 127. */
function childFailureScript(lines: string[]): string[] {
  return ['-c', 'for l in "$@"; do printf "%s\\n" "$l" >&2; done; exit 127', 'sh', ...lines];
}

export class SupervisedProcess {
  /** The configuration; replaced by live changes of a reload plan (used from the next evaluation). */
  #spec: ProcessSpec;
  readonly #host: ProcessHost;
  /** The process's log channels; they outlive each child. */
  readonly logs: ProcessLogs;

  /** Current state; written only by #setState. */
  #state: ProcessState = 'STOPPED';
  /** The current child, or undefined when none. */
  #child: ChildProcess | undefined;
  /** Pid of the current child; 0 when none. */
  #pid = 0;
  /** Epoch ms of the last spawn attempt; 0 = never attempted. */
  #laststart = 0;
  /** Monotonic ms of the last spawn attempt. */
  #laststartMono = 0;
  /** Epoch ms of the last reap; 0 = never reaped. */
  #laststop = 0;
  /** Spawn attempts since the process was added (restarts = attempts - 1). */
  #attempts = 0;
  /** Consecutive failed start attempts. */
  #backoff = 0;
  /** A stop or kill signal was sent to the current child. */
  #killing = false;
  /** Last exit status (-1 for a signal death); null = none. */
  #exitstatus: number | null = null;
  /** Last spawn error; null = none. */
  #spawnerr: string | null = null;
  /** The one timer owned by the current state. */
  #timer: TimerHandle | undefined;
  /** Epoch ms at which the current BACKOFF retry is due; 0 when none is pending. */
  #retryAt = 0;
  /** The readiness checks of the current child, while they run. */
  #readiness: ReadinessGate | undefined;
  /** The current child passed its readiness checks (true when it has none). */
  #ready = true;
  /** startsecs has passed for the current child (RUNNING waits for readiness too). */
  #startsecsPassed = false;
  /** Why the current child failed its readiness checks; null = it did not. */
  #readyFailure: string | null = null;
  /** Children whose process group may still have members after they were reaped. */
  readonly #lingering = new Set<number>();

  /** Environment the manager adds (PORT/HOST allocations), under the program's own. */
  readonly #extraEnv: Readonly<Record<string, string>>;

  constructor(spec: ProcessSpec, host: ProcessHost, logs: ProcessLogs, extraEnv: Readonly<Record<string, string>> = {}) {
    this.#spec = spec;
    this.#extraEnv = extraEnv;
    this.#host = host;
    this.logs = logs;
  }

  get spec(): ProcessSpec {
    return this.#spec;
  }

  /** Applies a configuration change that needs no restart (see reload-plan.ts). */
  updateSpec(spec: ProcessSpec): void {
    this.#spec = spec;
    this.logs.stdout.setLimits(spec.stdout.maxbytes, spec.stdout.backups);
    this.logs.stderr?.setLimits(spec.stderr.maxbytes, spec.stderr.backups);
  }

  get name(): string {
    return this.spec.name;
  }
  get group(): string {
    return this.spec.group;
  }
  get state(): ProcessState {
    return this.#state;
  }
  get pid(): number {
    return this.#pid;
  }
  get spawnerr(): string | null {
    return this.#spawnerr;
  }
  /** True when no start was ever attempted (supervisord's laststart == 0). */
  get neverStarted(): boolean {
    return this.#laststart === 0;
  }
  /** In BACKOFF with no retry left: FATAL follows at the next evaluation. */
  get givingUp(): boolean {
    return this.#state === 'BACKOFF' && shouldGiveUp(this.spec.ext.backoff, this.#backoff, this.spec.startretries);
  }

  /** Epoch ms when the pending BACKOFF retry is due, or 0. */
  get nextRetryAt(): number {
    return this.#retryAt;
  }

  /** getProcessInfo plus procvisor's own fields: the next retry time and the restart count. */
  status(): ProcessStatusInfo {
    return { ...this.info(), nextRetryAt: this.#retryAt, restarts: Math.max(0, this.#attempts - 1) };
  }

  info(): ProcessInfo {
    const now = Math.trunc(this.#host.clock.epochMs() / 1000);
    const start = Math.trunc(this.#laststart / 1000);
    const stop = Math.trunc(this.#laststop / 1000);
    const stdout = this.logs.stdout.path ?? '';
    return {
      name: this.name,
      group: this.group,
      description: describeProcess({ name: this.name, state: this.#state, pid: this.#pid, start, stop, now, spawnerr: this.#spawnerr ?? '' }),
      start,
      stop,
      now,
      state: STATE_CODE[this.#state],
      statename: this.#state,
      spawnerr: this.#spawnerr ?? '',
      exitstatus: this.#exitstatus ?? 0,
      logfile: stdout,
      stdout_logfile: stdout,
      stderr_logfile: this.logs.stderr?.path ?? '',
      pid: this.#pid,
    };
  }

  /** Resolves the command as a start request would, throwing BadCommandError (NO_FILE / NOT_EXECUTABLE). */
  checkCommand(): ResolvedCommand {
    return resolveCommand(this.spec.command, this.#pathForLookup());
  }

  #pathForLookup(): string | undefined {
    return this.spec.environment.PATH ?? this.#host.baseEnvironment().PATH;
  }

  // ---- the state writer ---------------------------------------------------------------------

  #setState(to: ProcessState, detail: Partial<ProcessStateEvent> = {}): void {
    const from = this.#state;
    assertTransition(this.name, from, to);
    this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#retryAt = 0;
    this.#state = to;
    this.#timer = this.#armStateTimer(to);
    this.#host.emitState({ name: this.name, group: this.group, from, to, pid: this.#pid, time: this.#host.clock.epochMs(), ...detail });
  }

  /** Each state owns at most one timer (supervisord's per-tick rules P1, P3–P6). */
  #armStateTimer(state: ProcessState): TimerHandle | undefined {
    const clock = this.#host.clock;
    switch (state) {
      case 'STARTING':
        // P4: RUNNING once up for startsecs.
        return this.#armPromotion(this.spec.startsecs * 1000);
      case 'BACKOFF': {
        const policy = this.spec.ext.backoff;
        if (shouldGiveUp(policy, this.#backoff, this.spec.startretries)) {
          // P5: BACKOFF -> FATAL, as the next evaluation (never re-entrant).
          return clock.setTimeout(() => this.#giveUp(), 0);
        }
        // P3: retry after the policy's delay (supervisord: `backoff` seconds).
        const ms = retryDelay(policy, this.#backoff) * 1000;
        this.#retryAt = clock.epochMs() + ms;
        return clock.setTimeout(() => this.#retry(), ms);
      }
      case 'RUNNING': {
        // A backoff policy with reset_after forgets failures only after a stable run.
        const after = this.spec.ext.backoff.reset_after;
        return after !== null && this.#backoff > 0 ? clock.setTimeout(() => (this.#backoff = 0), after * 1000) : undefined;
      }
      case 'STOPPING':
        // P6: SIGKILL after stopwaitsecs, repeated every stopwaitsecs.
        return clock.setTimeout(() => this.#escalate(), this.spec.stopwaitsecs * 1000);
      case 'EXITED': {
        // P1: autorestart at the next evaluation (after the policy's delay for an unstable run).
        if (!this.#shouldAutorestart()) return undefined;
        const unstable = this.spec.ext.backoff.reset_after !== null && this.#backoff > 0;
        const ms = unstable ? retryDelay(this.spec.ext.backoff, this.#backoff) * 1000 : 0;
        if (ms > 0) this.#retryAt = clock.epochMs() + ms;
        return clock.setTimeout(() => this.#autorestart(), ms);
      }
      default:
        return undefined;
    }
  }

  #shouldAutorestart(): boolean {
    const ar = this.spec.autorestart;
    if (ar === true) return true;
    if (ar === 'unexpected') return !this.spec.exitcodes.includes(this.#exitstatus ?? 0);
    return false;
  }

  // Node's timers may fire a fraction of a millisecond early: re-arm for the rest if so.
  #armPromotion(ms: number): TimerHandle {
    return this.#host.clock.setTimeout(() => {
      const left = this.spec.startsecs * 1000 - (this.#host.clock.now() - this.#laststartMono);
      if (left > 0) this.#timer = this.#armPromotion(Math.ceil(left));
      else {
        this.#startsecsPassed = true;
        if (this.#ready) this.#promote();
      }
    }, ms);
  }

  /** supervisord's transition() for STARTING: promote now if startsecs has passed (or is 0). */
  evaluate(): void {
    if (this.#state !== 'STARTING' || this.#pid === 0 || !this.#ready) return;
    const elapsed = (this.#host.clock.now() - this.#laststartMono) / 1000;
    if (this.spec.startsecs === 0 || elapsed > this.spec.startsecs) this.#promote();
  }

  #promote(): void {
    // STARTING -> RUNNING
    if (this.spec.ext.backoff.reset_after === null) this.#backoff = 0;
    this.#setState('RUNNING');
    this.#host.log(
      'info',
      `success: ${this.name} entered RUNNING state, process has stayed up for > than ${this.spec.startsecs} seconds (startsecs)`,
    );
  }

  #retry(): void {
    if (this.#host.canAutoStart()) this.spawn();
  }

  #autorestart(): void {
    if (this.#host.canAutoStart()) this.spawn();
  }

  #giveUp(): void {
    // BACKOFF -> FATAL: startretries exceeded
    this.#backoff = 0;
    this.#setState('FATAL', { spawnerr: this.#spawnerr ?? '' });
    this.#host.log('info', `gave up: ${this.name} entered FATAL state, too many start retries too quickly`);
  }

  // ---- starting ------------------------------------------------------------------------------

  /**
   * A start attempt (supervisord's spawn): legal from STOPPED, EXITED, FATAL and BACKOFF.
   * Returns the pid, or undefined when the attempt failed before a child existed.
   */
  spawn(): number | undefined {
    if (this.#pid !== 0) {
      this.#host.log('warn', `process '${this.name}' already running`);
      return undefined;
    }
    this.#killing = false;
    this.#spawnerr = null;
    this.#exitstatus = null;
    this.#readiness?.abort();
    this.#readiness = undefined;
    this.#ready = this.spec.ext.ready === null;
    this.#startsecsPassed = false;
    this.#readyFailure = null;
    this.#laststart = this.#host.clock.epochMs();
    this.#laststartMono = this.#host.clock.now();
    this.#attempts += 1;
    this.#setState('STARTING', { tries: this.#backoff });

    let cmd: ResolvedCommand;
    try {
      cmd = this.checkCommand();
    } catch (e) {
      return this.#spawnFailed(e instanceof BadCommandError ? e.message : String(e));
    }
    try {
      this.logs.stdout.open();
      this.logs.stderr?.open();
    } catch (e) {
      return this.#spawnFailed(dispatcherErrorMessage(this.name, e));
    }
    let child: ChildProcess;
    try {
      child = this.#fork(cmd);
    } catch (e) {
      const code = errnoName(e);
      return this.#spawnFailed(
        code === 'EAGAIN' ? `Too many processes in process table to spawn '${this.name}'` : code === 'EMFILE' ? `too many open files to spawn '${this.name}'` : `unknown error during fork for '${this.name}': ${code}`,
      );
    }
    if (child.pid === undefined) {
      // libuv reports exec failures in the parent, on the next tick; supervisord's child would
      // have written the reason to its stderr and exited 127, so run a child that does that.
      child.once('error', (err) => {
        if (this.#state === 'STOPPING' && !this.#child) {
          // A stop came before the exec failure was known: there is no child to wait for.
          this.#killing = false;
          this.#setState('STOPPED', { pid: 0 });
          return;
        }
        if (this.#state !== 'STARTING' || this.#child) return;
        const lines = [`supervisor: couldn't exec ${cmd.file}: ${errnoName(err)}`, 'supervisor: child process was not spawned'];
        this.#adopt(this.#host.spawn('/bin/sh', childFailureScript(lines), { detached: true, env: this.#environment(), stdio: 'pipe' }));
      });
      return undefined;
    }
    return this.#adopt(child);
  }

  #adopt(child: ChildProcess): number {
    this.#attach(child);
    this.#host.log('info', `spawned: '${this.name}' with pid ${child.pid}`);
    if (this.spec.ext.ready) this.#gate(this.spec.ext.ready, child.pid as number);
    return child.pid as number;
  }

  /** Runs the readiness checks of a new child; a timeout kills it and counts as a failed start. */
  #gate(config: ReadinessConfig, pid: number): void {
    const clock = this.#host.clock;
    const lines: LineSource = (stream, fn) => {
      const log = stream === 'stderr' ? (this.logs.stderr ?? this.logs.stdout) : this.logs.stdout;
      return log.onData(lineSplitter(fn));
    };
    this.#readiness = startReadiness(config, { pid, name: this.name }, lines, { set: (fn, ms) => clock.setTimeout(fn, ms), clear: (h) => clock.clearTimeout(h as TimerHandle) }, {
      ready: () => {
        this.#readiness = undefined;
        this.#ready = true;
        if (this.#state === 'STARTING' && this.#startsecsPassed) this.#promote();
      },
      timeout: (reason) => {
        this.#readiness = undefined;
        if (this.#state !== 'STARTING' || this.#pid !== pid) return;
        this.#readyFailure = reason;
        this.#host.log('warn', `${this.name}: ${reason}; killing it (pid ${pid})`);
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      },
    });
  }

  #spawnFailed(message: string): undefined {
    // STARTING -> BACKOFF: spawn-time error
    this.#spawnerr = message;
    this.#host.log('info', `spawnerr: ${message}`);
    this.#backoff += 1;
    this.#setState('BACKOFF', { tries: this.#backoff, spawnerr: message });
    return undefined;
  }

  /** The last environment built, and the spec it was built for (the rest is fixed per process). */
  #envFor: { spec: ProcessSpec; env: Readonly<Record<string, string | undefined>> } | undefined;

  /** The environment supervisord gives a child; rebuilt only when the spec changes. */
  #environment(): Readonly<Record<string, string | undefined>> {
    if (this.#envFor?.spec !== this.spec) this.#envFor = { spec: this.spec, env: this.#buildEnvironment() };
    return this.#envFor.env;
  }

  #buildEnvironment(): Record<string, string | undefined> {
    const env: Record<string, string | undefined> = { ...this.#host.baseEnvironment(), SUPERVISOR_ENABLED: '1' };
    const url = this.#host.serverUrl();
    if (this.spec.serverurl && this.spec.serverurl !== 'AUTO') env.SUPERVISOR_SERVER_URL = this.spec.serverurl;
    else if (url) env.SUPERVISOR_SERVER_URL = url;
    env.SUPERVISOR_PROCESS_NAME = this.name;
    env.SUPERVISOR_GROUP_NAME = this.group;
    if (this.#host.guardValue) env[GUARD_VARIABLE] = this.#host.guardValue;
    return Object.assign(env, this.#extraEnv, this.spec.environment);
  }

  /** Failures supervisord's child would hit between fork and exec, checked before spawning. */
  #childSideFailure(file: string): string[] | undefined {
    const { user, directory } = this.spec;
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
    void file;
    return undefined;
  }

  #fork(cmd: ResolvedCommand): ChildProcess {
    const failure = this.#childSideFailure(cmd.file);
    const options: SpawnOptions = {
      detached: true,
      env: this.#environment(),
      stdio: ['pipe', 'pipe', this.spec.redirect_stderr ? 'ignore' : 'pipe'],
      argv0: cmd.argv[0],
    };
    let file = cmd.file;
    let args = cmd.argv.slice(1);
    if (failure) {
      file = '/bin/sh';
      args = childFailureScript(failure);
      delete options.argv0;
      if (this.spec.redirect_stderr) args[1] = (args[1] as string).replace('>&2', '');
      else options.stdio = ['pipe', 'pipe', 'pipe'];
    } else {
      if (this.spec.directory !== null) options.cwd = this.spec.directory;
      if (this.spec.user !== null) {
        const entry = lookupUser(this.spec.user);
        if (entry && process.getuid?.() === 0) {
          options.uid = entry.uid;
          options.gid = entry.gid;
        }
      }
      if (this.spec.redirect_stderr) {
        // fd 2 must be the stdout pipe itself, as supervisord's dup2 makes it.
        args = ['-c', 'exec "$0" "$@" 2>&1', file, ...args];
        file = '/bin/sh';
        delete options.argv0;
      }
    }
    const umask = this.spec.umask;
    const saved = umask !== null ? process.umask(umask) : undefined;
    try {
      return this.#host.spawn(file, args, options);
    } finally {
      if (saved !== undefined) process.umask(saved);
    }
  }

  #attach(child: ChildProcess): void {
    const pid = child.pid as number;
    this.#child = child;
    this.#pid = pid;
    if (this.#host.orphanGuard) guardChild(pid);
    child.stdin?.on('error', () => {});
    const pipe = (stream: NodeJS.ReadableStream | null, channel: Channel) => {
      const log = channel === 'stdout' ? this.logs.stdout : (this.logs.stderr ?? this.logs.stdout);
      stream?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        this.#host.output(this, channel, chunk);
      });
    };
    pipe(child.stdout, 'stdout');
    pipe(child.stderr, this.spec.redirect_stderr ? 'stdout' : 'stderr');
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let done = false;
    let cap: TimerHandle | undefined;
    const finish = () => {
      if (done || !exited) return;
      done = true;
      this.#host.clock.clearTimeout(cap);
      this.#reap(child, exited.code, exited.signal);
    };
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      // Drain what is already in the pipes first (supervisord does), but never wait long for a
      // grandchild that holds them open.
      cap = this.#host.clock.setTimeout(finish, 50);
    });
    child.on('close', finish);
    child.on('error', (err) => this.#host.log('error', `error from child of '${this.name}': ${err.message}`));
  }

  // ---- child death ---------------------------------------------------------------------------

  #reap(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.#child) return;
    const status = signal ? -1 : (code ?? 0);
    const msg = describeExit(code, signal);
    const elapsed = (this.#host.clock.now() - this.#laststartMono) / 1000;
    this.#readiness?.abort();
    this.#readiness = undefined;
    const notReady = this.#state === 'STARTING' && !this.#killing && !this.#ready;
    const decision = notReady
      ? { to: 'BACKOFF' as const, expected: false, exitstatus: null, spawnerr: this.#readyFailure ?? `exited before it was ready (${describeExit(code, signal)})` }
      : decideOnExit({
          state: this.#state,
          killing: this.#killing,
          elapsed,
          startsecs: this.spec.startsecs,
          status,
          exitcodes: this.spec.exitcodes,
        });
    const pid = this.#pid;
    this.#laststop = this.#host.clock.epochMs();
    this.#child = undefined;
    this.#trackGroup(pid);
    child.stdin?.destroy();
    if (this.#state === 'UNKNOWN') {
      // No edge leaves UNKNOWN; record the death and stay.
      this.#host.log('warn', `exited: ${this.name} (${msg}; not expected)`);
      this.#exitstatus = status;
      this.#pid = 0;
      return;
    }
    switch (decision.to) {
      case 'STOPPED':
        // STOPPING -> STOPPED
        this.#host.log(decision.expected && !signal ? 'info' : 'warn', `stopped: ${this.name} (${msg})`);
        this.#killing = false;
        this.#exitstatus = decision.exitstatus;
        this.#setState('STOPPED', { expected: decision.expected, exitstatus: status });
        break;
      case 'BACKOFF':
        // STARTING -> BACKOFF: exited too quickly
        this.#host.log('warn', `exited: ${this.name} (${msg}; not expected)`);
        this.#exitstatus = null;
        this.#spawnerr = decision.spawnerr;
        this.#backoff += 1;
        this.#setState('BACKOFF', { tries: this.#backoff, spawnerr: decision.spawnerr ?? '' });
        break;
      case 'EXITED':
        // supervisord forgets failures here; a policy with reset_after counts an unstable run as one.
        if (this.spec.ext.backoff.reset_after === null) this.#backoff = 0;
        else this.#backoff += 1;
        this.#exitstatus = decision.exitstatus;
        if (this.#state === 'STARTING') this.#setState('RUNNING'); // STARTING -> RUNNING: outlived startsecs
        if (decision.expected) this.#host.log('info', `exited: ${this.name} (${msg}; expected)`);
        else {
          this.#spawnerr = decision.spawnerr;
          this.#host.log('warn', `exited: ${this.name} (${msg}; not expected)`);
        }
        // RUNNING -> EXITED
        this.#setState('EXITED', { expected: decision.expected, exitstatus: status });
        break;
    }
    this.#pid = 0;
  }

  /** Remembers a reaped child's group while it still has members, so shutdown can end them. */
  #trackGroup(pid: number): void {
    if (groupExists(pid)) {
      this.#lingering.add(pid);
      hangUpStoppedOrphans(pid); // what the kernel does for supervisord's children; see orphaned-groups.ts
    } else if (this.#host.orphanGuard) releaseChild(pid);
  }

  /** The child's pid and the groups of reaped children that still have members. */
  familyRoots(): number[] {
    return this.#pid ? [this.#pid, ...this.#lingering] : [...this.#lingering];
  }

  /** Forgets lingering groups once shutdown has ended them. */
  forgetFamily(): void {
    for (const pgid of this.#lingering) if (this.#host.orphanGuard) releaseChild(pgid);
    this.#lingering.clear();
  }

  // ---- stopping and signalling ---------------------------------------------------------------

  /**
   * A stop request (supervisord's stop). BACKOFF -> STOPPED at once; STARTING/RUNNING -> STOPPING.
   * Returns an error text when signalling failed (the process is then UNKNOWN).
   */
  stop(): string | undefined {
    if (this.#state === 'BACKOFF') {
      // BACKOFF -> STOPPED: no child to signal
      this.#host.log('debug', `Attempted to kill ${this.name}, which is in BACKOFF state.`);
      this.#setState('STOPPED', { pid: 0 });
      return undefined;
    }
    return this.#kill(this.spec.stopsignal, this.spec.stopasgroup);
  }

  /** At shutdown, BACKOFF gives up instead of stopping. */
  stopForShutdown(): string | undefined {
    if (this.#state === 'BACKOFF') {
      this.#giveUp();
      return undefined;
    }
    return this.stop();
  }

  #escalate(): void {
    // STOPPING: stopwaitsecs elapsed, SIGKILL (repeated every stopwaitsecs while it survives)
    this.#host.log('warn', `killing '${this.name}' (${this.#pid}) with SIGKILL`);
    this.#kill(9, this.spec.killasgroup);
  }

  #kill(sig: number, asGroup: boolean): string | undefined {
    const pid = this.#pid;
    if (pid === 0) {
      // STARTING while an exec failure is still being reported: stop without a child to signal.
      if (this.#state === 'STARTING') {
        this.#killing = true;
        this.#setState('STOPPING');
      }
      return undefined;
    }
    const target = asGroup ? -pid : pid;
    this.#host.log('debug', `killing ${this.name} (pid ${pid}) ${asGroup ? 'process group ' : ''}with signal ${signalName(sig)}`);
    this.#killing = true;
    try {
      process.kill(target, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') return this.#unknown(`unknown problem killing ${this.name} (${pid}):${(e as Error).message}`);
      this.#host.log('debug', `unable to signal ${this.name} (pid ${pid}), it probably just exited on its own: ${(e as Error).message}`);
    }
    if (this.#state === 'STOPPING') {
      // re-arm P6 for the next SIGKILL
      this.#host.clock.clearTimeout(this.#timer);
      this.#timer = this.#host.clock.setTimeout(() => this.#escalate(), this.spec.stopwaitsecs * 1000);
    } else {
      // STARTING/RUNNING -> STOPPING
      this.#setState('STOPPING');
    }
    return undefined;
  }

  #unknown(message: string): string {
    this.#host.log('critical', message);
    this.#killing = false;
    this.#setState('UNKNOWN');
    return message;
  }

  /** signalProcess: the pid only, no state change; ESRCH ignored. Returns an error text on failure. */
  signal(sig: number): string | undefined {
    const pid = this.#pid;
    if (pid === 0) return undefined;
    this.#host.log('debug', `sending ${this.name} (pid ${pid}) sig ${signalName(sig)}`);
    try {
      process.kill(pid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
      return this.#unknown(`unknown problem sending sig ${this.name} (${pid}):${(e as Error).message}`);
    }
    return undefined;
  }

  /** Writes to the child's stdin. Returns false when the pipe is closed. */
  writeStdin(data: string | Buffer): boolean {
    const stdin = this.#child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return false;
    stdin.write(data);
    return true;
  }

  /** Stops every timer (used when the group is removed). */
  dispose(): void {
    this.#readiness?.abort();
    this.#readiness = undefined;
    this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
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
