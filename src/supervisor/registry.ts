// The registry: the active groups and their processes, looked up by namespec and listed in
// supervisord's orders. The one place that holds which groups exist; only the reload session
// (reload.ts) adds and removes them.
import { BadNameError, IncorrectParametersError } from '../errors.js';
import type { ProcessGroup } from './group.js';
import { compareNames, parseNamespec } from './names.js';
import type { SupervisedProcess } from './process.js';

export class Registry {
  readonly #groups = new Map<string, ProcessGroup>();
  /** The groups by name, made when asked for after a group came or went (getAllProcessInfo's order). */
  #nameOrder: ProcessGroup[] | undefined;

  has(name: string): boolean {
    return this.#groups.has(name);
  }

  get(name: string): ProcessGroup | undefined {
    return this.#groups.get(name);
  }

  /** Adds a group (the reload session's apply step). */
  set(group: ProcessGroup): void {
    this.#groups.set(group.name, group);
    this.#nameOrder = undefined;
  }

  /** Removes a group (the reload session's apply step). */
  delete(name: string): void {
    this.#groups.delete(name);
    this.#nameOrder = undefined;
  }

  /** The group named `name`, or BAD_NAME. */
  group(name: string): ProcessGroup {
    const g = this.#groups.get(name);
    if (!g) throw new BadNameError(name);
    return g;
  }

  /** Active groups in supervisord's order: ascending priority, then name. */
  ordered(): ProcessGroup[] {
    return [...this.#groups.values()].sort((a, b) => a.priority - b.priority || compareNames(a.name, b.name));
  }

  /** Whether some process satisfies `pred` (without building the list of all of them). */
  someProcess(pred: (p: SupervisedProcess) => boolean): boolean {
    for (const g of this.#groups.values()) for (const p of g.processes) if (pred(p)) return true;
    return false;
  }

  /** Every process, in insertion order of their groups (no particular order). */
  processes(): SupervisedProcess[] {
    return [...this.#groups.values()].flatMap((g) => g.processes);
  }

  /**
   * Every process ordered by group name then process name (getAllProcessInfo's order), from
   * orders kept until a group or a group's process list changes: a status of thousands of
   * processes sorted them all at every call.
   */
  processesByName(): SupervisedProcess[] {
    this.#nameOrder ??= [...this.#groups.values()].sort((a, b) => compareNames(a.name, b.name));
    const all: SupervisedProcess[] = [];
    for (const g of this.#nameOrder) for (const p of g.processesByName()) all.push(p);
    return all;
  }

  /** Every process of every group, groups by ascending priority, each group's by priority. */
  processesByPriority(): SupervisedProcess[] {
    return this.ordered().flatMap((g) => g.byPriority());
  }

  /** `name`, `group:name` or `group:*` → the group and, unless a whole group, the process. */
  resolve(namespec: string): { group: ProcessGroup; process: SupervisedProcess | null } {
    if (typeof namespec !== 'string') throw new IncorrectParametersError(undefined, 'namespec must be a string');
    const { group: gname, process: pname } = parseNamespec(namespec);
    const group = this.#groups.get(gname);
    if (!group) throw new BadNameError(namespec);
    if (pname === null) return { group, process: null };
    const proc = group.find(pname);
    if (!proc) throw new BadNameError(namespec);
    return { group, process: proc };
  }

  /** The one process a namespec names (a whole group is BAD_NAME). */
  process(namespec: string): SupervisedProcess {
    const { process } = this.resolve(namespec);
    if (!process) throw new BadNameError(namespec);
    return process;
  }
}
