// The status page's markup and wording, shared by the server (the first render, and the only one
// without JavaScript) and the browser client (rows of groups added later, live cell updates).
// Pure and dependency-free at run time: the browser loads this file as /static/status-page/view.js.
import type { ProcessStatus } from '../json-api-status.js';

/** A process as the page shows it: the JSON API's status, plus a restart count when the server has one. */
export type RowStatus = ProcessStatus & { restarts?: number };

/** The table's columns, in order. */
export const COLUMNS = ['Name', 'Group', 'State', 'PID', 'Uptime / exit', 'CPU', 'Memory', 'Spawn error', 'Restarts', 'Actions'] as const;

/** Columns that need JavaScript (live numbers, buttons): hidden in the server-rendered snapshot. */
export const JS_COLUMNS: ReadonlySet<string> = new Set(['CPU', 'Memory', 'Actions']);

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Python's str(timedelta(seconds=n)) for whole seconds: `0:00:05`, `1 day, 0:00:05`. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.trunc(seconds));
  const days = Math.floor(s / 86400);
  const rest = s % 86400;
  const pad = (n: number) => String(n).padStart(2, '0');
  const hms = `${Math.floor(rest / 3600)}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  return days ? `${days} day${days === 1 ? '' : 's'}, ${hms}` : hms;
}

/** The CSS class of a state's badge (colours in styles.ts; the state name is always printed too). */
export function stateClass(state: string): string {
  return `state s-${state.toLowerCase()}`;
}

/**
 * The "Uptime / exit" cell: the uptime while RUNNING (`uptimeSeconds` overrides the status's own,
 * so the client can advance it), the exit status and time after an exit, "Not started" before
 * the first start. Other states leave it empty (BACKOFF/FATAL explain themselves in "Spawn error").
 */
export function detailText(s: RowStatus, uptimeSeconds?: number): string {
  switch (s.statename) {
    case 'RUNNING':
      return `up ${formatUptime(uptimeSeconds ?? s.uptime ?? 0)}`;
    case 'EXITED':
      return s.start === 0 ? s.description : `exit status ${s.exitstatus} at ${s.description}`;
    case 'STOPPED':
      return s.start === 0 ? s.description : `stopped at ${s.description}`;
    default:
      return '';
  }
}

/** Text of the restarts cell. */
export function restartsText(n: number | undefined): string {
  return n === undefined ? '' : String(n);
}

/** States a start applies to (supervisord refuses a start of STARTING, RUNNING or BACKOFF as ALREADY_STARTED). */
const STARTABLE: ReadonlySet<string> = new Set(['STOPPED', 'EXITED', 'FATAL']);
/** States a stop applies to (anything else is NOT_RUNNING). */
const STOPPABLE: ReadonlySet<string> = new Set(['STARTING', 'RUNNING', 'BACKOFF']);

/** Whether `action` can apply to at least one process in `states` (a button is disabled otherwise). */
export function canApply(action: string, states: readonly string[]): boolean {
  switch (action) {
    case 'start':
      return states.some((s) => STARTABLE.has(s));
    case 'stop':
      return states.some((s) => STOPPABLE.has(s));
    case 'restart':
      return states.some((s) => STARTABLE.has(s) || STOPPABLE.has(s));
    default:
      return true;
  }
}

/** Actions whose buttons follow the state (disabled when they cannot apply). */
export const STATEFUL_ACTIONS = ['start', 'stop', 'restart'] as const;

/** The buttons of one process (`namespec`) or one group (`group:*`), disabled where `states` say they cannot apply. */
export function actionsHtml(target: string, label: string, states: readonly string[] = []): string {
  const t = escapeHtml(target);
  const l = escapeHtml(label);
  const off = (action: string) => (states.length && !canApply(action, states) ? ' disabled' : '');
  return (
    `<button type="button" data-action="start" data-target="${t}" aria-label="Start ${l}"${off('start')}>Start</button>` +
    `<button type="button" data-action="stop" data-target="${t}" aria-label="Stop ${l}"${off('stop')}>Stop</button>` +
    `<button type="button" data-action="restart" data-target="${t}" aria-label="Restart ${l}"${off('restart')}>Restart</button>` +
    `<button type="button" data-action="clear" data-target="${t}" aria-label="Clear log of ${l}">Clear log</button>`
  );
}

/** The Edit button of a program (shown only for programs the JSON API can edit). */
export function editButtonHtml(program: string): string {
  const p = escapeHtml(program);
  return `<button type="button" data-action="edit" data-target="${p}" aria-label="Edit program ${p}" hidden>Edit</button>`;
}

/** The log button (processes only). */
export function logButtonHtml(namespec: string): string {
  const ns = escapeHtml(namespec);
  return `<button type="button" data-action="log" data-target="${ns}" aria-label="Show log of ${ns}">Show log</button>`;
}

/** One process row. `withActions` fills the actions cell (the client does; the server leaves it to the client). */
export function rowHtml(s: RowStatus, withActions: boolean, program?: string): string {
  const ns = escapeHtml(s.namespec);
  const actions = withActions ? actionsHtml(s.namespec, s.namespec, [s.statename]) + logButtonHtml(s.namespec) + (program ? editButtonHtml(program) : '') : '';
  return (
    `<tr data-ns="${ns}" data-state="${escapeHtml(s.statename)}">` +
    `<th scope="row" class="c-name">${escapeHtml(s.name)}</th>` +
    `<td class="c-group">${escapeHtml(s.group)}</td>` +
    `<td class="c-state"><span class="${stateClass(s.statename)}">${escapeHtml(s.statename)}</span></td>` +
    `<td class="c-pid">${s.pid || ''}</td>` +
    `<td class="c-detail">${escapeHtml(detailText(s))}</td>` +
    `<td class="c-cpu js-only"><span class="num"></span></td>` +
    `<td class="c-mem js-only"><span class="num"></span></td>` +
    `<td class="c-spawnerr">${escapeHtml(s.spawnerr)}</td>` +
    `<td class="c-restarts">${restartsText(s.restarts)}</td>` +
    `<td class="c-actions js-only">${actions}</td></tr>`
  );
}

/** Whether a group gets its own header row (and group buttons): several processes, or a renamed one. */
export function hasGroupRow(group: string, members: readonly RowStatus[]): boolean {
  return members.length > 1 || members.some((m) => m.name !== group);
}

/** The collapse toggle of a group row. */
export function toggleHtml(group: string, expanded: boolean): string {
  const g = escapeHtml(group);
  return `<button type="button" class="toggle js-only" data-action="collapse" data-target="${g}" aria-expanded="${expanded}" aria-label="${expanded ? 'Collapse' : 'Expand'} group ${g}">${expanded ? '▾' : '▸'}</button>`;
}

/** One group's rows as a `<tbody>`, headed by a group row when `hasGroupRow`. */
export function groupHtml(group: string, members: readonly RowStatus[], withActions: boolean): string {
  const g = escapeHtml(group);
  let html = `<tbody data-group="${g}">`;
  const headed = hasGroupRow(group, members);
  if (headed) {
    const count = `${members.length} process${members.length === 1 ? '' : 'es'}`;
    const actions = withActions
      ? actionsHtml(
          `${group}:*`,
          `group ${group}`,
          members.map((m) => m.statename),
        ) + editButtonHtml(group)
      : '';
    html +=
      `<tr class="group-row" data-group-row="${g}"><th scope="rowgroup" colspan="${COLUMNS.length - 1}">` +
      `${withActions ? toggleHtml(group, true) : ''}Group ${g} <span class="count">(${count})</span></th><td class="c-actions js-only">${actions}</td></tr>`;
  }
  for (const s of members) html += rowHtml(s, withActions, headed ? undefined : group);
  return `${html}</tbody>`;
}

/** Statuses grouped by group name, groups in the order first seen (getAllProcessInfo sorts by group). */
export function byGroup(statuses: readonly RowStatus[]): Map<string, RowStatus[]> {
  const groups = new Map<string, RowStatus[]>();
  for (const s of statuses) {
    const list = groups.get(s.group);
    if (list) list.push(s);
    else groups.set(s.group, [s]);
  }
  return groups;
}

/** Every group's `<tbody>`, built as one string (one parse in the browser, one write on the server). */
export function tableBodiesHtml(statuses: readonly RowStatus[], withActions: boolean): string {
  let html = '';
  for (const [group, members] of byGroup(statuses)) html += groupHtml(group, members, withActions);
  return html;
}

/** The filter: `text` (any case) within the namespec, the group or the state name; `state` exact when set. */
export function matchesFilter(s: { namespec: string; group: string; statename: string }, text: string, state: string): boolean {
  if (state && s.statename !== state) return false;
  if (!text) return true;
  const t = text.trim().toLowerCase();
  return s.namespec.toLowerCase().includes(t) || s.group.toLowerCase().includes(t) || s.statename.toLowerCase().includes(t);
}

/** "3 processes: 2 RUNNING, 1 FATAL" from counts per state. */
export function summaryText(counts: ReadonlyMap<string, number>): string {
  let total = 0;
  const parts: string[] = [];
  for (const [state, n] of counts) {
    if (n <= 0) continue;
    total += n;
    parts.push(`${n} ${state}`);
  }
  const head = `${total} process${total === 1 ? '' : 'es'}`;
  return parts.length ? `${head}: ${parts.join(', ')}` : head;
}

/** supervisorctl's words for a fault, as in "web: ERROR (already started)". */
const FAULT_WORDS: Record<string, string> = {
  ALREADY_STARTED: 'already started',
  NOT_RUNNING: 'not running',
  BAD_NAME: 'no such process',
  SPAWN_ERROR: 'spawn error',
  ABNORMAL_TERMINATION: 'abnormal termination',
  NO_FILE: 'no such file',
  NOT_EXECUTABLE: 'file is not executable',
  SHUTDOWN_STATE: 'supervisor is shutting down',
  DISABLED: 'program is disabled',
  FORBIDDEN: 'request refused as cross-site',
};

/** A failure in words: `web: already started`, or the API's own message when there are no better words. */
export function describeFailure(target: string, code: string, message: string): string {
  const words = FAULT_WORDS[code];
  if (words) return `${target}: ${words}`;
  const detail = message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
  return `${target}: ${detail || code.toLowerCase().replace(/_/g, ' ')}`;
}

/** supervisorctl's success words per action. */
export const DONE_WORDS: Record<string, string> = { start: 'started', stop: 'stopped', restart: 'restarted', clear: 'log cleared' };

/** `3.2%` (one decimal under 10 %), or an empty string before the second sample. */
export function cpuText(cpu: number | null | undefined): string {
  if (cpu === null || cpu === undefined) return '';
  return `${cpu < 10 ? cpu.toFixed(1) : Math.round(cpu)}%`;
}

/** `812 KB`, `42.1 MB`, `1.2 GB` (powers of 1024, as `ps` and supervisord's byte sizes count). */
export function bytesText(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u += 1;
  }
  return `${u >= 2 && n < 100 ? n.toFixed(1) : Math.round(n)} ${units[u]}`;
}

/**
 * The points of a sparkline (an SVG polyline) of `values` in a `width` × `height` box: the newest
 * value at the right edge, one step per sample, scaled to the largest value (or `floor` if larger,
 * so idle noise does not fill the box).
 */
export function sparklinePoints(values: readonly number[], width: number, height: number, capacity: number, floor: number): string {
  if (values.length === 0) return '';
  const max = Math.max(floor, ...values);
  const step = capacity > 1 ? width / (capacity - 1) : width;
  const x0 = width - step * (values.length - 1);
  return values.map((v, i) => `${(x0 + i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ');
}

/** An ISO 8601 time at the start of a log line (`2026-12-03T14:02:11.123Z web started`). */
const LEADING_TIME = /^(\[?)(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)(\]?) ?/;

/**
 * A log line split into its time and text when it carries one: a leading ISO 8601 time, or a
 * JSON line with `time` and `line` fields (procvisor's timestamped and JSON log modes). Other lines
 * come back whole, with `time` empty.
 */
export function splitLogLine(line: string): { time: string; text: string } {
  if (line.startsWith('{') && line.endsWith('}')) {
    try {
      const o = JSON.parse(line) as { time?: unknown; line?: unknown; stream?: unknown };
      if (typeof o.time === 'string' && typeof o.line === 'string') return { time: o.time, text: o.line };
    } catch {
      // not JSON: shown as it is
    }
  }
  const m = LEADING_TIME.exec(line);
  if (m && (m[1] === '') === (m[3] === '')) return { time: m[2] ?? '', text: line.slice(m[0].length) };
  return { time: '', text: line };
}
