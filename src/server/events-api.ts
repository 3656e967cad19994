// GET /api/events: the manager's events as server-sent events, for pages that stay current without
// polling. On connect a `snapshot` (every process); then one `state` per processState transition
// carrying that process's fresh status, `group` when a group is added or removed, `supervisor` when
// supervisord's own state changes. All clients share one set of manager listeners, removed when the
// last client leaves; a replaced manager (daemon reload) is picked up within `rebindCheckMs`, or at
// once through rebind(), and every client then gets a new snapshot.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProcessStateEvent } from '../supervisor/events.js';
import type { ProcessManager } from '../supervisor/manager.js';
import { makeNamespec } from '../supervisor/names.js';
import type { SupervisorState } from '../supervisor/states.js';
import type { Route } from './http-server.js';
import { ApiError, sendError } from './json-api-http.js';
import { type ProcessStatus, toStatus } from './json-api-status.js';

export interface EventsApiOptions {
  /** The current manager (a getter: a daemon reload replaces it). */
  manager: () => ProcessManager;
  /** Interval of the keepalive comment. Default 15 s. */
  heartbeatMs?: number;
  /** How often to look for a replaced manager while clients are connected. Default 1 s. */
  rebindCheckMs?: number;
  /** A client with more unsent bytes than this is dropped (its EventSource reconnects and gets a snapshot). Default 4 MiB. */
  maxBufferedBytes?: number;
}

/** The route, plus what its owner needs around reloads and shutdown. */
export type EventsApi = Route & {
  /** Re-subscribes to `manager()` now if it is a new object (call right after a reload created one). */
  rebind(): void;
  /** Ends every stream and drops the listeners. */
  close(): void;
  /** Connected clients. */
  readonly clientCount: number;
};

/** `snapshot` event data. */
export interface SnapshotEvent {
  supervisor: { statecode: number; statename: SupervisorState };
  processes: ProcessStatus[];
}

/** `state` event data: the transition and the process's status right after it. */
export interface StateEvent {
  process: ProcessStatus;
  from: ProcessStateEvent['from'];
  to: ProcessStateEvent['to'];
  /** Epoch milliseconds of the transition. */
  time: number;
  expected?: boolean;
}

/** `group` event data (`processes` only when added). */
export interface GroupEvent {
  action: 'added' | 'removed';
  name: string;
  processes?: ProcessStatus[];
}

const PATH = '/api/events';

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function statusOf(pm: ProcessManager, namespec: string): ProcessStatus | undefined {
  try {
    return toStatus(pm.getProcessStatus(namespec));
  } catch {
    return undefined; // removed in the meantime
  }
}

/** The JSON API status (with `restarts` and `nextRetryAt`) of every process, in getAllProcessInfo's order. */
export function allStatuses(pm: ProcessManager): ProcessStatus[] {
  return pm.getAllProcessInfo().map((info) => toStatus(pm.getProcessStatus(makeNamespec(info.group, info.name))));
}

