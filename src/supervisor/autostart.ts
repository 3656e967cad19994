// Autostart: processes with autostart=true that were never started are started when the manager
// starts and when their group is added later; a process whose group has depends_on waits until
// those dependencies are satisfied, checked after each transition (at the next evaluation).
import type { TimerHandle } from './clock.js';
import type { ManagerContext } from './context.js';
import { dependenciesOf, isSatisfied } from './dependencies.js';
import type { ProcessGroup } from './group.js';
import type { SupervisedProcess } from './process.js';

export class Autostart {
  readonly #ctx: ManagerContext;
  /** start() was called: autostart applies to groups as they are added. */
  #started = false;
  /** Autostart processes waiting for their dependencies. */
  readonly #waiting = new Set<SupervisedProcess>();
  #timer: TimerHandle | undefined;

  constructor(ctx: ManagerContext) {
    this.#ctx = ctx;
  }

  get started(): boolean {
    return this.#started;
  }

  /**
   * The manager starts: autostart every group now, and groups added from now on. `notify`
   * programs' sockets must exist before they start and send READY=1: they are waited for first
   * (nothing starts if a shutdown began meanwhile); `starting` runs just before the first spawn.
   */
  async begin(groups: readonly ProcessGroup[], starting: () => void): Promise<void> {
    const sockets = groups.flatMap((g) => g.processes.flatMap((p) => p.notifySocketReady ?? []));
    if (sockets.length > 0) {
      await Promise.all(sockets);
      if (this.#ctx.mood() !== 'RUNNING') return;
    }
    starting();
    this.#started = true;
    this.run(groups);
  }

  /** Starts the autostart processes of `groups` that were never started (once begun). */
  run(groups: readonly ProcessGroup[]): void {
    if (!this.#started) return;
    for (const g of groups) {
      for (const p of g.processes) {
        // Only a process that is STOPPED and was never attempted; with depends_on, once satisfied.
        if (!p.spec.autostart || p.state !== 'STOPPED' || !p.neverStarted) continue;
        if (this.#dependenciesMet(g)) p.spawn();
        else this.#waiting.add(p);
      }
    }
  }

  /** After any transition: start waiting dependents whose dependencies are now satisfied. */
  schedule(): void {
    if (this.#waiting.size === 0 || this.#timer) return;
    const { clock } = this.#ctx.host;
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#ctx.mood() !== 'RUNNING') return;
      for (const p of [...this.#waiting]) {
        const g = this.#ctx.registry.get(p.group);
        if (!g || g.find(p.name) !== p || p.state !== 'STOPPED' || !p.neverStarted) {
          this.#waiting.delete(p);
          continue;
        }
        if (this.#dependenciesMet(g)) {
          this.#waiting.delete(p);
          p.spawn();
        }
      }
    }, 0);
  }

  /** Nothing waits any more (shutdown). */
  clear(): void {
    this.#ctx.host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting.clear();
  }

  #dependenciesMet(g: ProcessGroup): boolean {
    return dependenciesOf(g.spec).every((d) => {
      const dep = this.#ctx.registry.get(d.name);
      if (!dep) return false;
      return isSatisfied(
        d.condition,
        dep.processes.map((m) => ({ state: m.state, exitstatus: m.info().exitstatus, exitcodes: m.spec.exitcodes, neverStarted: m.neverStarted })),
      );
    });
  }
}
