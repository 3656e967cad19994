// ProcessGroup: the processes of one [program:x] or [group:x], in supervisord's stored order.
import type { GroupConfig, GroupSpec, ProgramConfig } from './config.js';
import { compareNames } from './names.js';
import type { SupervisedProcess } from './process.js';
import { STOPPED_STATES } from './states.js';

export class ProcessGroup {
  readonly name: string;
  priority: number;
  /** The configuration the group was added from (compared by reloadConfig). */
  config: ProgramConfig | GroupConfig;
  spec: GroupSpec;
  #processes: readonly SupervisedProcess[] = [];
  /** The same processes by name: every state change looks its process up. */
  #byName = new Map<string, SupervisedProcess>();
  /** The same processes sorted by name, made when first asked for. */
  #nameOrder: readonly SupervisedProcess[] | undefined;

  constructor(spec: GroupSpec, config: ProgramConfig | GroupConfig, processes: SupervisedProcess[]) {
    this.name = spec.name;
    this.priority = spec.priority;
    this.spec = spec;
    this.config = config;
    this.#take(processes);
  }

  /** Takes a new configuration and process list (a reload plan); the caller retired what left. */
  reconfigure(spec: GroupSpec, config: ProgramConfig | GroupConfig, processes: SupervisedProcess[]): void {
    this.spec = spec;
    this.config = config;
    this.priority = spec.priority;
    this.#take(processes);
  }

  /** Stored order: programs as listed, each program's processes by (priority, name). */
  get processes(): readonly SupervisedProcess[] {
    return this.#processes;
  }

  #take(processes: SupervisedProcess[]): void {
    this.#processes = processes;
    this.#byName = new Map(processes.map((p) => [p.name, p]));
    this.#nameOrder = undefined;
  }

  /** The processes sorted by name (getAllProcessInfo's order within a group). */
  processesByName(): readonly SupervisedProcess[] {
    return (this.#nameOrder ??= [...this.#processes].sort((a, b) => compareNames(a.name, b.name)));
  }

  find(name: string): SupervisedProcess | undefined {
    return this.#byName.get(name);
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
