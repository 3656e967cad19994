// Byte-level line splitting for consumers that need lines (followers, lastLines). Splitting on
// the byte 0x0A before decoding never cuts a UTF-8 character, since 0x0A occurs in no multi-byte
// sequence; each line is decoded on its own.

/** Default longest line a {@link LineSplitter} buffers before emitting it in pieces: 8 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

const NL = 0x0a;
const CR = 0x0d;

/**
 * Turns a stream of chunks into lines (without their `\n`; a `\r` before it is dropped too, like
 * split2's default). A line longer than `maxLineBytes` is emitted in `maxLineBytes` pieces so a
 * program that never prints a newline cannot grow memory without bound.
 */
export class LineSplitter {
  readonly maxLineBytes: number;
  /** Bytes of the current unfinished line, in arrival order; empty between lines. */
  #pending: Buffer[] = [];
  /** Total length of #pending. */
  #pendingBytes = 0;

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.maxLineBytes = maxLineBytes;
  }

  /** Whether a partial line is buffered. */
  get hasPartial(): boolean {
    return this.#pendingBytes > 0;
  }

  /** Feeds a chunk; returns the lines it completed. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let from = 0;
    for (let nl = chunk.indexOf(NL); nl !== -1; nl = chunk.indexOf(NL, from)) {
      const part = chunk.subarray(from, nl);
      if (this.#pendingBytes === 0 && part.length <= this.maxLineBytes) {
        lines.push(decodeLine(part, true)); // fast path: the whole line is in this chunk
      } else {
        this.#append(part, lines);
        lines.push(this.#take());
      }
      from = nl + 1;
    }
    this.#append(chunk.subarray(from), lines);
    return lines;
  }

  /** Returns the unfinished line (or undefined when there is none) and forgets it. */
  flush(): string | undefined {
    return this.#pendingBytes > 0 ? this.#take() : undefined;
  }

  /** Forgets any unfinished line. */
  reset(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  // Buffers part of a line, emitting full maxLineBytes pieces as they fill up.
  #append(part: Buffer, lines: string[]): void {
    while (this.#pendingBytes + part.length > this.maxLineBytes) {
      const room = this.maxLineBytes - this.#pendingBytes;
      this.#pending.push(part.subarray(0, room));
      this.#pendingBytes += room;
      lines.push(this.#take(false));
      part = part.subarray(room);
    }
    if (part.length === 0) return;
    // Copy: callers may reuse their chunk buffers.
    this.#pending.push(Buffer.from(part));
    this.#pendingBytes += part.length;
  }

  #take(stripCr = true): string {
    const line = Buffer.concat(this.#pending, this.#pendingBytes);
    this.reset();
    return decodeLine(line, stripCr);
  }
}

function decodeLine(line: Buffer, stripCr: boolean): string {
  const end = stripCr && line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
  return line.toString('utf8', 0, end);
}

/**
 * Splits a complete buffer into lines. When `dropLeadingFragment` is set (the buffer is the tail
 * of a longer stream), bytes before the first newline are skipped as a cut-off line.
 * A final unterminated line is included.
 */
export function splitLines(buf: Buffer, dropLeadingFragment = false): string[] {
  let from = 0;
  if (dropLeadingFragment) {
    const nl = buf.indexOf(NL);
    from = nl === -1 ? buf.length : nl + 1;
  }
  const splitter = new LineSplitter(Number.MAX_SAFE_INTEGER);
  const lines = splitter.push(buf.subarray(from));
  const last = splitter.flush();
  if (last !== undefined) lines.push(last);
  return lines;
}
