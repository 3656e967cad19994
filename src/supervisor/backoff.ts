// When to retry a failed start, and when to give up. supervisord's schedule is the default:
// the n-th consecutive failure waits n seconds and more than `startretries` failures is FATAL.
// Opt-in policies add exponential growth with a cap, jitter, a reset after stable uptime, and
// a mode that never gives up. Pure.

export interface BackoffPolicy {
  /** 'linear' is supervisord's 1 s, 2 s, 3 s …; 'exponential' is initial × multiplier^(n-1), capped. */
  strategy: 'linear' | 'exponential';
  /** Seconds before the first retry (exponential). Default 1. */
  initial: number;
  /** Growth per failure (exponential). Default 2. */
  multiplier: number;
  /** Cap on one wait, seconds. Default: none for linear, 60 for exponential. */
  max: number | null;
  /** 'full': a uniform random wait between 0 and the computed one (AWS "full jitter"). */
  jitter: 'none' | 'full';
  /** Reset the failure count once RUNNING for this many seconds (default: at RUNNING, as supervisord). */
  reset_after: number | null;
  /** false: never enter FATAL; keep retrying at the capped delay. Default true. */
  give_up: boolean;
}

export const SUPERVISORD_BACKOFF: BackoffPolicy = {
  strategy: 'linear',
  initial: 1,
  multiplier: 2,
  max: null,
  jitter: 'none',
  reset_after: null,
  give_up: true,
};

/** Seconds to wait after the `failures`-th consecutive failed start. */
export function retryDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  let d = policy.strategy === 'linear' ? failures : policy.initial * policy.multiplier ** Math.max(0, failures - 1);
  if (policy.max !== null) d = Math.min(d, policy.max);
  if (policy.jitter === 'full') d *= random();
  return d;
}

/** True once `failures` exceeds `startretries` (supervisord's give-up rule), unless the policy never gives up. */
export function shouldGiveUp(policy: BackoffPolicy, failures: number, startretries: number): boolean {
  return policy.give_up && failures > startretries;
}
