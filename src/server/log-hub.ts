// The output of every process as one stream of timestamped lines, the way `pm2 logs` shows it.
// Cheap while nobody watches: each chunk is only stamped with its arrival time and copied into a
// bounded ring of bytes (all processes together; no allocation per chunk). Lines are cut from that
// history when a client asks for it, and from new chunks only while someone follows the stream.
import { LineSplitter } from '../logs/line-splitter.js';
import { RingBuffer } from '../logs/ring-buffer.js';
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
  /** The line, decoded as UTF-8, without its newline (nor a `\r` before it). */
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
  /** Bytes of output kept for history, all processes together. Default 4 MiB. */
  historyBytes?: number;
  /** Longest line followed whole; longer ones come in pieces. Default 64 KiB. */
  maxLineBytes?: number;
  /** Epoch milliseconds now. Default Date.now. */
  now?: () => number;
}

const NL = 0x0a;
const NEWLINE = Buffer.from('\n');

/** One output channel of one process. */
interface Source {
  process: string;
  group: string;
  name: string;
  stream: Channel;
  /** The last byte received (NL before any): whether the next chunk starts a line. */
  lastByte: number;
  /** While someone follows: the unfinished line. */
  splitter: LineSplitter | undefined;
  /** Arrival time of the unfinished line's first byte. */
  since: number;
}

/** A chunk as received; its bytes are `[start, start + length)` of the history ring. */
interface Entry {
  time: number;
  source: Source;
  start: number;
  length: number;
  /** The chunk begins a line (the previous one of its source ended with a newline). */
  startsLine: boolean;
}

/** Whether `s` passes `f`. */
function passes(s: Pick<LogLine, 'process' | 'group' | 'name' | 'stream'>, f: LogFilter): boolean {
  if (f.stream && s.stream !== f.stream) return false;
  if (!f.names || f.names.length === 0) return true;
  return f.names.some((n) => n === s.process || n === `${s.group}:${s.name}` || n === `${s.group}:*` || n === s.group);
}

function decode(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end);
}

function lineOf(s: Source, time: number, line: string): LogLine {
  return { time, process: s.process, group: s.group, name: s.name, stream: s.stream, line };
}

/** Complete lines of the entries still held by `ring` (in order), and each source's unfinished line. */
function cutLines(entries: readonly Entry[], ring: RingBuffer, wanted: (s: Source) => boolean) {
  const lines: LogLine[] = [];
  const state = new Map<Source, { started: boolean; pending: Buffer[]; since: number }>();
  for (const e of entries) {
    if (e.start < ring.start || !wanted(e.source)) continue;
    let st = state.get(e.source);
    if (!st) state.set(e.source, (st = { started: false, pending: [], since: e.time }));
    let data = ring.slice(e.start, e.start + e.length);
    if (!st.started) {
      // The beginning of this line was dropped from the history: skip the fragment.
      if (!e.startsLine) {
        const nl = data.indexOf(NL);
        if (nl < 0) continue;
        data = data.subarray(nl + 1);
      }
      st.started = true;
    }
    let from = 0;
    for (let nl = data.indexOf(NL); nl >= 0; nl = data.indexOf(NL, from)) {
      const time = st.pending.length ? st.since : e.time;
      lines.push(lineOf(e.source, time, decode(Buffer.concat([...st.pending, data.subarray(from, nl)]))));
      st.pending = [];
      from = nl + 1;
    }
    if (from < data.length) {
      if (st.pending.length === 0) st.since = e.time;
      st.pending.push(data.subarray(from));
    }
  }
  return { lines, partials: state };
}

export class LogHub {
  readonly pm: ProcessManager;
  readonly #entries: Entry[] = [];
  /** The bytes of the entries; entries older than its start are dropped now and then. */
  readonly #ring: RingBuffer;
  /** Ring size at the last drop of forgotten entries. */
  #trimmedAt = 0;
  readonly #maxLineBytes: number;
  readonly #now: () => number;
  readonly #sources = new Map<string, Source>();
  readonly #subscribers = new Set<{ filter: LogFilter; listener: (l: LogLine) => void }>();
  readonly #unbind: () => void;

