// An event listener pool (supervisord's [eventlistener:x]): a process group whose processes read
// events on stdin and answer on stdout. The pool queues the events it subscribes to (at most
// buffer_size, dropping the oldest), and sends the oldest one to the first listener that is
// READY and RUNNING. The protocol, per listener process:
//   ACKNOWLEDGED --"READY\n"--> READY --event sent--> BUSY --"RESULT n\n"+n bytes--> ACKNOWLEDGED
// The result "OK" acknowledges the event; anything else rejects it and it is queued again at the
// head. Any other output ends in UNKNOWN (no more events for that process until it restarts);
// the event it held is queued again, as is the event of a listener that dies while BUSY.
import type { Clock, TimerHandle } from './clock.js';
import type { EventBus, RaisedEvent } from './event-bus.js';
import type { EventTypeName } from './event-types.js';
import { payloadLength } from './event-types.js';
import type { ProcessStateEvent } from './events.js';
import type { ProcessGroup } from './group.js';
import type { SupervisedProcess } from './process.js';

/** What `[eventlistener:x]` adds to a group. */
export interface ListenerPoolSpec {
  /** Subscribed types (abstract ones included), upper case, as listed. */
  events: readonly EventTypeName[];
  bufferSize: number;
  /** Only supervisord's default protocol handler exists. */
  resultHandler: string;
}

export const DEFAULT_RESULT_HANDLER = 'supervisor.dispatchers:default_handler';

export type ListenerState = 'ACKNOWLEDGED' | 'READY' | 'BUSY' | 'UNKNOWN';

const READY_TOKEN = Buffer.from('READY\n');
const RESULT_TOKEN = 'RESULT ';

type Log = (level: 'error' | 'warn' | 'info' | 'debug', message: string) => void;

/** The protocol side of one listener process (supervisord keeps it on the process and its stdout dispatcher). */
class ListenerChannel {
  state: ListenerState = 'ACKNOWLEDGED';
  /** The event sent and not yet answered. */
  event: RaisedEvent | null = null;
  buffer: Buffer = Buffer.alloc(0);
  result: Buffer = Buffer.alloc(0);
  resultLen: number | null = null;
}

export interface PoolContext {
  bus: EventBus;
  clock: Clock;
  identifier: string;
  log: Log;
}

export class EventListenerPool {
  readonly #group: ProcessGroup;
  readonly #spec: ListenerPoolSpec;
  readonly #ctx: PoolContext;
  readonly #buffer: RaisedEvent[] = [];
  #serial = -1;
  readonly #channels = new WeakMap<SupervisedProcess, ListenerChannel>();
  readonly #unsubscribe: Array<() => void> = [];
  #dispatchTimer: TimerHandle | undefined;

  constructor(group: ProcessGroup, spec: ListenerPoolSpec, ctx: PoolContext) {
    this.#group = group;
    this.#spec = spec;
    this.#ctx = ctx;
    for (const type of spec.events) this.#unsubscribe.push(ctx.bus.subscribeRaw(type, (e) => this.#accept(e, false)));
  }

  get name(): string {
    return this.#group.name;
  }

  /** Events waiting to be sent, oldest first (their global serials). */
  get queued(): number[] {
    return this.#buffer.map((e) => e.serial ?? -1);
  }

  has(p: SupervisedProcess): boolean {
    return this.#group.processes.includes(p);
  }

