// What remains of the children after they were stopped: grandchildren left in their process groups
// or sessions, and descendants that left both. Ended at shutdown (SIGTERM, SIGKILL after 1 s),
// identified by pid and start time so a recycled pid is never signalled.
import { readFileSync } from 'node:fs';
import { familyOf, readProcEntry, readProcTable, type ProcEntry } from './proc-table.js';

/** The family of `roots`, read before anything is signalled (descendants still have their parents). */
export function snapshotFamily(roots: ReadonlySet<number>): ProcEntry[] {
  return roots.size ? familyOf(roots) : [];
}

/** Processes whose environment carries `mark` (`NAME=value`): descendants that left group and session. */
function markedIn(table: readonly ProcEntry[], mark: Buffer | undefined): number[] {
  if (!mark) return [];
  return table
    .filter((e) => {
      if (e.zombie || e.pid === process.pid) return false;
      try {
        return readFileSync(`/proc/${e.pid}/environ`).includes(mark);
      } catch {
        return false;
      }
    })
    .map((e) => e.pid);
}

function alive(snapshot: readonly ProcEntry[], roots: ReadonlySet<number>, mark?: Buffer): ProcEntry[] {
  const table = readProcTable();
  const same = (e: ProcEntry) => {
    const now = readProcEntry(e.pid);
    return now !== undefined && !now.zombie && now.starttime === e.starttime;
  };
  const known = snapshot.filter(same);
  const family = familyOf(new Set([...roots, ...known.map((e) => e.pid), ...markedIn(table, mark)]), table);
  const byPid = new Map(known.map((e) => [e.pid, e]));
  for (const e of family) if (!byPid.has(e.pid)) byPid.set(e.pid, e);
  byPid.delete(process.pid);
  return [...byPid.values()];
}

function signalAll(entries: readonly ProcEntry[], signal: NodeJS.Signals): void {
  for (const e of entries) {
    try {
      process.kill(e.pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Ends every survivor of the snapshot and of the roots' groups: SIGTERM, then SIGKILL after graceMs. */
export async function endFamily(snapshot: readonly ProcEntry[], roots: ReadonlySet<number>, mark?: string, graceMs = 1000): Promise<void> {
  const markBytes = mark === undefined ? undefined : Buffer.from(`${mark}\0`);
  let left = alive(snapshot, roots, markBytes);
  if (left.length === 0) return;
  signalAll(left, 'SIGTERM');
  // Real time on purpose: this waits on the kernel, not on supervised timers.
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline) {
    await new Promise<void>((r) => setTimeout(r, 20));
    left = alive(left, roots, markBytes);
    if (left.length === 0) return;
  }
  signalAll(alive(left, roots, markBytes), 'SIGKILL');
}
