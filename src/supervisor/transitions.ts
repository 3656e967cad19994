// The legal edges of supervisord's process state machine. Pure.
import type { ProcessState } from './states.js';

export const TRANSITIONS: Readonly<Record<ProcessState, readonly ProcessState[]>> = {
  STOPPED: ['STARTING'],
  STARTING: ['RUNNING', 'BACKOFF', 'STOPPING', 'UNKNOWN'],
  RUNNING: ['STOPPING', 'EXITED', 'UNKNOWN'],
  BACKOFF: ['STARTING', 'FATAL', 'STOPPED'],
  STOPPING: ['STOPPED', 'UNKNOWN'],
  EXITED: ['STARTING'],
  FATAL: ['STARTING'],
  UNKNOWN: [],
};

export function isLegalTransition(from: ProcessState, to: ProcessState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws when `from -> to` is not an edge of the machine: a bug in procvisor, never a user error. */
export function assertTransition(name: string, from: ProcessState, to: ProcessState): void {
  if (!isLegalTransition(from, to)) {
    throw new Error(`procvisor internal error: illegal transition ${from} -> ${to} for '${name}'`);
  }
}
