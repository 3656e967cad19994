// ProcessManager: the public facade. Holds the groups, the supervisor state ("mood"), and
// implements supervisord's XML-RPC operations as promise-returning methods.
import { spawn as nodeSpawn } from 'node:child_process';
import { EventEmitter } from 'eventemitter3';
import {
  AbnormalTerminationError,
  AlreadyAddedError,
  AlreadyStartedError,
  BadNameError,
  BadSignalError,
  FailedError,
  FAULTS,
  IncorrectParametersError,
  isSupervisorError,
  NoFileError,
  NotExecutableError,
  NotRunningError,
  ShutdownStateError,
  SpawnError,
  StillRunningError,
  type SupervisorError,
} from '../errors.js';
import { BadCommandError } from './command.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { type Channel, type GroupConfig, type GroupSpec, type ProcessSpec, type ProgramConfig, resolveGroup } from './config.js';
import type { ManagerEvents, ProcessStateEvent } from './events.js';
import { ProcessGroup } from './group.js';
import { makeNamespec, parseNamespec } from './names.js';
import { type ProcessHost, SupervisedProcess } from './process.js';
import { checkLogPaths, createProcessLogs } from './output.js';
import { MainLog, formatChildOutput } from '../logs/main-log.js';
import type { TailResult } from '../logs/tail.js';
import type { LinesOptions } from '../logs/live-lines.js';
import { tmpdir } from 'node:os';
import { rmSync } from 'node:fs';
import type { ProcessInfo, ProcessStatusInfo } from './process-info.js';
import { endFamily, snapshotFamily } from './leftovers.js';
import { GUARD_VARIABLE, newGuardValue } from './orphan-guard.js';
import { dependenciesOf, isSatisfied, validateDependencies } from './dependencies.js';
import { listeningPorts, PortAllocator } from './ports.js';
import { MemoryWatch, type Metrics, type Sampled } from './memory-watch.js';
import { diffGroups, planReload, type ReloadPlan } from './reload-plan.js';
import { parseSupervisordConfig, readSupervisordConfig } from '../config-file/config-file.js';
import type { ReadConfigResult } from '../config-file/config-types.js';
import { resolve as resolvePath } from 'node:path';
import { parseSignal, type SignalSpec } from './signals.js';
import { RUNNING_STATES, SIGNALLABLE_STATES, STOPPED_STATES, type SupervisorState, SUPERVISOR_STATE_CODE } from './states.js';

export type LogLevel = 'critical' | 'error' | 'warn' | 'info' | 'debug';

/** Where the manager's activity log goes (the daemon passes its main log). */
export interface ActivityLogger {
  log(level: LogLevel, message: string): void;
}

export interface ManagerOptions {
  /** Directory for AUTO log files (supervisord's childlogdir). Default: the OS temp dir. */
  childlogdir?: string;
  /** supervisord's identifier: in AUTO log names, getIdentification. Default 'supervisor'. */
  identifier?: string;
  /** Injected time, for tests. */
  clock?: Clock;
  /** Injected spawn, for tests. */
  spawn?: typeof nodeSpawn;
  /** Environment children start from. Default: process.env at construction. */
  environment?: Readonly<Record<string, string | undefined>>;
  /** supervisord's `[supervisord] environment`: merged over `environment`, under each program's. */
  globalEnvironment?: Readonly<Record<string, string>>;
  /** Value of SUPERVISOR_SERVER_URL for children (the daemon sets it). */
  serverUrl?: string | null;
  /**
   * The supervisor's activity log ("spawned: 'x' with pid N" …). Default: an in-memory MainLog at
   * level info, readable with readLog().
   */
  mainLog?: MainLog;
  /** An extra sink for activity-log lines. */
  logger?: ActivityLogger;
  /**
   * supervisord's `nocleanup`. An embedded manager deletes its AUTO log files at shutdown unless
   * this is true (the daemon instead deletes stale ones at startup, as supervisord does).
   */
  nocleanup?: boolean;
  /**
   * End every child (and its process group and descendants) when the host process dies, even by
   * SIGKILL, through a small watchdog process. Default true.
   */
  orphanGuard?: boolean;
  /** Milliseconds between memory/CPU samples (programs with max_memory_mb, or metrics). Default 1000. */
  sampleIntervalMs?: number;
  /** Sample CPU and memory of every process (getProcessMetrics), not only those with a limit. */
  metrics?: boolean;
}

export interface WaitOptions {
  /** Wait for RUNNING (start) or a stopped state (stop). Default true, as in supervisord. */
  wait?: boolean;
  /** Stops the waiting, never the process. */
  signal?: AbortSignal;
}

/** One entry of a group/all operation's result, as supervisord returns it. */
export interface ProcessResult {
  name: string;
  group: string;
  status: number;
  description: string;
}

type AnyConfig = ProgramConfig | GroupConfig;

const OK = (p: SupervisedProcess): ProcessResult => ({ name: p.name, group: p.group, status: FAULTS.SUCCESS, description: 'OK' });
const faultResult = (p: SupervisedProcess, e: unknown): ProcessResult =>
  isSupervisorError(e)
    ? { name: p.name, group: p.group, status: e.faultCode, description: e.faultString }
    : { name: p.name, group: p.group, status: FAULTS.FAILED, description: `FAILED: ${String(e)}` };

/**
 * Runs programs with supervisord 4.2.5's process semantics, event-driven. Method names mirror
 * supervisord's XML-RPC interface.
 *
 * @example
 * await using pm = new ProcessManager();
 * pm.addProcessGroup({ name: 'web', command: ['node', 'server.js'], startsecs: 1 });
 * await pm.startProcess('web');
 */
