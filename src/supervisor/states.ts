// Process and supervisor state vocabulary, with supervisord's names and numeric codes.

export const PROCESS_STATES = ['STOPPED', 'STARTING', 'RUNNING', 'BACKOFF', 'STOPPING', 'EXITED', 'FATAL', 'UNKNOWN'] as const;
export type ProcessState = (typeof PROCESS_STATES)[number];

export const STATE_CODE = {
  STOPPED: 0,
  STARTING: 10,
  RUNNING: 20,
  BACKOFF: 30,
  STOPPING: 40,
  EXITED: 100,
  FATAL: 200,
  UNKNOWN: 1000,
} as const satisfies Record<ProcessState, number>;

/** States in which no child exists and a start request is accepted (supervisord's STOPPED_STATES). */
export const STOPPED_STATES: ReadonlySet<ProcessState> = new Set(['STOPPED', 'EXITED', 'FATAL', 'UNKNOWN']);
/** States a start request refuses with ALREADY_STARTED and a stop request accepts. */
export const RUNNING_STATES: ReadonlySet<ProcessState> = new Set(['RUNNING', 'BACKOFF', 'STARTING']);
/** States in which a child exists and may be signalled. */
export const SIGNALLABLE_STATES: ReadonlySet<ProcessState> = new Set(['RUNNING', 'STARTING', 'STOPPING']);

/** The supervisor's own state ("mood"). */
export const SUPERVISOR_STATE_CODE = { FATAL: 2, RUNNING: 1, RESTARTING: 0, SHUTDOWN: -1 } as const;
export type SupervisorState = keyof typeof SUPERVISOR_STATE_CODE;
