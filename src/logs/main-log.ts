// The supervisor's own activity log (supervisord's `options.logger`): formatted lines to an
// optional rotating file, an optional echo stream (foreground `-n`), and an in-memory ring.
import * as fs from 'node:fs';
import { pyRepr } from '../dialect/expand.js';
import { NoFileError } from '../errors.js';
import { DEFAULT_RING_BYTES, RingBuffer } from './ring-buffer.js';
import { RotatingFile } from './rotating-file.js';
import type { Syslog } from './syslog.js';
import { readLog, tailLog, type TailResult } from './tail.js';

/** supervisord's level names, as `loglevel=` accepts them. */
export type LogLevelName = 'critical' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'blather';

/** Numeric levels (supervisord's LevelsByDescription): a record is kept when ≥ the log's level. */
export const LOG_LEVELS: Readonly<Record<LogLevelName, number>> = {
  critical: 50,
  error: 40,
  warn: 30,
  info: 20,
  debug: 10,
  trace: 5,
  blather: 3,
};

/** The four-letter tag written in each line (supervisord's LevelsByName). */
export const LEVEL_TAGS: Readonly<Record<LogLevelName, string>> = {
  critical: 'CRIT',
  error: 'ERRO',
  warn: 'WARN',
  info: 'INFO',
  debug: 'DEBG',
  trace: 'TRAC',
  blather: 'BLAT',
};

/**
 * Parses `loglevel` case-insensitively.
 * @throws Error `bad logging level name 'warning'` (supervisord's text; `warning` is not accepted).
 */
export function parseLogLevel(value: string): LogLevelName {
  const name = value.toLowerCase();
  if (Object.hasOwn(LOG_LEVELS, name)) return name as LogLevelName;
  throw new Error(`bad logging level name ${pyRepr(value)}`);
}

// The local date and time of the last second formatted: every line of a burst (a restart logs
// three) shares it, and Date's local-time getters cost ~20 µs a line.
let cachedSecond = NaN;
let cachedPrefix = '';

/** `YYYY-MM-DD HH:MM:SS,mmm` in local time, as supervisord's LogRecord formats it. */
export function formatLogTime(epochMs: number): string {
  const ms = Math.floor(epochMs);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    const p2 = (n: number): string => String(n).padStart(2, '0');
    cachedPrefix = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
    cachedSecond = second;
  }
  return `${cachedPrefix},${String(ms - second * 1000).padStart(3, '0')}`;
}

/** One line of the main log: `2024-05-01 12:00:00,123 INFO message\n`. */
export function formatLogLine(epochMs: number, level: LogLevelName, message: string): string {
  return `${formatLogTime(epochMs)} ${LEVEL_TAGS[level]} ${message}\n`;
}

/**
 * The message supervisord logs (at debug) for each chunk of child output:
 * `'NAME' stdout output:\n<data>`, or `Undecodable: b'…'` for bytes that are not UTF-8.
 */
export function formatChildOutput(name: string, channel: 'stdout' | 'stderr', data: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    text = `Undecodable: ${pyBytesRepr(data)}`;
  }
  return `${pyRepr(name)} ${channel} output:\n${text}`;
}

