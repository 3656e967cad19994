// Connects a ProcessManager to the event bus: turns its transitions, output, group changes and
// supervisor state into supervisord's events, owns the event listener pools and the capture-mode
// state of every child, and is the embedded API's event surface (`pm.events`).
import type { EventEmitter } from 'eventemitter3';
import type { Clock } from './clock.js';
import type { Channel } from './config.js';
import { EventBus, type DeliveredEvent } from './event-bus.js';
import { EventListenerPool, type ListenerState } from './event-pool.js';
import type { EventTypeName } from './event-types.js';
import type { ManagerEvents, ProcessStateEvent } from './events.js';
import type { ProcessGroup } from './group.js';
import type { SupervisedProcess } from './process.js';
import { CaptureChannel } from './capture.js';
import { stripAnsi } from '../logs/strip-ansi.js';

export interface EventHubContext {
  emitter: EventEmitter<ManagerEvents>;
  clock: Clock;
  identifier: string;
  group(name: string): ProcessGroup | undefined;
  log(level: 'error' | 'warn' | 'info' | 'debug', message: string): void;
  /** The last serial of a previous manager (a daemon reload): serials go on from there. */
  lastSerial?: number | undefined;
  /** supervisord's `strip_ansi` (captured output loses its escapes too). */
  stripAnsi?: boolean;
}

/** Writes one part of a child's output the ordinary way (log file unless captured, then events). */
export type Deliver = (part: Buffer, toLog?: boolean) => void;

export class EventHub {
  readonly #bus: EventBus;
  readonly #ctx: EventHubContext;
  readonly #pools = new Map<string, EventListenerPool>();
  readonly #capture = new WeakMap<SupervisedProcess, Partial<Record<Channel, CaptureChannel>>>();
  #stopping = false;
  #running = false;

