// The configuration session: the one way the set of groups changes. Read (a configuration source)
// → diff (supervisord's group-level [added, changed, removed]) → plan (process by process: what
// needs a restart, what applies live) → apply. Adding a group, removing one, supervisorctl's
// update, SIGHUP and the JSON API's edits are all plans applied here.
import { rmSync } from 'node:fs';
import { AlreadyAddedError, ShutdownStateError, StillRunningError } from '../errors.js';
import type { Commands } from './commands.js';
import type { GroupConfig, GroupSpec, ProcessSpec, ProgramConfig } from './config.js';
import type { EventListenerConfig } from './listener-config.js';
import type { ManagerContext } from './context.js';
import { validateDependencies } from './dependencies.js';
import { ProcessGroup } from './group.js';
import { processKey as key, makeNamespec } from './names.js';
import { checkLogPaths, createProcessLogs } from './output.js';
import { checkChildLogDir } from './childlogdir-check.js';
import { listeningPorts, type PortAllocator } from './ports.js';
import { SupervisedProcess } from './process.js';
import { diffGroups, planReload, type ReloadPlan } from './reload-plan.js';
import { RUNNING_STATES, STOPPED_STATES } from './states.js';
import type { Autostart } from './autostart.js';
import { FcgiSockets } from './fcgi-groups.js';

export type AnyConfig = ProgramConfig | GroupConfig | EventListenerConfig;

/** One group of a configuration: as written (`config`) and resolved into processes (`spec`). */
export interface GroupEntry {
  spec: GroupSpec;
  config: AnyConfig;
}

/** Reads a whole configuration (every group); throws ConfigError. A supervisord.conf, for one. */
export type ConfigSource = () => readonly GroupEntry[];

/** A reload plan with the configurations it applies. */
export interface ChangePlan extends ReloadPlan {
  readonly configs: ReadonlyMap<string, AnyConfig>;
}

export interface ApplyOptions {
  /**
   * Start what the change brings that is new (added groups, processes a numprocs increase adds)
   * when its autostart says so and the manager has started. Default true; the JSON API's edits
   * pass false (an edit never changes whether a program runs).
   */
  autostart?: boolean;
  /**
   * Start again the replaced processes that were running. Default true; false leaves that to the
   * caller (apply's result names them), which then starts them with its own waiting.
   */
  restart?: boolean;
}

/** What apply did beyond the plan's own lists. */
export interface ApplyResult {
  /** Namespecs of the replaced processes that were running (started again unless restart: false). */
  wereRunning: string[];
}

export interface SessionOptions {
  childlogdir: string;
  identifier: string;
  /** Keep AUTO log files when a process is retired (supervisord's nocleanup). */
  nocleanup: boolean;
  ports: PortAllocator;
  commands: Commands;
  autostart: Autostart;
}

export class ConfigSession {
  readonly #ctx: ManagerContext;
  readonly #o: SessionOptions;
  #source: ConfigSource | undefined;
  /** The groups of the last configuration read, by name (supervisord's "available" groups). */
  #available = new Map<string, GroupEntry>();
  /** The sockets of fcgi groups (a program with `socket`), handed to their processes as stdin. */
  readonly #fcgi = new FcgiSockets((level, message) => this.#ctx.host.log(level, message));

  constructor(ctx: ManagerContext, options: SessionOptions) {
    this.#ctx = ctx;
    this.#o = options;
  }

  // ---- read and diff -------------------------------------------------------------------------

  /** Where reread() reads from; `first` is a reading already made (it becomes the available set). */
  useSource(source: ConfigSource, first: readonly GroupEntry[] = source()): void {
    this.#remember(first);
    this.#source = source;
  }

  get hasSource(): boolean {
    return this.#source !== undefined;
  }

