// The last N bytes of a stream, addressed like a file that never rotates but forgets its
// beginning: offsets count every byte ever written, and only the newest `capacity` are kept.
// Backs tail/lastLines for processes whose log is NONE, and the main log without a file.
import { readRange, tailRange, type ByteRange, type TailResult } from './tail.js';

/** Default capacity of a {@link RingBuffer}: 64 KiB. */
export const DEFAULT_RING_BYTES = 64 * 1024;

/**
 * A bounded in-memory byte ring with the `readLog`/`tail` API of a log file. `size` (bytes
 * written since creation or the last clear) plays the file size, so tail offsets keep working;
 * bytes older than `size - capacity` are gone and reads simply start later.
 */
export class RingBuffer {
  readonly capacity: number;
  /**
   * Storage, allocated on the first write (a process that never writes costs nothing); the byte
   * at absolute offset `o` lives at index `o % capacity`. Not zero-filled: pages become resident
   * as they are written (a 4 MiB ring holding a few lines costs a few pages), and reads never go
   * past what was written.
   */
  #buf: Buffer | undefined;
  /** Bytes written since creation or the last clear(); 0 when empty. */
  #size = 0;

  /** @param capacity bytes kept (default {@link DEFAULT_RING_BYTES}); must be ≥ 1. */
  constructor(capacity = DEFAULT_RING_BYTES) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Total bytes written: the "file size" that offsets refer to. */
  get size(): number {
    return this.#size;
  }

  /** Absolute offset of the oldest byte still held. */
  get start(): number {
    return Math.max(0, this.#size - this.capacity);
  }

  /** Appends `chunk`; only its last `capacity` bytes are kept if it is larger. */
  write(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const buf = (this.#buf ??= Buffer.allocUnsafeSlow(this.capacity));
    const skipped = Math.max(0, chunk.length - this.capacity);
    let at = (this.#size + skipped) % this.capacity;
    let src = skipped;
    while (src < chunk.length) {
      const n = Math.min(chunk.length - src, this.capacity - at);
      chunk.copy(buf, at, src, src + n);
      src += n;
      at = (at + n) % this.capacity;
    }
    this.#size += chunk.length;
  }

  /** The held bytes within `[from, to)` (absolute offsets, clamped to what is held); a copy. */
  slice(from: number, to: number): Buffer {
    const start = Math.max(from, this.start);
    const end = Math.min(to, this.#size);
    const buf = this.#buf;
    if (end <= start || !buf) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(end - start);
    let done = 0;
    while (done < out.length) {
      const at = (start + done) % this.capacity;
      const n = Math.min(out.length - done, this.capacity - at);
      buf.copy(out, done, at, at + n);
      done += n;
    }
    return out;
  }

  /** Everything held, oldest first. */
  contents(): Buffer {
    return this.slice(this.start, this.#size);
  }

  /** Forgets everything and restarts offsets at 0, like a cleared log file. */
  clear(): void {
    this.#size = 0;
  }

  /**
   * `readLog(offset, length)` over the held bytes (see `readRange` in tail.ts). A range reaching
   * before {@link RingBuffer.start} returns only the part still held.
   * @throws BadArgumentsError as supervisord's readFile does.
   */
  read(offset: number, length: number): string {
    return this.#text(readRange(this.#size, offset, length));
  }

  /** `tail(offset, length)` → `[data, size, overflow]` with supervisord's tailFile arithmetic. */
  tail(offset: number, length: number): TailResult {
    const range = tailRange(this.#size, offset, length);
    return [this.#text(range), range.offset, range.overflow];
  }

  #text(range: ByteRange): string {
    return this.slice(range.start, range.end).toString('utf8');
  }
}
