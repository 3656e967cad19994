// Reload plans: what a new configuration changes, process by process. A change to how a process
// is spawned (command, environment, directory, user, umask, log files, redirect, port) needs a
// restart; anything else (autorestart, startsecs, retries, exit codes, stop signal and wait,
// priority, log rotation limits, backoff, readiness, memory limit) applies to the live process; a
// change of the `logging` extension restarts it (its log files are set up per process). Pure.
import type { GroupSpec, ProcessSpec } from './config.js';

export interface ReloadPlan {
  /** Groups only in the new configuration. */
  added: string[];
  /** Groups only in the current one. */
  removed: string[];
  /** Processes (namespec `group:name`) to stop, replace and start again if they were running. */
  restart: string[];
  /** Processes whose changes apply without a restart. */
  live: string[];
  /** Processes new in a group that stays (numprocs grew). */
  addedProcesses: string[];
  /** Processes gone from a group that stays (numprocs shrank). */
  removedProcesses: string[];
  /** The resolved new configuration, by group name. @internal */
  readonly next: ReadonlyMap<string, GroupSpec>;
}

const SPAWN_FIELDS = ['command', 'environment', 'directory', 'user', 'umask', 'redirect_stderr', 'serverurl'] as const;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** 'same', 'live' (applies without a restart) or 'restart'. */
export function diffProcess(a: ProcessSpec, b: ProcessSpec): 'same' | 'live' | 'restart' {
  if (same(a, b)) return 'same';
  for (const k of SPAWN_FIELDS) if (!same(a[k], b[k])) return 'restart';
  for (const ch of ['stdout', 'stderr'] as const) if (a[ch].logfile !== b[ch].logfile) return 'restart';
  if (!same(a.ext.port, b.ext.port)) return 'restart';
  if (!same(a.ext.logging, b.ext.logging)) return 'restart'; // the log files are set up per process
  return 'live';
}

export function planReload(current: readonly GroupSpec[], next: readonly GroupSpec[]): ReloadPlan {
  const cur = new Map(current.map((g) => [g.name, g]));
  const nxt = new Map(next.map((g) => [g.name, g]));
  const plan: ReloadPlan = { added: [], removed: [], restart: [], live: [], addedProcesses: [], removedProcesses: [], next: nxt };
  for (const g of next) if (!cur.has(g.name)) plan.added.push(g.name);
  for (const g of current) {
    const n = nxt.get(g.name);
    if (!n) {
      plan.removed.push(g.name);
      continue;
    }
    if (!same(g.listener, n.listener) || !same(g.socket, n.socket)) {
      // An event listener pool that changes, or another fcgi socket (or none): the group is replaced.
      plan.removed.push(g.name);
      plan.added.push(g.name);
      continue;
    }
    const before = new Map(g.processes.map((p) => [p.name, p]));
    const after = new Map(n.processes.map((p) => [p.name, p]));
    for (const [name, p] of after) {
      const old = before.get(name);
      const ns = `${g.name}:${name}`;
      if (!old) plan.addedProcesses.push(ns);
      else {
        const d = diffProcess(old, p);
        if (d === 'restart') plan.restart.push(ns);
        else if (d === 'live' || g.priority !== n.priority) plan.live.push(ns);
      }
    }
    for (const name of before.keys()) if (!after.has(name)) plan.removedProcesses.push(`${g.name}:${name}`);
  }
  return plan;
}

/**
 * supervisord's reloadConfig at group granularity: [added, changed, removed] group names, each
 * sorted. "changed" = the group's priority or any of its processes' configuration differs.
 */
export function diffGroups(current: readonly GroupSpec[], next: readonly GroupSpec[]): [string[], string[], string[]] {
  const cur = new Map(current.map((g) => [g.name, g]));
  const nxt = new Map(next.map((g) => [g.name, g]));
  const added = next.filter((g) => !cur.has(g.name)).map((g) => g.name);
  const changed = next.filter((g) => cur.has(g.name) && !same(cur.get(g.name), g)).map((g) => g.name);
  const removed = current.filter((g) => !nxt.has(g.name)).map((g) => g.name);
  return [added.sort(), changed.sort(), removed.sort()];
}
