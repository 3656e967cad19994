// One log file with supervisord's rotate-after-write policy (supervisor/loggers.py
// RotatingFileHandler). Hand-written and synchronous instead of rotating-file-stream because the
// byte layout on disk must match supervisord's exactly: every chunk is written whole, *then* the
// size is checked, so a file may exceed maxbytes by up to one chunk and `.1` is never split
// mid-chunk (rotating-file-stream rotates before writing and buffers asynchronously).
import * as fs from 'node:fs';
import { compressBackup, leftoverPending, pendingName, removeOldBackups } from './backups.js';
import { PIPE_READ_BYTES, pipeReads } from './pipe-reads.js';
import { nextRotation, type RotationSchedule } from './rotation-schedule.js';

/** Options of a {@link RotatingFile}; names mirror `*_logfile_maxbytes` / `*_logfile_backups`. */
export interface RotatingFileOptions {
  /** The current log file; backups are `path.1` … `path.N`. */
  path: string;
  /** Rotate once the file size is ≥ this many bytes after a write; 0 or negative: never rotate. */
  maxbytes: number;
  /** How many backups to keep; 0 truncates the file on rotation instead of renaming it. */
  backups: number;
  /** Permission bits for files this class creates (umask applies). Default 0o666. */
  mode?: number | undefined;
  /** Called once per failure streak (until a write succeeds again) with the errno error. */
  onError?: ((err: NodeJS.ErrnoException) => void) | undefined;
  /** Also rotate at these times (at the first write after each boundary), besides by size. */
  schedule?: RotationSchedule | undefined;
  /** gzip rotated files into `path.N.gz`, in the background (the live file never waits for it). */
  compress?: boolean | undefined;
  /** Delete backups last modified longer ago than this (checked at open and after each rotation). */
  maxAgeMs?: number | undefined;
  /** Epoch milliseconds now, for time rotation and retention. Default Date.now. */
  now?: (() => number) | undefined;
}

const APPEND = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND;
const TRUNCATE = APPEND | fs.constants.O_TRUNC;

/**
 * The errno name of a Node fs error (`'EISDIR'`, `'ENOSPC'` …), or its message when it has none.
 * supervisord reports open failures at spawn time as
 * `unknown error making dispatchers for 'NAME': EISDIR`; this gives the last part.
 */
export function errnoName(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return err instanceof Error ? err.message : String(err);
}

/**
 * supervisord's spawnerr when the log files cannot be opened at spawn (process.py `spawn()`):
 * `too many open files to spawn 'NAME'` for EMFILE, else
 * `unknown error making dispatchers for 'NAME': ERRNO` (e.g. EISDIR, EACCES).
 */
export function dispatcherErrorMessage(processName: string, err: unknown): string {
  if (errnoName(err) === 'EMFILE') return `too many open files to spawn '${processName}'`;
  return `unknown error making dispatchers for '${processName}': ${errnoName(err)}`;
}

/**
 * A log file that rotates like supervisord's: after each write, if the size is ≥ `maxbytes`,
 * `path.(B-1)` → `path.B` … `path` → `path.1` and a new empty `path` is opened (B = `backups`);
 * with B = 0 the file is truncated. Writes never throw: failures go to `onError` once per
 * streak and the lost bytes are counted in {@link RotatingFile.droppedBytes}.
 *
 * @example
 * const f = new RotatingFile({ path: '/var/log/web.log', maxbytes: 50 * 1024 * 1024, backups: 10 });
 * f.open();            // throws EISDIR, EACCES …: the caller turns it into a spawn error
 * f.write(chunk);      // one write(2) per chunk, then maybe rotate
 */
