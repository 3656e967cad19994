// The output of every process as one stream of timestamped lines, the way `pm2 logs` shows it:
// lines are cut from each process's chunks as they arrive, stamped with the arrival time of their
// first byte, kept in a bounded history (for `since` and the first screenful) and passed to the
// subscribers whose filter they match.
import { LineSplitter } from '../logs/line-splitter.js';
import type { Channel } from '../supervisor/config.js';
import type { ProcessLogEvent, ProcessStateEvent } from '../supervisor/events.js';
import type { ProcessManager } from '../supervisor/manager.js';
import { makeNamespec } from '../supervisor/names.js';
import { STOPPED_STATES } from '../supervisor/states.js';

/** One line of one process. */
export interface LogLine {
  /** Epoch milliseconds at which the line's first byte arrived. */
  time: number;
  /** `name`, or `group:name` when they differ. */
  process: string;
  group: string;
  name: string;
  stream: Channel;
  /** The line, decoded as UTF-8, without its newline. */
  line: string;
}

/** Which lines a subscriber wants. */
export interface LogFilter {
  /** Namespecs: `name`, `group:name`, `group:*` or a group's name; empty or omitted for all. */
  names?: readonly string[];
  /** Only this stream. */
  stream?: Channel;
}

export interface LogHubOptions {
  /** Lines kept for history (all processes together). Default 5000. */
  historyLines?: number;
  /** Longest line kept whole; longer ones come in pieces. Default 64 KiB. */
  maxLineBytes?: number;
  /** Epoch milliseconds now. Default Date.now. */
  now?: () => number;
}

/** Whether `l` passes `f`. */
export function matches(l: LogLine, f: LogFilter): boolean {
  if (f.stream && l.stream !== f.stream) return false;
  if (!f.names || f.names.length === 0) return true;
  return f.names.some((n) => n === l.process || n === `${l.group}:${l.name}` || n === `${l.group}:*` || n === l.group);
}

/** An unfinished line of one channel and when its first byte came. */
interface Partial {
  splitter: LineSplitter;
  since: number;
}

export class LogHub {
  readonly pm: ProcessManager;
  readonly #history: LogLine[] = [];
  readonly #max: number;
  readonly #maxLineBytes: number;
  readonly #now: () => number;
  readonly #partials = new Map<string, Partial>();
  readonly #subscribers = new Set<{ filter: LogFilter; listener: (l: LogLine) => void }>();
  readonly #unbind: () => void;

  constructor(pm: ProcessManager, options: LogHubOptions = {}) {
    this.pm = pm;
    this.#max = options.historyLines ?? 5000;
    this.#maxLineBytes = options.maxLineBytes ?? 64 * 1024;
    this.#now = options.now ?? Date.now;
    const onOutput = (ev: ProcessLogEvent) => this.#take(ev);
    // A child that ended without a final newline: its last line is complete now.
    const onState = (ev: ProcessStateEvent) => {
      if (STOPPED_STATES.has(ev.to) || ev.to === 'BACKOFF') for (const ch of ['stdout', 'stderr'] as const) this.#flush(ev.group, ev.name, ch);
    };
    pm.on('processOutput', onOutput);
    pm.on('processState', onState);
    this.#unbind = () => {
      pm.off('processOutput', onOutput);
      pm.off('processState', onState);
    };
  }

  /** Lines in history passing `filter`, oldest first: those at or after `since`, or else the last `lines`. */
  history(filter: LogFilter, options: { since?: number | undefined; lines?: number | undefined } = {}): LogLine[] {
    const since = options.since;
    const kept = this.#history.length > this.#max ? this.#history.slice(-this.#max) : this.#history;
    const all = kept.filter((l) => matches(l, filter) && (since === undefined || l.time >= since));
    return since !== undefined || options.lines === undefined ? all : all.slice(Math.max(0, all.length - options.lines));
  }

  /** Calls `listener` with each new line passing `filter`; returns the unsubscribe function. */
  subscribe(filter: LogFilter, listener: (l: LogLine) => void): () => void {
    const entry = { filter, listener };
    this.#subscribers.add(entry);
    return () => this.#subscribers.delete(entry);
  }

  /** Stops listening to the manager. */
  close(): void {
    this.#unbind();
    this.#subscribers.clear();
  }

  #key(group: string, name: string, channel: Channel): string {
    return `${group}\0${name}\0${channel}`;
  }

  #take(ev: ProcessLogEvent): void {
    const key = this.#key(ev.group, ev.name, ev.channel);
    let p = this.#partials.get(key);
    const now = this.#now();
    if (!p) {
      p = { splitter: new LineSplitter(this.#maxLineBytes), since: now };
      this.#partials.set(key, p);
    }
    if (!p.splitter.hasPartial) p.since = now;
    const lines = p.splitter.push(ev.data);
    for (const [i, line] of lines.entries()) this.#emit({ time: i === 0 ? p.since : now, process: makeNamespec(ev.group, ev.name), group: ev.group, name: ev.name, stream: ev.channel, line });
    if (lines.length && p.splitter.hasPartial) p.since = now;
  }

  #flush(group: string, name: string, channel: Channel): void {
    const key = this.#key(group, name, channel);
    const p = this.#partials.get(key);
    if (!p) return;
    this.#partials.delete(key);
    const line = p.splitter.flush();
    if (line !== undefined) this.#emit({ time: p.since, process: makeNamespec(group, name), group, name, stream: channel, line });
  }

  #emit(l: LogLine): void {
    this.#history.push(l);
    // Trimmed in batches: one splice per 1024 lines, not one per line.
    if (this.#history.length > this.#max + 1024) this.#history.splice(0, this.#history.length - this.#max);
    for (const s of this.#subscribers) {
      if (!matches(l, s.filter)) continue;
      try {
        s.listener(l);
      } catch {
        // one failing subscriber must not starve the others
      }
    }
  }
}
