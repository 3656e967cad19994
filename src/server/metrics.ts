// GET /metrics: the Prometheus text exposition format (version 0.0.4). Per supervised process
// (labels `group` and `name`): up, one-hot state, start time, restarts, and CPU and memory of its
// whole process tree; then the supervisor's own state and the standard `process_*` metrics of the
// supervisor process itself. Served behind the same authentication as everything else.
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProcessManager } from '../supervisor/manager.js';
import { makeNamespec } from '../supervisor/names.js';
import { readProcessUsage } from '../supervisor/process-usage.js';
import { PROCESS_STATES, SUPERVISOR_STATE_CODE } from '../supervisor/states.js';
import type { Route } from './http-server.js';

export interface MetricsOptions {
  /** The current manager (a getter: a daemon reload replaces it). */
  manager: () => ProcessManager;
  /** Path served. Default `/metrics`. */
  path?: string;
}

type Labels = Readonly<Record<string, string>>;
type Sample = [labels: Labels, value: number];

/** One metric family: HELP and TYPE lines, then its samples. */
interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Sample[];
}

/** A label value with `\`, `"` and newlines escaped, as the text format requires. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Renders families in the text exposition format. */
export function renderFamilies(families: readonly Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`);
    for (const [labels, value] of f.samples) {
      const keys = Object.keys(labels);
      const text = keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(labels[k] as string)}"`).join(',')}}` : '';
      out.push(`${f.name}${text} ${formatValue(value)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function family(name: string, type: Family['type'], help: string, samples: Sample[] = []): Family {
  return { name, type, help, samples };
}

/** The metric families of the supervised processes. */
export function processFamilies(pm: ProcessManager): Family[] {
  const statuses = pm.getAllProcessInfo().map((info) => pm.getProcessStatus(makeNamespec(info.group, info.name)));
  const usage = readProcessUsage(statuses.map((s) => s.pid));
  const up = family('procvisor_process_up', 'gauge', 'Whether the process is RUNNING (1) or not (0).');
  const state = family('procvisor_process_state', 'gauge', "The process's supervisord state: 1 for the current one, 0 for the others.");
  const start = family('procvisor_process_start_time_seconds', 'gauge', 'Epoch seconds of the last start attempt; 0 if never started.');
  const restarts = family('procvisor_process_restarts_total', 'counter', 'Start attempts after the first since the process was added.');
  const pid = family('procvisor_process_pid', 'gauge', 'Pid of the current child; 0 when there is none.');
  const cpu = family('procvisor_process_cpu_seconds_total', 'counter', 'CPU time (user + system) of the live processes of the tree, seconds.');
  const rss = family('procvisor_process_resident_memory_bytes', 'gauge', 'Resident memory of the process and its descendants, bytes.');
  const count = family('procvisor_process_tree_processes', 'gauge', 'Live processes in the tree (the child and its descendants).');
  for (const s of statuses) {
    const labels = { group: s.group, name: s.name };
    up.samples.push([labels, s.statename === 'RUNNING' ? 1 : 0]);
    for (const st of PROCESS_STATES) state.samples.push([{ ...labels, state: st }, s.statename === st ? 1 : 0]);
    start.samples.push([labels, s.start]);
    restarts.samples.push([labels, s.restarts]);
    pid.samples.push([labels, s.pid]);
    const u = s.pid ? usage.get(s.pid) : undefined;
    if (!u) continue;
    cpu.samples.push([labels, u.cpuSeconds]);
    rss.samples.push([labels, u.rssBytes]);
    count.samples.push([labels, u.processes]);
  }
  return [up, state, start, restarts, pid, cpu, rss, count];
}

/** supervisord's own state, one-hot. */
function supervisorFamilies(pm: ProcessManager): Family[] {
  const current = pm.getState().statename;
  const states = Object.keys(SUPERVISOR_STATE_CODE) as (keyof typeof SUPERVISOR_STATE_CODE)[];
  return [
    family(
      'procvisor_supervisor_state',
      'gauge',
      "The supervisor's own state: 1 for the current one, 0 for the others.",
      states.map((s) => [{ state: s }, s === current ? 1 : 0]),
    ),
  ];
}

function count(path: string): number | undefined {
  try {
    return readdirSync(path).length;
  } catch {
    return undefined;
  }
}

function maxOpenFiles(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft === undefined ? undefined : soft === 'unlimited' ? Infinity : Number(soft);
  } catch {
    return undefined;
  }
}

/** The conventional `process_*` metrics of the supervisor process itself. */
export function ownProcessFamilies(): Family[] {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const startSeconds = Math.round((Date.now() - process.uptime() * 1000) / 10) / 100;
  const families = [
    family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', [[{}, (cpu.user + cpu.system) / 1e6]]),
    family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [[{}, mem.rss]]),
    family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.', [[{}, startSeconds]]),
    family('nodejs_heap_size_used_bytes', 'gauge', 'Process heap size used from Node.js in bytes.', [[{}, mem.heapUsed]]),
  ];
  const fds = count('/proc/self/fd');
  if (fds !== undefined) families.push(family('process_open_fds', 'gauge', 'Number of open file descriptors.', [[{}, fds]]));
  const max = maxOpenFiles();
  if (max !== undefined) families.push(family('process_max_fds', 'gauge', 'Maximum number of open file descriptors.', [[{}, max]]));
  return families;
}

/** The whole exposition for `pm`. */
export function renderMetrics(pm: ProcessManager): string {
  return renderFamilies([...processFamilies(pm), ...supervisorFamilies(pm), ...ownProcessFamilies()]);
}

/**
 * `GET /metrics` as a route for createHandler (which checks credentials first).
 *
 * @example
 * createHandler({ supervisor: daemon, routes: [createMetricsRoute({ manager: () => daemon.pm })] });
 */
export function createMetricsRoute(options: MetricsOptions): Route {
  const path = options.path ?? '/metrics';
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (url.pathname !== path) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
      res.end('Method Not Allowed');
      return true;
    }
    const body = renderMetrics(options.manager());
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
