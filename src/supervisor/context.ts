// What the manager's concepts (commands, autostart, reload, shutdown) share: the registry of
// groups, the event emitter, the host every process runs on, and the supervisor's state.
import type { EventEmitter } from 'eventemitter3';
import type { ManagerEvents } from './events.js';
import type { ProcessHost } from './process.js';
import type { Registry } from './registry.js';
import type { SupervisorState } from './states.js';

export interface ManagerContext {
  readonly registry: Registry;
  readonly events: EventEmitter<ManagerEvents>;
  readonly host: ProcessHost;
  /** The supervisor's state (written only by the manager). */
  mood(): SupervisorState;
}