// Python's repr() of bytes: printable ASCII as is, \t \n \r and the quote escaped, others \xNN.
function pyBytesRepr(data: Buffer): string {
  const q = data.includes(0x27) && !data.includes(0x22) ? '"' : "'";
  let out = '';
  for (const b of data) {
    if (b === 0x5c) out += '\\\\';
    else if (b === q.charCodeAt(0)) out += `\\${q}`;
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `b${q}${out}${q}`;
}

/** Options of a {@link MainLog}. */
export interface MainLogOptions {
  /** Records below this level are discarded. Default `info`. */
  level?: LogLevelName | undefined;
  /** `logfile`, `logfile_maxbytes` (0: never rotate), `logfile_backups`; omit for no file. */
  file?: { path: string; maxbytes: number; backups: number } | undefined;
  /** Send each line to syslog instead of a file (`logfile=syslog`); readLog and clear find no file. */
  syslog?: Syslog | undefined;
  /** Also write each line here (supervisord's stdout handler in `-n` mode unless `silent`). */
  echo?: { write(text: string): unknown } | undefined;
  /** Bytes of formatted lines kept in memory for readLog/tail without a file. Default 64 KiB. */
  ringBytes?: number | undefined;
  /** Wall-clock epoch milliseconds, injectable for tests. Default Date.now. */
  now?: (() => number) | undefined;
  /** Receives file write failures, once per failure streak. */
  onError?: ((err: Error) => void) | undefined;
}

/**
 * supervisord's activity log. Lines look like `2024-05-01 12:00:00,123 INFO spawned: 'web' with
 * pid 1234`. With a file, `readLog`/`tail`/`clear` act on it (supervisord's `readLog`,
 * `clearLog`); without one they act on the in-memory ring.
 *
 * @example
 * const log = new MainLog({ level: parseLogLevel('debug'), file: { path, maxbytes: 50 * 2 ** 20, backups: 10 } });
 * log.open();
 * log.info("spawned: 'web' with pid 1234");
 */
export class MainLog {
  /** The current threshold; records below it are dropped. */
  level: LogLevelName;
  readonly #file: RotatingFile | undefined;
  readonly #ring: RingBuffer;
  readonly #echo: { write(text: string): unknown } | undefined;
  readonly #syslog: Syslog | undefined;
  readonly #now: () => number;

  constructor(options: MainLogOptions = {}) {
    this.level = options.level ?? 'info';
    this.#echo = options.echo;
    this.#syslog = options.syslog;
    this.#now = options.now ?? Date.now;
    this.#ring = new RingBuffer(options.ringBytes ?? DEFAULT_RING_BYTES);
    const file = options.file;
    this.#file = file && new RotatingFile({ ...file, onError: options.onError });
  }

  /** The log file path, or undefined when logging only to memory (and echo). */
  get path(): string | undefined {
    return this.#file?.path;
  }

  /**
   * Opens the file in append mode (no-op without a file).
   * @throws the errno error of open(2).
   */
  open(): void {
    this.#file?.open();
  }

  /** Whether a record at `level` would be written. */
  isEnabled(level: LogLevelName): boolean {
    return LOG_LEVELS[level] >= LOG_LEVELS[this.level];
  }

  /** Writes `message` at `level` if enabled. Never throws (file errors go to onError). */
  log(level: LogLevelName, message: string): void {
    if (!this.isEnabled(level)) return;
    const now = this.#now();
    const line = formatLogLine(now, level, message);
    const bytes = Buffer.from(line, 'utf8');
    this.#ring.write(bytes);
    this.#file?.write(bytes);
    this.#syslog?.record(message, (text) => formatLogLine(now, level, text));
    this.#echo?.write(line);
  }

  critical(message: string): void {
    this.log('critical', message);
  }
  error(message: string): void {
    this.log('error', message);
  }
  warn(message: string): void {
    this.log('warn', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  debug(message: string): void {
    this.log('debug', message);
  }
  trace(message: string): void {
    this.log('trace', message);
  }
  blather(message: string): void {
    this.log('blather', message);
  }

  /**
   * supervisord's `readLog(offset, length)`: on the file when there is one, else on the ring.
   * @throws NoFileError when the file is missing; BadArgumentsError; FailedError.
   */
  readLog(offset: number, length: number): string {
    this.#noSyslogFile();
    return this.#file ? readLog(this.#file.path, offset, length) : this.#ring.read(offset, length);
  }

  /** `[data, newOffset, overflow]` with tailFile arithmetic, on the file or the ring. */
  tail(offset: number, length: number): TailResult {
    this.#noSyslogFile();
    return this.#file ? tailLog(this.#file.path, offset, length) : this.#ring.tail(offset, length);
  }

  /**
   * supervisord's `clearLog()`: deletes and recreates the file (backups untouched) and empties
   * the ring.
   * @throws NoFileError when a file is configured but missing; the errno error of unlink/open.
   */
  clear(): void {
    if (this.#syslog && !this.#file) throw new NoFileError();
    if (this.#file && !fs.existsSync(this.#file.path)) throw new NoFileError(undefined, `NO_FILE: ${this.#file.path}`);
    this.#ring.clear();
    this.#file?.clear();
  }

  /** supervisord reads its log file, which syslog is not. */
  #noSyslogFile(): void {
    if (this.#syslog && !this.#file) throw new NoFileError('syslog');
  }

  /**
   * Closes and reopens the file (SIGUSR2).
   * @throws the errno error of open(2); later writes keep retrying.
   */
  reopen(): void {
    this.#file?.reopen();
  }

  /** Closes the file; later records reach only the ring and echo. */
  close(): void {
    this.#file?.close();
  }
}
