// Opt-in rewriting of a program's output on its way to the log file: a timestamp before each line,
// or one JSON object per line. The bytes the program wrote are kept exactly: a timestamped line is
// the prefix plus the line's bytes (binary included), and a JSON line carries the text, or base64
// with `"encoding":"base64"` when the line is not valid UTF-8.
import { isUtf8 } from 'node:buffer';
import { formatTime } from './time-format.js';

/** How lines reach the file: unchanged (supervisord), timestamped, or as JSON lines. */
export type LogFormat = 'raw' | 'timestamped' | 'json';

export interface LineFormatOptions {
  format: Exclude<LogFormat, 'raw'>;
  /** `iso` or a strftime-style pattern (see checkTimeFormat). */
  timeFormat: string;
  /** Render times in UTC instead of local time. */
  utc: boolean;
  /** The `process` field of JSON lines (the namespec). */
  process: string;
  /** The `stream` field of JSON lines. */
  stream: 'stdout' | 'stderr';
  /** Epoch milliseconds now (the manager's clock). */
  now: () => number;
  /** A JSON line longer than this is written in pieces of this size. Default 64 KiB. */
  maxLineBytes?: number;
}

const NL = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * Turns chunks read from a pipe into what the log file gets. Lines may be split across chunks:
 * a timestamped line is written as it comes (its prefix when its first byte arrives), a JSON
 * line once it is complete, or by {@link LineFormatter.flush} when the program ends without a
 * final newline.
 */
export class LineFormatter {
  readonly #o: LineFormatOptions;
  readonly #max: number;
  /** Timestamped: the next byte starts a line (its prefix is not written yet). */
  #atLineStart = true;
  /** JSON: bytes of the unfinished line. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** JSON: epoch ms at which the unfinished line's first byte arrived. */
  #pendingSince = 0;
  /** The last time rendered and its text: lines of one burst share a millisecond. */
  #timeMs = NaN;
  #timeText = '';
  /** The prefix bytes of #timeText. */
  #prefixBytes = EMPTY;

  constructor(options: LineFormatOptions) {
    this.#o = options;
    this.#max = options.maxLineBytes ?? 64 * 1024;
  }

  /** The bytes to append to the file for `chunk` (possibly none). */
  write(chunk: Buffer): Buffer {
    return this.#o.format === 'json' ? this.#json(chunk) : this.#stamp(chunk);
  }

  /**
   * Ends an unfinished line (the program exited, the log closes): a JSON line gets its record,
   * a timestamped one its newline. Returns the bytes to append.
   */
  flush(): Buffer {
    if (this.#o.format === 'timestamped') {
      if (this.#atLineStart) return EMPTY;
      this.#atLineStart = true;
      return Buffer.from('\n');
    }
    if (this.#pendingBytes === 0) return EMPTY;
    const line = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    return Buffer.from(this.#record(line, this.#pendingSince));
  }

  /** A new file was started mid-line (rotation): the rest of a timestamped line gets a prefix there too. */
  newFile(): void {
    this.#atLineStart = true;
  }

  #time(ms: number): string {
    if (ms !== this.#timeMs) {
      this.#timeMs = ms;
      this.#timeText = formatTime(ms, this.#o.timeFormat, this.#o.utc);
      this.#prefixBytes = EMPTY;
    }
    return this.#timeText;
  }

  #prefix(): Buffer {
    const text = this.#time(this.#o.now());
    if (this.#prefixBytes === EMPTY) this.#prefixBytes = Buffer.from(`${text} `);
    return this.#prefixBytes;
  }

  #stamp(chunk: Buffer): Buffer {
    const parts: Buffer[] = [];
    let from = 0;
    while (from < chunk.length) {
      if (this.#atLineStart) {
        parts.push(this.#prefix());
        this.#atLineStart = false;
      }
      const nl = chunk.indexOf(NL, from);
      const end = nl < 0 ? chunk.length : nl + 1;
      parts.push(chunk.subarray(from, end));
      if (nl >= 0) this.#atLineStart = true;
      from = end;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  #json(chunk: Buffer): Buffer {
    let out = '';
    let from = 0;
    while (from < chunk.length) {
      if (this.#pendingBytes === 0) this.#pendingSince = this.#o.now();
      const nl = chunk.indexOf(NL, from);
      const room = this.#max - this.#pendingBytes;
      if (nl < 0 && chunk.length - from < room) {
        this.#take(chunk.subarray(from));
        break;
      }
      // A complete line, or a piece as long as the limit.
      const end = nl >= 0 && nl - from <= room ? nl : from + room;
      this.#take(chunk.subarray(from, end));
      const line = Buffer.concat(this.#pending);
      this.#pending = [];
      this.#pendingBytes = 0;
      out += this.#record(line, this.#pendingSince);
      from = end === nl ? nl + 1 : end;
    }
    return out === '' ? EMPTY : Buffer.from(out);
  }

  #take(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#pending.push(Buffer.from(bytes));
    this.#pendingBytes += bytes.length;
  }

  #record(line: Buffer, since: number): string {
    const time = this.#time(since);
    const head = `{"time":${JSON.stringify(time)},"process":${JSON.stringify(this.#o.process)},"stream":"${this.#o.stream}"`;
    if (isUtf8(line)) return `${head},"line":${JSON.stringify(line.toString('utf8'))}}\n`;
    return `${head},"line":${JSON.stringify(line.toString('base64'))},"encoding":"base64"}\n`;
  }
}
