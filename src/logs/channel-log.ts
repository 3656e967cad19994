// What one output channel (stdout or stderr) of one process writes to: an optional rotating
// file (none when the config says NONE) and always an in-memory ring of the latest bytes.
import { NoFileError } from '../errors.js';
import { iterateLines, type ChunkListener, type LinesOptions } from './live-lines.js';
import { type LineFormatOptions, LineFormatter } from './line-format.js';
import type { RotationSchedule } from './rotation-schedule.js';
import { splitLines } from './line-splitter.js';
import { DEFAULT_RING_BYTES, RingBuffer } from './ring-buffer.js';
import { RotatingFile } from './rotating-file.js';
import { readLog, tailLog, type TailResult } from './tail.js';

/** The log file of a channel: `*_logfile`, `*_logfile_maxbytes`, `*_logfile_backups`. */
export interface ChannelFileOptions {
  path: string;
  maxbytes: number;
  backups: number;
  /** Mode for files created by rotation/clear; 0o600 for AUTO logs. Default 0o666 (& ~umask). */
  mode?: number | undefined;
  /** Also rotate hourly or daily (procvisor's `logging.rotate`). */
  schedule?: RotationSchedule | undefined;
  /** gzip rotated backups in the background. */
  compress?: boolean | undefined;
  /** Delete backups older than this many milliseconds. */
  maxAgeMs?: number | undefined;
  /** Epoch milliseconds now (time rotation, retention). Default Date.now. */
  now?: (() => number) | undefined;
}

/** Options of a {@link ChannelLog}. */
export interface ChannelLogOptions {
  /** The log file; omit for `NONE` (bytes then only reach the ring and listeners). */
  file?: ChannelFileOptions | undefined;
  /**
   * Timestamp or JSON-encode the lines written to the file (the ring and listeners still get
   * the bytes as written). Omit for supervisord's byte-exact files.
   */
  format?: LineFormatOptions | undefined;
  /** Bytes kept in memory for tailMemory/lastLines/lines. Default 64 KiB. */
  ringBytes?: number | undefined;
  /**
   * Receives write failures of the file (once per failure streak: disk full, I/O error) and
   * exceptions thrown by onData listeners. Writes themselves never throw.
   */
  onError?: ((err: Error) => void) | undefined;
}

/**
 * The sink of one process output channel. Each chunk read from the child's pipe goes to
 * {@link ChannelLog.write}: raw bytes into the file (rotated as supervisord does) and the ring,
 * then to `onData` listeners. `read`/`tail` follow supervisord's `readProcessStdoutLog` /
 * `tailProcessStdoutLog` exactly, *including with no file configured* (NO_FILE and
 * `['', 0, false]`, see docs/semantics.md#log-reading); `readMemory`/`tailMemory` read the ring
 * instead, which works for `NONE` logs too.
 *
 * @example
 * const log = new ChannelLog({ file: { path, maxbytes: 50 * 2 ** 20, backups: 10 } });
 * log.open();                                   // at each spawn; throws EISDIR, EACCES …
 * child.stdout.on('data', (chunk: Buffer) => log.write(chunk));
 * const stop = log.onData((chunk) => lines.push(...chunk.toString().split('\n'))); // copy to keep
 */
export class ChannelLog {
  /** The file, or undefined for NONE. */
  readonly #file: RotatingFile | undefined;
  /** The newest bytes written, whatever the file does. */
  readonly #ring: RingBuffer;
  /** onData hooks; they survive close() (the manager reopens the log at the next spawn). */
  readonly #hooks = new Set<(chunk: Buffer) => void>();
  /** Followers from lines({ follow }); close() ends and removes them. */
  readonly #followers = new Set<ChunkListener>();
  readonly #onError: ((err: Error) => void) | undefined;
  /** Rewrites lines for the file (timestamps, JSON); undefined for raw bytes. */
  readonly #formatter: LineFormatter | undefined;
  /** How many times the ring was emptied (clear()): offsets of an earlier count name other bytes. */
  #clears = 0;

  constructor(options: ChannelLogOptions = {}) {
    this.#onError = options.onError;
    this.#ring = new RingBuffer(options.ringBytes ?? DEFAULT_RING_BYTES);
    const file = options.file;
    this.#file = file && new RotatingFile({ ...file, onError: (err) => this.#onError?.(err) });
    this.#formatter = file && options.format ? new LineFormatter(options.format) : undefined;
  }

  /** Settles when background work on the file's backups (compression, retention) is done. */
  idle(): Promise<void> {
    return this.#file?.idle() ?? Promise.resolve();
  }

  /** The log file path, or undefined when the channel is not logged to a file (NONE). */
  get path(): string | undefined {
    return this.#file?.path;
  }

