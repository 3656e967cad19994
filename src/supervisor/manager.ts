// ProcessManager: the public facade. Each call is a supervisord XML-RPC operation (or one of
// procvisor's additions) delegated to the concept that implements it: the registry of groups,
// the commands that start/stop/signal, autostart, the configuration session, log access, the
// read model and shutdown. The supervisor's own state ("mood") is written only here.
import { tmpdir } from 'node:os';
import { EventEmitter } from 'eventemitter3';
import { AlreadyAddedError, BadNameError, IncorrectParametersError, NoFileError, NotRunningError, ShutdownStateError } from '../errors.js';
import type { LinesOptions } from '../logs/live-lines.js';
import { MainLog } from '../logs/main-log.js';
import type { TailResult } from '../logs/tail.js';
import { type Clock, systemClock } from './clock.js';
import type { ProcessResult, WaitOptions } from './commands.js';
import type { Channel, ProcessSpec } from './config.js';
import type { ManagerEvents, OutputTap } from './events.js';
import * as logAccess from './log-access.js';
import type { ManagerOptions } from './manager-options.js';
import type { Metrics } from './memory-watch.js';
import { makeNamespec } from './names.js';
import type { ProcessInfo, ProcessStatusInfo } from './process-info.js';
import { type ConfiguredGroup, type GroupDetails, groupDetails, type ProcessDetails, processDetails } from './read-model.js';
import type { AnyConfig, ApplyOptions, ApplyResult, ChangePlan, ConfigSource, GroupEntry } from './reload.js';
import { stopEverything } from './shutdown.js';
import type { SignalSpec } from './signals.js';
import { type SupervisorState, SUPERVISOR_STATE_CODE } from './states.js';
import { type ManagerParts, wireManager } from './wiring.js';
import type { EventHub } from './event-hub.js';

