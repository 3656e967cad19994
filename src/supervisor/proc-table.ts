// The kernel's process table, read from /proc (Linux). Used only to end what is left of the
// children at shutdown; elsewhere it reads as empty.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  sid: number;
  /** Clock ticks since boot at which the process started: tells a pid from its reuse. */
  starttime: number;
  /** CPU time used (user + system), clock ticks. */
  cputicks: number;
  /** Resident set size, pages. */
  rsspages: number;
  zombie: boolean;
}

function parseStat(pid: number, stat: string): ProcEntry {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    sid: Number(f[3]),
    starttime: Number(f[19]),
    cputicks: Number(f[11]) + Number(f[12]),
    rsspages: Number(f[21]),
    zombie: f[0] === 'Z',
  };
}

export function readProcTable(): ProcEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const rows: ProcEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      rows.push(parseStat(Number(name), readFileSync(`/proc/${name}/stat`, 'utf8')));
    } catch {
      // raced with an exit
    }
  }
  return rows;
}

export function readProcEntry(pid: number): ProcEntry | undefined {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Live processes led by `roots` (as session, group or process) and all their descendants, from one
 * reading of the table.
 */
export function familyOf(roots: ReadonlySet<number>, table: readonly ProcEntry[] = readProcTable()): ProcEntry[] {
  const live = table.filter((r) => !r.zombie);
  const out = new Set<number>();
  for (const r of live) if (roots.has(r.pid) || roots.has(r.pgrp) || roots.has(r.sid)) out.add(r.pid);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of live) {
      if (!out.has(r.pid) && out.has(r.ppid)) {
        out.add(r.pid);
        grew = true;
      }
    }
  }
  return live.filter((r) => out.has(r.pid));
}
