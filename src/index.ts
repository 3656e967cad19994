// Public exports only.
export { ProcessManager } from './supervisor/manager.js';
export type { ManagerOptions, WaitOptions, ProcessResult, ActivityLogger, LogLevel } from './supervisor/manager.js';
export type { ProgramConfig, GroupConfig, ProcessSpec, ChannelSpec, Channel } from './supervisor/config.js';
export { PROGRAM_DEFAULTS } from './supervisor/config.js';
export type { ProcessInfo } from './supervisor/process-info.js';
export type { ManagerEvents, ProcessStateEvent, ProcessLogEvent } from './supervisor/events.js';
export {
  PROCESS_STATES,
  STATE_CODE,
  STOPPED_STATES,
  RUNNING_STATES,
  SIGNALLABLE_STATES,
  SUPERVISOR_STATE_CODE,
} from './supervisor/states.js';
export type { ProcessState, SupervisorState } from './supervisor/states.js';
export type { Clock, TimerHandle } from './supervisor/clock.js';
export { systemClock } from './supervisor/clock.js';
export * from './errors.js';