export class ProcessManager extends EventEmitter<ManagerEvents> implements AsyncDisposable {
  readonly clock: Clock;
  readonly identifier: string;
  readonly childlogdir: string;
  /** The activity log. */
  readonly mainLog: MainLog;
  /** Active groups by name. */
  readonly #groups = new Map<string, ProcessGroup>();
  /** The supervisor's mood. */
  #mood: SupervisorState = 'RUNNING';
  /** start() was called: autostart applies to groups as they are added. */
  #started = false;
  #shutdown: Promise<void> | undefined;
  /** Where the configuration comes from (fromConfigFile/Text), for reloadConfig. */
  #source: (() => ReadConfigResult) | undefined;
  /** Groups of the last configuration read, by name (addProcessGroup(name)). */
  #available = new Map<string, { spec: GroupSpec; config: AnyConfig }>();
  /** PORT allocations of this manager. */
  readonly #ports = new PortAllocator();
  /** The memory/CPU sampler (armed only while something has a limit or metrics are on). */
  readonly #memory: MemoryWatch;
  /** Autostart processes waiting for their dependencies. */
  readonly #waiting = new Set<SupervisedProcess>();
  #waitingTimer: TimerHandle | undefined;
  readonly #host: ProcessHost;
  readonly #options: ManagerOptions;

