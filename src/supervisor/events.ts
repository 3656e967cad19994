// The events a ProcessManager emits, with typed payloads.
import type { ProcessState, SupervisorState } from './states.js';
import type { Channel } from './config.js';

/** One process state transition. Exactly one event per transition. */
export interface ProcessStateEvent {
  name: string;
  group: string;
  from: ProcessState;
  to: ProcessState;
  /** Pid of the child concerned (0 when none, e.g. STOPPED from BACKOFF). */
  pid: number;
  /** For EXITED: exit code in exitcodes. For STOPPED: whether the exit code was in exitcodes. */
  expected?: boolean;
  /** The exit status recorded (-1 after a signal death) on EXITED/STOPPED. */
  exitstatus?: number;
  /** The spawn error text, on BACKOFF/FATAL. */
  spawnerr?: string;
  /** supervisord's `tries`: the backoff counter, on STARTING and BACKOFF. */
  tries?: number;
  /** Epoch milliseconds. */
  time: number;
  /** On a transition caused by the child's death (EXITED, BACKOFF, STOPPED): its exit code or signal. */
  death?: { code: number | null; signal: NodeJS.Signals | null };
}

/** A chunk of output, for programs with `stdout_events_enabled` / `stderr_events_enabled`. */
export interface ProcessLogEvent {
  name: string;
  group: string;
  pid: number;
  channel: Channel;
  data: Buffer;
}

/**
 * Where a chunk written to a process's log stays readable after the call: the channel's in-memory
 * log (the newest 64 KiB by default), at offsets counted since its last clear.
 */
export interface KeptOutput {
  /** The offset after the newest byte (the chunk just given ends here). */
  readonly memoryEnd: number;
  /** Clears so far: offsets read before a clear name other bytes. */
  readonly clears: number;
  /** The bytes `[from, to)` still held (their beginning may be gone), or undefined. */
  kept(clears: number, from: number, to: number): Buffer | undefined;
}

/**
 * An output listener that copies what it keeps: `event.data` is only valid during the call. `log`
 * is where the chunk was logged, to read it back later without a copy (undefined for output that
 * was not logged: capture mode, an event listener's protocol).
 */
export type OutputTap = (event: ProcessLogEvent, log: KeptOutput | undefined) => void;

export type ManagerEvents = {
  processState: [event: ProcessStateEvent];
  /** Output of channels with `*_events_enabled`, in pieces of at most 64 KiB (PROCESS_LOG_* events). */
  processLog: [event: ProcessLogEvent];
  /** Every chunk any process writes (whatever `*_events_enabled` says): live log views. */
  processOutput: [event: ProcessLogEvent];
  processGroupAdded: [name: string];
  processGroupRemoved: [name: string];
  supervisorState: [state: SupervisorState];
  /** A process stayed over its max_memory_mb and is being restarted. */
  memoryLimit: [event: { name: string; group: string; pid: number; rss: number; limitMb: number }];
  /** A fault inside procvisor itself (never a program failure, which is a state). */
  error: [error: Error];
};