export class RotatingFile {
  readonly path: string;
  /** Rotation threshold; may be changed live (a reload plan). */
  maxbytes: number;
  backups: number;
  readonly mode: number;
  readonly #onError: ((err: NodeJS.ErrnoException) => void) | undefined;
  /** The open descriptor; undefined when closed or when (re)opening failed. */
  #fd: number | undefined;
  /** True after close(): writes are dropped silently until open() or reopen(). Before the first
   *  open() it is false, so a first write opens the file lazily. */
  #closed = false;
  /** True while writes/opens fail: the error was reported, no more reports until a success. */
  #failing = false;
  /** The same for renames during rotation, which fail independently of writes. */
  #rotateFailing = false;
  /** Bytes lost to failed writes since construction. */
  #dropped = 0;
  /** Size of the open file: read once at open, then counted (Python's tell(), without a syscall per write). */
  #size = 0;
  readonly #schedule: RotationSchedule | undefined;
  readonly #compress: boolean;
  readonly #maxAgeMs: number | undefined;
  readonly #now: () => number;
  /** Epoch ms of the next time rotation; Infinity without a schedule (or before the first open). */
  #rotateAt = Infinity;
  /** Rotations so far (a caller tells from it that a new file started). */
  #generation = 0;
  /** Background work on backups (compression, retention), run one after another. */
  #jobs: Promise<void> = Promise.resolve();
  /** Distinguishes pending files rotated within the same millisecond. */
  #pendingSeq = 0;
  /** Leftover pending files of an earlier run were queued. */
  #sweptLeftovers = false;

  constructor(options: RotatingFileOptions) {
    this.path = options.path;
    this.maxbytes = options.maxbytes;
    this.backups = Math.max(0, options.backups);
    this.mode = options.mode ?? 0o666;
    this.#onError = options.onError;
    this.#schedule = options.schedule;
    this.#compress = options.compress === true;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
  }

  /** How many times the file rotated since construction. */
  get generation(): number {
    return this.#generation;
  }

  /** Settles when the background work queued so far (compression, retention) is done. */
  idle(): Promise<void> {
    return this.#jobs;
  }

  /** Bytes lost because writes failed (disk full, I/O error, file could not be reopened). */
  get droppedBytes(): number {
    return this.#dropped;
  }

  /** Whether the file is open for writing. */
  get isOpen(): boolean {
    return this.#fd !== undefined;
  }

