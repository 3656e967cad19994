// CPU and memory per process for the status page's columns and charts, answered at
// GET /status-page/usage.json. The manager samples only when asked to (metrics, or a program with
// max_memory_mb); where it has a sample (getProcessMetrics) that is used, otherwise one reading of
// /proc serves every process, at most once a second however many pages ask. Like the manager's
// sampler it sums each process with its descendants (a shell and the program it runs count as
// one), and CPU is percent of one core since the previous reading. Off Linux the table reads empty
// and every value is null.
import type { ProcessManager } from '../../supervisor/manager.js';
import { makeNamespec } from '../../supervisor/names.js';
import { FamilyIndex, readProcTable } from '../../supervisor/proc-table.js';

export interface Usage {
  /** Percent of one core since the previous sample; null until there are two samples. */
  cpu: number | null;
  /** Resident memory of the process and its descendants, bytes. */
  rss: number;
}

export interface UsageSnapshot {
  /** Epoch ms of the sample. */
  at: number;
  /** By namespec; processes without a child are left out. */
  processes: Record<string, Usage>;
}

/** Linux's page size and clock-tick rate as /proc reports them (4 KiB and 100 Hz on every common platform). */
const PAGE_BYTES = 4096;
const TICKS_PER_SECOND = 100;
/** Readings closer together than this are answered from the last one. */
const MIN_INTERVAL_MS = 1000;

export class UsageSampler {
  #last: UsageSnapshot | undefined;
  #lastPm: ProcessManager | undefined;
  /** CPU ticks per pid at the previous reading. */
  #ticks = new Map<number, { ticks: number; at: number }>();

  sample(pm: ProcessManager, now = Date.now()): UsageSnapshot {
    if (this.#last && this.#lastPm === pm && now - this.#last.at < MIN_INTERVAL_MS) return this.#last;
    const running = pm.getAllProcessInfo().filter((p) => p.pid !== 0);
    const processes: Record<string, Usage> = {};
    const unsampled: { namespec: string; pid: number }[] = [];
    for (const p of running) {
      const namespec = makeNamespec(p.group, p.name);
      const m = pm.getProcessMetrics(namespec);
      if (m) processes[namespec] = { cpu: m.cpu, rss: m.rss };
      else unsampled.push({ namespec, pid: p.pid });
    }
    if (unsampled.length) this.#read(unsampled, processes, now);
    this.#last = { at: now, processes };
    this.#lastPm = pm;
    return this.#last;
  }

  #read(targets: readonly { namespec: string; pid: number }[], out: Record<string, Usage>, now: number): void {
    const index = new FamilyIndex(readProcTable());
    const ticksNow = new Map<number, { ticks: number; at: number }>();
    for (const { namespec, pid } of targets) {
      const family = index.family([pid]);
      if (family.length === 0) continue;
      const ticks = family.reduce((n, e) => n + e.cputicks, 0);
      const prev = this.#ticks.get(pid);
      const cpu = prev && now > prev.at ? Math.max(0, ((ticks - prev.ticks) / TICKS_PER_SECOND / ((now - prev.at) / 1000)) * 100) : null;
      ticksNow.set(pid, { ticks, at: now });
      out[namespec] = { cpu, rss: family.reduce((n, e) => n + e.rsspages * PAGE_BYTES, 0) };
    }
    this.#ticks = ticksNow;
  }
}
