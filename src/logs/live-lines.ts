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
  /**
   * What a slow consumer gets once more than `maxQueuedChars` are queued: `'drop-oldest'` (the
   * default) forgets the oldest lines; `'end'` forgets them all and ends the iteration with a
   * SlowFollowerError (a server then tells its client why the stream ended). In `'end'` mode the
   * limit counts an estimate of the memory held (characters plus a per-line overhead).
   */
  onSlowConsumer?: 'drop-oldest' | 'end' | undefined;
  /** A memory budget shared with other followers (`'end'` mode): exceeding it ends this one. */
  budget?: FollowBudget | undefined;
  /** Called at once when the iteration is ended for being too slow (before the next pull). */
  onOverflow?: ((err: SlowFollowerError) => void) | undefined;
}

const DEFAULT_MAX_QUEUED_CHARS = 8 * 1024 * 1024;
/** Bytes a queued line costs beyond its characters (string header, array slot), roughly. */
const LINE_OVERHEAD = 40;

/** Memory shared by a set of followers (e.g. every HTTP client following a log). */
export class FollowBudget {
  /** Estimated bytes queued now by every follower on this budget. */
  used = 0;
  constructor(readonly maxBytes: number) {}
}

/** A follower that read too slowly was ended (its queued lines were dropped). */
export class SlowFollowerError extends Error {
  override name = 'SlowFollowerError';
  constructor(
    /** The limit that was exceeded, in bytes. */
    readonly limitBytes: number,
    /** Whether it was the budget shared with other followers. */
    readonly shared: boolean,
  ) {
    super(shared ? `log followers together queued more than ${limitBytes} bytes` : `this follower queued more than ${limitBytes} bytes of lines`);
  }
}

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
  const queue = new LineQueue(
    options.maxQueuedChars ?? DEFAULT_MAX_QUEUED_CHARS,
    options.onSlowConsumer === 'end' ? { budget: options.budget, onOverflow: options.onOverflow } : undefined,
  );
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
    queue.release();
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

/** `'end'` mode of a LineQueue: a slow consumer is ended instead of losing its oldest lines. */
interface EndMode {
  budget: FollowBudget | undefined;
  onOverflow: ((err: SlowFollowerError) => void) | undefined;
}

// FIFO of lines between a synchronous producer and one async consumer, bounded in characters
// (or, in 'end' mode, in estimated bytes, alone and against a shared budget).
class LineQueue {
  readonly #maxChars: number;
  readonly #endMode: EndMode | undefined;
  /** Queued lines; those before #head were consumed. */
  #lines: string[] = [];
  #head = 0;
  /** Characters (in 'end' mode: estimated bytes) of the unconsumed lines. */
  #chars = 0;
  /** 'open' while lines may come; 'ended' drains what is queued; 'aborted' stops at once; 'overflowed' throws. */
  #state: 'open' | 'ended' | 'aborted' | 'overflowed' = 'open';
  #overflow: SlowFollowerError | undefined;
  /** Wakes the consumer waiting for a line; undefined when it is not waiting. */
  #wake: (() => void) | undefined;

  constructor(maxChars: number, endMode?: EndMode) {
    this.#maxChars = maxChars;
    this.#endMode = endMode;
  }

  #cost(line: string): number {
    return this.#endMode ? line.length + LINE_OVERHEAD : line.length;
  }

  push(lines: readonly string[]): void {
    if (this.#state !== 'open' || lines.length === 0) return;
    let added = 0;
    for (const line of lines) {
      this.#lines.push(line);
      added += this.#cost(line);
    }
    this.#chars += added;
    const mode = this.#endMode;
    if (mode) {
      if (mode.budget) mode.budget.used += added;
      const shared = mode.budget !== undefined && mode.budget.used > mode.budget.maxBytes;
      if (this.#chars > this.#maxChars || shared) {
        this.#overflow = new SlowFollowerError(shared ? mode.budget!.maxBytes : this.#maxChars, shared);
        this.#state = 'overflowed';
        this.release();
        mode.onOverflow?.(this.#overflow);
      }
    } else {
      while (this.#chars > this.#maxChars && this.#head < this.#lines.length - 1) this.#shift();
    }
    this.#notify();
  }

  /** Forgets every queued line and gives its memory back to the shared budget. */
  release(): void {
    if (this.#endMode?.budget) this.#endMode.budget.used -= this.#chars;
    this.#chars = 0;
    this.#lines = [];
    this.#head = 0;
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
      if (this.#state === 'overflowed') throw this.#overflow as SlowFollowerError;
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
    const cost = this.#cost(line);
    this.#chars -= cost;
    if (this.#endMode?.budget) this.#endMode.budget.used -= cost;
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
