// SupervisedProcess: one configured process, its child, its state and its timers. The only place
// where a process state is written (#setState). Mirrors supervisord's Subprocess, event-driven:
// each state owns at most one timer, armed on entry and cancelled on exit.
import { FailedError } from '../errors.js';
import { BadCommandError, resolveCommand, type ResolvedCommand } from './command.js';
import type { Clock, TimerHandle } from './clock.js';
import type { Channel, ProcessSpec } from './config.js';
import type { KeptOutput, ProcessStateEvent } from './events.js';
import { decideOnExit, describeExit } from './exit.js';
import { describeProcess, type ProcessInfo, type ProcessStatusInfo } from './process-info.js';
import { signalName } from './signals.js';
import { STATE_CODE, type ProcessState } from './states.js';
import { assertTransition } from './transitions.js';
import { shouldGiveUp } from './backoff.js';
import { stateTimer } from './state-timers.js';
import { type LineSource, type ReadinessConfig, type ReadinessGate, lineSplitter, notifyCheckOf, startReadiness } from './readiness.js';
import { type ProgramNotify, programNotifyFor } from './notify-program.js';
import { stripAnsi } from '../logs/strip-ansi.js';
import type { ProcessLogs } from './output.js';
import { dispatcherErrorMessage, errnoName } from '../logs/rotating-file.js';
import { childEnvironment, execFailureLines, type ChildHandle, type Environment, type Spawner, type SpawnRequest } from './spawner.js';
import { hangUpStoppedOrphans } from './orphaned-groups.js';
import type { SharedSocket } from './fcgi-socket.js';

/** What a process needs from its manager. */
export interface ProcessHost {
  readonly clock: Clock;
  /** Starts and signals children (the only side effects on processes). */
  readonly spawner: Spawner;
  /** PROCVISOR_GUARD value marking this manager's children and their descendants; null when off. */
  readonly guardValue: string | null;
  /** Automatic starts (autorestart, backoff retries) only happen while this is true. */
  canAutoStart(): boolean;
  /** The environment children start from (the manager's plus `[supervisord] environment`). */
  baseEnvironment(): Readonly<Record<string, string | undefined>>;
  serverUrl(): string | null;
  emitState(event: ProcessStateEvent): void;
  /** supervisord's `strip_ansi`: output loses its ANSI escapes before it is logged. */
  readonly stripAnsi: boolean;
  /** Output of a child; `log` when it was written to that log first. */
  output(proc: SupervisedProcess, channel: Channel, chunk: Buffer, log?: KeptOutput): void;
  /** Whether output of this channel may be kept past the call (then it gets its own copy). */
  keepsOutput(proc: SupervisedProcess, channel: Channel): boolean;
  /**
   * Sees output before it is logged and may take it (returns true): a listener's protocol,
   * capture mode. It passes on what is to be handled the ordinary way through `deliver`.
   */
  divert?(proc: SupervisedProcess, channel: Channel, chunk: Buffer, deliver: (part: Buffer, toLog?: boolean) => void): boolean;
  log(level: 'critical' | 'error' | 'warn' | 'info' | 'debug', message: string): void;
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
  #child: ChildHandle | undefined;
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
  /** An fcgi program's group socket, given to each child as its stdin (fd 0). */
  readonly #socket: SharedSocket | undefined;
  /** The socket's descriptor while this process holds it (from spawn until reaped). */
  #socketFd: number | undefined;

  constructor(spec: ProcessSpec, host: ProcessHost, logs: ProcessLogs, extraEnv: Readonly<Record<string, string>> = {}, socket?: SharedSocket) {
    this.#socket = socket;
    this.#spec = spec;
    this.#extraEnv = extraEnv;
    this.#host = host;
    this.logs = logs;
    this.#notify = programNotifyFor(undefined, notifyCheckOf(spec.ext.ready) !== undefined, (m) => host.log('error', m));
  }

  /** The $NOTIFY_SOCKET of a program with a `notify` readiness check. */
  #notify: ProgramNotify | undefined;

