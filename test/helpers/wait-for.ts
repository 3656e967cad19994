// Bounded waits on manager events. Every wait fails with what it saw.
import type { ProcessManager } from '../../src/index.js';
import type { ProcessState } from '../../src/supervisor/states.js';
import type { ProcessStateEvent } from '../../src/supervisor/events.js';

/** Records every processState event of a manager. */
export function recordStates(pm: ProcessManager): ProcessStateEvent[] {
  const seen: ProcessStateEvent[] = [];
  pm.on('processState', (e) => seen.push(e));
  return seen;
}

/** `from->to` strings for one process. */
export function edges(events: readonly ProcessStateEvent[], name: string): string[] {
  return events.filter((e) => e.name === name).map((e) => `${e.from}->${e.to}`);
}

/** Resolves when `namespec` is in `state` (at once if it already is); rejects after timeoutMs. */
export function waitForState(pm: ProcessManager, namespec: string, state: ProcessState, timeoutMs = 3000): Promise<void> {
  const [group, name] = namespec.includes(':') ? namespec.split(':') : [namespec, namespec];
  if (pm.getProcessInfo(namespec).statename === state) return Promise.resolve();
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const listener = (e: ProcessStateEvent) => {
      if (e.name !== name || e.group !== group) return;
      seen.push(e.to);
      if (e.to === state) {
        clearTimeout(timer);
        pm.off('processState', listener);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      pm.off('processState', listener);
      const now = pm.getProcessInfo(namespec).statename;
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${namespec} to be ${state}; it is ${now}; saw [${seen.join(', ')}]`));
    }, timeoutMs);
    pm.on('processState', listener);
  });
}

/** Resolves when `predicate` holds for an event; rejects after timeoutMs listing what came. */
export function waitForEvent(pm: ProcessManager, predicate: (e: ProcessStateEvent) => boolean, timeoutMs = 3000): Promise<ProcessStateEvent> {
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const listener = (e: ProcessStateEvent) => {
      seen.push(`${e.name}:${e.from}->${e.to}`);
      if (!predicate(e)) return;
      clearTimeout(timer);
      pm.off('processState', listener);
      resolve(e);
    };
    const timer = setTimeout(() => {
      pm.off('processState', listener);
      reject(new Error(`timed out after ${timeoutMs} ms; saw [${seen.join(', ')}]`));
    }, timeoutMs);
    pm.on('processState', listener);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` every `everyMs` until it returns something other than undefined or false, and
 * resolves with that. A check that throws counts as "not yet". Rejects after `timeoutMs` with
 * `describe` (a text, or a function called then) and the last error the check threw.
 */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  describe: string | (() => string),
  timeoutMs = 3000,
  everyMs = 10,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      const what = typeof describe === 'string' ? describe : describe();
      throw new Error(
        `timed out after ${timeoutMs} ms: ${what}${last === undefined ? '' : ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})`}`,
      );
    }
    await sleep(everyMs);
  }
}

/** {@link until} that resolves false instead of rejecting, for callers that report the outcome. */
export function waitUntil(check: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  return until(check, '', timeoutMs, everyMs).catch(() => false);
}
