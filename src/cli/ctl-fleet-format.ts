// What `procvisorctl fleet ...` prints: aligned tables of the fleet API's nodes, programs and
// processes (one line per process, in supervisorctl status's style), and per-node action results.
import { formatUptime } from '../supervisor/process-info.js';

/** A node as GET /api/fleet/nodes lists it. */
export interface FleetNode {
  name: string;
  labels?: Record<string, string>;
  alive?: boolean;
  self?: boolean;
  joinedAt?: string | number;
  statusAt?: string | number | null;
  processes?: number;
}

export interface FleetPlacement {
  nodes?: string[];
  labels?: Record<string, string>;
  singleton?: boolean;
}

/** A program as GET /api/fleet/programs lists it. */
export interface FleetProgram {
  name: string;
  placement?: FleetPlacement;
  config?: Record<string, unknown>;
  updatedAt?: string | number;
  nodes?: string[];
  holder?: string | null;
}

/** A process as GET /api/fleet/processes lists it. */
export interface FleetProcessRow {
  node: string;
  alive?: boolean;
  stale?: boolean;
  program?: string;
  group: string;
  name: string;
  statename: string;
  pid?: number;
  start?: number;
  uptime?: number;
  restarts?: number;
  rss?: number | null;
  /** False for the node's own programs (its configuration, not the fleet). */
  fleet?: boolean;
}

/** A process's result within a node's answer: supervisord's {name, group, status, description}. */
export interface FleetProcessResult {
  namespec?: string;
  name?: string;
  group?: string;
  /** supervisord's fault code; 80 (SUCCESS) when it worked. */
  status?: number;
  code?: string;
  description?: string;
}

/** One entry of a fleet action's {results}: one per node. */
export interface FleetActionResult {
  node: string;
  ok: boolean;
  results?: FleetProcessResult[];
  error?: string | { code?: string; message?: string };
}

/** Rows as columns separated by two spaces, each as wide as its widest cell; no trailing blanks. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

const labelText = (labels: Record<string, string> | undefined): string =>
  Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

// Timestamps may come as ISO text, epoch milliseconds or epoch seconds; 0 means "never".
function epochMs(t: string | number | null | undefined): number | undefined {
  if (t === null || t === undefined || t === '' || t === 0) return undefined;
  if (typeof t === 'number') return t > 1e11 ? t : t * 1000;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** "5s ago", "3m ago", "2h ago", "4d ago"; "-" when unknown. */
export function ago(t: string | number | null | undefined, nowMs: number): string {
  const ms = epochMs(t);
  if (ms === undefined) return '-';
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.floor(s / 60)}m ago`;
  if (s < 172800) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** `fleet nodes`. */
export function formatNodes(nodes: readonly FleetNode[], nowMs: number): string[] {
  if (nodes.length === 0) return ['No nodes in the fleet.'];
  const rows = nodes.map((n) => [
    n.self ? `${n.name} *` : n.name,
    n.alive ? 'up' : 'DOWN',
    String(n.processes ?? 0),
    ago(n.statusAt, nowMs),
    labelText(n.labels) || '-',
  ]);
  return table([['NODE', 'ALIVE', 'PROCS', 'STATUS', 'LABELS'], ...rows]);
}

/** A placement in words: "every node", "nodes a,b", "labels role=web", "singleton on nodes a,b". */
export function placementText(p: FleetPlacement | undefined): string {
  const parts: string[] = [];
  if (p?.nodes && p.nodes.length > 0) parts.push(`nodes ${p.nodes.join(',')}`);
  if (p?.labels && Object.keys(p.labels).length > 0) parts.push(`labels ${labelText(p.labels)}`);
  const where = parts.length > 0 ? parts.join(' + ') : 'every node';
  return p?.singleton ? `singleton on ${where}` : where;
}

/** `fleet programs`. */
export function formatPrograms(programs: readonly FleetProgram[]): string[] {
  if (programs.length === 0) return ['No fleet programs.'];
  const rows = programs.map((p) => {
    const running = p.nodes && p.nodes.length > 0 ? p.nodes.join(',') : '-';
    return [p.name, placementText(p.placement), p.placement?.singleton ? `${running} (holder ${p.holder ?? 'none'})` : running];
  });
  return table([['PROGRAM', 'PLACEMENT', 'RUNNING ON'], ...rows]);
}

/** supervisorctl status's description of a running process, with what the fleet adds. */
function processDescription(p: FleetProcessRow): string {
  const notes: string[] = [];
  if (p.statename === 'RUNNING' && p.pid) notes.push(`pid ${p.pid}, uptime ${formatUptime(p.uptime ?? 0)}`);
  if (p.restarts) notes.push(`restarts ${p.restarts}`);
  if (p.fleet === false) notes.push('local');
  if (p.alive === false) notes.push('node down');
  else if (p.stale) notes.push('stale');
  return notes.join(', ');
}

/** `fleet status [program]`: node, namespec, state, description. */
export function formatProcesses(processes: readonly FleetProcessRow[]): string[] {
  const rows = processes.map((p) => [p.node, p.group === p.name ? p.name : `${p.group}:${p.name}`, p.statename, processDescription(p)]);
  return table(rows);
}

const PAST: Record<string, string> = { start: 'started', stop: 'stopped', restart: 'restarted' };
const SUCCESS = 80;

function errorText(e: FleetActionResult['error']): string {
  if (e === undefined) return 'failed';
  if (typeof e === 'string') return e;
  return e.message ?? e.code ?? 'failed';
}

const succeeded = (p: FleetProcessResult): boolean => (p.status === undefined ? p.code === undefined || p.code === 'SUCCESS' : p.status === SUCCESS);

function namespecOf(p: FleetProcessResult): string {
  if (p.namespec) return p.namespec;
  return p.group && p.name && p.group !== p.name ? `${p.group}:${p.name}` : (p.name ?? p.group ?? '?');
}

// A restart answers with the stop's results then the start's: the last one per process tells.
function lastPerProcess(results: readonly FleetProcessResult[]): FleetProcessResult[] {
  const byName = new Map<string, FleetProcessResult>();
  for (const p of results) {
    byName.delete(namespecOf(p));
    byName.set(namespecOf(p), p);
  }
  return [...byName.values()];
}

/** `fleet start|stop|restart NAME`: one line per process (or per node when it gives none). */
export function formatActionResults(action: string, results: readonly FleetActionResult[]): string[] {
  if (results.length === 0) return ['No node runs it.'];
  const lines: string[] = [];
  for (const r of results) {
    if (!r.ok) {
      lines.push(`${r.node}: ERROR (${errorText(r.error)})`);
      continue;
    }
    if (!r.results || r.results.length === 0) {
      lines.push(`${r.node}: ${PAST[action] ?? 'done'}`);
      continue;
    }
    for (const p of lastPerProcess(r.results)) {
      const why = [p.code, p.description].filter(Boolean).join(': ') || `status ${p.status}`;
      lines.push(`${r.node}: ${namespecOf(p)}: ${succeeded(p) ? (PAST[action] ?? 'done') : `ERROR (${why})`}`);
    }
  }
  return lines;
}

/** True when every node and every process in an action's results succeeded. */
export function actionSucceeded(results: readonly FleetActionResult[]): boolean {
  return results.every((r) => r.ok && lastPerProcess(r.results ?? []).every(succeeded));
}
