// The output of every process as one stream of timestamped lines, the way `pm2 logs` shows it.
// Cheap while nobody watches: each chunk is only stamped with its arrival time and the place its
// channel's log keeps it in memory (the newest 64 KiB of each channel), never copied: copying every
// byte into a history of its own was a fifth of the daemon's CPU per megabyte of output. Lines are
// cut from the logs' memory when a client asks for them, and from new chunks only while someone
// follows the stream.
import { LineSplitter } from '../logs/line-splitter.js';
import type { Channel } from '../supervisor/config.js';
import type { KeptOutput, ProcessLogEvent, ProcessStateEvent } from '../supervisor/events.js';
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

/**
 * A chunk as received: its bytes are `[end - length, end)` of `log`'s memory while `log.clears`
 * is `clears`; or, for the newline that ends a stopped process's last line, `bytes`.
 */
interface Entry {
  time: number;
  source: Source;
  log: KeptOutput | undefined;
  clears: number;
  end: number;
  length: number;
  bytes: Buffer | undefined;
  /** The chunk begins a line (the previous one of its source ended with a newline). */
  startsLine: boolean;
}

/** Entries are dropped (those whose bytes are gone) once there are this many, or twice as many as last kept. */
const TRIM_AT = 4096;
/** At most this many entries are kept, the oldest dropped first. */
const MAX_ENTRIES = 1 << 18;

/** The entry's bytes still held (their beginning may be gone), or undefined. */
function bytesOf(e: Entry): Buffer | undefined {
  return e.log ? e.log.kept(e.clears, e.end - e.length, e.end) : e.bytes;
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

/** Complete lines of the entries whose bytes are still held (in order), and each source's unfinished line. */
function cutLines(entries: readonly Entry[], wanted: (s: Source) => boolean) {
  const lines: LogLine[] = [];
  const state = new Map<Source, { started: boolean; pending: Buffer[]; since: number }>();
  for (const e of entries) {
    if (!wanted(e.source)) continue;
    let data = bytesOf(e);
    if (!data) continue;
    let st = state.get(e.source);
    if (!st) state.set(e.source, (st = { started: false, pending: [], since: e.time }));
    if (!st.started) {
      // The beginning of this line is no longer held: skip the fragment.
      if (!e.startsLine || data.length < e.length) {
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
  #entries: Entry[] = [];
  /** Entry count at which the next trim happens. */
  #trimAt = TRIM_AT;
  readonly #maxLineBytes: number;
  readonly #now: () => number;
  readonly #sources = new Map<string, Source>();
  readonly #subscribers = new Set<{ filter: LogFilter; listener: (l: LogLine) => void }>();
  readonly #unbind: () => void;

  constructor(pm: ProcessManager, options: LogHubOptions = {}) {
    this.pm = pm;
    this.#maxLineBytes = options.maxLineBytes ?? 64 * 1024;
    this.#now = options.now ?? Date.now;
    const onOutput = (ev: ProcessLogEvent, log: KeptOutput | undefined) => this.#take(this.#source(ev.group, ev.name, ev.channel), ev.data, log);
    // A child that ended without a final newline: its last line is complete now.
    const onState = (ev: ProcessStateEvent) => {
      if (!STOPPED_STATES.has(ev.to) && ev.to !== 'BACKOFF') return;
      for (const stream of ['stdout', 'stderr'] as const) {
        const s = this.#sources.get(`${ev.group}\0${ev.name}\0${stream}`);
        if (s) this.#endLine(s);
      }
    };
    // A removed group's logs are gone (a group added again under its name has new ones).
    const onRemoved = (group: string) => (this.#entries = this.#entries.filter((e) => e.source.group !== group));
    const untap = pm.tapOutput(onOutput);
    pm.on('processState', onState);
    pm.on('processGroupRemoved', onRemoved);
    this.#unbind = () => {
      untap();
      pm.off('processState', onState);
      pm.off('processGroupRemoved', onRemoved);
    };
  }

  /** Complete lines in history passing `filter`, oldest first: those from `since` on, or else the last `lines`. */
  history(filter: LogFilter, options: { since?: number | undefined; lines?: number | undefined } = {}): LogLine[] {
    const since = options.since;
    const { lines } = cutLines(this.#entries, (s) => passes(s, filter));
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
    const { partials } = cutLines(this.#entries, () => true);
    for (const s of this.#sources.values()) {
      s.splitter = new LineSplitter(this.#maxLineBytes);
      const p = partials.get(s);
      if (p?.pending.length && s.lastByte !== NL) {
        s.splitter.push(Buffer.concat(p.pending));
        s.since = p.since;
      }
    }
  }

  // `data` is only valid during the call (see ProcessManager.tapOutput): history finds it again in
  // `log` (output that was not logged — capture mode — is only followed).
  #take(s: Source, data: Buffer, log: KeptOutput | undefined): void {
    if (data.length === 0) return;
    const time = this.#now();
    if (log) {
      this.#push({ time, source: s, log, clears: log.clears, end: log.memoryEnd, length: data.length, bytes: undefined, startsLine: s.lastByte === NL });
      s.lastByte = data[data.length - 1] as number;
    }
    if (s.splitter) this.#follow(s, data, time);
  }

  // The last line of a stopped process is complete: in history, and for followers.
  #endLine(s: Source): void {
    if (s.lastByte === NL && !s.splitter?.hasPartial) return;
    const time = this.#now();
    if (s.lastByte !== NL) {
      this.#push({ time, source: s, log: undefined, clears: 0, end: 0, length: 1, bytes: NEWLINE, startsLine: false });
      s.lastByte = NL;
    }
    if (s.splitter?.hasPartial) this.#follow(s, NEWLINE, time);
  }

  #push(e: Entry): void {
    this.#entries.push(e);
    if (this.#entries.length >= this.#trimAt) this.#trim();
  }

  // Drops the entries whose bytes their log no longer holds (a stopped process's final newline
  // goes with the entry before it), then the oldest beyond MAX_ENTRIES; the next trim comes when
  // the list has doubled, so each entry costs a constant share of the trims.
  #trim(): void {
    const held = new Map<Source, boolean>();
    let kept = this.#entries.filter((e) => {
      const keep = e.log ? e.log.kept(e.clears, e.end - 1, e.end) !== undefined : (held.get(e.source) ?? false);
      held.set(e.source, keep);
      return keep;
    });
    if (kept.length > MAX_ENTRIES) kept = kept.slice(kept.length - MAX_ENTRIES);
    this.#entries = kept;
    this.#trimAt = Math.max(TRIM_AT, kept.length * 2);
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
