// ProcessGroup: the processes of one [program:x] or [group:x], in supervisord's stored order.
import type { GroupConfig, GroupSpec, ProgramConfig } from './config.js';
import type { SupervisedProcess } from './process.js';
import { STOPPED_STATES } from './states.js';

export class ProcessGroup {
  readonly name: string;
  priority: number;
  /** The configuration the group was added from (compared by reloadConfig). */
  config: ProgramConfig | GroupConfig;
  spec: GroupSpec;
  /** Stored order: programs as listed, each program's processes by (priority, name). */
  processes: readonly SupervisedProcess[];

  constructor(spec: GroupSpec, config: ProgramConfig | GroupConfig, processes: SupervisedProcess[]) {
    this.name = spec.name;
    this.priority = spec.priority;
    this.spec = spec;
    this.config = config;
    this.processes = processes;
  }

  /** Takes a new configuration and process list (a reload plan); the caller retired what left. */
  reconfigure(spec: GroupSpec, config: ProgramConfig | GroupConfig, processes: SupervisedProcess[]): void {
    this.spec = spec;
    this.config = config;
    this.priority = spec.priority;
    this.processes = processes;
  }

  find(name: string): SupervisedProcess | undefined {
    return this.processes.find((p) => p.name === name);
  }

  /** Ascending priority, stable (start and stop requests). */
  byPriority(): SupervisedProcess[] {
    return [...this.processes].sort((a, b) => a.spec.priority - b.spec.priority);
  }

  /** Descending priority; equal priorities in reverse stored order (shutdown). */
  forShutdown(): SupervisedProcess[] {
    return [...this.processes].reverse().sort((a, b) => b.spec.priority - a.spec.priority);
  }

  allStopped(): boolean {
    return this.processes.every((p) => STOPPED_STATES.has(p.state));
  }
}
