// The kernel's process table, read from /proc (Linux): to end what is left of the children at
// shutdown, and for memory sampling; elsewhere it reads as empty.
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';

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

// Fields of /proc/<pid>/stat counted from the state letter after ") ": 0 state, 1 ppid, 2 pgrp,
// 3 session, 11 utime, 12 stime, 19 starttime, 21 rss. Read in place: splitting all 50 fields of
// every process was half the cost of a sample.
function parseStat(pid: number, stat: string): ProcEntry {
  let at = stat.lastIndexOf(')') + 2;
  const fields: number[] = [];
  for (let index = 1; index <= 21; index++) {
    at = stat.indexOf(' ', at) + 1;
    if (index === 1 || index === 2 || index === 3 || index === 11 || index === 12 || index === 19 || index === 21) {
      let n = 0;
      for (let c = stat.charCodeAt(at); c >= 0x30 && c <= 0x39; c = stat.charCodeAt(++at)) n = n * 10 + (c - 0x30);
      fields[index] = n;
    }
  }
  return {
    pid,
    ppid: fields[1] as number,
    pgrp: fields[2] as number,
    sid: fields[3] as number,
    starttime: fields[19] as number,
    cputicks: (fields[11] as number) + (fields[12] as number),
    rsspages: fields[21] as number,
    zombie: stat.charCodeAt(stat.lastIndexOf(')') + 2) === 0x5a /* Z */,
  };
}

// /proc/<pid>/stat is at most a few hundred bytes; one buffer serves every read (readFileSync
// would stat, allocate and read twice per file: ~20% slower over a table of 500).
const statBuffer = Buffer.allocUnsafe(4096);

function readStat(pid: number | string): string {
  const fd = openSync(`/proc/${pid}/stat`, 'r');
  try {
    return statBuffer.toString('latin1', 0, readSync(fd, statBuffer, 0, statBuffer.length, 0));
  } finally {
    closeSync(fd);
  }
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
    const c = name.charCodeAt(0);
    if (c < 0x30 || c > 0x39) continue;
    try {
      rows.push(parseStat(Number(name), readStat(name)));
    } catch {
      // raced with an exit
    }
  }
  return rows;
}

export function readProcEntry(pid: number): ProcEntry | undefined {
  try {
    return parseStat(pid, readStat(pid));
  } catch {
    return undefined;
  }
}

/**
 * Live processes led by `roots` (as session, group or process) and all their descendants, from one
 * reading of the table.
 */
export function familyOf(roots: ReadonlySet<number>, table: readonly ProcEntry[] = readProcTable()): ProcEntry[] {
  return new FamilyIndex(table).family(roots);
}

/** One table indexed by parent, group and session, for the families of many roots in linear time. */
export class FamilyIndex {
  readonly #byPid = new Map<number, ProcEntry>();
  readonly #children = new Map<number, ProcEntry[]>();
  readonly #led = new Map<number, ProcEntry[]>();

  constructor(table: readonly ProcEntry[]) {
    const add = (map: Map<number, ProcEntry[]>, key: number, e: ProcEntry) => {
      const list = map.get(key);
      if (list) list.push(e);
      else map.set(key, [e]);
    };
    for (const e of table) {
      if (e.zombie) continue;
      this.#byPid.set(e.pid, e);
      add(this.#children, e.ppid, e);
      add(this.#led, e.pgrp, e);
      if (e.sid !== e.pgrp) add(this.#led, e.sid, e);
    }
  }

  /** The live processes led by `roots` (as session, group or process) and their descendants. */
  family(roots: Iterable<number>): ProcEntry[] {
    const seen = new Set<ProcEntry>();
    const queue: ProcEntry[] = [];
    const visit = (e: ProcEntry | undefined) => {
      if (e && !seen.has(e)) {
        seen.add(e);
        queue.push(e);
      }
    };
    for (const root of roots) {
      visit(this.#byPid.get(root));
      for (const e of this.#led.get(root) ?? []) visit(e);
    }
    for (let i = 0; i < queue.length; i++) for (const child of this.#children.get((queue[i] as ProcEntry).pid) ?? []) visit(child);
    return queue;
  }
}
