// What a child's death means (supervisord's Subprocess.finish), decided purely; the three rules
// are in docs/semantics.md#exit-decision.
import type { ProcessState } from './states.js';
import { signalName, signalNumberOf } from './signals.js';

export const TOO_QUICK = 'Exited too quickly (process log may have details)';

export interface ExitDecision {
  /** The state to enter; 'EXITED' is entered through RUNNING when the process was still STARTING. */
  to: 'STOPPED' | 'BACKOFF' | 'EXITED';
  /** exit code in exitcodes (meaningful for EXITED, and picks the log level for STOPPED). */
  expected: boolean;
  /** The new spawnerr, or null to clear it / leave it. */
  spawnerr: string | null;
  /** The exit status to record: the code, -1 for a signal death, null when too quick. */
  exitstatus: number | null;
}

export interface ExitFacts {
  state: ProcessState;
  /** A stop or kill was issued for this child. */
  killing: boolean;
  /** Seconds between the spawn and the death (monotonic). */
  elapsed: number;
  startsecs: number;
  /** Exit code, or -1 when killed by a signal. */
  status: number;
  exitcodes: readonly number[];
}

export function decideOnExit(f: ExitFacts): ExitDecision {
  const expected = f.exitcodes.includes(f.status);
  // A stop was requested: STOPPED, whatever the code.
  if (f.killing) return { to: 'STOPPED', expected, spawnerr: null, exitstatus: f.status };
  // Too quick: died before startsecs elapsed (only while STARTING), a failed start.
  if (f.state === 'STARTING' && f.elapsed < f.startsecs) {
    return { to: 'BACKOFF', expected: false, spawnerr: TOO_QUICK, exitstatus: null };
  }
  // Otherwise an exit after RUNNING (or STARTING that outlived startsecs).
  return { to: 'EXITED', expected, spawnerr: expected ? null : `Bad exit code ${f.status}`, exitstatus: f.status };
}

/** `exit status 3`, `terminated by SIGTERM`, `terminated by SIGSEGV (core dumped)`. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, coreDumped = false): string {
  if (signal) return `terminated by ${signalName(signalNumberOf(signal) ?? 0)}${coreDumped ? ' (core dumped)' : ''}`;
  return `exit status ${code ?? 0}`;
}

