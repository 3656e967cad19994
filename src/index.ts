// Public exports only.
export { ProcessManager } from './config-file/process-manager.js';
export type { ManagerOptions, WaitOptions, ProcessResult, ActivityLogger, LogLevel } from './supervisor/manager.js';
export type { ProgramConfig, GroupConfig, ProcessSpec, ChannelSpec, Channel } from './supervisor/config.js';
export { PROGRAM_DEFAULTS } from './supervisor/config.js';
export type { ProcessInfo, ProcessStatusInfo } from './supervisor/process-info.js';
export type { ManagerEvents, OutputTap, KeptOutput, ProcessStateEvent, ProcessLogEvent } from './supervisor/events.js';
// supervisord's events and event listener pools (pm.events).
export type { EventHub } from './supervisor/event-hub.js';
export type { DeliveredEvent } from './supervisor/event-bus.js';
export type { EventData, EventOf, EventTypeName, ConcreteEventName } from './supervisor/event-types.js';
export { EVENT_TYPE_NAMES } from './supervisor/event-types.js';
export type { EventListenerConfig } from './supervisor/listener-config.js';
export type { ListenerState } from './supervisor/event-pool.js';
export { PROCESS_STATES, STATE_CODE, STOPPED_STATES, RUNNING_STATES, SIGNALLABLE_STATES, SUPERVISOR_STATE_CODE } from './supervisor/states.js';
export type { ProcessState, SupervisorState } from './supervisor/states.js';
export type { Clock, TimerHandle } from './supervisor/clock.js';
export { systemClock } from './supervisor/clock.js';
export * from './errors.js';

// Configuration files (supervisord.conf) and other formats.
export { readSupervisordConfig, parseSupervisordConfig } from './config-file/config-file.js';
export { toSupervisordConf } from './config-file/emit.js';
export type { SupervisordConfig, ReadConfigResult, EmitConfig, SupervisordSection } from './config-file/config-types.js';
export { toSystemdUnits, processUnit, daemonUnit } from './config-file/systemd.js';

// procvisor's opt-in options.
export type { ExtensionConfig, Dependency, DependencyCondition, PortConfig } from './supervisor/extensions.js';
export type { LoggingConfig } from './supervisor/log-options.js';
export type { BackoffPolicy } from './supervisor/backoff.js';
export type { ReadinessConfig, ReadyCheck } from './supervisor/readiness.js';
export type { ReloadPlan } from './supervisor/reload-plan.js';
export type { ChangePlan, ApplyOptions, ConfigSource, GroupEntry } from './supervisor/reload.js';
export type { ProcessDetails, GroupDetails, ConfiguredGroup } from './supervisor/read-model.js';
export type { Metrics } from './supervisor/memory-watch.js';