  /** The protocol state of a listener process. */
  listenerState(p: SupervisedProcess): ListenerState {
    return this.#channel(p).state;
  }

  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#ctx.clock.clearTimeout(this.#dispatchTimer);
    this.#dispatchTimer = undefined;
  }

  #channel(p: SupervisedProcess): ListenerChannel {
    let c = this.#channels.get(p);
    if (!c) this.#channels.set(p, (c = new ListenerChannel()));
    return c;
  }

  // ---- queueing ------------------------------------------------------------------------------

  #accept(event: RaisedEvent, head: boolean): void {
    this.#ctx.bus.serialOf(event);
    if (!event.poolSerials.has(this.name)) {
      if (this.#serial === Number.MAX_SAFE_INTEGER) this.#serial = -1;
      event.poolSerials.set(this.name, ++this.#serial);
    } else {
      this.#ctx.log('debug', `rebuffering event ${event.serial} for pool ${this.name} (buf size=${this.#buffer.length}, max=${this.#spec.bufferSize})`);
    }
    if (this.#buffer.length >= this.#spec.bufferSize) {
      const dropped = this.#buffer.shift();
      if (dropped) this.#ctx.log('error', `pool ${this.name} event buffer overflowed, discarding event ${dropped.serial}`);
    }
    if (head) this.#buffer.unshift(event);
    else this.#buffer.push(event);
    this.#schedule();
  }

  /** Dispatch happens at the next turn of the event loop (supervisord: in the pool's evaluation). */
  #schedule(): void {
    if (this.#dispatchTimer || this.#buffer.length === 0) return;
    this.#dispatchTimer = this.#ctx.clock.setTimeout(() => {
      this.#dispatchTimer = undefined;
      this.#dispatch();
    }, 0);
  }

  #dispatch(): void {
    while (this.#buffer.length > 0) {
      const event = this.#buffer[0] as RaisedEvent;
      if (!this.#send(event)) return;
      this.#buffer.shift();
    }
  }

  /** Sends `event` to the first READY listener of a RUNNING process. */
  #send(event: RaisedEvent): boolean {
    for (const p of this.#group.processes) {
      if (p.state !== 'RUNNING') continue;
      const c = this.#channel(p);
      if (c.state !== 'READY') continue;
      if (!p.writeStdin(this.#envelope(event))) {
        this.#ctx.log('debug', `epipe occurred while sending event ${event.serial} to listener ${p.name}, listener state unchanged`);
        continue;
      }
      c.state = 'BUSY';
      c.event = event;
      this.#ctx.log('debug', `event ${event.serial} sent to listener ${p.name}`);
      return true;
    }
    return false;
  }

  #envelope(event: RaisedEvent): string {
    const payload = event.payload;
    return (
      `ver:3.0 server:${this.#ctx.identifier} serial:${event.serial} pool:${this.name} ` +
      `poolserial:${event.poolSerials.get(this.name)} eventname:${event.data.type} len:${payloadLength(payload)}\n${payload}`
    );
  }

  // ---- the listener's side --------------------------------------------------------------------

  /** A state change of one of the pool's processes (after the bus has raised its event). */
  onProcessState(p: SupervisedProcess, ev: ProcessStateEvent): void {
    if (ev.to === 'STARTING') {
      // A new child starts a new conversation (supervisord makes new dispatchers at each spawn).
      this.#channels.set(p, new ListenerChannel());
      return;
    }
    const c = this.#channels.get(p);
    if (c?.event && (ev.to === 'EXITED' || ev.to === 'STOPPED' || ev.to === 'BACKOFF')) {
      // The child died while BUSY: its event goes back to the head of the queue.
      const event = c.event;
      c.event = null;
      this.#accept(event, true);
    }
    if (ev.to === 'RUNNING') this.#schedule();
  }

  /** Output of a listener on stdout: the protocol. */
  onStdout(p: SupervisedProcess, chunk: Buffer): void {
    const c = this.#channel(p);
    c.buffer = c.buffer.length ? Buffer.concat([c.buffer, chunk]) : chunk;
    this.#advance(p, c);
  }

  #advance(p: SupervisedProcess, c: ListenerChannel): void {
    for (;;) {
      if (c.buffer.length === 0) return;
      switch (c.state) {
        case 'UNKNOWN':
          c.buffer = Buffer.alloc(0);
          return;
        case 'ACKNOWLEDGED':
          if (c.buffer.length < READY_TOKEN.length) return;
          if (c.buffer.subarray(0, READY_TOKEN.length).equals(READY_TOKEN)) {
            this.#change(p, c, 'READY');
            c.buffer = c.buffer.subarray(READY_TOKEN.length);
            c.event = null;
            this.#schedule();
          } else {
            this.#change(p, c, 'UNKNOWN');
            c.buffer = Buffer.alloc(0);
            c.event = null;
          }
          continue;
        case 'READY':
          // Output while waiting for an event breaks the protocol.
          this.#change(p, c, 'UNKNOWN');
          c.buffer = Buffer.alloc(0);
          c.event = null;
          return;
        case 'BUSY':
          if (c.resultLen === null) {
            const nl = c.buffer.indexOf(0x0a);
            if (nl === -1) return;
            const line = c.buffer.subarray(0, nl);
            c.buffer = c.buffer.subarray(nl + 1);
            const len = pythonInt(line.subarray(RESULT_TOKEN.length).toString('latin1'));
            if (len === null) {
              this.#ctx.log('warn', `${p.name}: bad result line: '${decodeLine(line)}'`);
              this.#change(p, c, 'UNKNOWN');
              c.buffer = Buffer.alloc(0);
              this.#reject(c);
              return;
            }
            c.resultLen = len;
            continue;
          }
          {
            const needed = c.resultLen - c.result.length;
            if (needed > 0) {
              c.result = Buffer.concat([c.result, c.buffer.subarray(0, needed)]);
              c.buffer = c.buffer.subarray(needed);
            }
            if (c.resultLen - c.result.length > 0) return;
            this.#handleResult(p, c, c.result);
            c.event = null;
            c.result = Buffer.alloc(0);
            c.resultLen = null;
          }
          continue;
      }
    }
  }

  #handleResult(p: SupervisedProcess, c: ListenerChannel, result: Buffer): void {
    // supervisord's default handler: exactly "OK" acknowledges; anything else rejects.
    if (result.toString('latin1') === 'OK') {
      this.#ctx.log('debug', `${p.name}: event was processed`);
      this.#change(p, c, 'ACKNOWLEDGED');
      return;
    }
    this.#ctx.log('warn', `${p.name}: event was rejected`);
    this.#change(p, c, 'ACKNOWLEDGED');
    this.#reject(c);
  }

  /** The listener's event goes back to the head of the queue. */
  #reject(c: ListenerChannel): void {
    const event = c.event;
    c.event = null;
    if (event) this.#accept(event, true);
  }

  #change(p: SupervisedProcess, c: ListenerChannel, to: ListenerState): void {
    this.#ctx.log('debug', `${p.name}: ${c.state} -> ${to}`);
    c.state = to;
    if (to === 'UNKNOWN') {
      this.#ctx.log(
        'warn',
        `${p.name}: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol`,
      );
    }
  }
}

/** Python's int() of a result length: optional spaces and sign, digits (underscores between them). */
function pythonInt(text: string): number | null {
  const m = /^[ \t\n\r\f\v]*([+-]?\d+(?:_\d+)*)[ \t\n\r\f\v]*$/.exec(text);
  return m ? Number((m[1] as string).replaceAll('_', '')) : null;
}

function decodeLine(line: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(line);
  } catch {
    return `Undecodable: ${JSON.stringify(line.toString('latin1'))}`;
  }
}
