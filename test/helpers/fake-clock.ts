// A Clock whose time moves only when a test calls advance(); due timers fire in order.
import type { Clock, TimerHandle } from '../../src/supervisor/clock.js';

interface Pending {
  handle: TimerHandle;
  at: number;
  seq: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  #now = 0;
  #epoch: number;
  #seq = 0;
  #pending: Pending[] = [];

  /** Emulates Node's limit: a delay beyond this fires after 1 ms (default: no limit). */
  readonly #maxTimerMs: number;

  constructor(epochMs = Date.UTC(2026, 10, 22, 1, 0, 0), options: { maxTimerMs?: number } = {}) {
    this.#epoch = epochMs;
    this.#maxTimerMs = options.maxTimerMs ?? Infinity;
  }
  now(): number {
    return this.#now;
  }
  epochMs(): number {
    return this.#epoch + this.#now;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = { id: ++this.#seq };
    const delay = ms > this.#maxTimerMs ? 1 : Math.max(0, ms);
    this.#pending.push({ handle, at: this.#now + delay, seq: this.#seq, fn });
    return handle;
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.#pending = this.#pending.filter((p) => p.handle !== handle);
  }
  /** Number of armed timers. */
  get pendingCount(): number {
    return this.#pending.length;
  }
  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#pending.filter((p) => p.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#pending = this.#pending.filter((p) => p !== due);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = target;
  }
  /** Fires timers due now (0 ms timers: supervisord's "next evaluation"). */
  flush(): void {
    this.advance(0);
  }
}
