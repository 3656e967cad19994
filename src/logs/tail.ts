// supervisord's readLog / tail offsets (supervisor/options.py readFile, tailFile), split into pure
// range arithmetic (shared with the in-memory ring) and file access that reads only that range.
import * as fs from 'node:fs';
import { BadArgumentsError, FailedError, NoFileError } from '../errors.js';
import { isErrno } from './rotating-file.js';

/** A half-open byte range `[start, end)` of a log. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What `tailProcessStdoutLog` returns: `[data, newOffset, overflow]`. */
export type TailResult = [data: string, offset: number, overflow: boolean];

/** Where a tail read lands, plus supervisord's `newOffset` and `overflow`. */
export interface TailRange extends ByteRange {
  offset: number;
  overflow: boolean;
}

/**
 * The bytes `readLog(offset, length)` returns from a log of `size` bytes (supervisord's readFile):
 * offset ≥ 0 and length 0 → to EOF; length > 0 → up to `length` bytes; offset < 0 with length 0
 * → the last |offset| bytes.
 * @throws BadArgumentsError for a negative length, or a negative offset with a non-zero length.
 */
export function readRange(size: number, offset: number, length: number): ByteRange {
  if (offset < 0) {
    if (length !== 0) throw new BadArgumentsError(undefined, 'BAD_ARGUMENTS: a negative offset needs length 0');
    return { start: Math.max(0, size + offset), end: size };
  }
  if (length < 0) throw new BadArgumentsError(undefined, 'BAD_ARGUMENTS: length must not be negative');
  const end = length === 0 ? size : Math.min(size, offset + length);
  return { start: Math.min(offset, end), end };
}

/**
 * supervisord's tailFile arithmetic, step for step: `overflow = size > offset + length`;
 * the data is the last `min(length, size)` bytes unless `offset ≥ size` (then none);
 * `offset` returned is always `size`.
 */
export function tailRange(size: number, offset: number, length: number): TailRange {
  let overflow = false;
  if (size > offset + length) {
    overflow = true;
    offset = size - 1;
  }
  if (offset + length > size) {
    if (offset > size - 1) length = 0;
    offset = size - length;
  }
  offset = Math.max(0, offset);
  length = Math.max(0, length);
  const end = length === 0 ? offset : Math.min(size, offset + length);
  return { start: Math.min(offset, end), end, offset: size, overflow };
}

/**
 * Reads `[offset, length)` of a log file with supervisord's `readProcessStdoutLog` semantics,
 * reading only the bytes needed. Bytes are decoded as UTF-8 (invalid sequences, including a
 * character cut at the range's edge, become U+FFFD).
 * @throws NoFileError (`NO_FILE: PATH`) when the file does not exist; FailedError on other I/O
 * errors; BadArgumentsError for bad offset/length (checked after opening, as supervisord does).
 * @example readLog('/var/log/web.log', -1600, 0) // what `supervisorctl tail web` shows
 */
export function readLog(path: string, offset: number, length: number): string {
  const fd = openForReading(path);
  try {
    const range = readRange(sizeOf(fd), offset, length);
    return readBytes(fd, range).toString('utf8');
  } catch (err) {
    throw asFailed(err);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `tailProcessStdoutLog` on a file: `[data, newOffset, overflow]` (see {@link tailRange}).
 * A missing file gives `['', 0, false]`; another open error `['', offset, false]` (supervisord).
 */
export function tailLog(path: string, offset: number, length: number): TailResult {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    return ['', isErrno(err, 'ENOENT') ? 0 : offset, false];
  }
  try {
    const range = tailRange(sizeOf(fd), offset, length);
    return [readBytes(fd, range).toString('utf8'), range.offset, range.overflow];
  } catch {
    return ['', offset, false];
  } finally {
    fs.closeSync(fd);
  }
}

/** @internal Reads exactly `range` (fewer bytes only if the file shrank meanwhile). */
export function readBytes(fd: number, range: ByteRange): Buffer {
  const buf = Buffer.allocUnsafe(Math.max(0, range.end - range.start));
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, range.start + done);
    if (n === 0) break;
    done += n;
  }
  return done === buf.length ? buf : buf.subarray(0, done);
}

function openForReading(path: string): number {
  try {
    return fs.openSync(path, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw new NoFileError(path, `NO_FILE: ${path}`, { cause: err });
    throw asFailed(err);
  }
}

function sizeOf(fd: number): number {
  return fs.fstatSync(fd).size;
}

// supervisord turns any OSError while reading into FAILED (no detail); our own faults pass.
function asFailed(err: unknown): Error {
  if (err instanceof BadArgumentsError || err instanceof NoFileError || err instanceof FailedError) return err;
  const message = `FAILED: ${err instanceof Error ? err.message : String(err)}`;
  return new FailedError(undefined, message, { cause: err });
}
