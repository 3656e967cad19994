// Memory limits: one sampling timer for the whole manager, armed only while some process has a
// limit (or metrics were asked for). Each sample reads the process table once and takes RSS and
// CPU time from that same reading (pidusage would read every /proc/<pid>/stat a second time: 3×
// the cost at 500 processes), sums them over each process and its descendants, and reports a
// process that stays over its max_memory_mb for two samples in a row.
import type { Clock, TimerHandle } from './clock.js';
import { FamilyIndex, readProcTable } from './proc-table.js';
import { PAGE_BYTES, TICKS_PER_SECOND } from './process-usage.js';

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

  /** CPU ticks per process at the previous sample, for CPU percentages. */
  #lastTicks = new Map<number, { ticks: number; at: number }>();

  /** One sample of every target. */
  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const targets = this.#targets();
      const index = new FamilyIndex(readProcTable());
      const at = this.#clock.epochMs();
      const alive = new Set<number>();
      for (const t of targets) {
        const family = index.family([t.pid]);
        const rss = family.reduce((n, e) => n + e.rsspages * PAGE_BYTES, 0);
        const ticks = family.reduce((n, e) => n + e.cputicks, 0);
        const prev = this.#lastTicks.get(t.pid);
        const cpu = prev && at > prev.at ? Math.max(0, ((ticks - prev.ticks) / TICKS_PER_SECOND / ((at - prev.at) / 1000)) * 100) : 0;
        this.#lastTicks.set(t.pid, { ticks, at });
        alive.add(t.pid);
        this.metrics.set(t.pid, { cpu, rss, at });
        if (t.limitMb === null) continue;
        const over = rss > t.limitMb * 1024 * 1024 ? (this.#over.get(t.pid) ?? 0) + 1 : 0;
        this.#over.set(t.pid, over);
        if (over >= 2) {
          this.#over.delete(t.pid);
          this.#onOver(t, rss);
        }
      }
      for (const map of [this.#over, this.metrics, this.#lastTicks] as Map<number, unknown>[]) {
        for (const pid of [...map.keys()]) if (!alive.has(pid)) map.delete(pid);
      }
    } finally {
      this.#busy = false;
    }
  }
}
