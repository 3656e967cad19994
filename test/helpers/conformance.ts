// Shared assertions for the core conformance suite: fault checks, the one-event-per-transition
// chain, and child output captured from `processLog` events.
import { afterEach, expect } from 'vitest';
import { FAULTS, isSupervisorError, type FaultName, type SupervisorError } from '../../src/errors.js';
import type { ManagerOptions, ProcessManager, ProcessState, ProcessStateEvent } from '../../src/index.js';
import { captureLog } from './activity-log.js';
import { FakeClock } from './fake-clock.js';
import { createTestManager } from './manager.js';
import { recordStates } from './wait-for.js';

/** Asserts that `fn` throws (or the promise rejects with) a SupervisorError with this fault. */
export async function expectFault(call: Promise<unknown> | (() => unknown), code: FaultName, faultString?: string): Promise<SupervisorError> {
  let error: unknown;
  let returned: unknown;
  try {
    returned = typeof call === 'function' ? await call() : await call;
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`expected fault ${code}, got a result: ${JSON.stringify(returned)}`);
  if (!isSupervisorError(error))
    throw new Error(`expected fault ${code}, got ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
  expect({ code: error.code, faultCode: error.faultCode }).toEqual({ code, faultCode: FAULTS[code] });
  if (faultString !== undefined) expect(error.faultString).toBe(faultString);
  return error;
}

/** Synchronous variant for methods that throw synchronously. */
export function expectFaultSync(fn: () => unknown, code: FaultName, faultString?: string): SupervisorError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!isSupervisorError(error))
    throw new Error(`expected fault ${code}, got ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
  expect(error.code).toBe(code);
  if (faultString !== undefined) expect(error.faultString).toBe(faultString);
  return error;
}

/**
 * Exactly one event per transition: the events of one process form an unbroken chain starting
 * at STOPPED (each `from` is the previous `to`), every step changes the state, and the chain
 * ends in the process's current state.
 */
export function expectChain(pm: ProcessManager, events: readonly ProcessStateEvent[], namespec: string): void {
  const [group, name] = namespec.includes(':') ? (namespec.split(':') as [string, string]) : [namespec, namespec];
  const mine = events.filter((e) => e.name === name && e.group === group);
  let at: ProcessState = 'STOPPED';
  const seen = mine.map((e) => `${e.from}->${e.to}`);
  for (const e of mine) {
    if (e.from !== at || e.from === e.to)
      throw new Error(`broken event chain for ${namespec} at ${e.from}->${e.to} (expected from ${at}): [${seen.join(', ')}]`);
    at = e.to;
  }
  expect(pm.getProcessInfo(namespec).statename, `chain [${seen.join(', ')}]`).toBe(at);
}

/** Collects child output from processLog events (needs `*_events_enabled: true`). */
export class OutputCapture {
  readonly #chunks: { name: string; channel: string; pid: number; data: string }[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(pm: ProcessManager) {
    pm.on('processLog', (e) => {
      this.#chunks.push({ name: e.name, channel: e.channel, pid: e.pid, data: e.data.toString('utf8') });
      for (const w of [...this.#waiters]) w();
    });
  }

  text(name: string, channel: 'stdout' | 'stderr' = 'stdout', pid?: number): string {
    return this.#chunks
      .filter((c) => c.name === name && c.channel === channel && (pid === undefined || c.pid === pid))
      .map((c) => c.data)
      .join('');
  }

  /** Resolves once the process's output on `channel` matches; rejects after timeoutMs. */
  waitFor(name: string, pattern: RegExp, channel: 'stdout' | 'stderr' = 'stdout', timeoutMs = 3000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this.text(name, channel).match(pattern);
        if (!m) return false;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(m);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${name} ${channel} to match ${String(pattern)}; got ${JSON.stringify(this.text(name, channel))}`,
          ),
        );
      }, timeoutMs);
      if (!check()) this.#waiters.add(check);
    });
  }
}

/** Shell commands used as fast fixtures (no Node start-up cost). */
export const SH = {
  /** Stays up until a line arrives on stdin, then exits with that line as its code. */
  exitOnStdin: ['/bin/sh', '-c', 'read code; exit $code'],
  sleep: 'sleep 1000',
} as const;

const fakeTimeManagers: ProcessManager[] = [];

// On a FakeClock no SIGKILL escalation happens unless the test advances time, so a test that
// fails while a child ignores SIGTERM would leave createTestManager's shutdown waiting forever.
// This hook runs before that one (vitest runs after-hooks in reverse order) and ends such
// managers with a forced shutdown, bounded.
afterEach(async () => {
  const list = fakeTimeManagers.splice(0);
  await Promise.all(
    list.map((pm) => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`forced shutdown did not finish: ${JSON.stringify(pm.getAllProcessInfo().map((p) => `${p.name}:${p.statename}`))}`)),
          5000,
        );
      });
      return Promise.race([pm.shutdown({ force: true }), bound]).finally(() => clearTimeout(timer));
    }),
  );
});

/** A test manager with a FakeClock, a captured activity log, and recorded state events. */
export function fakeTimeManager(options: ManagerOptions = {}) {
  const clock = new FakeClock();
  const log = captureLog();
  const pm = createTestManager({ clock, logger: log, ...options });
  fakeTimeManagers.push(pm);
  const events = recordStates(pm);
  return { clock, log, pm, events };
}

/** A test manager on the real clock, with a captured activity log and recorded state events. */
export function realTimeManager(options: ManagerOptions = {}) {
  const log = captureLog();
  const pm = createTestManager({ logger: log, ...options });
  const events = recordStates(pm);
  return { log, pm, events };
}

/** Lets pending I/O callbacks (child exits, pipe data) run; not a wait for anything specific. */
export function macrotask(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
