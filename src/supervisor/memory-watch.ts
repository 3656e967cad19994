// Memory limits: one sampling timer for the whole manager, armed only while some process has a
// limit (or metrics were asked for). Each sample reads the process table once, sums the RSS of
// each process and its descendants (pidusage, batched), and reports a process that stays over its
// max_memory_mb for two samples in a row.
import pidusage from 'pidusage';
import type { Clock, TimerHandle } from './clock.js';
import { familyOf, readProcTable } from './proc-table.js';

export interface Sampled {
  readonly name: string;
  readonly group: string;
  readonly pid: number;
  /** max_memory_mb, or null to sample only (metrics). */
  readonly limitMb: number | null;
}

export interface Metrics {
  /** CPU of the process and its descendants, percent of one core, since the previous sample. */
  cpu: number;
  /** RSS of the process and its descendants, bytes. */
  rss: number;
  /** Epoch ms of the sample. */
  at: number;
}

export class MemoryWatch {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #targets: () => Sampled[];
  readonly #onOver: (target: Sampled, rss: number) => void;
  #timer: TimerHandle | undefined;
  #busy = false;
  /** Consecutive samples over the limit, by pid. */
  readonly #over = new Map<number, number>();
  /** Last metrics by pid. */
  readonly metrics = new Map<number, Metrics>();

  constructor(options: { clock: Clock; intervalMs: number; targets: () => Sampled[]; onOver: (target: Sampled, rss: number) => void }) {
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs;
    this.#targets = options.targets;
    this.#onOver = options.onOver;
  }

  /** Arms the timer if something is to be sampled and it is not armed; call after changes. */
  update(): void {
    if (this.#timer || this.#targets().length === 0) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.sample().finally(() => this.update());
    }, this.#intervalMs);
  }

  stop(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One sample of every target. */
  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const targets = this.#targets();
      const table = readProcTable();
      const families = targets.map((t) => familyOf(new Set([t.pid]), table).map((e) => e.pid));
      const all = [...new Set(families.flat())];
      const stats = all.length ? await pidusage(all).catch(() => ({}) as Record<string, pidusage.Status>) : {};
      const at = this.#clock.epochMs();
      const alive = new Set<number>();
      targets.forEach((t, i) => {
        let rss = 0;
        let cpu = 0;
        for (const pid of families[i] ?? []) {
          const s = (stats as Record<string, pidusage.Status | undefined>)[pid];
          rss += s?.memory ?? 0;
          cpu += s?.cpu ?? 0;
        }
        alive.add(t.pid);
        this.metrics.set(t.pid, { cpu, rss, at });
        if (t.limitMb === null) return;
        const over = rss > t.limitMb * 1024 * 1024 ? (this.#over.get(t.pid) ?? 0) + 1 : 0;
        this.#over.set(t.pid, over);
        if (over >= 2) {
          this.#over.delete(t.pid);
          this.#onOver(t, rss);
        }
      });
      for (const pid of [...this.#over.keys()]) if (!alive.has(pid)) this.#over.delete(pid);
      for (const pid of [...this.metrics.keys()]) if (!alive.has(pid)) this.metrics.delete(pid);
    } finally {
      this.#busy = false;
    }
  }
}