  constructor(options: ManagerOptions = {}) {
    super();
    this.#options = options;
    this.clock = options.clock ?? systemClock;
    this.identifier = options.identifier ?? 'supervisor';
    this.childlogdir = options.childlogdir ?? tmpdir();
    this.mainLog = options.mainLog ?? new MainLog({ level: 'info' });
    this.#memory = new MemoryWatch({
      clock: this.clock,
      intervalMs: options.sampleIntervalMs ?? 1000,
      targets: () => this.#sampledProcesses(),
      onOver: (t, rss) => this.#overLimit(t, rss),
    });
    const env = options.environment ?? { ...process.env };
    const base = { ...env, ...(options.globalEnvironment ?? {}) };
    const logger = options.logger;
    this.#host = {
      clock: this.clock,
      spawn: options.spawn ?? nodeSpawn,
      orphanGuard: options.orphanGuard ?? true,
      guardValue: (options.orphanGuard ?? true) ? newGuardValue() : null,
      canAutoStart: () => this.#mood === 'RUNNING',
      baseEnvironment: () => base,
      serverUrl: () => options.serverUrl ?? null,
      emitState: (ev) => {
        this.emit('processState', ev);
        this.#scheduleWaiting();
        this.#memory.update();
      },
      output: (proc, channel, chunk) => this.#onOutput(proc, channel, chunk),
      log: (level, message) => {
        this.mainLog.log(level, message);
        logger?.log(level, message);
      },
    };
  }

  // ---- configuration -----------------------------------------------------------------------

  #sampledProcesses(): Sampled[] {
    const out: Sampled[] = [];
    const all = this.#options.metrics === true;
    for (const g of this.#groups.values()) {
      for (const p of g.processes) {
        const limit = p.spec.ext.max_memory_mb;
        if (p.pid !== 0 && (limit !== null || all) && p.state !== 'STOPPING') out.push({ name: p.name, group: p.group, pid: p.pid, limitMb: limit });
      }
    }
    return out;
  }

  /** A process stayed over max_memory_mb for two samples: restart it gracefully. */
  #overLimit(t: Sampled, rss: number): void {
    const p = this.#groups.get(t.group)?.find(t.name);
    if (!p || p.pid !== t.pid || this.#mood !== 'RUNNING') return;
    const mb = Math.round(rss / 1024 / 1024);
    this.#host.log('warn', `${t.name} exceeded max_memory_mb (${mb} MB > ${t.limitMb} MB): restarting it`);
    this.emit('memoryLimit', { name: t.name, group: t.group, pid: t.pid, rss, limitMb: t.limitMb ?? 0 });
    const namespec = makeNamespec(t.group, t.name);
    void this.stopProcess(namespec)
      .then(() => this.startProcess(namespec))
      .catch((e: unknown) => this.#host.log('error', `could not restart ${namespec} after its memory limit: ${(e as Error).message}`));
  }

  /** CPU and memory of a process and its descendants, when sampling is on (max_memory_mb or metrics). */
  getProcessMetrics(namespec: string): Metrics | undefined {
    return this.#memory.metrics.get(this.#process(namespec).pid);
  }

  /** The base environment children start from (before program environments). @internal */
  get baseEnvironment(): Readonly<Record<string, string | undefined>> {
    return this.#host.baseEnvironment();
  }

  /**
   * Adds a `[program:x]` (a ProgramConfig) or a `[group:x]` (a GroupConfig). Validates everything
   * first and changes nothing on error. After start(), its autostart processes start at once.
   * Mirrors `supervisor.addProcessGroup`.
   * @throws ConfigError, AlreadyAddedError, ShutdownStateError
   */
  addProcessGroup(config: AnyConfig | string): void {
    this.#assertNotShuttingDown();
    if (typeof config === 'string') {
      // supervisord's addProcessGroup(name): activate a group of the last configuration read.
      const g = this.#available.get(config);
      if (!g) throw new BadNameError(config);
      return this.addResolvedGroups([g]);
    }
    const spec = resolveGroup(config, {
      env: this.#options.environment ?? process.env,
      globalEnvironment: this.#options.globalEnvironment ?? {},
      origin: 'api',
    });
    this.addResolvedGroup(spec, config);
  }

  /** Adds an already-resolved group (the INI path resolves with file context first). @internal */
  addResolvedGroup(spec: GroupSpec, config: AnyConfig): void {
    this.addResolvedGroups([{ spec, config }]);
  }

  /**
   * Adds several resolved groups at once (a configuration file): dependencies may refer to each
   * other. Validates all first; adds none on error. @internal
   */
  addResolvedGroups(list: readonly { spec: GroupSpec; config: AnyConfig }[]): void {
    this.#assertNotShuttingDown();
    for (const { spec } of list) if (this.#groups.has(spec.name)) throw new AlreadyAddedError(spec.name);
    validateDependencies(
      list.map((g) => g.spec),
      [...this.#groups.values()].map((g) => g.spec),
    );
    for (const { spec } of list) spec.processes.forEach(checkLogPaths);
    const ports = this.#allocatePorts(list.map((g) => g.spec));
    for (const { spec, config } of list) this.#add(spec, config, ports);
    this.#memory.update();
  }

  /** Allocates PORT (and HOST) for every process with a `port` option; all or nothing. */
  #allocatePorts(specs: readonly GroupSpec[]): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    const wanted = specs.flatMap((g) => g.processes).filter((p) => p.ext.port);
    if (wanted.length === 0) return out;
    try {
      const inUse = listeningPorts();
      for (const p of wanted) {
        const port = p.ext.port;
        if (!port) continue;
        const key = `${p.group}:${p.name}`;
        const n = this.#ports.allocate({ key, mode: port.mode, range: port.range }, inUse);
        out.set(key, { [port.env]: String(n), ...(port.host ? { HOST: port.host } : {}) });
      }
      return out;
    } catch (e) {
      for (const key of out.keys()) this.#ports.release(key);
      throw e;
    }
  }

  #newProcess(ps: ProcessSpec, ports: ReadonlyMap<string, Record<string, string>>): SupervisedProcess {
    const ctx = {
      childlogdir: this.childlogdir,
      identifier: this.identifier,
      onError: (err: Error) => this.#host.log('error', `log write failed for '${ps.name}': ${err.message}`),
      now: () => this.clock.epochMs(), // log line times and time rotation follow the injected clock
    };
    return new SupervisedProcess(ps, this.#host, createProcessLogs(ps, ctx), ports.get(`${ps.group}:${ps.name}`));
  }

  #add(spec: GroupSpec, config: AnyConfig, ports: ReadonlyMap<string, Record<string, string>>): void {
    const processes = spec.processes.map((ps) => this.#newProcess(ps, ports));
    const group = new ProcessGroup(spec, config, processes);
    this.#groups.set(spec.name, group);
    this.emit('processGroupAdded', spec.name);
    if (this.#started) this.#autostart([group]);
  }

  /**
   * Removes a group whose processes are all stopped. Mirrors `supervisor.removeProcessGroup`.
   * @throws BadNameError, StillRunningError
   */
  removeProcessGroup(name: string): void {
    this.#assertNotShuttingDown();
    const group = this.#groups.get(name);
    if (!group) throw new BadNameError(name);
    if (!group.allStopped()) throw new StillRunningError(name);
    for (const p of group.processes) {
      this.#retire(p);
      this.#ports.release(`${p.group}:${p.name}`);
    }
    this.#groups.delete(name);
    this.emit('processGroupRemoved', name);
  }

  // ---- reload plans --------------------------------------------------------------------------

  /**
   * What applying `configs` (the whole new set of programs and groups) would change, process by
   * process: added/removed groups, processes needing a restart, and changes applicable live.
   * Validates everything; changes nothing. @throws ConfigError
   */
  plan(configs: readonly AnyConfig[]): ReloadPlan & { configs: ReadonlyMap<string, AnyConfig> } {
    const ctx = { env: this.#options.environment ?? process.env, globalEnvironment: this.#options.globalEnvironment ?? {}, origin: 'api' as const };
    const specs = configs.map((c) => resolveGroup(c, ctx));
    validateDependencies(specs, []);
    const byName = new Map<string, AnyConfig>();
    specs.forEach((g, i) => byName.set(g.name, configs[i] as AnyConfig));
    return { ...planReload([...this.#groups.values()].map((g) => g.spec), specs), configs: byName };
  }

  /**
   * Applies a plan: removed groups are stopped and removed, added ones added (and autostarted),
   * changed processes restarted one by one — never a whole group for one member's change — and
   * live changes applied in place.
   */
  async apply(plan: ReloadPlan & { configs: ReadonlyMap<string, AnyConfig> }): Promise<void> {
    this.#assertNotShuttingDown();
    for (const name of plan.removed) {
      if (!this.#groups.has(name)) continue;
      await this.stopProcessGroup(name);
      this.removeProcessGroup(name);
    }
    const restartSet = new Set(plan.restart);
    for (const [name, nextSpec] of plan.next) {
      const group = this.#groups.get(name);
      if (!group) continue;
      const spec = nextSpec;
      const ports = this.#allocatePorts([spec]);
      const wasRunning = new Set<string>();
      const keep: SupervisedProcess[] = [];
      for (const p of group.processes) {
        const next = spec.processes.find((s) => s.name === p.name);
        const ns = `${name}:${p.name}`;
        if (next && !restartSet.has(ns)) {
          p.updateSpec(next);
          keep.push(p);
          continue;
        }
        if (RUNNING_STATES.has(p.state)) {
          wasRunning.add(p.name);
          await this.stopProcess(makeNamespec(name, p.name)).catch(() => undefined);
        }
        this.#retire(p);
        if (!next) this.#ports.release(ns);
      }
      const processes = spec.processes.map((ps) => keep.find((p) => p.name === ps.name) ?? this.#newProcess(ps, ports));
      group.reconfigure(spec, plan.configs.get(name) ?? group.config, processes);
      for (const p of processes) {
        if (keep.includes(p)) continue;
        if (wasRunning.has(p.name) || (this.#started && p.spec.autostart && !restartSet.has(`${name}:${p.name}`))) p.spawn();
      }
    }
    const added = plan.added.map((n) => ({ spec: plan.next.get(n) as GroupSpec, config: plan.configs.get(n) as AnyConfig }));
    if (added.length) this.addResolvedGroups(added);
  }

  // ---- configuration files ------------------------------------------------------------------

  /**
   * A manager running a supervisord.conf: `[supervisord]` childlogdir, identifier, environment
   * and loglevel apply; every group is added (start() autostarts). The daemon adds the servers.
   * @throws ConfigError with supervisord's message, file and line
   */
  static fromConfigFile(path: string, options: ManagerOptions = {}): ProcessManager {
    const abs = resolvePath(path);
    return ProcessManager.#fromSource(() => readSupervisordConfig(abs), options);
  }

  /** The same from text; `here` is the directory `%(here)s` means (default: the current one). */
  static fromConfigText(text: string, options: ManagerOptions & { here?: string; file?: string } = {}): ProcessManager {
    const { here, file, ...rest } = options;
    return ProcessManager.#fromSource(() => parseSupervisordConfig(text, { ...(here !== undefined ? { here } : {}), ...(file !== undefined ? { file } : {}) }), rest);
  }

  static #fromSource(read: () => ReadConfigResult, options: ManagerOptions): ProcessManager {
    const conf = read();
    const s = conf.supervisord;
    const pm = new ProcessManager({
      childlogdir: s.childlogdir,
      identifier: s.identifier,
      globalEnvironment: s.environment,
      serverUrl: conf.serverurl,
      mainLog: new MainLog({ level: s.loglevel }),
      ...options,
    });
    pm.#source = read;
    pm.#setAvailable(conf);
    pm.addResolvedGroups([...pm.#available.values()]);
    return pm;
  }

  #setAvailable(conf: ReadConfigResult): void {
    validateDependencies(conf.specs, []);
    this.#available = new Map(conf.specs.map((spec, i) => [spec.name, { spec, config: conf.groups[i] as AnyConfig }]));
  }

  /**
   * Re-reads the configuration file without applying it: supervisord's [added, changed, removed]
   * group names. addProcessGroup(name) and update() then use it. Mirrors `supervisor.reloadConfig`.
   * @throws ConfigError (CANT_REREAD); nothing changes then
   */
  reloadConfig(): [string[], string[], string[]] {
    this.#assertNotShuttingDown();
    if (!this.#source) throw new FailedError('this manager was not created from a configuration file');
    const conf = this.#source();
    this.#setAvailable(conf);
    return diffGroups(
      this.groups().map((g) => g.spec),
      conf.specs,
    );
  }

  /**
   * supervisorctl's `update`: re-read, then stop and remove removed groups, stop/remove/re-add
   * changed ones, add new ones (they autostart). Unchanged groups are not touched.
   */
  async update(): Promise<{ added: string[]; changed: string[]; removed: string[] }> {
    const [added, changed, removed] = this.reloadConfig();
    for (const name of [...removed, ...changed]) {
      await this.stopProcessGroup(name);
      this.removeProcessGroup(name);
    }
    for (const name of [...changed, ...added]) this.addProcessGroup(name);
    return { added, changed, removed };
  }

  /** Active groups in supervisord's order: ascending priority, then name. @internal */
  groups(): ProcessGroup[] {
    return [...this.#groups.values()].sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** @internal */
  getGroup(name: string): ProcessGroup | undefined {
    return this.#groups.get(name);
  }

  // ---- state -------------------------------------------------------------------------------

  /** supervisord's own state. Mirrors `supervisor.getState`. */
  getState(): { statecode: number; statename: SupervisorState } {
    return { statecode: SUPERVISOR_STATE_CODE[this.#mood], statename: this.#mood };
  }

  #setMood(mood: SupervisorState): void {
    if (this.#mood === mood) return;
    this.#mood = mood;
    this.emit('supervisorState', mood);
  }

  #assertNotShuttingDown(): void {
    if (this.#mood !== 'RUNNING') throw new ShutdownStateError();
  }

  // ---- lookup ------------------------------------------------------------------------------

  #resolve(namespec: string): { group: ProcessGroup; process: SupervisedProcess | null } {
    if (typeof namespec !== 'string') throw new IncorrectParametersError('', 'namespec must be a string');
    const { group: gname, process: pname } = parseNamespec(namespec);
    const group = this.#groups.get(gname);
    if (!group) throw new BadNameError(namespec);
    if (pname === null) return { group, process: null };
    const proc = group.find(pname);
    if (!proc) throw new BadNameError(namespec);
    return { group, process: proc };
  }

  #process(namespec: string): SupervisedProcess {
    const { process } = this.#resolve(namespec);
    if (!process) throw new BadNameError(namespec);
    return process;
  }

  /** Mirrors `supervisor.getProcessInfo`. @throws BadNameError */
  getProcessInfo(namespec: string): ProcessInfo {
    return this.#process(namespec).info();
  }

  /** getProcessInfo plus `nextRetryAt` and `restarts` (procvisor's additions). */
  getProcessStatus(namespec: string): ProcessStatusInfo {
    return this.#process(namespec).status();
  }

  /** Every process, ordered by group name then process name. Mirrors `supervisor.getAllProcessInfo`. */
  getAllProcessInfo(): ProcessInfo[] {
    const all = [...this.#groups.values()].flatMap((g) => g.processes);
    all.sort((a, b) => cmp(a.group, b.group) || cmp(a.name, b.name));
    return all.map((p) => p.info());
  }

  /** The live process for a namespec. @internal */
  processFor(namespec: string): SupervisedProcess {
    return this.#process(namespec);
  }

  // ---- starting ----------------------------------------------------------------------------

  /**
   * Starts every autostart process that was never started, groups in ascending priority, all in
   * one pass (nothing waits for RUNNING). Later addProcessGroup calls autostart too.
   */
  async start(): Promise<void> {
    this.#assertNotShuttingDown();
    this.#started = true;
    this.#autostart(this.groups());
  }

  #autostart(groups: ProcessGroup[]): void {
    for (const g of groups) {
      for (const p of g.processes) {
        // P2: STOPPED and never attempted; with depends_on, once the dependencies are satisfied.
        if (!p.spec.autostart || p.state !== 'STOPPED' || !p.neverStarted) continue;
        if (this.#dependenciesMet(g)) p.spawn();
        else this.#waiting.add(p);
      }
    }
  }

  #dependenciesMet(g: ProcessGroup): boolean {
    return dependenciesOf(g.spec).every((d) => {
      const dep = this.#groups.get(d.name);
      if (!dep) return false;
      return isSatisfied(
        d.condition,
        dep.processes.map((m) => ({ state: m.state, exitstatus: m.info().exitstatus, exitcodes: m.spec.exitcodes, neverStarted: m.neverStarted })),
      );
    });
  }

  /** After any transition: start waiting dependents whose dependencies are now satisfied (next evaluation). */
  #scheduleWaiting(): void {
    if (this.#waiting.size === 0 || this.#waitingTimer) return;
    this.#waitingTimer = this.clock.setTimeout(() => {
      this.#waitingTimer = undefined;
      if (this.#mood !== 'RUNNING') return;
      for (const p of [...this.#waiting]) {
        const g = this.#groups.get(p.group);
        if (!g || g.find(p.name) !== p || p.state !== 'STOPPED' || !p.neverStarted) {
          this.#waiting.delete(p);
          continue;
        }
        if (this.#dependenciesMet(g)) {
          this.#waiting.delete(p);
          p.spawn();
        }
      }
    }, 0);
  }

  /**
   * Starts one process (or a group, for `group:*`). With wait (default), resolves when it is
   * RUNNING and rejects with SpawnError or AbnormalTerminationError otherwise. Mirrors
   * `supervisor.startProcess`.
   * @throws BadNameError, NoFileError, NotExecutableError, AlreadyStartedError, FailedError
   */
  startProcess(namespec: `${string}:*` | `${string}:`, options?: WaitOptions): Promise<ProcessResult[]>;
  startProcess(namespec: string, options?: WaitOptions): Promise<ProcessInfo>;
  async startProcess(namespec: string, options: WaitOptions = {}): Promise<ProcessInfo | ProcessResult[]> {
    this.#assertNotShuttingDown();
    const { group, process } = this.#resolve(namespec);
    if (!process) return this.startProcessGroup(group.name, options);
    const wait = this.#beginStart(process, namespec);
    if (options.wait === false) return process.info();
    await wait(options.signal);
    return process.info();
  }

  /** Spawns and returns a function that waits for the outcome (supervisord's onwait). */
  #beginStart(p: SupervisedProcess, namespec: string): (signal?: AbortSignal) => Promise<void> {
    try {
      p.checkCommand();
    } catch (e) {
      if (e instanceof BadCommandError) throw e.fault === 'NO_FILE' ? new NoFileError(e.message) : new NotExecutableError(e.message);
      throw e;
    }
    if (RUNNING_STATES.has(p.state)) throw new AlreadyStartedError(namespec);
    if (p.state === 'UNKNOWN') throw new FailedError(`${namespec} is in an unknown process state`);
    // While STOPPING the spawn is a no-op ("already running") and the wait ends ABNORMAL_TERMINATION.
    p.spawn();
    if (p.spawnerr) throw withOutput(new SpawnError(namespec), p);
    // supervisord evaluates the process right away: startsecs=0 is RUNNING before the call returns.
    p.evaluate();
    const outcome = (): 'done' | Error | undefined => {
      // Out of retries: report once FATAL is entered (supervisord gives up before it answers).
      if (p.spawnerr && p.givingUp) return undefined;
      if (p.spawnerr) return withOutput(new SpawnError(namespec), p);
      if (p.state === 'RUNNING') return 'done';
      if (p.state !== 'STARTING') return withOutput(new AbnormalTerminationError(namespec), p);
      return undefined;
    };
    return (signal) => this.#waitFor(p, outcome, signal);
  }

  /** Resolves when `check` says done, rejects with its error; checked at once and on every event of `p`. */
  #waitFor(p: SupervisedProcess, check: () => 'done' | Error | undefined, signal?: AbortSignal, onPending?: () => () => void): Promise<void> {
    const first = check();
    if (first === 'done') return Promise.resolve();
    if (first) return Promise.reject(first);
    return new Promise<void>((resolve, reject) => {
      const stopExtra = onPending?.();
      const cleanup = () => {
        this.off('processState', listener);
        signal?.removeEventListener('abort', onAbort);
        stopExtra?.();
      };
      const listener = (ev: ProcessStateEvent) => {
        if (ev.name !== p.name || ev.group !== p.group) return;
        const r = check();
        if (r === undefined) return;
        cleanup();
        if (r === 'done') resolve();
        else reject(r);
      };
      const onAbort = () => {
        cleanup();
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) return onAbort();
      this.on('processState', listener);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Starts every not-running process of a group. Mirrors `supervisor.startProcessGroup`. */
  async startProcessGroup(name: string, options: WaitOptions = {}): Promise<ProcessResult[]> {
    this.#assertNotShuttingDown();
    const group = this.#groups.get(name);
    if (!group) throw new BadNameError(name);
    return this.#startMany(group.byPriority(), options);
  }

  /** Starts every not-running process, groups by ascending priority. Mirrors `supervisor.startAllProcesses`. */
  async startAllProcesses(options: WaitOptions = {}): Promise<ProcessResult[]> {
    this.#assertNotShuttingDown();
    return this.#startMany(
      this.groups().flatMap((g) => g.byPriority()),
      options,
    );
  }

  async #startMany(procs: SupervisedProcess[], options: WaitOptions): Promise<ProcessResult[]> {
    const results: ProcessResult[] = [];
    const waits: Promise<ProcessResult>[] = [];
    for (const p of procs) {
      if (RUNNING_STATES.has(p.state)) continue;
      const namespec = makeNamespec(p.group, p.name);
      let wait: (signal?: AbortSignal) => Promise<void>;
      try {
        wait = this.#beginStart(p, namespec);
      } catch (e) {
        results.push(faultResult(p, e));
        continue;
      }
      if (options.wait === false || p.state === 'RUNNING') {
        // Done at once: reported in process order, before anything waited for (supervisord).
        results.push(OK(p));
        continue;
      }
      waits.push(settle(p, wait(options.signal)));
    }
    return [...results, ...(await Promise.all(waits))];
  }

  // ---- stopping ----------------------------------------------------------------------------

  /**
   * Stops one process (or a group, for `group:*`): its stopsignal, then SIGKILL after
   * stopwaitsecs. With wait (default), resolves when it is stopped. Mirrors `supervisor.stopProcess`.
   * @throws BadNameError, NotRunningError, FailedError
   */
  stopProcess(namespec: `${string}:*` | `${string}:`, options?: WaitOptions): Promise<ProcessResult[]>;
  stopProcess(namespec: string, options?: WaitOptions): Promise<ProcessInfo>;
  async stopProcess(namespec: string, options: WaitOptions = {}): Promise<ProcessInfo | ProcessResult[]> {
    this.#assertNotShuttingDown();
    const { group, process } = this.#resolve(namespec);
    if (!process) return this.stopProcessGroup(group.name, options);
    const wait = this.#beginStop(process, namespec);
    if (options.wait !== false) await wait(options.signal);
    return process.info();
  }

  #beginStop(p: SupervisedProcess, namespec: string): (signal?: AbortSignal) => Promise<void> {
    if (!RUNNING_STATES.has(p.state)) throw new NotRunningError(namespec);
    const err = p.stop();
    if (err !== undefined) throw new FailedError(err);
    const check = () => (STOPPED_STATES.has(p.state) ? ('done' as const) : undefined);
    // supervisord logs 'waiting for NAME to stop' while a stop request waits, at most every 2 s.
    const report = () => {
      let timer: TimerHandle | undefined;
      const tick = () => {
        this.#host.log('info', `waiting for ${p.name} to stop`);
        timer = this.clock.setTimeout(tick, 2000);
      };
      // supervisord reports only a process still stopping at its next check (≤ 1 tick).
      timer = this.clock.setTimeout(tick, 1000);
      return () => this.clock.clearTimeout(timer);
    };
    return (signal) => this.#waitFor(p, check, signal, report);
  }

  /** Stops every running process of a group. Mirrors `supervisor.stopProcessGroup`. */
  async stopProcessGroup(name: string, options: WaitOptions = {}): Promise<ProcessResult[]> {
    this.#assertNotShuttingDown();
    const group = this.#groups.get(name);
    if (!group) throw new BadNameError(name);
    return this.#stopMany(group.byPriority(), options);
  }

  /** Stops every running process, in ascending priority. Mirrors `supervisor.stopAllProcesses`. */
  async stopAllProcesses(options: WaitOptions = {}): Promise<ProcessResult[]> {
    this.#assertNotShuttingDown();
    return this.#stopMany(
      this.groups().flatMap((g) => g.byPriority()),
      options,
    );
  }

  async #stopMany(procs: SupervisedProcess[], options: WaitOptions): Promise<ProcessResult[]> {
    const results: ProcessResult[] = [];
    const waits: Promise<ProcessResult>[] = [];
    for (const p of procs) {
      if (!RUNNING_STATES.has(p.state)) continue;
      let wait: (signal?: AbortSignal) => Promise<void>;
      try {
        wait = this.#beginStop(p, makeNamespec(p.group, p.name));
      } catch (e) {
        results.push(faultResult(p, e));
        continue;
      }
      if (options.wait === false || STOPPED_STATES.has(p.state)) {
        results.push(OK(p));
        continue;
      }
      waits.push(settle(p, wait(options.signal)));
    }
    return [...results, ...(await Promise.all(waits))];
  }

  // ---- signalling --------------------------------------------------------------------------

  #signalNumber(sig: SignalSpec): number {
    try {
      return parseSignal(sig);
    } catch {
      throw new BadSignalError(String(sig));
    }
  }

  #signalOne(p: SupervisedProcess, sig: number, namespec: string): void {
    if (!SIGNALLABLE_STATES.has(p.state)) throw new NotRunningError(namespec);
    const err = p.signal(sig);
    if (err !== undefined) throw new FailedError(err);
  }

  /**
   * Sends a signal (name or number) to one process's pid (or a group, for `group:*`). Mirrors
   * `supervisor.signalProcess`.
   * @throws BadNameError, BadSignalError, NotRunningError, FailedError
   */
  signalProcess(namespec: string, signal: SignalSpec): ProcessResult[] | true {
    this.#assertNotShuttingDown();
    const { group, process } = this.#resolve(namespec);
    const sig = this.#signalNumber(signal);
    if (!process) return this.#signalMany(group.byPriority(), sig);
    this.#signalOne(process, sig, namespec);
    return true;
  }

  /** Mirrors `supervisor.signalProcessGroup`: results for signallable processes only. */
  signalProcessGroup(name: string, signal: SignalSpec): ProcessResult[] {
    this.#assertNotShuttingDown();
    const group = this.#groups.get(name);
    if (!group) throw new BadNameError(name);
    return this.#signalMany(group.byPriority(), this.#signalNumber(signal));
  }

  /** Mirrors `supervisor.signalAllProcesses`. */
  signalAllProcesses(signal: SignalSpec): ProcessResult[] {
    this.#assertNotShuttingDown();
    const sig = this.#signalNumber(signal);
    return this.#signalMany(
      this.groups().flatMap((g) => g.byPriority()),
      sig,
    );
  }

  #signalMany(procs: SupervisedProcess[], sig: number): ProcessResult[] {
    const results: ProcessResult[] = [];
    for (const p of procs) {
      if (!SIGNALLABLE_STATES.has(p.state)) continue;
      try {
        this.#signalOne(p, sig, makeNamespec(p.group, p.name));
        results.push(OK(p));
      } catch (e) {
        results.push(faultResult(p, e));
      }
    }
    return results;
  }

  /**
   * Writes to a process's stdin. Mirrors `supervisor.sendProcessStdin`.
   * @throws BadNameError, NotRunningError, NoFileError, IncorrectParametersError
   */
  sendProcessStdin(namespec: string, chars: string | Buffer): true {
    this.#assertNotShuttingDown();
    if (typeof chars !== 'string' && !Buffer.isBuffer(chars)) throw new IncorrectParametersError('chars not a string');
    const p = this.#process(namespec);
    if (p.pid === 0 || p.state === 'STOPPING') throw new NotRunningError(namespec);
    if (!p.writeStdin(chars)) throw new NoFileError(namespec);
    return true;
  }

  // ---- output ------------------------------------------------------------------------------

  #onOutput(proc: SupervisedProcess, channel: Channel, chunk: Buffer): void {
    const spec = channel === 'stdout' ? proc.spec.stdout : proc.spec.stderr;
    if (spec.events_enabled) this.emit('processLog', { name: proc.name, group: proc.group, pid: proc.pid, channel, data: chunk });
    this.emit('processOutput', { name: proc.name, group: proc.group, pid: proc.pid, channel, data: chunk });
    if (this.mainLog.isEnabled('debug')) this.mainLog.debug(formatChildOutput(proc.name, channel, chunk));
  }

  #channel(namespec: string, channel: Channel) {
    const p = this.#process(namespec);
    return channel === 'stdout' ? p.logs.stdout : p.logs.stderr;
  }

  /** Mirrors `supervisor.readProcessStdoutLog`. @throws BadNameError, NoFileError, BadArgumentsError */
  readProcessStdoutLog(namespec: string, offset: number, length: number): string {
    return this.#read(namespec, 'stdout', offset, length);
  }

  /** Mirrors `supervisor.readProcessStderrLog`. */
  readProcessStderrLog(namespec: string, offset: number, length: number): string {
    return this.#read(namespec, 'stderr', offset, length);
  }

  #read(namespec: string, channel: Channel, offset: number, length: number): string {
    this.#assertNotShuttingDown();
    const log = this.#channel(namespec, channel);
    if (!log) throw new NoFileError();
    return log.read(offset, length);
  }

  /** `[bytes, newOffset, overflow]`. Mirrors `supervisor.tailProcessStdoutLog`. */
  tailProcessStdoutLog(namespec: string, offset: number, length: number): TailResult {
    return this.#tail(namespec, 'stdout', offset, length);
  }

  /** Mirrors `supervisor.tailProcessStderrLog`. */
  tailProcessStderrLog(namespec: string, offset: number, length: number): TailResult {
    return this.#tail(namespec, 'stderr', offset, length);
  }

  #tail(namespec: string, channel: Channel, offset: number, length: number): TailResult {
    this.#assertNotShuttingDown();
    return this.#channel(namespec, channel)?.tail(offset, length) ?? ['', 0, false];
  }

  /** Truncates a process's current log files (backups stay). Mirrors `supervisor.clearProcessLogs`. */
  clearProcessLogs(namespec: string): true {
    this.#assertNotShuttingDown();
    const p = this.#process(namespec);
    try {
      p.logs.stdout.clear();
      p.logs.stderr?.clear();
    } catch (e) {
      throw new FailedError(`${namespec}: ${(e as Error).message}`);
    }
    return true;
  }

  /** Mirrors `supervisor.clearAllProcessLogs`. */
  clearAllProcessLogs(): ProcessResult[] {
    this.#assertNotShuttingDown();
    return this.groups()
      .flatMap((g) => g.byPriority())
      .map((p) => {
        try {
          this.clearProcessLogs(makeNamespec(p.group, p.name));
          return OK(p);
        } catch (e) {
          return faultResult(p, e);
        }
      });
  }

  /**
   * The process's output as lines: what is held in memory (the last 64 KiB), then, with `follow`,
   * new lines as they come, until `signal` aborts or the process is removed.
   */
  logLines(namespec: string, options: LinesOptions & { stream?: Channel } = {}): AsyncIterable<string> {
    const { stream = 'stdout', ...rest } = options;
    const p = this.#process(namespec);
    return (stream === 'stderr' ? (p.logs.stderr ?? p.logs.stdout) : p.logs.stdout).lines(rest);
  }

  /** The last `n` lines a process wrote on a channel (from memory). */
  lastLines(namespec: string, n: number, stream: Channel = 'stdout'): string[] {
    const p = this.#process(namespec);
    return (stream === 'stderr' ? (p.logs.stderr ?? p.logs.stdout) : p.logs.stdout).lastLines(n);
  }

  /** Reopens every log file (what SIGUSR2 does to supervisord), for external logrotate. */
  reopenLogs(): void {
    this.#host.log('info', 'supervisord logreopen');
    this.mainLog.reopen();
    for (const g of this.#groups.values()) {
      for (const p of g.processes) {
        for (const log of [p.logs.stdout, p.logs.stderr]) {
          try {
            log?.reopen();
          } catch (e) {
            this.#host.log('error', `could not reopen ${log?.path ?? ''}: ${(e as Error).message}`);
          }
        }
      }
    }
  }

  /** The activity log. Mirrors `supervisor.readLog`. */
  readLog(offset: number, length: number): string {
    this.#assertNotShuttingDown();
    return this.mainLog.readLog(offset, length);
  }

  /** Mirrors `supervisor.clearLog`. */
  clearLog(): true {
    this.#assertNotShuttingDown();
    this.mainLog.clear();
    return true;
  }

  /** Closes a process's logs and timers; deletes its AUTO files unless nocleanup. */
  #retire(p: SupervisedProcess): void {
    p.dispose();
    for (const [log, spec] of [
      [p.logs.stdout, p.spec.stdout],
      [p.logs.stderr, p.spec.stderr],
    ] as const) {
      log?.close();
      if (log?.path && spec.logfile === 'AUTO' && this.#options.nocleanup !== true) {
        // Compressed backups (the logging extension) end in .N.gz.
        for (const suffix of ['', ...Array.from({ length: spec.backups }, (_, i) => [`.${i + 1}`, `.${i + 1}.gz`]).flat()]) rmSync(log.path + suffix, { force: true });
      }
    }
  }

  // ---- shutdown ----------------------------------------------------------------------------

  /**
   * Stops everything, groups in descending priority, each group fully stopped before the next;
   * then ends what is left of the children's process groups. Idempotent. `force` sends SIGKILL at
   * once. Mirrors supervisord's shutdown.
   */
  shutdown(options: { force?: boolean } = {}): Promise<void> {
    this.#shutdown ??= this.#runShutdown(options.force === true);
    return this.#shutdown;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  async #runShutdown(force: boolean): Promise<void> {
    this.#setMood('SHUTDOWN');
    const all = [...this.#groups.values()].flatMap((g) => g.processes);
    const roots = new Set(all.flatMap((p) => p.familyRoots()));
    const family = snapshotFamily(roots);
    const queue = stopOrder(this.groups());
    // supervisord's shutdown report: at once, then every 3 s while something is left.
    let waitingTimer: TimerHandle | undefined;
    const reportWaiting = () => {
      const names = all.filter((p) => !STOPPED_STATES.has(p.state)).map((p) => p.name);
      if (names.length) this.#host.log('info', `waiting for ${names.join(', ')} to die`);
      waitingTimer = this.clock.setTimeout(reportWaiting, 3000);
    };
    try {
      for (const group of queue) {
        for (const p of group.forShutdown()) {
          if (force && p.pid !== 0) p.signal(9);
          if (RUNNING_STATES.has(p.state)) p.stopForShutdown();
        }
        if (!waitingTimer) reportWaiting();
        await Promise.all(group.processes.map((p) => this.#waitFor(p, () => (STOPPED_STATES.has(p.state) ? 'done' : undefined))));
      }
    } finally {
      this.clock.clearTimeout(waitingTimer);
    }
    this.clock.clearTimeout(this.#waitingTimer);
    this.#waiting.clear();
    this.#memory.stop();
    // No orphans: grandchildren left in the children's groups, or that left them, end too.
    await endFamily(family, roots, this.#host.guardValue ? `${GUARD_VARIABLE}=${this.#host.guardValue}` : undefined);
    for (const p of all) {
      p.forgetFamily();
      this.#retire(p);
    }
  }
}

/**
 * Shutdown order: descending priority (supervisord), except that a group is stopped only after
 * every group that depends on it.
 */
function stopOrder(ascending: readonly ProcessGroup[]): ProcessGroup[] {
  const left = [...ascending];
  const out: ProcessGroup[] = [];
  while (left.length) {
    const blocked = new Set(left.flatMap((g) => dependenciesOf(g.spec).map((d) => d.name)));
    let i = left.length - 1;
    while (i > 0 && blocked.has((left[i] as ProcessGroup).name)) i--;
    out.push(...left.splice(i, 1));
  }
  return out;
}

/**
 * The result of one waited operation. Waited results come after the immediate ones, in process
 * order: supervisord checks its deferred callbacks in that order, once per tick.
 */
function settle(p: SupervisedProcess, wait: Promise<void>): Promise<ProcessResult> {
  return wait.then(
    () => OK(p),
    (e: unknown) => faultResult(p, e),
  );
}

/** Attaches the last lines a process wrote to a start failure, so a failing test shows them. */
function withOutput<E extends SupervisorError>(err: E, p: SupervisedProcess): E {
  const stdout = p.logs.stdout.lastLines(20);
  const stderr = p.logs.stderr?.lastLines(20) ?? [];
  err.output = { stdout, stderr };
  const spawnerr = p.spawnerr ? ` (${p.spawnerr})` : '';
  const tail = [...(stdout.length ? ['--- last stdout lines ---', ...stdout] : []), ...(stderr.length ? ['--- last stderr lines ---', ...stderr] : [])];
  err.message = `${err.faultString}${spawnerr}${tail.length ? `\n${tail.join('\n')}` : ''}`;
  return err;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
