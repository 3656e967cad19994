// Exit policies: in a container the supervisor is the main process, so a program that ends (or
// gives up) can end the container, whose orchestrator then restarts or reports it. Opt-in per
// program (`shutdown_on_exit`, `shutdown_on_fatal`) and for every program (`[supervisord]
// shutdown_on_fatal`). The supervisor's exit status is the program's: its exit code, or 128 + the
// signal number when a signal ended it; a FATAL program with no non-zero status to pass on gives 1.
import { constants } from 'node:os';
import type { ProcessManager } from '../supervisor/manager.js';
import type { ProcessStateEvent } from '../supervisor/events.js';

type Death = NonNullable<ProcessStateEvent['death']>;

/** A shell's view of how a process ended: the code, or 128 + the signal's number. */
export function exitStatusOf(death: Death): number {
  if (death.signal) return 128 + (constants.signals[death.signal] ?? 0);
  return death.code ?? 0;
}

export interface ExitPolicyOptions {
  /** `[supervisord] shutdown_on_fatal`: any program going FATAL ends the supervisor. */
  anyFatal: boolean;
}

/**
 * Watches `pm` and calls `shutdown(status, reason)` (once per trigger; the caller makes shutdown
 * idempotent) when a program's exit policy says the supervisor ends. Returns the unsubscriber.
 * Stops asked for (STOPPED) never count: only exits on the program's own and FATAL do.
 */
export function watchExitPolicies(pm: ProcessManager, options: ExitPolicyOptions, shutdown: (status: number, reason: string) => void): () => void {
  const lastDeath = new Map<string, Death>();
  const listener = (ev: ProcessStateEvent) => {
    const key = `${ev.group}:${ev.name}`;
    if (ev.death) lastDeath.set(key, ev.death);
    if (ev.to !== 'EXITED' && ev.to !== 'FATAL') return;
    // Its spec alone: the group's details would describe every process of the group at each exit.
    const ext = pm.getProcessSpec(ev.group, ev.name)?.ext;
    if (!ext) return;
    if (ev.to === 'EXITED' && ev.death) {
      const policy = ext.shutdown_on_exit;
      if (policy === true || (policy === 'unexpected' && ev.expected === false)) {
        const status = exitStatusOf(ev.death);
        shutdown(status, `${key} exited (${describe(ev.death)}) and has shutdown_on_exit=${String(policy)}: shutting down with exit status ${status}`);
      }
      return;
    }
    if (ev.to === 'FATAL' && (ext.shutdown_on_fatal || options.anyFatal || ext.shutdown_on_exit === true)) {
      const death = lastDeath.get(key);
      const passed = death ? exitStatusOf(death) : 0;
      const status = passed === 0 ? 1 : passed;
      const why = ext.shutdown_on_fatal
        ? 'has shutdown_on_fatal=true'
        : options.anyFatal
          ? '[supervisord] has shutdown_on_fatal=true'
          : 'has shutdown_on_exit=true';
      shutdown(status, `${key} entered FATAL state and ${why}: shutting down with exit status ${status}`);
    }
  };
  pm.on('processState', listener);
  return () => pm.off('processState', listener);
}

function describe(d: Death): string {
  return d.signal ? `terminated by ${d.signal}` : `exit status ${d.code ?? 0}`;
}