  /** Changes the rotation limits of the file (a live configuration change). */
  setLimits(maxbytes: number, backups: number): void {
    if (!this.#file) return;
    this.#file.maxbytes = maxbytes;
    this.#file.backups = Math.max(0, backups);
  }

  /** Bytes the file lost to failed writes (the ring and listeners still saw them). */
  get droppedBytes(): number {
    return this.#file?.droppedBytes ?? 0;
  }

  /**
   * (Re)opens the file in append mode, as supervisord does at every spawn (so a deleted file is
   * recreated). No-op without a file.
   * @throws the errno error of open(2); the caller reports
   * `unknown error making dispatchers for 'NAME': ${errnoName(err)}` and does not spawn.
   */
  open(): void {
    this.#file?.reopen();
  }

  /**
   * Writes one chunk read from the child: file (then maybe rotate), ring, listeners. Never throws.
   * `chunk` may be a read buffer that is reused after the call: the ring copies it, and listeners
   * (onData, followers) must copy what they keep (the line splitters do).
   */
  write(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#file) this.#writeFile(this.#file, chunk);
    this.#ring.write(chunk);
    for (const hook of this.#hooks) this.#call(() => hook(chunk));
    for (const follower of this.#followers) this.#call(() => follower.data(chunk));
  }

  // Raw bytes go straight to the file; formatted lines are made after a due time rotation (so a
  // line continued in a new file is stamped again there) and after each size rotation.
  #writeFile(file: RotatingFile, chunk: Buffer): void {
    const f = this.#formatter;
    if (!f) return file.write(chunk);
    if (file.rotateIfDue()) f.newFile();
    const generation = file.generation;
    const out = f.write(chunk);
    if (out.length) file.write(out);
    if (file.generation !== generation) f.newFile();
  }

  /**
   * Ends an unfinished last line in the file (the child exited without a final newline): a JSON
   * line is written, a timestamped one gets its newline. No-op for raw files.
   */
  endLine(): void {
    const rest = this.#formatter?.flush();
    if (rest?.length) this.#file?.write(rest);
  }

  /**
   * `readProcessStdoutLog(offset, length)` on the file.
   * @throws NoFileError (`NO_FILE` without a file, `NO_FILE: PATH` when it is missing);
   * BadArgumentsError; FailedError.
   */
  read(offset: number, length: number): string {
    if (this.#file === undefined) throw new NoFileError(undefined, 'NO_FILE: no log file is configured');
    return readLog(this.#file.path, offset, length);
  }

  /** `tailProcessStdoutLog(offset, length)` on the file; `['', 0, false]` without one. */
  tail(offset: number, length: number): TailResult {
    if (this.#file === undefined) return ['', 0, false];
    return tailLog(this.#file.path, offset, length);
  }

  /**
   * `read` over the in-memory ring (offsets count bytes written since creation or clear()).
   * @throws BadArgumentsError
   */
  readMemory(offset: number, length: number): string {
    return this.#ring.read(offset, length);
  }

  /** `tail` over the in-memory ring; works for NONE logs. */
  tailMemory(offset: number, length: number): TailResult {
    return this.#ring.tail(offset, length);
  }

  /**
   * Bytes written to memory since creation or the last clear: the offset after the newest byte.
   * With {@link ChannelLog.clears} and {@link ChannelLog.kept}, a reader that was given a chunk
   * (an output tap) finds its bytes again later instead of copying them.
   */
  get memoryEnd(): number {
    return this.#ring.size;
  }

  /** How many times the memory was emptied (clear()): offsets read before a clear name other bytes. */
  get clears(): number {
    return this.#clears;
  }

  /**
   * The bytes `[from, to)` written to memory (offsets as {@link ChannelLog.memoryEnd}) of
   * those still held — the ring keeps the newest `ringBytes`, so the beginning may be gone — or
   * undefined when the ring was cleared since `clears` was read or holds none of them.
   */
  kept(clears: number, from: number, to: number): Buffer | undefined {
    if (clears !== this.#clears || to <= this.#ring.start || to > this.#ring.size) return undefined;
    return this.#ring.slice(from, to);
  }

  /** The last `n` lines held in memory (an unfinished last line counts as a line). */
  lastLines(n: number): string[] {
    if (n <= 0) return [];
    return splitLines(this.#ring.contents(), this.#ring.start > 0).slice(-n);
  }

  /**
   * Lines held in memory, then (with `follow`) new lines as they are written, until
   * `signal` aborts or close() is called. Decoded as UTF-8, without the trailing `\n`/`\r\n`.
   */
  lines(options: LinesOptions = {}): AsyncIterable<string> {
    return iterateLines(
      {
        snapshot: () => ({ bytes: this.#ring.contents(), truncated: this.#ring.start > 0 }),
        subscribe: (follower) => {
          this.#followers.add(follower);
          return () => this.#followers.delete(follower);
        },
      },
      options,
    );
  }

  /**
   * Calls `listener` with every chunk written from now on (readiness checks on log lines), valid
   * only during the call: copy what you keep. Returns the function that removes it.
   */
  onData(listener: (chunk: Buffer) => void): () => void {
    this.#hooks.add(listener);
    return () => this.#hooks.delete(listener);
  }

  /**
   * Deletes and recreates the current file (backups untouched) and empties the ring, as
   * supervisord's `clearProcessLogs` does.
   * @throws the errno error of unlink/open (the RPC layer reports FAILED).
   */
  clear(): void {
    this.#ring.clear();
    this.#clears += 1;
    this.#file?.clear();
  }

  /**
   * Closes and reopens the file (SIGUSR2, logrotate).
   * @throws the errno error of open(2); later writes keep retrying.
   */
  reopen(): void {
    this.#file?.reopen();
  }

  /**
   * Closes the file and ends all `lines({ follow })` iterations (onData hooks stay). Writes after
   * this reach only the ring and hooks, until open().
   */
  close(): void {
    this.endLine();
    this.#file?.close();
    const followers = [...this.#followers];
    this.#followers.clear();
    for (const follower of followers) this.#call(() => follower.end());
  }

  // A throwing listener must not break logging for the others.
  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
