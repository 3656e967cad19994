// Where the JSON API keeps the program definitions it manages. The ProcessManager's active groups
// stay the truth about what runs; the store is the truth about what is defined and enabled.
import type { ProgramConfig } from '../supervisor/config.js';
import { ApiError } from './json-api-http.js';

/** One program definition managed through the API. */
export interface StoredProgram {
  /** The program (and group) name; equal to `config.name`. */
  name: string;
  /** Disabled programs are kept but never run: their group is not in the manager. */
  enabled: boolean;
  /** The definition as given (supervisord option names), without defaults filled in. */
  config: ProgramConfig;
  /** Defined by the configuration outside the API (a store backed by config files lists those too): never changed through the API. */
  readOnly?: boolean;
  /** The file that defines it, for stores backed by files. */
  file?: string;
}

/** Refuses to change a read-only program. @throws ApiError 403 */
export function refuseReadOnly(p: StoredProgram): void {
  if (p.readOnly)
    throw new ApiError(403, 'FORBIDDEN', `program ${p.name} is defined in ${p.file ?? 'the configuration'}, not through the API: change it there`, {
      field: 'name',
    });
}

type Awaitable<T> = T | Promise<T>;

/**
 * Storage of program definitions. Methods may be synchronous or return promises (a store backed
 * by a configuration file, a database). Implementations must not let callers alias their data.
 */
export interface ProgramStore {
  /** Every program, in any order. */
  list(): Awaitable<StoredProgram[]>;
  get(name: string): Awaitable<StoredProgram | undefined>;
  /** Creates or replaces the program named `program.name`. */
  put(program: StoredProgram): Awaitable<void>;
  /** Returns false when there was no such program. */
  delete(name: string): Awaitable<boolean>;
  /**
   * The definition as the store will give it back, when that differs from what was put (a store
   * of configuration files gives back what the file holds); the API then runs that form.
   */
  canonical?(config: ProgramConfig): ProgramConfig;
}

/** A ProgramStore in memory (lost when the process ends). */
export class MemoryProgramStore implements ProgramStore {
  /** Programs by name. */
  readonly #programs = new Map<string, StoredProgram>();

  constructor(programs: Iterable<StoredProgram> = []) {
    for (const p of programs) this.put(p);
  }

  list(): StoredProgram[] {
    return [...this.#programs.values()].map((p) => structuredClone(p));
  }

  get(name: string): StoredProgram | undefined {
    const p = this.#programs.get(name);
    return p && structuredClone(p);
  }

  put(program: StoredProgram): void {
    this.#programs.set(program.name, structuredClone(program));
  }

  delete(name: string): boolean {
    return this.#programs.delete(name);
  }
}
