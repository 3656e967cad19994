// Waiting for a process to reach a state: a check evaluated at once and after each of the
// process's transitions, bounded by an AbortSignal that stops the waiting, never the process.
import type { EventEmitter } from 'eventemitter3';
import type { ManagerEvents, ProcessStateEvent } from './events.js';
import type { SupervisedProcess } from './process.js';

/** 'done', the error to reject with, or undefined to keep waiting. */
export type WaitCheck = () => 'done' | Error | undefined;

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
    const cleanup = () => {
      events.off('processState', listener);
      signal?.removeEventListener('abort', onAbort);
      stopExtra?.();
    };
    const listener = (ev: ProcessStateEvent) => {
      if (ev.name !== p.name || ev.group !== p.group) return;
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
    events.on('processState', listener);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
