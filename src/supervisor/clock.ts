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
    const t = setTimeout(fn, Math.max(0, ms));
    const handle = { id: nextId++, t };
    return handle;
  },
  clearTimeout(handle) {
    if (handle) clearTimeout((handle as unknown as { t: NodeJS.Timeout }).t);
  },
};
