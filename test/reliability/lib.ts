// Shared pieces of the reliability suite: seeds and a seeded PRNG, figures recorded for the final
// summary, /proc readers (children, zombies, descendants, marked processes) and a bounded wait.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '../..');
/** Where each suite leaves its figures for the summary reporter. */
export const FIGURES_DIR = join(ROOT, '.tmp/reliability');

/** RELIABILITY_QUICK=1 shortens everything (development runs). */
export const QUICK = process.env.RELIABILITY_QUICK === '1' || process.env.RELIABILITY_QUICK === 'true';

/** `full` in a real run, `quick` with RELIABILITY_QUICK=1. */
export function scale<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}

/** A seed from `envName` (to replay a run), else a fresh one; printed either way. */
export function seedFrom(envName: string, label: string): number {
  const given = process.env[envName];
  const seed = given !== undefined && given !== '' ? Number(given) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  process.stdout.write(`[${label}] seed ${seed}${given ? ` (from ${envName})` : ''} — replay with ${envName}=${seed}\n`);
  return seed;
}

/** mulberry32: a small seeded PRNG. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Records one suite's figures (merged into the summary and RESULTS.md by the reporter). */
export function recordFigures(section: string, figures: Record<string, unknown>): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const file = join(FIGURES_DIR, `${section}.json`);
  let prev: Record<string, unknown> = {};
  try {
    prev = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first figures of this section
  }
  writeFileSync(file, JSON.stringify({ ...prev, ...figures }, null, 2));
}

/** Prints a figure line right away (the summary repeats the important ones). */
export function say(label: string, text: string): void {
  process.stdout.write(`[${label}] ${text}\n`);
}

/** A promise bounded in time: rejects with `what` after `ms`. */
export function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

// ---- /proc -----------------------------------------------------------------------------------

export interface Proc {
  pid: number;
  ppid: number;
  pgrp: number;
  sid: number;
  /** One-letter state: R, S, T (stopped), Z (zombie) … */
  state: string;
  /** Start time in clock ticks since boot (pid + starttime identifies a process). */
  start: string;
}

/** Parses /proc/PID/stat, or undefined if the process is gone. */
export function readProc(pid: number): Proc | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, state: f[0] ?? '', ppid: Number(f[1]), pgrp: Number(f[2]), sid: Number(f[3]), start: f[19] ?? '' };
}

/** Every process, from /proc. */
export function procs(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) > 57 || !/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** The environment variable `key` of `pid` (undefined if unreadable or unset). */
export function envOf(pid: number, key: string): string | undefined {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    const prefix = `${key}=`;
    for (const kv of env.split('\0')) if (kv.startsWith(prefix)) return kv.slice(prefix.length);
  } catch {
    // gone
  }
  return undefined;
}

/** The command line of `pid` ('' if gone). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** Number of open file descriptors of this process. */
export function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Our zombie children (exited, never reaped). */
export function zombieChildren(table = procs()): Proc[] {
  return table.filter((p) => p.ppid === process.pid && p.state === 'Z');
}

/** Processes descending from `roots` or in their process groups or sessions (zombies included). */
export function familyOf(roots: ReadonlySet<number>, table = procs()): Proc[] {
  const fam = new Set<number>();
  for (const p of table) if (roots.has(p.pid) || roots.has(p.pgrp) || roots.has(p.sid)) fam.add(p.pid);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table) {
      if (!fam.has(p.pid) && fam.has(p.ppid)) {
        fam.add(p.pid);
        grew = true;
      }
    }
  }
  return table.filter((p) => fam.has(p.pid));
}

/** Live (non-zombie) processes whose environment carries `KEY=value`. */
export function markedProcs(key: string, value: string): Proc[] {
  const needle = `${key}=${value}\0`;
  const out: Proc[] = [];
  for (const p of procs()) {
    if (p.pid === process.pid || p.state === 'Z') continue;
    try {
      if (readFileSync(`/proc/${p.pid}/environ`, 'latin1').includes(needle)) out.push(p);
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * Every process ever seen, by pid and start time: `alive()` lists those still running (the same
 * process, not a recycled pid, not a zombie).
 */
export class SeenProcesses {
  readonly #seen = new Map<number, string>();
  add(p: Proc): void {
    this.#seen.set(p.pid, p.start);
  }
  get size(): number {
    return this.#seen.size;
  }
  alive(): Proc[] {
    const out: Proc[] = [];
    for (const [pid, start] of this.#seen) {
      const now = readProc(pid);
      if (now && now.start === start && now.state !== 'Z') out.push(now);
    }
    return out;
  }
}

/** Percentile (0..100) of an ascending-sorted array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}