  /** The groups of the last configuration read, in its order. */
  available(): GroupEntry[] {
    return [...this.#available.values()];
  }

  /** A group of the last configuration read. */
  availableGroup(name: string): GroupEntry | undefined {
    return this.#available.get(name);
  }

  /**
   * Reads the source again and remembers it; supervisord's [added, changed, removed] group names
   * against what is active. Changes nothing that runs. @throws ConfigError (nothing remembered)
   */
  reread(): [string[], string[], string[]] {
    if (!this.#source) throw new Error('no configuration source');
    this.#remember(this.#source());
    return diffGroups(
      this.#ctx.registry.ordered().map((g) => g.spec),
      [...this.#available.values()].map((g) => g.spec),
    );
  }

  #remember(entries: readonly GroupEntry[]): void {
    validateDependencies(
      entries.map((e) => e.spec),
      [],
    );
    this.#available = new Map(entries.map((e) => [e.spec.name, e]));
  }

  // ---- plan ----------------------------------------------------------------------------------

  /** The plan that makes the active groups exactly `entries` (the last read when omitted). */
  planAll(entries: readonly GroupEntry[] = this.available()): ChangePlan {
    for (const e of entries) this.#checkPaths(e.spec.processes);
    validateDependencies(
      entries.map((e) => e.spec),
      [],
    );
    const current = this.#ctx.registry.ordered().map((g) => g.spec);
    return withConfigs(
      planReload(
        current,
        entries.map((e) => e.spec),
      ),
      entries,
    );
  }

  /**
   * The plan that puts `upsert` in place (added, or replacing the group of the same name) and
   * removes `remove`, leaving every other group as it is.
   */
  planSome(change: { upsert?: readonly GroupEntry[]; remove?: readonly string[] }): ChangePlan {
    const upsert = change.upsert ?? [];
    for (const e of upsert) this.#checkPaths(e.spec.processes);
    const touched = new Set([...upsert.map((e) => e.spec.name), ...(change.remove ?? [])]);
    const registry = this.#ctx.registry;
    // Without a depends_on anywhere there is nothing to check: adding groups one by one then
    // costs no sort and no graph walk over all the groups each time (it was quadratic: 5,000
    // addProcessGroup calls took 13 s).
    const hasDeps = (ps: readonly { ext: { depends_on: readonly unknown[] } }[]) => ps.some((p) => p.ext.depends_on.length > 0);
    if (upsert.some((e) => hasDeps(e.spec.processes)) || registry.someProcess((p) => p.spec.ext.depends_on.length > 0)) {
      const untouched = registry.ordered().filter((g) => !touched.has(g.name));
      validateDependencies(
        upsert.map((e) => e.spec),
        untouched.map((g) => g.spec),
      );
    }
    const current = [...touched].flatMap((n) => registry.get(n)?.spec ?? []);
    return withConfigs(
      planReload(
        current,
        upsert.map((e) => e.spec),
      ),
      upsert,
    );
  }

  // ---- apply ---------------------------------------------------------------------------------

  /**
   * Applies a plan: removed groups and the processes to be replaced are stopped (waiting), then
   * the change is committed at once: removed groups go, kept processes take their new
   * configuration live, replaced ones are restarted if they were running, added groups autostart.
   * Never a whole group for one member's change.
   */
  async apply(plan: ChangePlan, options: ApplyOptions = {}): Promise<ApplyResult> {
    this.#assertRunning();
    const registry = this.#ctx.registry;
    const wasRunning = new Set<string>();
    const stopping: SupervisedProcess[] = [];
    for (const name of plan.removed) stopping.push(...(registry.get(name)?.byPriority() ?? []));
    const leaving = new Set([...plan.restart, ...plan.removedProcesses]);
    for (const [name] of plan.next) {
      for (const p of registry.get(name)?.processes ?? []) if (leaving.has(key(name, p.name))) stopping.push(p);
    }
    for (const p of stopping) {
      if (!RUNNING_STATES.has(p.state)) continue;
      wasRunning.add(key(p.group, p.name));
      await this.#o.commands.stopMany([p], { wait: true });
    }
    this.commit(plan, options, options.restart === false ? new Set() : wasRunning);
    const kept = (k: string) => [...plan.next.values()].some((g) => g.processes.some((p) => key(g.name, p.name) === k));
    const wereRunning = [...wasRunning].filter(kept).map((k) => makeNamespec(k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)));
    return { wereRunning };
  }

  /**
   * The synchronous half of apply: validates, then changes everything or nothing. Processes it
   * retires must already be stopped (StillRunningError otherwise); those in `wasRunning`
   * (namespecs) are started again.
   */
  commit(plan: ChangePlan, options: ApplyOptions = {}, wasRunning: ReadonlySet<string> = new Set()): void {
    this.#assertRunning();
    const registry = this.#ctx.registry;
    const leaving = new Set([...plan.restart, ...plan.removedProcesses]);
    for (const name of plan.removed) {
      const g = registry.get(name);
      if (g && !g.allStopped()) throw new StillRunningError(name);
    }
    // A group both removed and added is replaced whole (an event listener pool whose pool options changed).
    const replaced = new Set(plan.removed.filter((n) => plan.added.includes(n)));
    const fresh: ProcessSpec[] = [];
    for (const [name, spec] of plan.next) {
      const g = replaced.has(name) ? undefined : registry.get(name);
      for (const ps of spec.processes) if (!g?.find(ps.name) || leaving.has(key(name, ps.name))) fresh.push(ps);
      for (const p of g?.processes ?? []) {
        if (leaving.has(key(name, p.name)) && !STOPPED_STATES.has(p.state)) throw new StillRunningError(name);
      }
    }
    for (const name of plan.added) if (registry.has(name) && !replaced.has(name)) throw new AlreadyAddedError(name);
    fresh.forEach(checkLogPaths);
    checkChildLogDir(fresh, this.#o.childlogdir);
    const sockets = this.#fcgi.prepare(plan.added.map((name) => plan.next.get(name) as GroupSpec));
    const env = this.#allocatePorts(fresh);

    for (const name of plan.removed) this.#removeGroup(name);
    this.#fcgi.adopt(sockets);
    const autostart = options.autostart !== false && this.#o.autostart.started;
    for (const [name, spec] of plan.next) {
      const group = registry.get(name);
      if (!group) continue;
      const keep = new Map<string, SupervisedProcess>();
      for (const p of group.processes) {
        const ns = key(name, p.name);
        const next = spec.processes.find((s) => s.name === p.name);
        if (next && !leaving.has(ns)) {
          p.updateSpec(next);
          keep.set(p.name, p);
          continue;
        }
        this.#retire(p);
        if (!next) this.#o.ports.release(ns);
      }
      const processes = spec.processes.map((ps) => keep.get(ps.name) ?? this.#newProcess(ps, env));
      group.reconfigure(spec, plan.configs.get(name) ?? group.config, processes);
      for (const p of processes) {
        if (keep.has(p.name)) continue;
        const ns = key(name, p.name);
        if (wasRunning.has(ns) || (autostart && p.spec.autostart && !leaving.has(ns))) p.spawn();
      }
    }
    const added: ProcessGroup[] = [];
    for (const name of plan.added) {
      const spec = plan.next.get(name) as GroupSpec;
      const group = new ProcessGroup(
        spec,
        plan.configs.get(name) as AnyConfig,
        spec.processes.map((ps) => this.#newProcess(ps, env)),
      );
      registry.set(group);
      added.push(group);
      this.#ctx.events.emit('processGroupAdded', name);
    }
    if (options.autostart !== false) this.#o.autostart.run(added);
  }

  /** Log paths whose directory is missing, and a missing childlogdir, are configuration errors. */
  #checkPaths(processes: readonly ProcessSpec[]): void {
    processes.forEach(checkLogPaths);
    checkChildLogDir(processes, this.#o.childlogdir);
  }

  #assertRunning(): void {
    if (this.#ctx.mood() !== 'RUNNING') throw new ShutdownStateError();
  }

  #removeGroup(name: string): void {
    const group = this.#ctx.registry.get(name);
    if (!group) return;
    for (const p of group.processes) {
      this.#retire(p);
      this.#o.ports.release(key(p.group, p.name));
    }
    this.#ctx.registry.delete(name);
    this.#fcgi.drop(name);
    this.#ctx.events.emit('processGroupRemoved', name);
  }

  /** Allocates PORT (and HOST) for every process with a `port` option; all or nothing. */
  #allocatePorts(specs: readonly ProcessSpec[]): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    const wanted = specs.filter((p) => p.ext.port);
    if (wanted.length === 0) return out;
    const ports = this.#o.ports;
    const fresh: string[] = [];
    try {
      const inUse = listeningPorts();
      for (const p of wanted) {
        const port = p.ext.port;
        if (!port) continue;
        const k = key(p.group, p.name);
        if (!ports.has(k)) fresh.push(k);
        const n = ports.allocate({ key: k, mode: port.mode, range: port.range }, inUse);
        out.set(k, { [port.env]: String(n), ...(port.host ? { HOST: port.host } : {}) });
      }
      return out;
    } catch (e) {
      for (const key of fresh) ports.release(key);
      throw e;
    }
  }

  #newProcess(ps: ProcessSpec, env: ReadonlyMap<string, Record<string, string>>): SupervisedProcess {
    const ctx = {
      childlogdir: this.#o.childlogdir,
      identifier: this.#o.identifier,
      onError: (err: Error) => this.#ctx.host.log('error', `log write failed for '${ps.name}': ${err.message}`),
      now: () => this.#ctx.host.clock.epochMs(), // log line times and time rotation follow the injected clock
    };
    return new SupervisedProcess(ps, this.#ctx.host, createProcessLogs(ps, ctx), env.get(key(ps.group, ps.name)), this.#fcgi.for(ps));
  }

  /** Closes a process's logs and timers; deletes its AUTO files unless nocleanup. */
  #retire(p: SupervisedProcess): void {
    p.dispose();
    for (const [log, spec] of [
      [p.logs.stdout, p.spec.stdout],
      [p.logs.stderr, p.spec.stderr],
    ] as const) {
      log?.close();
      if (log?.path && spec.logfile === 'AUTO' && !this.#o.nocleanup) {
        // Compressed backups (the logging extension) end in .N.gz.
        for (const suffix of ['', ...Array.from({ length: spec.backups }, (_, i) => [`.${i + 1}`, `.${i + 1}.gz`]).flat()])
          rmSync(log.path + suffix, { force: true });
      }
    }
  }

  /** Retires every process (the end of a shutdown); the groups stay listed. */
  retireAll(): void {
    for (const p of this.#ctx.registry.processes()) {
      p.forgetFamily();
      this.#retire(p);
    }
  }
}

function withConfigs(plan: ReloadPlan, entries: readonly GroupEntry[]): ChangePlan {
  return { ...plan, configs: new Map(entries.map((e) => [e.spec.name, e.config])) };
}
