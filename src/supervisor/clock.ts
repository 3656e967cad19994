// Time, injected. Durations use monotonic milliseconds; reported times use the epoch.

export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Monotonic milliseconds, for durations. */
  now(): number;
  /** Wall-clock epoch milliseconds, for reported times (`start`, `stop`, `now`). */
  epochMs(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Accepts undefined so callers need no guard. */
  clearTimeout(handle: TimerHandle | undefined): void;
}

let nextId = 1;

/** The real clock: performance.now(), Date.now() and the global timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  epochMs: () => Date.now(),
  setTimeout(fn, ms) {
    // 0 ms means "at the next evaluation": setImmediate, which (unlike setTimeout) waits no 1 ms.
    if (ms <= 0) return { id: nextId++, immediate: setImmediate(fn) } as TimerHandle;
    return { id: nextId++, timeout: setTimeout(fn, ms) } as TimerHandle;
  },
  clearTimeout(handle) {
    if (!handle) return;
    const h = handle as { immediate?: NodeJS.Immediate; timeout?: NodeJS.Timeout };
    if (h.immediate) clearImmediate(h.immediate);
    else clearTimeout(h.timeout);
  },
};
