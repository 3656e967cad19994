// What each state waits for: the one timer a process arms when it enters a state (and cancels when
// it leaves it), decided purely: supervisord's per-tick checks, made event-driven
// (docs/semantics.md#no-tick).
import type { Autorestart } from '../dialect/datatypes.js';
import { type BackoffPolicy, retryDelay, shouldGiveUp } from './backoff.js';
import { shouldAutorestart } from './exit.js';
import type { ProcessState } from './states.js';

export type StateTimer =
  /** STARTING: RUNNING once up for startsecs and ready (docs/semantics.md#promotion). */
  | { action: 'promote'; ms: number }
  /** BACKOFF with no retry left: FATAL as the next step, never inside the failing call (docs/semantics.md#backoff). */
  | { action: 'giveUp'; ms: 0 }
  /** BACKOFF: the next start attempt, n seconds after the n-th failure by default, even with autorestart=false. */
  | { action: 'retry'; ms: number }
  /** RUNNING under a policy with reset_after: the failure count is forgotten after a stable run. */
  | { action: 'forgetFailures'; ms: number }
  /** STOPPING: SIGKILL after stopwaitsecs, repeated every stopwaitsecs (docs/semantics.md#stop). */
  | { action: 'kill'; ms: number }
  /** EXITED with autorestart: as the next step, or after the policy's delay for an unstable run (docs/semantics.md#autorestart). */
  | { action: 'autorestart'; ms: number };

export interface TimerFacts {
  startsecs: number;
  stopwaitsecs: number;
  startretries: number;
  autorestart: Autorestart;
  exitcodes: readonly number[];
  policy: BackoffPolicy;
  /** Consecutive failed starts. */
  backoff: number;
  /** The last exit status (null: none). */
  exitstatus: number | null;
}

/** The timer `state` arms on entry, or null when it waits for nothing but events. */
export function stateTimer(state: ProcessState, f: TimerFacts, random: () => number = Math.random): StateTimer | null {
  switch (state) {
    case 'STARTING':
      return { action: 'promote', ms: f.startsecs * 1000 };
    case 'BACKOFF':
      if (shouldGiveUp(f.policy, f.backoff, f.startretries)) return { action: 'giveUp', ms: 0 };
      return { action: 'retry', ms: retryDelay(f.policy, f.backoff, random) * 1000 };
    case 'RUNNING':
      return f.policy.reset_after !== null && f.backoff > 0 ? { action: 'forgetFailures', ms: f.policy.reset_after * 1000 } : null;
    case 'STOPPING':
      return { action: 'kill', ms: f.stopwaitsecs * 1000 };
    case 'EXITED': {
      if (!shouldAutorestart(f.autorestart, f.exitcodes, f.exitstatus)) return null;
      const unstable = f.policy.reset_after !== null && f.backoff > 0;
      return { action: 'autorestart', ms: unstable ? retryDelay(f.policy, f.backoff, random) * 1000 : 0 };
    }
    case 'STOPPED':
    case 'FATAL':
    case 'UNKNOWN':
      return null;
  }
}