export type { ActivityLogger, LogLevel } from './host.js';
export type { ProcessResult, WaitOptions } from './commands.js';
export type { ManagerOptions } from './manager-options.js';

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
  #mood: SupervisorState = 'RUNNING';
  #shutdown: Promise<void> | undefined;
  readonly #p: ManagerParts;
  readonly #outputTaps = new Set<OutputTap>();
  /** supervisord's events: typed subscriptions, REMOTE_COMMUNICATION, event listener pools. */
  readonly events: EventHub;

  constructor(options: ManagerOptions = {}) {
    super();
    this.clock = options.clock ?? systemClock;
    this.identifier = options.identifier ?? 'supervisor';
    this.childlogdir = options.childlogdir ?? tmpdir();
    this.mainLog = options.mainLog ?? new MainLog({ level: 'info' });
    this.#p = wireManager({
      options,
      events: this,
      clock: this.clock,
      identifier: this.identifier,
      childlogdir: this.childlogdir,
      mainLog: this.mainLog,
      mood: () => this.#mood,
      restart: (ns) => this.stopProcess(ns).then(() => this.startProcess(ns)),
      outputTaps: this.#outputTaps,
    });
    this.events = this.#p.events;
  }

  /**
   * Calls `listener` with every chunk any process writes, like the `processOutput` event but
   * without a copy: `event.data` is the read buffer, overwritten after the call, so the listener
   * copies what it keeps. For consumers of all output (a merged log view) that would otherwise
   * make every chunk a new allocation; the second argument, the log that wrote the chunk, lets
   * them find its bytes later without copying them at all. Returns the function that removes it.
   */
  tapOutput(listener: OutputTap): () => void {
    this.#outputTaps.add(listener);
    return () => this.#outputTaps.delete(listener);
  }

  // ---- configuration: every change is a plan of the configuration session -------------------

  /**
   * Adds a `[program:x]` (a ProgramConfig) or a `[group:x]` (a GroupConfig), or — given a name —
   * a group of the last configuration read. Validates everything first and changes nothing on
   * error. After start(), its autostart processes start at once. Mirrors `supervisor.addProcessGroup`.
   * @throws ConfigError, AlreadyAddedError, BadNameError, ShutdownStateError
   */
  addProcessGroup(config: AnyConfig | string): void {
    this.#assertRunning();
    const entry = typeof config === 'string' ? this.#p.session.availableGroup(config) : this.#p.resolve(config);
    if (!entry) throw new BadNameError(config as string);
    this.#add([entry]);
  }

  /** Adds several groups at once; they may depend on each other. All or none. */
  addProcessGroups(configs: readonly AnyConfig[]): void {
    this.#add(configs.map((c) => this.#p.resolve(c)));
  }

  #add(entries: readonly GroupEntry[]): void {
    this.#assertRunning();
    for (const e of entries) if (this.#p.registry.has(e.spec.name)) throw new AlreadyAddedError(e.spec.name);
    this.#p.session.commit(this.#p.session.planSome({ upsert: entries }));
  }

  /** Removes a group whose processes are all stopped. Mirrors `supervisor.removeProcessGroup`. @throws BadNameError, StillRunningError */
  removeProcessGroup(name: string): void {
    this.#assertRunning();
    this.#p.registry.group(name);
    this.#p.session.commit(this.#p.session.planSome({ remove: [name] }));
  }

  /** What making the active groups exactly `configs` would change, per process. Changes nothing. @throws ConfigError */
  plan(configs: readonly AnyConfig[]): ChangePlan {
    return this.#p.session.planAll(configs.map((c) => this.#p.resolve(c)));
  }

  /** Applies a plan: only what changed is restarted; changes that need no restart apply live. */
  apply(plan: ChangePlan, options?: ApplyOptions): Promise<ApplyResult> {
    return this.#p.session.apply(plan, options);
  }

  /** The plan for some groups only: `upsert` added or replacing, `remove` removed; others untouched. */
  planChanges(change: { upsert?: readonly AnyConfig[]; remove?: readonly string[] }): ChangePlan {
    return this.#p.session.planSome({ upsert: (change.upsert ?? []).map((c) => this.#p.resolve(c)), ...(change.remove ? { remove: change.remove } : {}) });
  }

  /** Where reloadConfig()/update() read the configuration; `first`: a reading already made. Adds nothing. */
  useConfigSource(source: ConfigSource, first?: readonly GroupEntry[]): void {
    this.#p.session.useSource(source, first);
  }

  /** Adds every group of the last configuration read that is not active; returns their names. */
  addConfiguredGroups(): string[] {
    const missing = this.#p.session.available().filter((e) => !this.#p.registry.has(e.spec.name));
    this.#add(missing);
    return missing.map((e) => e.spec.name);
  }

  /**
   * Re-reads the configuration without applying it: supervisord's [added, changed, removed]
   * group names. Mirrors `supervisor.reloadConfig`. @throws ConfigError; nothing changes then
   */
  reloadConfig(): [string[], string[], string[]] {
    this.#assertRunning();
    if (!this.#p.session.hasSource) throw new NoFileError('this manager has no configuration source');
    return this.#p.session.reread();
  }

  /** Re-reads the configuration and applies it: only changed processes restart, removed groups stop. */
  async update(): Promise<{ added: string[]; changed: string[]; removed: string[] }> {
    const [added, changed, removed] = this.reloadConfig();
    await this.#p.session.apply(this.#p.session.planAll());
    return { added, changed, removed };
  }

  // ---- the read model --------------------------------------------------------------------------

  /** Active groups in supervisord's order (ascending priority, then name), with their processes. */
  listGroups(): GroupDetails[] {
    return this.#p.registry.ordered().map((g) => groupDetails(g, this.#p.sources));
  }

  /** One active group, or undefined. */
  getGroupDetails(name: string): GroupDetails | undefined {
    const g = this.#p.registry.get(name);
    return g && groupDetails(g, this.#p.sources);
  }

  /** The resolved options process `name` of `group` runs with, or undefined when there is none. */
  getProcessSpec(group: string, name: string): ProcessSpec | undefined {
    return this.#p.registry.get(group)?.find(name)?.spec;
  }

  /** One process: its status, log files, allocated port and metrics. @throws BadNameError */
  getProcessDetails(namespec: string): ProcessDetails {
    return processDetails(this.#p.registry.process(namespec), this.#p.sources);
  }

  /** The groups of the last configuration read, with the active ones' details (getAllConfigInfo). */
  listConfiguredGroups(): ConfiguredGroup[] {
    return this.#p.session.available().map((e) => ({ ...e, active: this.getGroupDetails(e.spec.name) ?? null }));
  }

  /** CPU and memory of a process and its descendants, when sampling is on (max_memory_mb or metrics). */
  getProcessMetrics(namespec: string): Metrics | undefined {
    return this.#p.memory.metrics.get(this.#p.registry.process(namespec).pid);
  }

  /** supervisord's own state. Mirrors `supervisor.getState`. */
  getState(): { statecode: number; statename: SupervisorState } {
    return { statecode: SUPERVISOR_STATE_CODE[this.#mood], statename: this.#mood };
  }

  /** Mirrors `supervisor.getProcessInfo`. @throws BadNameError */
  getProcessInfo(namespec: string): ProcessInfo {
    return this.#p.registry.process(namespec).info();
  }

  /** getProcessInfo plus `nextRetryAt` and `restarts` (procvisor's additions). */
  getProcessStatus(namespec: string): ProcessStatusInfo {
    return this.#p.registry.process(namespec).status();
  }

  /** Every process, ordered by group name then process name. Mirrors `supervisor.getAllProcessInfo`. */
  getAllProcessInfo(): ProcessInfo[] {
    return [...this.processInfos()];
  }

  /**
   * getAllProcessInfo's entries in the same order, each made when the iteration reaches it: for a
   * consumer that turns each into something else at once (an XML-RPC response of thousands of
   * processes), so that no entry outlives its own use. Read it without awaiting in between.
   */
  *processInfos(): Generator<ProcessInfo, void, undefined> {
    for (const p of this.#p.registry.processesByName()) yield p.info();
  }

  // ---- start, stop, signal -----------------------------------------------------------------------

  /** Starts every autostart process that was never started, groups in ascending priority. */
  async start(): Promise<void> {
    this.#assertRunning();
    await this.#p.autostart.begin(this.#p.registry.ordered(), () => this.events.started());
  }

  /**
   * Starts one process (or a group, for `group:*`); with wait (default) resolves when RUNNING and
   * rejects with SpawnError or AbnormalTerminationError otherwise. Mirrors `supervisor.startProcess`.
   * @throws BadNameError, NoFileError, NotExecutableError, AlreadyStartedError, FailedError
   */
  startProcess(namespec: `${string}:*` | `${string}:`, options?: WaitOptions): Promise<ProcessResult[]>;
  startProcess(namespec: string, options?: WaitOptions): Promise<ProcessInfo>;
  async startProcess(namespec: string, options: WaitOptions = {}): Promise<ProcessInfo | ProcessResult[]> {
    this.#assertRunning();
    const { group, process } = this.#p.registry.resolve(namespec);
    if (!process) return this.startProcessGroup(group.name, options);
    const wait = this.#p.commands.beginStart(process, namespec);
    if (options.wait !== false) await wait(options.signal);
    return process.info();
  }

  /** Mirrors `supervisor.startProcessGroup`. */
  async startProcessGroup(name: string, options: WaitOptions = {}): Promise<ProcessResult[]> {
    this.#assertRunning();
    return this.#p.commands.startMany(this.#p.registry.group(name).byPriority(), options);
  }

  /** Mirrors `supervisor.startAllProcesses`: groups by ascending priority. */
  async startAllProcesses(options: WaitOptions = {}): Promise<ProcessResult[]> {
    this.#assertRunning();
    return this.#p.commands.startMany(this.#p.registry.processesByPriority(), options);
  }

  /**
   * Stops one process (or a group, for `group:*`): its stopsignal, then SIGKILL after stopwaitsecs;
   * with wait (default) resolves when stopped. Mirrors `supervisor.stopProcess`.
   * @throws BadNameError, NotRunningError, FailedError
   */
  stopProcess(namespec: `${string}:*` | `${string}:`, options?: WaitOptions): Promise<ProcessResult[]>;
  stopProcess(namespec: string, options?: WaitOptions): Promise<ProcessInfo>;
  async stopProcess(namespec: string, options: WaitOptions = {}): Promise<ProcessInfo | ProcessResult[]> {
    this.#assertRunning();
    const { group, process } = this.#p.registry.resolve(namespec);
    if (!process) return this.stopProcessGroup(group.name, options);
    const wait = this.#p.commands.beginStop(process, namespec);
    if (options.wait !== false) await wait(options.signal);
    return process.info();
  }

  /** Mirrors `supervisor.stopProcessGroup`. */
  async stopProcessGroup(name: string, options: WaitOptions = {}): Promise<ProcessResult[]> {
    this.#assertRunning();
    return this.#p.commands.stopMany(this.#p.registry.group(name).byPriority(), options);
  }

  /** Mirrors `supervisor.stopAllProcesses`. */
  async stopAllProcesses(options: WaitOptions = {}): Promise<ProcessResult[]> {
    this.#assertRunning();
    return this.#p.commands.stopMany(this.#p.registry.processesByPriority(), options);
  }

  /** Sends a signal (name or number) to a process (or a group, for `group:*`). Mirrors `supervisor.signalProcess`. */
  signalProcess(namespec: string, signal: SignalSpec): ProcessResult[] | true {
    this.#assertRunning();
    const { group, process } = this.#p.registry.resolve(namespec);
    if (!process) return this.#p.commands.signalGroup(group.byPriority(), signal);
    this.#p.commands.signalOne(process, this.#p.commands.signalNumber(signal), namespec);
    return true;
  }

  /** Mirrors `supervisor.signalProcessGroup`: results for signallable processes only. */
  signalProcessGroup(name: string, signal: SignalSpec): ProcessResult[] {
    this.#assertRunning();
    const group = this.#p.registry.group(name);
    return this.#p.commands.signalGroup(group.byPriority(), signal);
  }

  /** Mirrors `supervisor.signalAllProcesses`. */
  signalAllProcesses(signal: SignalSpec): ProcessResult[] {
    this.#assertRunning();
    return this.#p.commands.signalGroup(this.#p.registry.processesByPriority(), signal);
  }

  /** Writes to a process's stdin. Mirrors `supervisor.sendProcessStdin`. */
  sendProcessStdin(namespec: string, chars: string | Buffer): true {
    this.#assertRunning();
    if (typeof chars !== 'string' && !Buffer.isBuffer(chars)) throw new IncorrectParametersError('chars not a string');
    const p = this.#p.registry.process(namespec);
    if (p.pid === 0 || p.state === 'STOPPING') throw new NotRunningError(namespec);
    if (!p.writeStdin(chars)) throw new NoFileError(namespec);
    return true;
  }

  // ---- logs --------------------------------------------------------------------------------------

  /** Mirrors `supervisor.readProcessStdoutLog`. @throws BadNameError, NoFileError, BadArgumentsError */
  readProcessStdoutLog(namespec: string, offset: number, length: number): string {
    this.#assertRunning();
    return logAccess.readChannel(this.#p.registry.process(namespec), 'stdout', offset, length);
  }

  /** Mirrors `supervisor.readProcessStderrLog`. */
  readProcessStderrLog(namespec: string, offset: number, length: number): string {
    this.#assertRunning();
    return logAccess.readChannel(this.#p.registry.process(namespec), 'stderr', offset, length);
  }

  /** `[bytes, newOffset, overflow]`. Mirrors `supervisor.tailProcessStdoutLog`. */
  tailProcessStdoutLog(namespec: string, offset: number, length: number): TailResult {
    this.#assertRunning();
    return logAccess.tailChannel(this.#p.registry.process(namespec), 'stdout', offset, length);
  }

  /** Mirrors `supervisor.tailProcessStderrLog`. */
  tailProcessStderrLog(namespec: string, offset: number, length: number): TailResult {
    this.#assertRunning();
    return logAccess.tailChannel(this.#p.registry.process(namespec), 'stderr', offset, length);
  }

  /** Truncates a process's current log files (backups stay). Mirrors `supervisor.clearProcessLogs`. */
  clearProcessLogs(namespec: string): true {
    this.#assertRunning();
    logAccess.clearLogs(this.#p.registry.process(namespec), namespec);
    return true;
  }

  /** Mirrors `supervisor.clearAllProcessLogs`. */
  clearAllProcessLogs(): ProcessResult[] {
    this.#assertRunning();
    return this.#p.commands.forEach(this.#p.registry.processesByPriority(), (p) => logAccess.clearLogs(p, makeNamespec(p.group, p.name)));
  }

  /** The process's output as lines: the last 64 KiB held in memory, then, with `follow`, new lines until `signal` aborts. */
  logLines(namespec: string, options: LinesOptions & { stream?: Channel } = {}): AsyncIterable<string> {
    const { stream = 'stdout', ...rest } = options;
    return logAccess.lines(this.#p.registry.process(namespec), stream, rest);
  }

  /** The last `n` lines a process wrote on a channel (from memory). */
  lastLines(namespec: string, n: number, stream: Channel = 'stdout'): string[] {
    return logAccess.lastLines(this.#p.registry.process(namespec), stream, n);
  }

  /** Reopens every log file (what SIGUSR2 does to supervisord), for external logrotate. */
  reopenLogs(): void {
    this.#p.ctx.host.log('info', 'supervisord logreopen');
    this.mainLog.reopen();
    for (const p of this.#p.registry.processes()) logAccess.reopenLogs(p, (m) => this.#p.ctx.host.log('error', m));
  }

  /** The activity log. Mirrors `supervisor.readLog`. */
  readLog(offset: number, length: number): string {
    this.#assertRunning();
    return this.mainLog.readLog(offset, length);
  }

  /** Mirrors `supervisor.clearLog`. */
  clearLog(): true {
    this.#assertRunning();
    this.mainLog.clear();
    return true;
  }

  // ---- shutdown ----------------------------------------------------------------------------------

  /**
   * Stops everything, groups in descending priority, each fully stopped before the next; then
   * ends what is left of the children's families. Idempotent. `force` sends SIGKILL at once.
   */
  shutdown(options: { force?: boolean } = {}): Promise<void> {
    this.#shutdown ??= this.#runShutdown(options.force === true);
    return this.#shutdown;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  async #runShutdown(force: boolean): Promise<void> {
    if (this.#mood !== 'SHUTDOWN') {
      this.#mood = 'SHUTDOWN';
      this.emit('supervisorState', 'SHUTDOWN');
    }
    await stopEverything(this.#p.ctx, force, () => {
      this.#p.autostart.clear();
      this.#p.memory.stop();
    });
    this.#p.events.close();
    this.#p.session.retireAll();
    await this.#p.releaseHost();
  }

  #assertRunning(): void {
    if (this.#mood !== 'RUNNING') throw new ShutdownStateError();
  }
}