function groupStatuses(pm: ProcessManager, name: string): ProcessStatus[] {
  const procs = pm.getGroupDetails(name)?.processes ?? [];
  return procs.map((p) => toStatus(p)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function snapshotOf(pm: ProcessManager): SnapshotEvent {
  return { supervisor: pm.getState(), processes: allStatuses(pm) };
}

/** The connected clients and the one set of manager listeners they share. */
class EventHub {
  readonly #options: Required<EventsApiOptions>;
  /** Open responses. */
  readonly #clients = new Set<ServerResponse>();
  /** The manager listened to; undefined while nobody is connected. */
  #bound: ProcessManager | undefined;
  /** Removes the listeners from #bound; undefined when unbound. */
  #unbind: (() => void) | undefined;
  /** Heartbeat and rebind-check timers; undefined while nobody is connected. */
  #timers: NodeJS.Timeout[] | undefined;

  constructor(options: Required<EventsApiOptions>) {
    this.#options = options;
  }

  get size(): number {
    return this.#clients.size;
  }

  add(res: ServerResponse): void {
    const pm = this.#options.manager();
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    res.write(`retry: 2000\n\n${frame('snapshot', snapshotOf(pm))}`);
    this.#clients.add(res);
    const leave = () => this.#remove(res);
    res.on('close', leave);
    res.on('error', leave);
    if (this.#bound !== pm) this.#bind(pm, false);
    this.#timers ??= [
      setInterval(() => this.#write(': keepalive\n\n'), this.#options.heartbeatMs).unref(),
      setInterval(() => this.rebind(), this.#options.rebindCheckMs).unref(),
    ];
  }

  rebind(): void {
    if (this.#clients.size === 0) return;
    const pm = this.#options.manager();
    if (pm !== this.#bound) this.#bind(pm, true);
  }

  close(): void {
    for (const res of [...this.#clients]) res.end();
    this.#clients.clear();
    this.#idle();
  }

  #remove(res: ServerResponse): void {
    if (!this.#clients.delete(res)) return;
    if (this.#clients.size === 0) this.#idle();
  }

  #idle(): void {
    for (const t of this.#timers ?? []) clearInterval(t);
    this.#timers = undefined;
    this.#unbind?.();
    this.#unbind = undefined;
    this.#bound = undefined;
  }

  /** Listens to `pm` instead of the previous manager; `announce` sends everyone a new snapshot. */
  #bind(pm: ProcessManager, announce: boolean): void {
    this.#unbind?.();
    this.#bound = pm;
    // Deferred to a microtask: a transition's status settles (pid, spawnerr) just after the event,
    // and every event goes through the same queue so clients see them in order.
    const later = (fn: () => void) => queueMicrotask(() => this.#bound === pm && fn());
    const onState = (ev: ProcessStateEvent) => {
      const namespec = makeNamespec(ev.group, ev.name);
      const atEvent = statusOf(pm, namespec);
      later(() => {
        const settled = statusOf(pm, namespec);
        // Another transition followed at once (STARTING -> RUNNING -> EXITED): keep this one's own status.
        const process = settled?.statename === ev.to ? settled : atEvent;
        if (!process) return;
        const data: StateEvent = { process, from: ev.from, to: ev.to, time: ev.time };
        if (ev.expected !== undefined) data.expected = ev.expected;
        this.#write(frame('state', data));
      });
    };
    const onAdded = (name: string) => {
      const processes = groupStatuses(pm, name); // as added, before autostart's transitions (which follow as state events)
      later(() => this.#write(frame('group', { action: 'added', name, processes } satisfies GroupEvent)));
    };
    const onRemoved = (name: string) => later(() => this.#write(frame('group', { action: 'removed', name } satisfies GroupEvent)));
    const onSupervisor = () => later(() => this.#write(frame('supervisor', pm.getState())));
    pm.on('processState', onState);
    pm.on('processGroupAdded', onAdded);
    pm.on('processGroupRemoved', onRemoved);
    pm.on('supervisorState', onSupervisor);
    this.#unbind = () => {
      pm.off('processState', onState);
      pm.off('processGroupAdded', onAdded);
      pm.off('processGroupRemoved', onRemoved);
      pm.off('supervisorState', onSupervisor);
    };
    if (announce) this.#write(frame('snapshot', snapshotOf(pm)));
  }

  /** Writes to every client; one that stopped reading is dropped rather than buffered without end. */
  #write(text: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > this.#options.maxBufferedBytes) res.destroy();
      else res.write(text);
    }
  }
}

/**
 * The events stream as a route for createHandler. It must come before the JSON API's route, which
 * answers every other path under /api/.
 *
 * @example
 * const events = createEventsApi({ manager: () => daemon.pm });
 * createHandler({ supervisor: daemon, routes: [events, createJsonApi({ manager: () => daemon.pm }), createStatusPage({ manager: () => daemon.pm })] });
 * // after a reload created a new manager: events.rebind();  at exit: events.close();
 */
export function createEventsApi(options: EventsApiOptions): EventsApi {
  const hub = new EventHub({
    manager: options.manager,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    rebindCheckMs: options.rebindCheckMs ?? 1_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
  });
  const route = (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (url.pathname !== PATH && url.pathname !== `${PATH}/`) return false;
    if (req.method !== 'GET') {
      sendError(res, new ApiError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? ''} is not allowed on ${PATH} (allowed: GET)`, { allow: 'GET' }));
      return true;
    }
    hub.add(res);
    return true;
  };
  const api = Object.assign(route, { rebind: () => hub.rebind(), close: () => hub.close() });
  return Object.defineProperty(api, 'clientCount', { get: () => hub.size, enumerable: true }) as EventsApi;
}
