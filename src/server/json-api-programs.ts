// Programs as resources: definitions in a ProgramStore, runtime in the ProcessManager. Every
// change is validated in full before anything is touched; changes to one program are serialized.
import { isDeepStrictEqual } from 'node:util';
import { AlreadyAddedError, BadNameError, FAULTS, isSupervisorError } from '../errors.js';
import type { ProgramConfig } from '../supervisor/config.js';
import type { ApplyResult, ChangePlan } from '../supervisor/reload.js';
import type { ProcessManager } from '../supervisor/manager.js';
import { ApiError, expectObject, type JsonObject } from './json-api-http.js';
import { mergePatch, parseProgramBody } from './json-api-program-config.js';
import { type ActionResult, type ProcessStatus, toActionResult, toStatus } from './json-api-status.js';
import { type ProgramStore, refuseReadOnly, type StoredProgram } from './json-api-store.js';
import { checkApiPlan } from './api-input-limits.js';

/** A program as the API shows it. */
export interface ProgramView {
  name: string;
  enabled: boolean;
  /** The stored definition differs from the one its processes run (it applies at the next start). */
  pending: boolean;
  config: ProgramConfig;
  processes: ProcessStatus[];
  /** Defined by the configuration outside the API: listed, not changeable here. */
  readOnly?: boolean;
}

/** How an edit took effect. */
export type Applied = 'now' | 'next-start' | 'restarted';

export interface EditOptions {
  /** PATCH: merge the body into the stored definition (JSON merge patch); PUT replaces it. */
  merge: boolean;
  /** Stop, swap and start again when processes are running. */
  restart: boolean;
  /** Wait for the restarted processes to be RUNNING. */
  wait: boolean;
}

/** Starts each namespec, in parallel, collecting supervisord-style results. */
async function startEach(pm: ProcessManager, namespecs: string[], wait: boolean): Promise<ActionResult[]> {
  return Promise.all(
    namespecs.map(async (ns) => {
      const info = pm.getProcessInfo(ns);
      const base = { name: info.name, group: info.group };
      try {
        await pm.startProcess(ns, { wait });
        return toActionResult({ ...base, status: FAULTS.SUCCESS, description: 'OK' });
      } catch (e) {
        if (!isSupervisorError(e)) throw e;
        return toActionResult({ ...base, status: e.faultCode, description: e.faultString });
      }
    }),
  );
}

export class ProgramService {
  readonly store: ProgramStore;
  readonly #manager: () => ProcessManager;
  /** The tail of each program's queue of changes; absent when idle. */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(manager: () => ProcessManager, store: ProgramStore) {
    this.#manager = manager;
    this.store = store;
  }

