// Waiting for a process to reach a state: a check evaluated at once and after each of the
// process's transitions, bounded by an AbortSignal that stops the waiting, never the process.
import type { EventEmitter } from 'eventemitter3';
import type { ManagerEvents, ProcessStateEvent } from './events.js';
import type { SupervisedProcess } from './process.js';

/** 'done', the error to reject with, or undefined to keep waiting. */
export type WaitCheck = () => 'done' | Error | undefined;

type Waiter = (ev: ProcessStateEvent) => void;

/**
 * The waiters of each manager, by process. One 'processState' listener per manager dispatches to
 * the waiters of the process concerned (present only while some wait is pending): with a listener
 * per waiter, a start-all of N programs that waits for them (startsecs > 0) called N listeners for
 * each of its 2N transitions.
 */
const waitersOf = new WeakMap<EventEmitter<ManagerEvents>, { byProcess: Map<string, Set<Waiter>>; dispatch: Waiter }>();

function addWaiter(events: EventEmitter<ManagerEvents>, key: string, w: Waiter): () => void {
  let entry = waitersOf.get(events);
  if (!entry) {
    const byProcess = new Map<string, Set<Waiter>>();
    const dispatch: Waiter = (ev) => {
      const set = byProcess.get(`${ev.group}\0${ev.name}`);
      // A copy: a waiter added while this event is delivered waits for the next one.
      if (set) for (const fn of [...set]) fn(ev);
    };
    entry = { byProcess, dispatch };
    waitersOf.set(events, entry);
    events.on('processState', dispatch);
  }
  const { byProcess, dispatch } = entry;
  let set = byProcess.get(key);
  if (!set) byProcess.set(key, (set = new Set()));
  set.add(w);
  return () => {
    if (!set.delete(w) || set.size > 0) return;
    byProcess.delete(key);
    if (byProcess.size === 0 && waitersOf.get(events)?.byProcess === byProcess) {
      waitersOf.delete(events);
      events.off('processState', dispatch);
    }
  };
}

/**
 * Resolves when `check` says done, rejects with its error. `onPending` runs only when the wait
 * does not end at once; it returns what to undo when the wait ends.
 */
export function waitForProcess(
  events: EventEmitter<ManagerEvents>,
  p: SupervisedProcess,
  check: WaitCheck,
  signal?: AbortSignal,
  onPending?: () => () => void,
): Promise<void> {
  const first = check();
  if (first === 'done') return Promise.resolve();
  if (first) return Promise.reject(first);
  return new Promise<void>((resolve, reject) => {
    const stopExtra = onPending?.();
    let removeWaiter = () => {};
    const cleanup = () => {
      removeWaiter();
      signal?.removeEventListener('abort', onAbort);
      stopExtra?.();
    };
    const listener = () => {
      const r = check();
      if (r === undefined) return;
      cleanup();
      if (r === 'done') resolve();
      else reject(r);
    };
    const onAbort = () => {
      cleanup();
      reject(signal?.reason ?? new Error('aborted'));
    };
    if (signal?.aborted) return onAbort();
    removeWaiter = addWaiter(events, `${p.group}\0${p.name}`, listener);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
