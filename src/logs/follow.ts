// `tail -f` of a log file with supervisord's /logtail semantics (supervisor/http.py
// tail_f_producer): the last 1024 bytes, then appended data; truncation and rotation detected.
import * as fs from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { NoFileError } from '../errors.js';
import { isErrno } from './rotating-file.js';

/** What supervisord's /logtail streams when the file shrank. */
export const TRUNCATED_MARKER = '==> File truncated <==\n';

/** Options of {@link followFile}. */
export interface FollowOptions {
  /** Ends the iteration. */
  signal?: AbortSignal | undefined;
  /** Start this many bytes before the end (the whole file if shorter). Default 1024. */
  fromBytes?: number | undefined;
  /** Fallback poll interval while waiting, in ms (fs.watch can miss events). Default 250. */
  pollMs?: number | undefined;
  /** Largest Buffer yielded at once. Default 1 MiB. */
  maxChunkBytes?: number | undefined;
}

/** The file being followed: its handle, inode, and how far it has been streamed. */
interface Cursor {
  handle: FileHandle;
  ino: number;
  pos: number;
}

/**
 * Follows `path` like supervisord's `GET /logtail/NAME/CHANNEL`: yields the last `fromBytes`
 * bytes, then data as it is appended. When the file shrinks it yields
 * {@link TRUNCATED_MARKER} and continues from the start; when the path gets a new inode
 * (rotation) it finishes the old file and continues at the start of the new one (supervisord
 * drops what was appended to the old file since its last poll). Waits with fs.watch on the
 * directory plus a bounded poll, both only while iterating. Ends when `signal` aborts.
 * @throws NoFileError (on the first iteration) when the file does not exist (supervisord: 404).
 */
export async function* followFile(path: string, options: FollowOptions = {}): AsyncGenerator<Buffer> {
  const { signal, fromBytes = 1024, pollMs = 250, maxChunkBytes = 1024 * 1024 } = options;
  const cursor = await openCursor(path);
  const waiter = new ChangeWaiter(path, pollMs, signal);
  try {
    const size = (await cursor.handle.stat()).size;
    cursor.pos = Math.max(0, size - fromBytes);
    while (!signal?.aborted) {
      if (await isRotated(path, cursor.ino)) {
        yield* readToEnd(cursor, maxChunkBytes);
        await switchFile(path, cursor);
      }
      const newSize = (await cursor.handle.stat()).size;
      if (newSize < cursor.pos) {
        cursor.pos = 0;
        yield Buffer.from(TRUNCATED_MARKER);
      } else if (newSize > cursor.pos) {
        yield* readToEnd(cursor, maxChunkBytes);
      } else {
        await waiter.wait();
      }
    }
  } finally {
    waiter.close();
    await cursor.handle.close();
  }
}

async function openCursor(path: string): Promise<Cursor> {
  try {
    const handle = await open(path, 'r');
    return { handle, ino: (await handle.stat()).ino, pos: 0 };
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw new NoFileError(path, `NO_FILE: ${path}`, { cause: err });
    throw err;
  }
}

// The path now names another file (supervisord's _follow); a missing path is not a rotation yet.
async function isRotated(path: string, ino: number): Promise<boolean> {
  try {
    return (await fs.promises.stat(path)).ino !== ino;
  } catch {
    return false;
  }
}

async function switchFile(path: string, cursor: Cursor): Promise<void> {
  let next: Cursor;
  try {
    next = await openCursor(path);
  } catch {
    return; // it vanished again; keep the old one and retry on the next round
  }
  await cursor.handle.close();
  Object.assign(cursor, next);
}

// Streams [pos, size at the time of the call) in chunks of at most maxChunkBytes.
async function* readToEnd(cursor: Cursor, maxChunkBytes: number): AsyncGenerator<Buffer> {
  const end = (await cursor.handle.stat()).size;
  while (cursor.pos < end) {
    const buf = Buffer.allocUnsafe(Math.min(maxChunkBytes, end - cursor.pos));
    const { bytesRead } = await cursor.handle.read(buf, 0, buf.length, cursor.pos);
    if (bytesRead === 0) return; // shrank meanwhile; the caller's size check sees it
    cursor.pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

// Resolves wait() on a directory event about the file, after pollMs, or on abort.
class ChangeWaiter {
  /** Wakes the pending wait(); undefined when nobody waits. */
  #wake: (() => void) | undefined;
  /** Directory watcher; undefined when fs.watch is unavailable (then polling alone). */
  readonly #watcher: fs.FSWatcher | undefined;
  readonly #pollMs: number;
  readonly #signal: AbortSignal | undefined;
  // Abort releases the watcher at once, even if the consumer never calls next() again.
  readonly #onAbort = (): void => this.close();

  constructor(path: string, pollMs: number, signal: AbortSignal | undefined) {
    this.#pollMs = pollMs;
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    const name = basename(path);
    try {
      // Watching the directory survives rotation (renames) without re-watching.
      this.#watcher = fs.watch(dirname(path), (_event, filename) => {
        if (filename === null || filename.startsWith(name)) this.#notify();
      });
      this.#watcher.on('error', () => {});
    } catch {
      this.#watcher = undefined;
    }
  }

  async wait(): Promise<void> {
    if (this.#signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#notify(), this.#pollMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  close(): void {
    this.#watcher?.close();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