  /**
   * Opens the file in append mode (creating it), as supervisord does at every spawn.
   * No-op when already open.
   * @throws the errno error of open(2) (EISDIR, EACCES, ENOENT …); see {@link errnoName}.
   */
  open(): void {
    if (this.#fd !== undefined) return;
    this.#fd = fs.openSync(this.path, APPEND, this.mode);
    const st = fs.fstatSync(this.#fd);
    this.#size = st.size;
    this.#closed = false;
    // A file already holding lines belongs to the period of its last write (so a restart the
    // next day rotates yesterday's lines away first).
    if (this.#schedule) this.#rotateAt = nextRotation(st.size > 0 ? Math.min(st.mtimeMs, this.#now()) : this.#now(), this.#schedule);
    this.#queueHousekeeping();
  }

  /**
   * Rotates now if a time boundary passed since the file was opened or last rotated; true when it
   * did. write() calls it first; a caller that rewrites lines calls it before formatting.
   */
  rotateIfDue(): boolean {
    if (this.#closed || this.#now() < this.#rotateAt) return false;
    this.#rotate();
    return true;
  }

  /**
   * Closes and reopens the file in append mode (logrotate, SIGUSR2, a deleted file).
   * @throws the errno error of open(2); writes then keep retrying the open.
   */
  reopen(): void {
    this.#closeFd();
    this.#closed = false;
    this.open();
  }

  /**
   * Deletes the current file and opens a new empty one; backups are left alone.
   * Mirrors supervisord's `clearProcessLogs` (handler `remove()` then `reopen()`).
   * @throws the errno error of unlink(2) (other than ENOENT) or open(2).
   */
  clear(): void {
    this.#closeFd();
    try {
      fs.unlinkSync(this.path);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    this.#closed = false;
    this.open();
  }

  /** Closes the file; later writes are dropped until open() or reopen(). Idempotent. */
  close(): void {
    this.#closeFd();
    this.#closed = true;
  }

  /**
   * Writes `chunk` with one write(2) (looping on partial writes), then rotates if the file size
   * is ≥ maxbytes. Never throws. A chunk longer than one of supervisord's pipe reads that makes
   * the file reach maxbytes is written read by read ({@link PIPE_READ_BYTES}), the size checked
   * after each: a file exceeds maxbytes by less than that, as supervisord's do.
   */
  write(chunk: Buffer): void {
    if (chunk.length > PIPE_READ_BYTES && this.maxbytes > 0 && this.#size + chunk.length >= this.maxbytes) {
      for (const piece of pipeReads(chunk)) this.#write(piece);
    } else {
      this.#write(chunk);
    }
  }

  #write(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#closed) {
      this.#dropped += chunk.length;
      return;
    }
    this.rotateIfDue();
    const fd = this.#fd ?? this.#tryOpen();
    if (fd === undefined) {
      this.#dropped += chunk.length;
      return;
    }
    const size = this.#writeAll(fd, chunk);
    if (size !== undefined && this.maxbytes > 0 && size >= this.maxbytes) this.#rotate();
  }

  // Writes the whole chunk; returns the file size afterwards, or undefined after a failure.
  #writeAll(fd: number, chunk: Buffer): number | undefined {
    let done = 0;
    try {
      while (done < chunk.length) done += fs.writeSync(fd, chunk, done, chunk.length - done);
      this.#size += done;
      this.#failing = false;
      return this.#size;
    } catch (err) {
      this.#dropped += chunk.length - done;
      this.#report(err);
      return undefined;
    }
  }

  // supervisord's doRollover(): shift backups, move the current file to .1, open a new empty one.
  #rotate(): void {
    this.#closeFd();
    this.#generation++;
    if (this.#schedule) this.#rotateAt = nextRotation(this.#now(), this.#schedule);
    let truncate = true;
    try {
      if (this.backups > 0 && this.#compress) this.#moveAsidePending();
      else if (this.backups > 0) this.#shiftBackups();
      this.#rotateFailing = false;
    } catch (err) {
      // Keep appending to the current file rather than truncating data we could not move away;
      // the next write retries the rotation.
      truncate = false;
      if (!this.#rotateFailing) this.#onError?.(err as NodeJS.ErrnoException);
      this.#rotateFailing = true;
    }
    this.#tryOpen(truncate ? TRUNCATE : APPEND);
    this.#queueHousekeeping();
  }

  // With compression the hot path only renames the file aside; gzip and the shift of the .N.gz
  // backups follow in the background, in rotation order.
  #moveAsidePending(): void {
    if (!fs.existsSync(this.path)) return;
    const pending = pendingName(this.path, this.#now(), this.#pendingSeq++);
    fs.renameSync(this.path, pending);
    this.#queue(() => compressBackup(pending, this.path, this.backups, this.mode));
  }

  // Retention by age, and (once) compression of files an earlier run left waiting.
  #queueHousekeeping(): void {
    if (this.#compress && !this.#sweptLeftovers) {
      this.#sweptLeftovers = true;
      const leftovers = leftoverPending(this.path);
      if (leftovers.length) {
        this.#queue(async () => {
          for (const pending of leftovers) await compressBackup(pending, this.path, this.backups, this.mode);
        });
      }
    }
    const maxAge = this.#maxAgeMs;
    if (maxAge !== undefined) this.#queue(async () => void (await removeOldBackups(this.path, maxAge, this.#now())));
  }

  #queue(job: () => Promise<void>): void {
    this.#jobs = this.#jobs.then(job).catch((err: unknown) => this.#onError?.(err as NodeJS.ErrnoException));
  }

  // path.(B-1) → path.B … path.1 → path.2, then path → path.1; missing sources are skipped.
  #shiftBackups(): void {
    for (let i = this.backups - 1; i >= 1; i--) {
      renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    renameIfExists(this.path, `${this.path}.1`);
  }

  // Opens without throwing (used from write paths); failures are reported once per streak.
  #tryOpen(flags = APPEND): number | undefined {
    try {
      this.#fd = fs.openSync(this.path, flags, this.mode);
      this.#size = flags === TRUNCATE ? 0 : fs.fstatSync(this.#fd).size;
      return this.#fd;
    } catch (err) {
      this.#report(err);
      return undefined;
    }
  }

  #report(err: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.#onError?.(err as NodeJS.ErrnoException);
  }

  #closeFd(): void {
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      fs.closeSync(fd);
    } catch {
      // close(2) errors (EIO on NFS) leave nothing to recover; the descriptor is gone either way.
    }
  }
}

// supervisord's removeAndRename(): unlink the target, then rename; a vanished file on either side
// (a cleanup script) is tolerated. Renaming *over* an existing file would be atomic, but ext4
// (auto_da_alloc) then flushes the renamed file's dirty pages before returning: ~8 ms per 10 MB
// backup, with the child blocked on its pipe meanwhile.
function renameIfExists(from: string, to: string): void {
  if (!fs.existsSync(from)) return;
  try {
    fs.unlinkSync(to);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
}

/** @internal Whether `err` is a Node errno error with this code. */
export function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === code;
}
