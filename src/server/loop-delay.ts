// The event loop's longest delay, for the health report, measured only while someone asks for it.
// Node's delay histogram samples with its own timer (every 50 ms here), so left on it would wake an
// otherwise idle supervisor twenty times a second, with nothing to supervise. It is switched on by
// the first report, and off again once a whole window (a minute) has passed without a report; each
// window starts from a fresh histogram, so a report covers "the last minute or so". A supervisor
// that no probe asks about therefore arms nothing.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** What the watch needs from Node: the histogram and a timer (both injectable for tests). */
export interface LoopDelayDeps {
  /** A histogram like monitorEventLoopDelay's: enable/disable/reset, `max` in nanoseconds. */
  histogram(): { enable(): boolean; disable(): boolean; reset(): void; readonly max: number };
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

const nodeDeps: LoopDelayDeps = {
  histogram: () => monitorEventLoopDelay({ resolution: 50 }),
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class LoopDelayWatch {
  readonly #deps: LoopDelayDeps;
  readonly #windowMs: number;
  #histogram: ReturnType<LoopDelayDeps['histogram']> | undefined;
  #timer: unknown;
  #askedAt = 0;
  #closed = false;

  constructor(windowMs = 60_000, deps: LoopDelayDeps = nodeDeps) {
    this.#windowMs = windowMs;
    this.#deps = deps;
  }

  /** True while the histogram samples (someone asked within the last window). */
  get active(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * The longest delay (ms) since the measuring began, at most about a window ago; 0 on the first
   * report after a quiet spell (nothing was measured — and nothing was running late for anyone).
   */
  maxMs(): number {
    if (this.#closed) return 0;
    this.#askedAt = this.#deps.now();
    this.#histogram ??= this.#deps.histogram();
    if (this.#timer === undefined) {
      this.#histogram.reset();
      this.#histogram.enable();
      this.#arm(this.#windowMs);
      return 0;
    }
    // The histogram's max is huge before its first sample (no sample yet): report 0 then.
    const max = this.#histogram.max;
    return Number.isFinite(max) && max < 2 ** 52 ? Math.round(max / 1e6) : 0;
  }

  // At each window's end: keep measuring, from a fresh histogram, if someone asked during it.
  #arm(ms: number): void {
    this.#timer = this.#deps.setTimer(() => {
      this.#timer = undefined;
      if (this.#deps.now() - this.#askedAt < this.#windowMs) {
        this.#histogram?.reset();
        this.#arm(this.#windowMs);
      } else this.#histogram?.disable();
    }, ms);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#deps.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#histogram?.disable();
  }
}
