// CPU time and memory of supervised processes, each counted over its whole tree (the child, the
// processes it leads as group or session leader, and all their descendants), from one reading of
// the kernel's process table. Read on demand (a metrics scrape, a status request); the periodic
// sampler of memory limits is separate.
import { FamilyIndex, type ProcEntry, readProcTable } from './proc-table.js';

/** Linux's page size and clock-tick rate as /proc reports them (4 KiB and 100 Hz on every common platform). */
export const PAGE_BYTES = 4096;
export const TICKS_PER_SECOND = 100;

/** What one process tree uses right now. */
export interface ProcessUsage {
  /** The root (the supervised child). */
  pid: number;
  /** Live processes in the tree (1 when the child has no descendants). */
  processes: number;
  /** Resident set size of the tree, bytes. */
  rssBytes: number;
  /** CPU time (user + system) of the live processes of the tree, seconds. */
  cpuSeconds: number;
}

/** The usage of each tree rooted at `pids` (0 and vanished pids are left out). */
export function readProcessUsage(pids: Iterable<number>, table: readonly ProcEntry[] = readProcTable()): Map<number, ProcessUsage> {
  const index = new FamilyIndex(table);
  const out = new Map<number, ProcessUsage>();
  for (const pid of pids) {
    if (pid <= 0) continue;
    const family = index.family([pid]);
    if (family.length === 0) continue;
    const rssBytes = family.reduce((n, e) => n + e.rsspages * PAGE_BYTES, 0);
    const ticks = family.reduce((n, e) => n + e.cputicks, 0);
    out.set(pid, { pid, processes: family.length, rssBytes, cpuSeconds: ticks / TICKS_PER_SECOND });
  }
  return out;
}
