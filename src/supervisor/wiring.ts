// How a manager's concepts are put together: one registry, one port allocator, one host for every
// process, and the commands, autostart, configuration session and memory sampler sharing them.
import type { EventEmitter } from 'eventemitter3';
import type { MainLog } from '../logs/main-log.js';
import { Autostart } from './autostart.js';
import type { Clock } from './clock.js';
import { Commands } from './commands.js';
import { resolveGroup } from './config.js';
import type { ManagerContext } from './context.js';
import type { ManagerEvents, OutputTap } from './events.js';
import { createProcessHost } from './host.js';
import { EventHub } from './event-hub.js';
import type { ManagerOptions } from './manager-options.js';
import { createMemoryWatch } from './memory-limit.js';
import type { MemoryWatch } from './memory-watch.js';
import { PortAllocator } from './ports.js';
import type { ReadModelSources } from './read-model.js';
import { Registry } from './registry.js';
import { nodeSpawner } from './spawner.js';
import { type AnyConfig, ConfigSession, type GroupEntry } from './reload.js';
import type { SupervisorState } from './states.js';

export interface ManagerParts {
  readonly registry: Registry;
  readonly ctx: ManagerContext;
  readonly commands: Commands;
  readonly autostart: Autostart;
  readonly session: ConfigSession;
  readonly memory: MemoryWatch;
  readonly sources: ReadModelSources;
  /** supervisord's events: subscriptions, listener pools, capture mode. */
  readonly events: EventHub;
  /** Lets go of the orphan guard once the manager has shut down. */
  releaseHost(): Promise<void>;
  /** Resolves a program or group configuration given through the API (origin 'api'). */
  resolve(config: AnyConfig): GroupEntry;
}

export interface Wiring {
  options: ManagerOptions;
  events: EventEmitter<ManagerEvents>;
  clock: Clock;
  identifier: string;
  childlogdir: string;
  mainLog: MainLog;
  mood: () => SupervisorState;
  /** Stops then starts a process (a memory limit's graceful restart). */
  restart: (namespec: string) => Promise<unknown>;
  /** See {@link ProcessManager.tapOutput}. */
  outputTaps: ReadonlySet<OutputTap>;
}

export function wireManager(w: Wiring): ManagerParts {
  const { options } = w;
  const registry = new Registry();
  const sampleAll = options.metrics === true;
  const ports = new PortAllocator();
  const { host, release } = createProcessHost({
    clock: w.clock,
    spawner: options.spawner ?? nodeSpawner({ clock: w.clock, orphanGuard: options.orphanGuard ?? true }),
    orphanGuard: options.orphanGuard ?? true,
    environment: { ...(options.environment ?? process.env), ...(options.globalEnvironment ?? {}) },
    serverUrl: options.serverUrl ?? null,
    mainLog: w.mainLog,
    logger: options.logger,
    events: w.events,
    mood: w.mood,
    afterTransition: (ev) => {
      autostart.schedule();
      // Only a process that is sampled can need the sampler armed: checking just that one keeps a
      // transition O(1) (a scan of every process here made starting N programs cost N²).
      if (sampleAll || registry.get(ev.group)?.find(ev.name)?.spec.ext.max_memory_mb != null) memory.update();
    },
    divert: (proc, channel, chunk, deliver) => events.divert(proc, channel, chunk, deliver),
    diverts: (proc, channel) => events.diverts(proc, channel),
    outputTaps: w.outputTaps,
    stripAnsi: options.stripAnsi === true,
    syslog: options.syslog,
  });
  const events = new EventHub({
    emitter: w.events,
    clock: w.clock,
    identifier: w.identifier,
    group: (name) => registry.get(name),
    log: (level, message) => host.log(level, message),
    lastSerial: options.lastEventSerial,
    stripAnsi: options.stripAnsi === true,
  });
  const ctx: ManagerContext = { registry, events: w.events, host, mood: w.mood };
  const commands = new Commands(ctx);
  const autostart = new Autostart(ctx);
  const session = new ConfigSession(ctx, {
    childlogdir: w.childlogdir,
    identifier: w.identifier,
    nocleanup: options.nocleanup === true,
    ports,
    commands,
    autostart,
  });
  const memory = createMemoryWatch(ctx, { intervalMs: options.sampleIntervalMs ?? 1000, all: sampleAll, restart: w.restart });
  const env = options.environment ?? process.env;
  const resolve = (config: AnyConfig): GroupEntry => ({
    spec: resolveGroup(config, { env, globalEnvironment: options.globalEnvironment ?? {}, origin: 'api' }),
    config,
  });
  const sources = { ports, metrics: (pid: number) => memory.metrics.get(pid) };
  return { registry, ctx, commands, autostart, session, memory, sources, events, releaseHost: release, resolve };
}
