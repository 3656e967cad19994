// The kernel's orphaned-process-group rule, applied for our children. Under supervisord a child
// leads its own process group inside supervisord's session; when it exits, its group becomes
// orphaned, and the kernel sends SIGHUP then SIGCONT to the group if any member is stopped, so a
// SIGSTOP'd grandchild is woken and hung up rather than left behind for ever. Our children lead
// their own sessions (which the no-orphan guarantees rely on), so their groups are orphaned from
// the start and the kernel never sends those signals. After a child exits we do what the kernel
// would have done under supervisord: every orphaned process group of its session that has a
// stopped member gets SIGHUP, then SIGCONT. Linux only (reads /proc); elsewhere nothing happens.
import { readFileSync } from 'node:fs';
import { readProcTable, type ProcEntry } from './proc-table.js';

/** The state letter of /proc/<pid>/stat (T stopped, t traced-stop, Z zombie...), or undefined. */
function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return undefined;
  }
}

/**
 * Groups of session `sid` that are orphaned (no member's parent is in another group of the same
 * session) and hold a stopped member, given a process table read after the session leader exited.
 */
export function stoppedOrphanedGroups(sid: number, table: readonly ProcEntry[], state: (pid: number) => string | undefined = stateOf): number[] {
  const members = table.filter((e) => e.sid === sid && !e.zombie);
  const byPid = new Map(table.map((e) => [e.pid, e]));
  const groups = new Map<number, ProcEntry[]>();
  for (const e of members) {
    const list = groups.get(e.pgrp);
    if (list) list.push(e);
    else groups.set(e.pgrp, [e]);
  }
  const out: number[] = [];
  for (const [pgrp, list] of groups) {
    const anchored = list.some((e) => {
      const parent = byPid.get(e.ppid);
      return parent !== undefined && !parent.zombie && parent.sid === sid && parent.pgrp !== pgrp;
    });
    if (!anchored && list.some((e) => state(e.pid) === 'T')) out.push(pgrp);
  }
  return out;
}

/**
 * After child `pid` (a session leader) exited: SIGHUP then SIGCONT to each orphaned group of its
 * session that has a stopped member. Returns the groups signalled.
 */
export function hangUpStoppedOrphans(pid: number): number[] {
  let groups: number[];
  try {
    groups = stoppedOrphanedGroups(pid, readProcTable());
  } catch {
    return [];
  }
  for (const pgrp of groups) {
    for (const signal of ['SIGHUP', 'SIGCONT'] as const) {
      try {
        process.kill(-pgrp, signal);
      } catch {
        // gone meanwhile
      }
    }
  }
  return groups;
}