  constructor(pm: ProcessManager, options: LogHubOptions = {}) {
    this.pm = pm;
    this.#ring = new RingBuffer(options.historyBytes ?? 4 * 1024 * 1024);
    this.#maxLineBytes = options.maxLineBytes ?? 64 * 1024;
    this.#now = options.now ?? Date.now;
    const onOutput = (ev: ProcessLogEvent) => this.#take(this.#source(ev.group, ev.name, ev.channel), ev.data);
    // A child that ended without a final newline: its last line is complete now.
    const onState = (ev: ProcessStateEvent) => {
      if (!STOPPED_STATES.has(ev.to) && ev.to !== 'BACKOFF') return;
      for (const stream of ['stdout', 'stderr'] as const) {
        const s = this.#sources.get(`${ev.group}\0${ev.name}\0${stream}`);
        if (s && s.lastByte !== NL) this.#take(s, NEWLINE);
      }
    };
    const untap = pm.tapOutput(onOutput);
    pm.on('processState', onState);
    this.#unbind = () => {
      untap();
      pm.off('processState', onState);
    };
  }

  /** Complete lines in history passing `filter`, oldest first: those from `since` on, or else the last `lines`. */
  history(filter: LogFilter, options: { since?: number | undefined; lines?: number | undefined } = {}): LogLine[] {
    const since = options.since;
    const { lines } = cutLines(this.#entries, this.#ring, (s) => passes(s, filter));
    const all = lines.filter((l) => since === undefined || l.time >= since).sort((a, b) => a.time - b.time);
    return since !== undefined || options.lines === undefined ? all : all.slice(Math.max(0, all.length - options.lines));
  }

  /** Calls `listener` with each new line passing `filter`; returns the unsubscribe function. */
  subscribe(filter: LogFilter, listener: (l: LogLine) => void): () => void {
    if (this.#subscribers.size === 0) this.#startCutting();
    const entry = { filter, listener };
    this.#subscribers.add(entry);
    return () => {
      if (this.#subscribers.delete(entry) && this.#subscribers.size === 0) for (const s of this.#sources.values()) s.splitter = undefined;
    };
  }

  /** Stops listening to the manager. */
  close(): void {
    this.#unbind();
    this.#subscribers.clear();
  }

  #source(group: string, name: string, stream: Channel): Source {
    const key = `${group}\0${name}\0${stream}`;
    let s = this.#sources.get(key);
    if (!s) {
      s = { process: makeNamespec(group, name), group, name, stream, lastByte: NL, splitter: undefined, since: 0 };
      if (this.#subscribers.size) s.splitter = new LineSplitter(this.#maxLineBytes);
      this.#sources.set(key, s);
    }
    return s;
  }

  // The first follower: each source's unfinished line (from history) seeds its splitter.
  #startCutting(): void {
    const { partials } = cutLines(this.#entries, this.#ring, () => true);
    for (const s of this.#sources.values()) {
      s.splitter = new LineSplitter(this.#maxLineBytes);
      const p = partials.get(s);
      if (p?.pending.length && s.lastByte !== NL) {
        s.splitter.push(Buffer.concat(p.pending));
        s.since = p.since;
      }
    }
  }

  // `data` is only valid during the call (see ProcessManager.tapOutput): the ring copies it.
  #take(s: Source, data: Buffer): void {
    if (data.length === 0) return;
    const time = this.#now();
    const ring = this.#ring;
    // A chunk larger than the ring keeps only its end, which then starts in the middle of a line.
    const kept = Math.min(data.length, ring.capacity);
    this.#entries.push({ time, source: s, start: ring.size + data.length - kept, length: kept, startsLine: kept === data.length && s.lastByte === NL });
    ring.write(data);
    s.lastByte = data[data.length - 1] as number;
    if (ring.size - this.#trimmedAt >= ring.capacity / 8) this.#trim();
    if (s.splitter) this.#follow(s, data, time);
  }

  // Drops the entries whose bytes the ring has overwritten, at most once per eighth of the ring
  // written (one splice, not one per chunk); cutLines skips those not dropped yet.
  #trim(): void {
    const oldest = this.#ring.start;
    let n = 0;
    while (n < this.#entries.length && (this.#entries[n] as Entry).start < oldest) n++;
    this.#entries.splice(0, n);
    this.#trimmedAt = this.#ring.size;
  }

  #follow(s: Source, data: Buffer, time: number): void {
    const splitter = s.splitter as LineSplitter;
    if (!splitter.hasPartial) s.since = time;
    const lines = splitter.push(data);
    for (const [i, line] of lines.entries()) this.#emit(lineOf(s, i === 0 ? s.since : time, line));
    if (lines.length && splitter.hasPartial) s.since = time;
  }

  #emit(l: LogLine): void {
    for (const sub of this.#subscribers) {
      if (!passes(l, sub.filter)) continue;
      try {
        sub.listener(l);
      } catch {
        // one failing subscriber must not starve the others
      }
    }
  }
}
