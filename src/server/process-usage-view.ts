// CPU and memory of each process as the JSON API reports them: read from the process table at
// each request (one reading for all processes), with a CPU percentage computed against the
// previous reading of the same child, so two requests a second apart show the load between them.
import type { ProcessManager } from '../supervisor/manager.js';
import { makeNamespec } from '../supervisor/names.js';
import { readProcessUsage } from '../supervisor/process-usage.js';
import { type ProcessStatus, toStatus } from './json-api-status.js';

/** The `usage` field of a process status; null while there is no child. */
export interface ProcessUsageView {
  /** Processes in the tree (the child and its descendants). */
  processes: number;
  /** Resident memory of the tree, bytes. */
  rssBytes: number;
  /** CPU seconds used by the live processes of the tree. */
  cpuSeconds: number;
  /**
   * Percent of one core used by the tree since the previous reading of this child (at least
   * MIN_INTERVAL_MS earlier); null at the first reading.
   */
  cpuPercent: number | null;
}

export type ProcessStatusWithUsage = ProcessStatus & { usage: ProcessUsageView | null };

/** Readings closer together than this keep the previous percentage (too few ticks to measure). */
const MIN_INTERVAL_MS = 250;

/** A reading older than this is dropped. */
const FORGET_AFTER_MS = 10 * 60_000;

interface Reading {
  cpuSeconds: number;
  at: number;
  percent: number | null;
}

/** The previous reading of every child, per manager (a reload's new manager starts afresh). */
const previous = new WeakMap<ProcessManager, Map<number, Reading>>();

function percentSince(last: Reading | undefined, cpuSeconds: number, at: number): Reading {
  if (!last) return { cpuSeconds, at, percent: null };
  if (at - last.at < MIN_INTERVAL_MS) return last;
  const percent = Math.max(0, ((cpuSeconds - last.cpuSeconds) / ((at - last.at) / 1000)) * 100);
  return { cpuSeconds, at, percent: Math.round(percent * 10) / 10 };
}

/** Usage of the children of `pm` by pid (one reading of the process table). */
export function usageByPid(pm: ProcessManager, pids: readonly number[]): Map<number, ProcessUsageView> {
  const readings = previous.get(pm) ?? new Map<number, Reading>();
  previous.set(pm, readings);
  const at = Date.now();
  const out = new Map<number, ProcessUsageView>();
  for (const [pid, u] of readProcessUsage(pids)) {
    const reading = percentSince(readings.get(pid), u.cpuSeconds, at);
    readings.set(pid, reading);
    out.set(pid, { processes: u.processes, rssBytes: u.rssBytes, cpuSeconds: u.cpuSeconds, cpuPercent: reading.percent });
  }
  // Forget children not read for a while (they exited; pids are reused).
  for (const [pid, r] of readings) if (at - r.at > FORGET_AFTER_MS) readings.delete(pid);
  return out;
}

/**
 * Every process's JSON API status (with `restarts` and `nextRetryAt`, which getAllProcessInfo()
 * does not carry) and its usage, in getAllProcessInfo's order.
 */
export function statusesWithUsage(pm: ProcessManager): ProcessStatusWithUsage[] {
  const statuses = pm.getAllProcessInfo().map((info) => toStatus(pm.getProcessStatus(makeNamespec(info.group, info.name))));
  const usage = usageByPid(
    pm,
    statuses.map((s) => s.pid),
  );
  return statuses.map((s) => ({ ...s, usage: (s.pid && usage.get(s.pid)) || null }));
}

/** One process's status with its usage. @throws BadNameError */
export function statusWithUsage(pm: ProcessManager, namespec: string): ProcessStatusWithUsage {
  const s = toStatus(pm.getProcessStatus(namespec));
  return { ...s, usage: (s.pid && usageByPid(pm, [s.pid]).get(s.pid)) || null };
}
