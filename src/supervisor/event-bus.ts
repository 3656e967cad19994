// The event bus: supervisord's notify/subscribe. A raised event goes to every subscription whose
// type is the event's type or an ancestor of it, in subscription order (a pool that subscribes
// to two overlapping types gets the event twice, as in supervisord). The global serial is given
// to an event when its first consumer takes it, so events nobody consumes use up no serial.
import type { Clock, TimerHandle } from './clock.js';
import { type EventData, type EventOf, type EventTypeName, isEventTypeName, isSubtype, renderPayload, TICK_PERIODS, type TickName } from './event-types.js';

/** One raised event, shared by every consumer it is delivered to. */
export class RaisedEvent {
  serial: number | undefined;
  /** Per-pool serials, given when a pool first queues the event. */
  readonly poolSerials = new Map<string, number>();
  #payload: string | undefined;
  constructor(readonly data: EventData) {}
  get payload(): string {
    this.#payload ??= renderPayload(this.data);
    return this.#payload;
  }
}

/** What a subscriber of the embedded API receives: the typed event, its serial and payload text. */
export type DeliveredEvent<T extends EventTypeName = 'EVENT'> = EventOf<T> & {
  /** The global serial, shared with listener pools that received the same event. */
  readonly serial: number;
  /** The payload as a listener process receives it after the envelope header. */
  readonly payload: string;
};

interface Subscription {
  types: readonly EventTypeName[];
  fn: (event: RaisedEvent) => void;
}

const matches = (sub: Subscription, name: EventTypeName) => sub.types.some((t) => isSubtype(name, t));

const MAX_SERIAL = Number.MAX_SAFE_INTEGER;

export class EventBus {
  #serial = -1;
  #subs: Subscription[] = [];
  readonly #clock: Clock;
  readonly #onError: (err: Error) => void;
  /** The start of the current period of each TICK type, epoch seconds. */
  readonly #lastSlice = new Map<TickName, number>();
  #tickTimer: TimerHandle | undefined;
  #closed = false;

  /** `lastSerial`: the serial given before this bus existed (supervisord keeps counting across reloads). */
  constructor(clock: Clock, onError: (err: Error) => void, lastSerial = -1) {
    this.#clock = clock;
    this.#onError = onError;
    this.#serial = lastSerial;
  }

  /** The last global serial given (-1 when none). */
  get lastSerial(): number {
    return this.#serial;
  }

  /** Gives `event` the next global serial if it has none yet. */
  serialOf(event: RaisedEvent): number {
    if (event.serial === undefined) {
      if (this.#serial === MAX_SERIAL) this.#serial = -1;
      event.serial = ++this.#serial;
    }
    return event.serial;
  }

  /** Raises an event: every matching subscription gets it, in subscription order. */
  notify(data: EventData): void {
    const event = new RaisedEvent(data);
    for (const sub of [...this.#subs]) {
      if (!matches(sub, data.type) || !this.#subs.includes(sub)) continue;
      try {
        sub.fn(event);
      } catch (e) {
        this.#onError(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }

  /** One (type, callback) pair, as supervisord's events.subscribe. Returns the unsubscribe. @internal */
  subscribeRaw(type: EventTypeName, fn: (event: RaisedEvent) => void): () => void {
    return this.#add({ types: [type], fn });
  }

  #add(sub: Subscription): () => void {
    this.#subs.push(sub);
    this.#armTicks();
    return () => {
      this.#subs = this.#subs.filter((s) => s !== sub);
      this.#armTicks();
    };
  }

  /**
   * Receives every event of the given types (abstract types such as PROCESS_STATE or TICK include
   * their subtypes), typed, with its global serial and payload text; once per event even when
   * several of the types match. Returns a function that ends the subscription.
   *
   * @example
   * const off = pm.events.subscribe('PROCESS_STATE', (e) => console.log(e.serial, e.type, e.processname));
   */
  subscribe<T extends EventTypeName>(types: T | readonly T[], fn: (event: DeliveredEvent<T>) => void): () => void {
    const list = (Array.isArray(types) ? types : [types]) as readonly string[];
    for (const t of list) if (!isEventTypeName(t)) throw new TypeError(`Unknown event type ${t}`);
    // One subscription for all the types: an event matching several of them comes once.
    return this.#add({
      types: list as readonly EventTypeName[],
      fn: (event) => fn({ ...(event.data as EventOf<T>), serial: this.serialOf(event), payload: event.payload } as DeliveredEvent<T>),
    });
  }

  /** Stops the TICK timer for good (the manager has shut down). */
  close(): void {
    this.#closed = true;
    this.#clock.clearTimeout(this.#tickTimer);
    this.#tickTimer = undefined;
  }

  // ---- TICK events --------------------------------------------------------------------------
  // supervisord checks at every main-loop tick whether floor(now / period) changed for each TICK
  // type and raises the event with the start of the new period. Here a timer is armed to the next
  // boundary of the shortest subscribed period, and only while some subscription covers a TICK.

  #tickPeriods(): number[] {
    const out: number[] = [];
    for (const [name, period] of Object.entries(TICK_PERIODS) as [TickName, number][]) {
      if (this.#subs.some((s) => matches(s, name))) out.push(period);
    }
    return out;
  }

  /** `fromIdle`: no timer ran, so no period boundary was watched: every period starts now. */
  #armTicks(fromIdle = true): void {
    const periods = this.#tickPeriods();
    if (periods.length === 0 || this.#closed) {
      this.#clock.clearTimeout(this.#tickTimer);
      this.#tickTimer = undefined;
      return;
    }
    if (this.#tickTimer) return;
    const now = this.#clock.epochMs() / 1000;
    // Periods already under way when the first subscription came: their event comes at the next boundary.
    if (fromIdle) for (const name of Object.keys(TICK_PERIODS) as TickName[]) this.#lastSlice.set(name, timeslice(TICK_PERIODS[name], now));
    const shortest = Math.min(...periods);
    const next = (timeslice(shortest, now) + shortest) * 1000;
    this.#tickTimer = this.#clock.setTimeout(() => this.#tick(), Math.max(1, Math.ceil(next - this.#clock.epochMs())));
  }

  #tick(): void {
    const now = this.#clock.epochMs() / 1000;
    for (const name of Object.keys(TICK_PERIODS) as TickName[]) {
      const slice = timeslice(TICK_PERIODS[name], now);
      if (this.#lastSlice.get(name) === slice) continue;
      this.#lastSlice.set(name, slice);
      this.notify({ type: name, when: slice });
    }
    this.#tickTimer = undefined;
    this.#armTicks(false);
  }
}

/** supervisord's timeslice: the start of the period containing `when`, whole seconds. */
function timeslice(period: number, when: number): number {
  return Math.trunc(when - (when % period));
}