  constructor(ctx: EventHubContext) {
    this.#ctx = ctx;
    this.#bus = new EventBus(ctx.clock, (err) => ctx.log('error', `event subscriber failed: ${err.message}`), ctx.lastSerial);
    const em = ctx.emitter;
    em.on('processState', (ev) => this.#onState(ev));
    em.on('processLog', (ev) => {
      this.#bus.notify({
        type: ev.channel === 'stdout' ? 'PROCESS_LOG_STDOUT' : 'PROCESS_LOG_STDERR',
        processname: ev.name,
        groupname: ev.group,
        pid: ev.pid,
        data: ev.data,
      });
    });
    em.on('processGroupAdded', (name) => {
      const group = ctx.group(name);
      // The pool subscribes before its own PROCESS_GROUP_ADDED is raised, as in supervisord.
      if (group?.spec.listener)
        this.#pools.set(
          name,
          new EventListenerPool(group, group.spec.listener, {
            bus: this.#bus,
            clock: ctx.clock,
            identifier: ctx.identifier,
            log: (level, message) => ctx.log(level, message),
          }),
        );
      this.#bus.notify({ type: 'PROCESS_GROUP_ADDED', groupname: name });
    });
    em.on('processGroupRemoved', (name) => {
      this.#pools.get(name)?.close();
      this.#pools.delete(name);
      this.#bus.notify({ type: 'PROCESS_GROUP_REMOVED', groupname: name });
    });
    em.on('supervisorState', (state) => {
      if (state === 'RUNNING' || this.#stopping) return;
      this.#stopping = true;
      this.#bus.notify({ type: 'SUPERVISOR_STATE_CHANGE_STOPPING' });
    });
  }

  /**
   * Receives every event of the given types (abstract types such as PROCESS_STATE, PROCESS_LOG or
   * TICK include their subtypes), typed, with the global serial listener pools see and the
   * payload text they are sent. Returns a function that ends the subscription. TICK timers run
   * only while some subscription covers them.
   *
   * @example
   * const off = pm.events.subscribe(['PROCESS_STATE_EXITED', 'PROCESS_STATE_FATAL'], (e) => alert(e.processname, e.type));
   */
  subscribe<T extends EventTypeName>(types: T | readonly T[], fn: (event: DeliveredEvent<T>) => void): () => void {
    return this.#bus.subscribe(types, fn);
  }

  /** Raises a REMOTE_COMMUNICATION event. Mirrors `supervisor.sendRemoteCommEvent`. */
  sendRemoteCommEvent(type: string, data: string): true {
    this.#bus.notify({ type: 'REMOTE_COMMUNICATION', commType: String(type), data: String(data) });
    return true;
  }

  /** The last global event serial given (-1 when none). */
  get lastSerial(): number {
    return this.#bus.lastSerial;
  }

  /** The protocol state of a listener process (undefined for a process that is not a listener). */
  listenerState(group: string, name: string): ListenerState | undefined {
    const pool = this.#pools.get(group);
    const p = this.#ctx.group(group)?.find(name);
    return pool && p ? pool.listenerState(p) : undefined;
  }

  /** Global serials of the events a pool holds, oldest first. */
  queuedEvents(pool: string): number[] | undefined {
    return this.#pools.get(pool)?.queued;
  }

  /** The manager started its processes: SUPERVISOR_STATE_CHANGE_RUNNING, once. @internal */
  started(): void {
    if (this.#running) return;
    this.#running = true;
    this.#bus.notify({ type: 'SUPERVISOR_STATE_CHANGE_RUNNING' });
  }

  /** The manager has shut down: no more TICK timers or dispatches. @internal */
  close(): void {
    this.#bus.close();
    for (const pool of this.#pools.values()) pool.close();
  }

  /** Whether {@link divert} takes output of this channel (and may keep it). @internal */
  diverts(p: SupervisedProcess, channel: Channel): boolean {
    if (channel === 'stdout' && this.#pools.get(p.group)?.has(p)) return true;
    return (channel === 'stdout' ? p.spec.stdout : p.spec.stderr).capture_maxbytes > 0;
  }

  /**
   * A child's output, before it is logged: a listener's stdout feeds its protocol, capture mode
   * takes what is between the tokens. Returns false when the output goes the ordinary way. @internal
   */
  divert(p: SupervisedProcess, channel: Channel, chunk: Buffer, deliver: Deliver): boolean {
    if (channel === 'stdout') {
      const pool = this.#pools.get(p.group);
      if (pool?.has(p)) {
        // supervisord writes a listener's protocol output to its stdout log, and nothing else.
        deliver(chunk);
        pool.onStdout(p, chunk);
        return true;
      }
    }
    const spec = channel === 'stdout' ? p.spec.stdout : p.spec.stderr;
    if (spec.capture_maxbytes <= 0) return false;
    const channels = this.#capture.get(p) ?? {};
    this.#capture.set(p, channels);
    let capture = channels[channel];
    if (!capture) capture = channels[channel] = new CaptureChannel(spec.capture_maxbytes);
    capture.feed(chunk, {
      output: (part, toLog) => deliver(part, toLog),
      communication: (data) => {
        this.#ctx.log('debug', `'${p.name}' ${channel} emitted a comm event`);
        this.#bus.notify({
          type: channel === 'stdout' ? 'PROCESS_COMMUNICATION_STDOUT' : 'PROCESS_COMMUNICATION_STDERR',
          processname: p.name,
          groupname: p.group,
          pid: p.pid,
          // What supervisord captured went through strip_ansi piece by piece, as logged output does.
          data: this.#ctx.stripAnsi ? stripAnsi(data) : data,
        });
      },
    });
    return true;
  }

  #onState(ev: ProcessStateEvent): void {
    const data = { type: `PROCESS_STATE_${ev.to}` as const, processname: ev.name, groupname: ev.group, from_state: ev.from };
    switch (ev.to) {
      case 'STARTING':
      case 'BACKOFF':
        this.#bus.notify({ ...data, tries: ev.tries ?? 0 });
        break;
      case 'EXITED':
        this.#bus.notify({ ...data, expected: ev.expected === true, pid: ev.pid });
        break;
      case 'RUNNING':
      case 'STOPPING':
      case 'STOPPED':
        this.#bus.notify({ ...data, pid: ev.pid });
        break;
      default:
        this.#bus.notify(data);
    }
    const p = this.#ctx.group(ev.group)?.find(ev.name);
    if (!p) return;
    if (ev.to === 'STARTING') this.#capture.delete(p);
    const pool = this.#pools.get(ev.group);
    if (pool?.has(p)) pool.onProcessState(p, ev);
  }
}