  /** For a `notify` program: resolves once its $NOTIFY_SOCKET exists (the manager waits before autostart). */
  get notifySocketReady(): Promise<void> | undefined {
    return this.#notify?.listening;
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

  /** Each state owns at most one timer, in place of supervisord's per-tick checks (see state-timers.ts for which). */
  #armStateTimer(state: ProcessState): TimerHandle | undefined {
    const clock = this.#host.clock;
    const timer = stateTimer(state, {
      startsecs: this.spec.startsecs,
      stopwaitsecs: this.spec.stopwaitsecs,
      startretries: this.spec.startretries,
      autorestart: this.spec.autorestart,
      exitcodes: this.spec.exitcodes,
      policy: this.spec.ext.backoff,
      backoff: this.#backoff,
      exitstatus: this.#exitstatus,
    });
    switch (timer?.action) {
      case undefined:
        return undefined;
      case 'promote':
        return this.#armPromotion(timer.ms);
      case 'giveUp':
        return clock.setTimeout(() => this.#giveUp(), timer.ms);
      case 'retry':
        this.#retryAt = clock.epochMs() + timer.ms;
        return clock.setTimeout(() => this.#retry(), timer.ms);
      case 'forgetFailures':
        return clock.setTimeout(() => (this.#backoff = 0), timer.ms);
      case 'kill':
        return clock.setTimeout(() => this.#escalate(), timer.ms);
      case 'autorestart':
        if (timer.ms > 0) this.#retryAt = clock.epochMs() + timer.ms;
        return clock.setTimeout(() => this.#autorestart(), timer.ms);
    }
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
    this.#host.log('info', `success: ${this.name} entered RUNNING state, process has stayed up for > than ${this.spec.startsecs} seconds (startsecs)`);
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
    if (this.#socket) {
      try {
        this.#socketFd = this.#socket.acquire();
      } catch (e) {
        return this.#spawnFailed(`could not create the socket ${this.#socket.spec.url} for '${this.name}': ${(e as Error).message}`);
      }
    }

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
    let child: ChildHandle;
    try {
      child = this.#start({
        command: cmd,
        env: this.#environment(),
        directory: this.spec.directory,
        user: this.spec.user,
        umask: this.spec.umask,
        redirectStderr: this.spec.redirect_stderr,
        ...(this.#socketFd !== undefined ? { stdin: this.#socketFd } : {}),
      });
    } catch (e) {
      const code = errnoName(e);
      return this.#spawnFailed(
        code === 'EAGAIN'
          ? `Too many processes in process table to spawn '${this.name}'`
          : code === 'EMFILE'
            ? `too many open files to spawn '${this.name}'`
            : `unknown error during fork for '${this.name}': ${code}`,
      );
    }
    // An exec failure is reported later (#execFailed); supervisord's child would have written the
    // reason to its stderr and exited 127.
    if (child.pid === undefined) return undefined;
    return this.#adopt(child);
  }

  /** Asks the host to start a child, wiring its output to the logs and its death to #reap. */
  #start(request: SpawnRequest): ChildHandle {
    const redirect = this.spec.redirect_stderr;
    const handle: ChildHandle = this.#host.spawner.spawn(request, {
      output: (from, view) => {
        const channel: Channel = redirect ? 'stdout' : from;
        const log = channel === 'stdout' ? this.logs.stdout : (this.logs.stderr ?? this.logs.stdout);
        // `view` is the spawner's read buffer: copied once when something may keep it (events,
        // capture mode, a listener's protocol, output listeners); the log only writes and copies.
        const chunk = this.#host.keepsOutput(this, channel) ? Buffer.from(view) : view;
        const deliver = (raw: Buffer, toLog = true) => {
          const part = this.#host.stripAnsi ? stripAnsi(raw) : raw;
          if (!toLog) return this.#host.output(this, channel, part);
          log.write(part);
          this.#host.output(this, channel, part, log);
        };
        if (!this.#host.divert?.(this, channel, chunk, deliver)) deliver(chunk);
      },
      exit: (code, signal) => this.#reap(handle, code, signal),
      execFailed: (errno) => this.#execFailed(request, errno),
      error: (err) => this.#host.log('error', `error from child of '${this.name}': ${err.message}`),
    });
    return handle;
  }

  #execFailed(request: SpawnRequest, errno: string): void {
    if (this.#state === 'STOPPING' && !this.#child) {
      // A stop came before the exec failure was known: there is no child to wait for.
      this.#killing = false;
      this.#releaseSocket();
      this.#setState('STOPPED', { pid: 0 });
      return;
    }
    if (this.#state !== 'STARTING' || this.#child) return;
    this.#adopt(this.#start({ ...request, failure: execFailureLines(request.command.file, errno) }));
  }

  #adopt(child: ChildHandle): number {
    const pid = child.pid as number;
    this.#child = child;
    this.#pid = pid;
    this.#host.log('info', `spawned: '${this.name}' with pid ${pid}`);
    this.#notify?.childStarted(pid, notifyCheckOf(this.spec.ext.ready)?.watchdog, this.#host.clock, () => this.#watchdogMissed(pid));
    if (this.spec.ext.ready) this.#gate(this.spec.ext.ready, pid);
    return pid;
  }

  /** Runs the readiness checks of a new child; a timeout kills it and counts as a failed start. */
  #gate(config: ReadinessConfig, pid: number): void {
    const clock = this.#host.clock;
    const lines: LineSource = (stream, fn) => {
      const log = stream === 'stderr' ? (this.logs.stderr ?? this.logs.stdout) : this.logs.stdout;
      return log.onData(lineSplitter(fn));
    };
    const notify = this.#notify;
    this.#readiness = startReadiness(
      config,
      { pid, name: this.name, notifications: notify && ((fn) => notify.subscribe(fn)) },
      lines,
      { set: (fn, ms) => clock.setTimeout(fn, ms), clear: (h) => clock.clearTimeout(h as TimerHandle) },
      {
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
          this.#host.spawner.kill(-pid, 9); // a failure means it is already gone
        },
      },
    );
  }

  /** A `notify` program stopped its WATCHDOG=1 pings: kill it (autorestart then decides). */
  #watchdogMissed(pid: number): void {
    if (this.#pid !== pid || this.#killing) return;
    this.#host.log('warn', `${this.name}: no WATCHDOG=1 within ${notifyCheckOf(this.spec.ext.ready)?.watchdog}s; killing it (pid ${pid})`);
    this.#host.spawner.kill(-pid, 9); // a failure means it is already gone
  }

  #spawnFailed(message: string): undefined {
    // STARTING -> BACKOFF: spawn-time error
    this.#releaseSocket();
    this.#spawnerr = message;
    this.#host.log('info', `spawnerr: ${message}`);
    this.#backoff += 1;
    this.#setState('BACKOFF', { tries: this.#backoff, spawnerr: message });
    return undefined;
  }

  /** The last environment built, and the spec it was built for (the rest is fixed per process). */
  #envFor: { spec: ProcessSpec; env: Environment } | undefined;

  /** The environment supervisord gives a child; rebuilt only when the spec changes. */
  #environment(): Environment {
    if (this.#envFor?.spec !== this.spec) {
      const host = { base: this.#host.baseEnvironment(), serverUrl: this.#host.serverUrl(), guardValue: this.#host.guardValue };
      this.#notify = programNotifyFor(this.#notify, notifyCheckOf(this.spec.ext.ready) !== undefined, (m) => this.#host.log('error', m));
      const notifyEnv = this.#notify?.environment(notifyCheckOf(this.spec.ext.ready)?.watchdog) ?? {};
      this.#envFor = { spec: this.spec, env: { ...childEnvironment(this.spec, host, this.#extraEnv), ...notifyEnv } };
    }
    return this.#envFor.env;
  }

  // ---- child death ---------------------------------------------------------------------------

  #reap(child: ChildHandle, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.#child) return;
    // An unfinished last line of a timestamped/JSON log is written now (raw logs: no-op).
    this.logs.stdout.endLine();
    this.logs.stderr?.endLine();
    this.#readiness?.abort();
    this.#readiness = undefined;
    this.#notify?.childExited();
    const death = { code, signal };
    const d = decideOnExit({
      name: this.name,
      state: this.#state,
      killing: this.#killing,
      elapsed: (this.#host.clock.now() - this.#laststartMono) / 1000,
      startsecs: this.spec.startsecs,
      status: signal ? -1 : (code ?? 0),
      description: describeExit(code, signal),
      exitcodes: this.spec.exitcodes,
      autorestart: this.spec.autorestart,
      ready: this.#ready,
      readyFailure: this.#readyFailure,
      backoff: this.#backoff,
      policy: this.spec.ext.backoff,
      startretries: this.spec.startretries,
    });
    const pid = this.#pid;
    this.#laststop = this.#host.clock.epochMs();
    this.#child = undefined;
    this.#trackGroup(pid);
    child.closeStdin();
    this.#backoff = d.backoff;
    this.#exitstatus = d.exitstatus;
    // STARTING -> RUNNING: it outlived startsecs (an event, but no "success" line).
    if (d.viaRunning) this.#setState('RUNNING');
    if (d.spawnerr !== null) this.#spawnerr = d.spawnerr;
    this.#host.log(d.log.level, d.log.message);
    const status = this.#exitstatus ?? 0;
    switch (d.to) {
      case 'STOPPED': // STOPPING -> STOPPED
        this.#killing = false;
        this.#setState('STOPPED', { expected: d.expected, exitstatus: status, death });
        break;
      case 'BACKOFF': // STARTING -> BACKOFF: a failed start
        this.#setState('BACKOFF', { tries: this.#backoff, spawnerr: d.spawnerr ?? '', death });
        break;
      case 'EXITED': // RUNNING -> EXITED
        this.#setState('EXITED', { expected: d.expected, exitstatus: status, death });
        break;
      case 'UNKNOWN': // no edge leaves UNKNOWN
        break;
    }
    this.#pid = 0;
    this.#releaseSocket();
  }

  /** Gives the fcgi socket back once the child is gone (the last holder closes it). */
  #releaseSocket(): void {
    if (this.#socketFd === undefined) return;
    this.#socketFd = undefined;
    this.#socket?.release();
  }

  /** Remembers a reaped child's group while it still has members, so shutdown can end them. */
  #trackGroup(pid: number): void {
    if (this.#host.spawner.groupExists(pid)) {
      this.#lingering.add(pid);
      hangUpStoppedOrphans(pid); // what the kernel does for supervisord's children; see orphaned-groups.ts
    } else this.#host.spawner.release(pid);
  }

  /** The child's pid and the groups of reaped children that still have members. */
  familyRoots(): number[] {
    return this.#pid ? [this.#pid, ...this.#lingering] : [...this.#lingering];
  }

  /** Forgets lingering groups once shutdown has ended them. */
  forgetFamily(): void {
    for (const pgid of this.#lingering) this.#host.spawner.release(pgid);
    this.#lingering.clear();
  }

  // ---- stopping and signalling ---------------------------------------------------------------

  /**
   * A stop request (supervisord's stop). BACKOFF -> STOPPED at once; STARTING/RUNNING -> STOPPING.
   * @throws FailedError when signalling failed for another reason than the child being gone (the
   *   process is then UNKNOWN).
   */
  stop(): void {
    if (this.#state === 'BACKOFF') {
      // BACKOFF -> STOPPED: no child to signal
      this.#host.log('debug', `Attempted to kill ${this.name}, which is in BACKOFF state.`);
      this.#setState('STOPPED', { pid: 0 });
      return;
    }
    const failure = this.#kill(this.spec.stopsignal, this.spec.stopasgroup);
    if (failure) throw failure;
  }

  /**
   * The stop of a shutdown: BACKOFF gives up instead of stopping. Never throws: a process whose
   * signal failed is left UNKNOWN (logged) and the shutdown goes on.
   */
  stopForShutdown(): void {
    if (this.#state === 'BACKOFF') this.#giveUp();
    else this.#kill(this.spec.stopsignal, this.spec.stopasgroup);
  }

  #escalate(): void {
    // STOPPING: stopwaitsecs elapsed, SIGKILL (repeated every stopwaitsecs while it survives)
    this.#host.log('warn', `killing '${this.name}' (${this.#pid}) with SIGKILL`);
    this.#kill(9, this.spec.killasgroup);
  }

  /** Sends a stop or kill signal; returns the error when it failed and the process became UNKNOWN. */
  #kill(sig: number, asGroup: boolean): FailedError | undefined {
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
    // The signal first: the child dies while the transition's work (events, log lines, the timer)
    // is done (a stop call over XML-RPC: 3.3–4.0 ms this way, 4.4 with the transition first). The
    // process is STOPPING whatever the signal's outcome, as supervisord's kill() changes the state
    // before signalling: one that fails for another reason than ESRCH then makes it UNKNOWN, and
    // listeners see both transitions.
    const sent = this.#host.spawner.kill(target, sig);
    if (this.#state === 'STOPPING') {
      // re-arm the stopwaitsecs timer for the next SIGKILL
      this.#host.clock.clearTimeout(this.#timer);
      this.#timer = this.#host.clock.setTimeout(() => this.#escalate(), this.spec.stopwaitsecs * 1000);
    } else {
      // STARTING/RUNNING -> STOPPING
      this.#setState('STOPPING');
    }
    if (!sent.ok) {
      if (sent.code !== 'ESRCH') return this.#unknown(`unknown problem killing ${this.name} (${pid}):${sent.message}`);
      this.#host.log('debug', `unable to signal ${this.name} (pid ${pid}), it probably just exited on its own: ${sent.message}`);
    }
    return undefined;
  }

  #unknown(message: string): FailedError {
    this.#host.log('critical', message);
    this.#killing = false;
    this.#setState('UNKNOWN');
    return new FailedError(message);
  }

  /**
   * signalProcess: the pid only, no state change; ESRCH ignored.
   * @throws FailedError when the signal failed otherwise (the process is then UNKNOWN).
   */
  signal(sig: number): void {
    const pid = this.#pid;
    if (pid === 0) return;
    this.#host.log('debug', `sending ${this.name} (pid ${pid}) sig ${signalName(sig)}`);
    const sent = this.#host.spawner.kill(pid, sig);
    if (!sent.ok && sent.code !== 'ESRCH') throw this.#unknown(`unknown problem sending sig ${this.name} (${pid}):${sent.message}`);
  }

  /** Writes to the child's stdin. Returns false when the pipe is closed. */
  writeStdin(data: string | Buffer): boolean {
    return this.#child?.writeStdin(data) ?? false;
  }

  /** Stops every timer (used when the group is removed). */
  dispose(): void {
    this.#notify?.close();
    this.#releaseSocket();
    this.#readiness?.abort();
    this.#readiness = undefined;
    this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
