// The process table: stat parsing against the kernel's own text, and families (a root, what its
// group or session holds, every descendant) from one indexed reading.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FamilyIndex, familyOf, readProcEntry, readProcTable, type ProcEntry } from '../../../src/supervisor/proc-table.js';

const row = (pid: number, ppid: number, pgrp = pid, sid = pgrp, zombie = false): ProcEntry => ({
  pid,
  ppid,
  pgrp,
  sid,
  starttime: pid,
  cputicks: 0,
  rsspages: 0,
  zombie,
});

describe.skipIf(process.platform !== 'linux')('reading /proc', () => {
  it('parses this process the way a plain split of /proc/self/stat does', () => {
    const text = readFileSync(`/proc/${process.pid}/stat`, 'latin1');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const e = readProcEntry(process.pid);
    expect(e).toMatchObject({ pid: process.pid, ppid: Number(f[1]), pgrp: Number(f[2]), sid: Number(f[3]), starttime: Number(f[19]), zombie: false });
    expect(e!.rsspages).toBeGreaterThan(0);
    expect(readProcTable().some((r) => r.pid === process.pid && r.ppid === process.ppid)).toBe(true);
  });

  it('a pid that does not exist reads as undefined', () => {
    expect(readProcEntry(2 ** 22 + 1)).toBeUndefined();
  });
});

describe('families', () => {
  // 10 leads group 10; 11 is its child; 12 (child of 11) left for its own group; 13 was
  // reparented to init but stayed in group 10; 14 is in session 10 only; 15 is a zombie child
  // of 10; 20 and 21 are unrelated.
  const table = [
    row(1, 0),
    row(10, 1),
    row(11, 10, 10),
    row(12, 11, 12, 12),
    row(13, 1, 10),
    row(14, 1, 14, 10),
    row(15, 10, 10, 10, true),
    row(20, 1),
    row(21, 20),
  ];

  it('holds the root, its group and session, and every live descendant', () => {
    const pids = (roots: number[]) =>
      new FamilyIndex(table)
        .family(roots)
        .map((e) => e.pid)
        .sort((a, b) => a - b);
    expect(pids([10])).toEqual([10, 11, 12, 13, 14]);
    expect(pids([20])).toEqual([20, 21]);
    expect(pids([11])).toEqual([11, 12]);
    expect(pids([99])).toEqual([]);
    expect(pids([10, 20, 11])).toEqual([10, 11, 12, 13, 14, 20, 21]);
    expect(familyOf(new Set([12]), table).map((e) => e.pid)).toEqual([12]);
  });

  it('finds every family of a big table from one index (5,000 roots, 20,000 rows)', () => {
    const big: ProcEntry[] = [row(1, 0)];
    for (let i = 0; i < 5000; i++) {
      const root = 100 + i * 4;
      big.push(row(root, 1), row(root + 1, root, root), row(root + 2, root + 1, root), row(root + 3, root + 2, root + 3));
    }
    const index = new FamilyIndex(big);
    let members = 0;
    for (let i = 0; i < 5000; i++) members += index.family([100 + i * 4]).length;
    expect(members).toBe(20000);
  });
});