  /** The definition in the store's own form (a file-backed store gives back what its file holds). */
  #canonical(config: ProgramConfig): ProgramConfig {
    return this.store.canonical ? this.store.canonical(config) : config;
  }

  /** Runs `fn` after every earlier change to program `name` has finished. */
  async #serialize<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.#locks.get(name) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    this.#locks.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(name) === tail) this.#locks.delete(name);
    }
  }

  async #stored(name: string): Promise<StoredProgram> {
    const p = await this.store.get(name);
    if (!p) throw new BadNameError(name);
    return p;
  }

  view(p: StoredProgram): ProgramView {
    const group = this.#manager().getGroupDetails(p.name);
    return {
      name: p.name,
      enabled: p.enabled,
      pending: group !== undefined && !isDeepStrictEqual(group.config, p.config),
      config: p.config,
      processes: group ? group.processes.map((proc) => toStatus(proc)) : [],
      ...(p.readOnly ? { readOnly: true } : {}),
    };
  }

  async list(): Promise<ProgramView[]> {
    const all = await this.store.list();
    return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((p) => this.view(p));
  }

  async get(name: string): Promise<ProgramView> {
    return this.view(await this.#stored(name));
  }

  /** Validates, stores and adds a program; it autostarts as any added group does. */
  async create(body: unknown): Promise<ProgramView> {
    const config = this.#canonical(parseProgramBody(body));
    return this.#serialize(config.name, async () => {
      const pm = this.#manager();
      if ((await this.store.get(config.name)) || pm.getGroupDetails(config.name)) throw new AlreadyAddedError(config.name);
      checkApiPlan(pm.planChanges({ upsert: [config] }), config, pm.identifier);
      const stored: StoredProgram = { name: config.name, enabled: true, config };
      await this.store.put(stored);
      try {
        pm.addProcessGroup(config);
      } catch (e) {
        await this.store.delete(config.name);
        throw e;
      }
      return this.view(stored);
    });
  }

  /**
   * Replaces (PUT) or merges into (PATCH) a definition. Stopped programs take it at once;
   * running ones at their next start, or now with `restart` — which restarts only the processes
   * whose change needs it (command, environment, …) and applies the rest live.
   */
  async edit(name: string, body: unknown, options: EditOptions): Promise<{ program: ProgramView; applied: Applied; results?: ActionResult[] }> {
    return this.#serialize(name, async () => {
      const current = await this.#stored(name);
      refuseReadOnly(current);
      const patch = expectObject(body, true);
      const config = this.#canonical(parseProgramBody(options.merge ? mergePatch(current.config as unknown as JsonObject, patch) : patch, name));
      const pm = this.#manager();
      const plan = pm.planChanges({ upsert: [config] });
      checkApiPlan(plan, config, pm.identifier);
      const next: StoredProgram = { ...current, config };
      const group = current.enabled ? pm.getGroupDetails(name) : undefined;
      if (!group || group.allStopped) {
        await this.store.put(next);
        if (group) await this.#applyOrRestore(pm, plan, current);
        return { program: this.view(next), applied: 'now' };
      }
      if (!options.restart) {
        await this.store.put(next);
        return { program: this.view(next), applied: 'next-start' };
      }
      const oldNames = new Set(group.processes.map((p) => p.name));
      await this.store.put(next);
      const { wereRunning } = await this.#applyOrRestore(pm, plan, current);
      const added = (pm.getGroupDetails(name)?.processes ?? []).filter((p) => !oldNames.has(p.name) && p.autostart).map((p) => p.namespec);
      const results = await startEach(pm, [...wereRunning, ...added], options.wait);
      return { program: this.view(next), applied: 'restarted', results };
    });
  }

  /**
   * Applies an edit's plan without starting anything new (the caller starts what was running);
   * on failure the store gets its previous definition back.
   */
  async #applyOrRestore(pm: ProcessManager, plan: ChangePlan, previous: StoredProgram): Promise<ApplyResult> {
    try {
      return await pm.apply(plan, { autostart: false, restart: false });
    } catch (e) {
      await this.store.put(previous);
      throw e;
    }
  }

  /** Stops (waiting) and removes a program. */
  async remove(name: string): Promise<void> {
    return this.#serialize(name, async () => {
      refuseReadOnly(await this.#stored(name));
      await this.#takeDown(this.#manager(), name);
      await this.store.delete(name);
    });
  }

  async #takeDown(pm: ProcessManager, name: string): Promise<void> {
    if (!pm.getGroupDetails(name)) return;
    await pm.apply(pm.planChanges({ remove: [name] }));
  }

  /** Enable re-adds the group (autostarting); disable stops and removes it, keeping the definition. */
  async setEnabled(name: string, enabled: boolean): Promise<ProgramView> {
    return this.#serialize(name, async () => {
      const current = await this.#stored(name);
      refuseReadOnly(current);
      const pm = this.#manager();
      const next = { ...current, enabled };
      if (!enabled) {
        await this.#takeDown(pm, name);
        await this.store.put(next);
        return this.view(next);
      }
      if (!pm.getGroupDetails(name)) pm.addProcessGroup(current.config);
      if (!current.enabled) await this.store.put(next);
      return this.view(next);
    });
  }

  /**
   * Before a start through the API: refuses disabled programs, and puts a pending definition (or
   * a group missing from a fresh manager) in place when nothing of it is running.
   */
  prepareStart(name: string): Promise<void> {
    return this.#serialize(name, () => this.#prepareStart(name));
  }

  async #prepareStart(name: string): Promise<void> {
    const stored = await this.store.get(name);
    if (!stored) return;
    if (!stored.enabled) throw new ApiError(409, 'DISABLED', `program ${name} is disabled`);
    const pm = this.#manager();
    const group = pm.getGroupDetails(name);
    if (group && (!group.allStopped || isDeepStrictEqual(group.config, stored.config))) return;
    await pm.apply(pm.planChanges({ upsert: [stored.config] }), { autostart: false, restart: false });
  }

  /** start / stop / restart of a whole program, with per-process results. */
  async act(name: string, action: 'start' | 'stop' | 'restart', wait: boolean): Promise<{ program: ProgramView; results: ActionResult[] }> {
    return this.#serialize(name, async () => {
      const stored = await this.#stored(name);
      const pm = this.#manager();
      let results: ActionResult[] = [];
      if (action === 'stop') {
        if (pm.getGroupDetails(name)) results = (await pm.stopProcessGroup(name, { wait })).map(toActionResult);
        return { program: this.view(stored), results };
      }
      if (!stored.enabled) throw new ApiError(409, 'DISABLED', `program ${name} is disabled`);
      if (action === 'restart' && pm.getGroupDetails(name)) await pm.stopProcessGroup(name, { wait: true });
      await this.#prepareStart(name);
      results = (await pm.startProcessGroup(name, { wait })).map(toActionResult);
      return { program: this.view(stored), results };
    });
  }

  /** Adds every enabled program missing from the current manager (after a daemon reload). */
  async sync(): Promise<string[]> {
    const pm = this.#manager();
    const added: string[] = [];
    for (const p of await this.store.list()) {
      if (!p.enabled || p.readOnly || pm.getGroupDetails(p.name)) continue;
      await this.#serialize(p.name, async () => {
        if (pm.getGroupDetails(p.name)) return;
        pm.addProcessGroup(p.config);
        added.push(p.name);
      });
    }
    return added;
  }
}
