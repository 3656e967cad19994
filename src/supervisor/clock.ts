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

/**
 * The longest delay Node's setTimeout honours: 2^31 - 1 ms (about 24.8 days). A longer one fires
 * after 1 ms (with a TimeoutOverflowWarning), so a long stopwaitsecs would SIGKILL at once.
 */
export const MAX_TIMER_MS = 0x7fffffff;

let nextId = 1;

/** Node's timers as they are (limited to MAX_TIMER_MS); 0 ms runs at the next turn. */
const nodeTimers: Clock = {
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

interface LongHandle extends TimerHandle {
  /** The step armed now on the underlying clock. */
  step: TimerHandle | undefined;
}

/**
 * `clock` with timers of any length: a delay beyond `maxMs` (the underlying timers' limit) is
 * armed in steps of at most `maxMs`, measured from the time it was set, so it fires when due,
 * once. An infinite delay never fires.
 */
export function withLongTimers(clock: Clock, maxMs = MAX_TIMER_MS): Clock {
  return {
    now: () => clock.now(),
    epochMs: () => clock.epochMs(),
    setTimeout(fn, ms) {
      const handle: LongHandle = { id: nextId++, step: undefined };
      const due = clock.now() + ms;
      const arm = (left: number): void => {
        handle.step = left > maxMs ? clock.setTimeout(() => arm(due - clock.now()), maxMs) : clock.setTimeout(fn, left);
      };
      arm(ms);
      return handle;
    },
    clearTimeout(handle) {
      if (handle) clock.clearTimeout((handle as LongHandle).step);
    },
  };
}

/** The real clock: performance.now(), Date.now() and the global timers, any delay. */
export const systemClock: Clock = withLongTimers(nodeTimers);

/** A global-timer sleep of any length (setTimeout's own limit would end it after 1 ms). */
export function longSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const handle = systemClock.setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', cancel);
      resolve();
    }
    function cancel(): void {
      systemClock.clearTimeout(handle);
      resolve();
    }
    signal?.addEventListener('abort', cancel, { once: true });
  });
}
