// What the kernel says about pids, read from /proc.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcRow {
  pid: number;
  ppid: number;
  pgrp: number;
  sid: number;
  state: string;
  cmd: string;
}

export function procTable(): ProcRow[] {
  const rows: ProcRow[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      rows.push({ pid: Number(name), state: f[0] ?? '', ppid: Number(f[1]), pgrp: Number(f[2]), sid: Number(f[3]), cmd });
    } catch {
      // raced with an exit
    }
  }
  return rows;
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live processes in the sessions or groups led by `leaders`, or descending from them. */
export function survivorsOf(leaders: Iterable<number>): ProcRow[] {
  const set = new Set(leaders);
  const rows = procTable().filter((r) => r.state !== 'Z');
  const out = new Set<number>();
  for (const r of rows) if (set.has(r.pid) || set.has(r.pgrp) || set.has(r.sid)) out.add(r.pid);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) {
      if (!out.has(r.pid) && out.has(r.ppid)) {
        out.add(r.pid);
        grew = true;
      }
    }
  }
  return rows.filter((r) => out.has(r.pid));
}
