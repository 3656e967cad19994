// What a child's death means (supervisord's Subprocess.finish), decided purely: the next state,
// the bookkeeping to record, the log line, and what follows (a retry, giving up, a restart);
// the rules are in docs/semantics.md#exit-decision.
import type { Autorestart } from '../dialect/datatypes.js';
import { type BackoffPolicy, shouldGiveUp } from './backoff.js';
import type { ProcessState } from './states.js';
import { signalName, signalNumberOf } from './signals.js';

export const TOO_QUICK = 'Exited too quickly (process log may have details)';

export interface ExitDecision {
  /**
   * The state to enter. 'EXITED' is entered through RUNNING when the process was still STARTING
   * (`viaRunning`); 'UNKNOWN' means the process stays UNKNOWN (no edge leaves it).
   */
  to: 'STOPPED' | 'BACKOFF' | 'EXITED' | 'UNKNOWN';
  /** STARTING -> RUNNING first (it outlived startsecs, or startsecs is 0, but no evaluation promoted it yet). */
  viaRunning: boolean;
  /** exit code in exitcodes (meaningful for EXITED, and picks the log level for STOPPED). */
  expected: boolean;
  /** The new spawnerr, or null to leave it (it is always null while a child lives). */
  spawnerr: string | null;
  /** The exit status to record: the code, -1 for a signal death, null after a failed start. */
  exitstatus: number | null;
  /** Consecutive failed starts after this exit. */
  backoff: number;
  /** BACKOFF with no retry left: FATAL follows at the next evaluation. */
  giveUp: boolean;
  /** EXITED and autorestart applies: a new start follows. */
  autorestart: boolean;
  /** The main-log line that reports the death. */
  log: { level: 'info' | 'warn'; message: string };
}

export interface ExitFacts {
  name: string;
  state: ProcessState;
  /** A stop or kill was issued for this child. */
  killing: boolean;
  /** Seconds between the spawn and the death (monotonic). */
  elapsed: number;
  startsecs: number;
  /** Exit code, or -1 when killed by a signal. */
  status: number;
  /** How it died, as describeExit renders it. */
  description: string;
  exitcodes: readonly number[];
  autorestart: Autorestart;
  /** The child passed its readiness checks (true when it has none). */
  ready: boolean;
  /** Why its readiness checks failed (they timed out and killed it), or null. */
  readyFailure: string | null;
  /** Consecutive failed starts before this death. */
  backoff: number;
  policy: BackoffPolicy;
  startretries: number;
}

/** Whether an EXITED process with this exit status is restarted automatically. */
export function shouldAutorestart(autorestart: Autorestart, exitcodes: readonly number[], exitstatus: number | null): boolean {
  if (autorestart === true) return true;
  if (autorestart === 'unexpected') return !exitcodes.includes(exitstatus ?? 0);
  return false;
}

export function decideOnExit(f: ExitFacts): ExitDecision {
  const expected = f.exitcodes.includes(f.status);
  const notExpected = { level: 'warn' as const, message: `exited: ${f.name} (${f.description}; not expected)` };
  const none = { viaRunning: false, giveUp: false, autorestart: false };
  // No edge leaves UNKNOWN: record the death and stay.
  if (f.state === 'UNKNOWN') {
    return { ...none, to: 'UNKNOWN', expected: false, spawnerr: null, exitstatus: f.status, backoff: f.backoff, log: notExpected };
  }
  // A stop was requested: STOPPED whatever the code (a signal death is logged as a warning).
  if (f.killing) {
    const level = expected && f.status !== -1 ? 'info' : 'warn';
    return {
      ...none,
      to: 'STOPPED',
      expected,
      spawnerr: null,
      exitstatus: f.status,
      backoff: f.backoff,
      log: { level, message: `stopped: ${f.name} (${f.description})` },
    };
  }
  // A failed start: it died before startsecs elapsed, or before its readiness checks passed.
  const notReady = f.state === 'STARTING' && !f.ready;
  if (notReady || (f.state === 'STARTING' && f.elapsed < f.startsecs)) {
    const backoff = f.backoff + 1;
    const spawnerr = notReady ? (f.readyFailure ?? `exited before it was ready (${f.description})`) : TOO_QUICK;
    return {
      ...none,
      to: 'BACKOFF',
      expected: false,
      spawnerr,
      exitstatus: null,
      backoff,
      giveUp: shouldGiveUp(f.policy, backoff, f.startretries),
      log: notExpected,
    };
  }
  // An exit after RUNNING (or from STARTING once it outlived startsecs). supervisord forgets the
  // failed starts here; a policy with reset_after counts an unstable run as one more.
  return {
    to: 'EXITED',
    viaRunning: f.state === 'STARTING',
    expected,
    spawnerr: expected ? null : `Bad exit code ${f.status}`,
    exitstatus: f.status,
    backoff: f.policy.reset_after === null ? 0 : f.backoff + 1,
    giveUp: false,
    autorestart: shouldAutorestart(f.autorestart, f.exitcodes, f.status),
    log: expected ? { level: 'info', message: `exited: ${f.name} (${f.description}; expected)` } : notExpected,
  };
}

/** `exit status 3`, `terminated by SIGTERM`, `terminated by SIGSEGV (core dumped)`. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, coreDumped = false): string {
  if (signal) return `terminated by ${signalName(signalNumberOf(signal) ?? 0)}${coreDumped ? ' (core dumped)' : ''}`;
  return `exit status ${code ?? 0}`;
}
