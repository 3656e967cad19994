// An async iterable of lines over "what is buffered now" plus "what is written later":
// the line-level view of a ChannelLog (`lines({ follow })`).
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, splitLines } from './line-splitter.js';

/** Receives live writes of a {@link LineSource}. */
export interface ChunkListener {
  data(chunk: Buffer): void;
  /** The source was closed: no more data will come. */
  end(): void;
}

/** Something that holds recent bytes and announces new ones. */
export interface LineSource {
  /** The bytes held now; `truncated` when older bytes were forgotten (the first line is cut). */
  snapshot(): { bytes: Buffer; truncated: boolean };
  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: ChunkListener): () => void;
}

/** Options of `ChannelLog.lines()`. */
export interface LinesOptions {
  /** Keep yielding lines as they are written, until `signal` aborts or the log is closed. */
  follow?: boolean | undefined;
  /** Ends the iteration (lines still queued are discarded). */
  signal?: AbortSignal | undefined;
  /** Longer lines are yielded in pieces of this size. Default 8 MiB. */
  maxLineBytes?: number | undefined;
  /**
   * When a slow consumer lets more than this many characters of lines queue up, the oldest
   * queued lines are dropped (a supervisor must not buffer a chatty child without bound).
   * Default 8 Mi characters.
   */
  maxQueuedChars?: number | undefined;
}

const DEFAULT_MAX_QUEUED_CHARS = 8 * 1024 * 1024;

/**
 * Yields the complete lines held by `source` (a cut-off first line is skipped), then, with
 * `follow`, each new line as it is completed; an unfinished last line is yielded when the source
 * ends (or at once without `follow`).
 */
export async function* iterateLines(source: LineSource, options: LinesOptions = {}): AsyncGenerator<string> {
  if (options.signal?.aborted) return;
  const { bytes, truncated } = source.snapshot();
  if (options.follow !== true) {
    yield* splitLines(bytes, truncated);
    return;
  }
  const queue = new LineQueue(options.maxQueuedChars ?? DEFAULT_MAX_QUEUED_CHARS);
  const feed = lineFeeder(new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES), truncated);
  queue.push(feed.push(bytes));
  const unsubscribe = source.subscribe({
    data: (chunk) => queue.push(feed.push(chunk)),
    end: () => queue.end(feed.flush()),
  });
  const abort = (): void => queue.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    yield* queue.drain();
  } finally {
    unsubscribe();
    options.signal?.removeEventListener('abort', abort);
  }
}

// A splitter that first discards the rest of a cut-off line.
function lineFeeder(splitter: LineSplitter, skipFirst: boolean) {
  let skipping = skipFirst;
  return {
    push(chunk: Buffer): string[] {
      if (skipping) {
        const nl = chunk.indexOf(0x0a);
        if (nl === -1) return [];
        skipping = false;
        chunk = chunk.subarray(nl + 1);
      }
      return splitter.push(chunk);
    },
    flush: (): string | undefined => (skipping ? undefined : splitter.flush()),
  };
}

// FIFO of lines between a synchronous producer and one async consumer, bounded in characters.
class LineQueue {
  readonly #maxChars: number;
  /** Queued lines; those before #head were consumed. */
  #lines: string[] = [];
  #head = 0;
  /** Characters in the unconsumed lines. */
  #chars = 0;
  /** 'open' while lines may come; 'ended' drains what is queued; 'aborted' stops at once. */
  #state: 'open' | 'ended' | 'aborted' = 'open';
  /** Wakes the consumer waiting for a line; undefined when it is not waiting. */
  #wake: (() => void) | undefined;

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  push(lines: readonly string[]): void {
    if (this.#state !== 'open' || lines.length === 0) return;
    for (const line of lines) {
      this.#lines.push(line);
      this.#chars += line.length;
    }
    while (this.#chars > this.#maxChars && this.#head < this.#lines.length - 1) this.#shift();
    this.#notify();
  }

  end(last: string | undefined): void {
    if (last !== undefined) this.push([last]);
    if (this.#state === 'open') this.#state = 'ended';
    this.#notify();
  }

  abort(): void {
    this.#state = 'aborted';
    this.#notify();
  }

  async *drain(): AsyncGenerator<string> {
    for (;;) {
      if (this.#state === 'aborted') return;
      if (this.#head < this.#lines.length) {
        yield this.#shift();
        continue;
      }
      if (this.#state === 'ended') return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #shift(): string {
    const line = this.#lines[this.#head++]!;
    this.#chars -= line.length;
    if (this.#head > 1024 && this.#head * 2 > this.#lines.length) {
      this.#lines = this.#lines.slice(this.#head); // compact now and then, not per line
      this.#head = 0;
    }
    return line;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
