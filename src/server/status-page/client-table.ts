/// <reference lib="dom" />
// The process table in the browser: takes over the server-rendered rows, then changes only what an
// event changes. Updates are coalesced per process and written once per animation frame, so a
// burst (a thousand processes starting) costs one write per changed cell.
import {
  actionsHtml,
  byGroup,
  bytesText,
  canApply,
  cpuText,
  detailText,
  editButtonHtml,
  groupHtml,
  hasGroupRow,
  logButtonHtml,
  matchesFilter,
  toggleHtml,
  restartsText,
  type RowStatus,
  sparklinePoints,
  STATEFUL_ACTIONS,
  stateClass,
  summaryText,
} from './view.js';

/** Samples kept per process for the charts (one every 2 s: one minute). */
export const HISTORY = 30;
const SVG = 'http://www.w3.org/2000/svg';
/** Where the collapsed groups are remembered between visits. */
const COLLAPSED_KEY = 'procvisor.collapsed';

export interface Usage {
  cpu: number | null;
  rss: number;
}

/** A cell with a number and a small history chart (CPU or memory). */
interface Gauge {
  readonly num: HTMLElement;
  readonly line: SVGPolylineElement;
  readonly svg: SVGSVGElement;
  readonly history: number[];
}

function gaugeIn(td: HTMLElement, label: string): Gauge {
  const num = td.querySelector<HTMLElement>('.num') ?? td.appendChild(document.createElement('span'));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 60 16');
  svg.setAttribute('width', '60');
  svg.setAttribute('height', '16');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const base = document.createElementNS(SVG, 'line');
  base.setAttribute('class', 'base');
  for (const [k, v] of [
    ['x1', '0'],
    ['x2', '60'],
    ['y1', '15.5'],
    ['y2', '15.5'],
  ] as const)
    base.setAttribute(k, v);
  const line = document.createElementNS(SVG, 'polyline');
  svg.append(base, line);
  return { num, line, svg, history: [] };
}

function readCollapsed(): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(COLLAPSED_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

type CellKey = 'pid' | 'detail' | 'spawnerr' | 'restarts';
const CELL_KEYS: readonly CellKey[] = ['pid', 'detail', 'spawnerr', 'restarts'];

interface Row {
  readonly tr: HTMLTableRowElement;
  readonly namespec: string;
  readonly group: string;
  readonly badge: HTMLElement;
  readonly cells: Record<CellKey, HTMLElement>;
  /** What each cell shows now (compared before writing). */
  readonly text: Record<CellKey | 'state', string>;
  /** The last status received; undefined until the first snapshot. */
  status: RowStatus | undefined;
  /** performance.now() when `status` arrived (uptime advances from there). */
  receivedAt: number;
  /** STARTING transitions seen since the page loaded. */
  starts: number;
  readonly cpu: Gauge;
  readonly mem: Gauge;
  /** The start/stop/restart buttons. */
  readonly buttons: HTMLButtonElement[];
}

export interface TableElements {
  table: HTMLTableElement;
  counts: HTMLElement;
  shown: HTMLElement;
  empty: HTMLElement;
}

const cell = (tr: HTMLTableRowElement, cls: string): HTMLElement => tr.querySelector<HTMLElement>(`.${cls}`) ?? document.createElement('td');

export class ProcessTable {
  readonly #el: TableElements;
  /** Rows by namespec. */
  readonly #rows = new Map<string, Row>();
  /** Statuses waiting for the next frame, by namespec. */
  readonly #pending = new Map<string, RowStatus>();
  #frame = 0;
  #filter = { text: '', state: '' };
  /** Groups whose group buttons may need enabling or disabling at the next refresh. */
  readonly #dirtyGroups = new Set<string>();
  /** Programs the JSON API can edit (their Edit buttons are shown). */
  #editable: ReadonlySet<string> = new Set();
  readonly #collapsed = readCollapsed();
  /** Called after every refresh with the states of all processes (for the "all" buttons). */
  onRefresh: (states: string[]) => void = () => {};

  constructor(el: TableElements) {
    this.#el = el;
    el.table.querySelectorAll<HTMLTableSectionElement>('tbody[data-group]').forEach((tb) => this.#adoptGroup(tb));
    this.#refresh(); // group buttons disabled from the server-rendered states, before the first snapshot
  }

  /** Collapses or expands a group's process rows (remembered in this browser). */
  toggleGroup(group: string): void {
    const tb = this.#el.table.querySelector<HTMLTableSectionElement>(`tbody[data-group="${CSS.escape(group)}"]`);
    if (!tb) return;
    if (this.#collapsed.has(group)) this.#collapsed.delete(group);
    else this.#collapsed.add(group);
    this.#showCollapsed(tb);
    try {
      localStorage.setItem(COLLAPSED_KEY, JSON.stringify([...this.#collapsed]));
    } catch {
      // storage unavailable: the choice lasts until reload
    }
  }

  #showCollapsed(tb: HTMLTableSectionElement): void {
    const group = tb.dataset.group ?? '';
    const collapsed = this.#collapsed.has(group) && tb.querySelector('.group-row') !== null;
    tb.classList.toggle('collapsed', collapsed);
    const toggle = tb.querySelector<HTMLButtonElement>('button.toggle');
    if (!toggle) return;
    toggle.setAttribute('aria-expanded', String(!collapsed));
    toggle.setAttribute('aria-label', `${collapsed ? 'Expand' : 'Collapse'} group ${group}`);
    toggle.textContent = collapsed ? '▸' : '▾';
  }

  /** Shows the Edit buttons of `programs` (those the JSON API's program store holds). */
  setEditable(programs: ReadonlySet<string>): void {
    this.#editable = programs;
    this.#el.table.querySelectorAll<HTMLButtonElement>('button[data-action="edit"]').forEach((b) => (b.hidden = !programs.has(b.dataset.target ?? '')));
  }

  /** Every process's state name. */
  states(): string[] {
    return [...this.#rows.values()].map((r) => r.text.state);
  }

  /** New CPU and memory numbers (by namespec); processes left out have no child. */
  applyUsage(usage: Readonly<Record<string, Usage>>): void {
    for (const row of this.#rows.values()) {
      const u = usage[row.namespec];
      this.#gauge(row.cpu, u ? u.cpu : null, cpuText(u?.cpu), 100, '%');
      this.#gauge(row.mem, u ? u.rss : null, bytesText(u?.rss), 1024 * 1024, ' bytes');
    }
  }

  #gauge(g: Gauge, value: number | null, text: string, floor: number, unit: string): void {
    if (value === null) {
      if (g.history.length === 0 && g.num.textContent === '') return;
      g.history.length = 0;
      g.num.textContent = '';
      g.svg.remove();
      return;
    }
    g.history.push(value);
    if (g.history.length > HISTORY) g.history.shift();
    if (g.num.textContent !== text) g.num.textContent = text;
    g.line.setAttribute('points', sparklinePoints(g.history, 60, 16, HISTORY, floor));
    const peak = Math.max(...g.history);
    g.svg.setAttribute('aria-label', `last ${g.history.length} samples, peak ${unit === '%' ? cpuText(peak) : bytesText(peak)}`);
    if (!g.svg.isConnected) g.num.after(g.svg);
  }

  /** Namespecs of a group's processes, in table order. */
  members(group: string): string[] {
    return [...this.#rows.values()].filter((r) => r.group === group).map((r) => r.namespec);
  }

  /** Makes the table match a full snapshot: updates rows in place, rebuilds groups whose membership changed. */
  applySnapshot(statuses: readonly RowStatus[]): void {
    performance.mark('status-page:snapshot-start');
    this.#pending.clear();
    const bodies = new Map<string, HTMLTableSectionElement>();
    this.#el.table.querySelectorAll<HTMLTableSectionElement>('tbody[data-group]').forEach((tb) => bodies.set(tb.dataset.group ?? '', tb));
    let previous: Element = this.#el.table.tHead ?? this.#el.table.caption ?? this.#el.table;
    for (const [group, members] of byGroup(statuses)) {
      let tb = bodies.get(group);
      bodies.delete(group);
      if (tb && this.#sameShape(tb, group, members)) for (const s of members) this.#write(s);
      else tb = this.#replaceGroup(tb, group, members);
      if (previous.nextElementSibling !== tb) previous.after(tb);
      previous = tb;
    }
    for (const tb of bodies.values()) this.#dropGroup(tb);
    this.#refresh();
    performance.measure('status-page:snapshot', 'status-page:snapshot-start');
  }

  /** One transition: counted now, drawn on the next frame. */
  applyState(status: RowStatus, to: string): void {
    const row = this.#rows.get(status.namespec);
    if (!row) return;
    if (to === 'STARTING') row.starts += 1;
    this.#pending.set(status.namespec, status);
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.#flush());
  }

  addGroup(group: string, members: readonly RowStatus[]): void {
    const existing = this.#el.table.querySelector<HTMLTableSectionElement>(`tbody[data-group="${CSS.escape(group)}"]`) ?? undefined;
    const tb = this.#replaceGroup(existing, group, members);
    if (!existing) {
      // Groups are in name order, as getAllProcessInfo lists them.
      const next = [...this.#el.table.tBodies].find((b) => b !== tb && (b.dataset.group ?? '') > group);
      this.#el.table.insertBefore(tb, next ?? null);
    }
    this.#refresh();
  }

  removeGroup(group: string): void {
    const tb = this.#el.table.querySelector<HTMLTableSectionElement>(`tbody[data-group="${CSS.escape(group)}"]`);
    if (tb) this.#dropGroup(tb);
    this.#refresh();
  }

  setFilter(text: string, state: string): void {
    this.#filter = { text, state };
    for (const row of this.#rows.values()) this.#applyFilter(row);
    this.#refresh();
  }

  /** Advances the uptime of visible RUNNING rows (once a second). */
  tick(): void {
    const now = performance.now();
    for (const row of this.#rows.values()) {
      const s = row.status;
      if (s?.statename !== 'RUNNING' || row.tr.hidden) continue;
      this.#setCell(row, 'detail', detailText(s, (s.uptime ?? 0) + (now - row.receivedAt) / 1000));
    }
  }

  #flush(): void {
    this.#frame = 0;
    for (const s of this.#pending.values()) this.#write(s);
    this.#pending.clear();
    this.#refresh();
  }

  #adoptGroup(tb: HTMLTableSectionElement): void {
    const group = tb.dataset.group ?? '';
    const headRow = tb.querySelector<HTMLElement>('.group-row');
    const head = headRow?.querySelector<HTMLElement>('.c-actions');
    if (head && !head.firstChild) head.innerHTML = actionsHtml(`${group}:*`, `group ${group}`) + editButtonHtml(group);
    const th = headRow?.querySelector('th');
    if (th && !th.querySelector('.toggle')) th.insertAdjacentHTML('afterbegin', toggleHtml(group, true));
    tb.querySelectorAll<HTMLTableRowElement>('tr[data-ns]').forEach((tr) => this.#adoptRow(tr, group, headRow ? undefined : group));
    tb.querySelectorAll<HTMLButtonElement>('button[data-action="edit"]').forEach((b) => (b.hidden = !this.#editable.has(b.dataset.target ?? '')));
    this.#showCollapsed(tb);
    this.#dirtyGroups.add(group);
  }

  #adoptRow(tr: HTMLTableRowElement, group: string, program: string | undefined): void {
    const namespec = tr.dataset.ns ?? '';
    const actions = cell(tr, 'c-actions');
    if (!actions.firstChild) actions.innerHTML = actionsHtml(namespec, namespec) + logButtonHtml(namespec) + (program ? editButtonHtml(program) : '');
    const cells = { pid: cell(tr, 'c-pid'), detail: cell(tr, 'c-detail'), spawnerr: cell(tr, 'c-spawnerr'), restarts: cell(tr, 'c-restarts') };
    const text = { state: tr.dataset.state ?? '', pid: '', detail: '', spawnerr: '', restarts: '' };
    for (const k of CELL_KEYS) text[k] = cells[k].textContent ?? '';
    const badge = tr.querySelector<HTMLElement>('.state') ?? document.createElement('span');
    const old = this.#rows.get(namespec);
    const cpu = gaugeIn(cell(tr, 'c-cpu'), 'CPU history');
    const mem = gaugeIn(cell(tr, 'c-mem'), 'memory history');
    const buttons = STATEFUL_ACTIONS.map((a) => actions.querySelector<HTMLButtonElement>(`button[data-action="${a}"]`)).filter(
      (b): b is HTMLButtonElement => b !== null,
    );
    this.#rows.set(namespec, {
      tr,
      namespec,
      group,
      badge,
      cells,
      text,
      status: old?.status,
      receivedAt: old?.receivedAt ?? 0,
      starts: old?.starts ?? 0,
      cpu,
      mem,
      buttons,
    });
    this.#syncButtons(buttons, [text.state]);
  }

  #sameShape(tb: HTMLTableSectionElement, group: string, members: readonly RowStatus[]): boolean {
    if (hasGroupRow(group, members) !== (tb.querySelector('.group-row') !== null)) return false;
    const rows = tb.querySelectorAll<HTMLTableRowElement>('tr[data-ns]');
    return rows.length === members.length && members.every((s, i) => rows[i]?.dataset.ns === s.namespec && this.#rows.get(s.namespec)?.tr === rows[i]);
  }

  #replaceGroup(old: HTMLTableSectionElement | undefined, group: string, members: readonly RowStatus[]): HTMLTableSectionElement {
    const template = document.createElement('template');
    template.innerHTML = `<table>${groupHtml(group, members, true)}</table>`;
    const tb = template.content.querySelector('tbody') as HTMLTableSectionElement;
    if (old) {
      for (const tr of old.querySelectorAll<HTMLTableRowElement>('tr[data-ns]')) this.#rows.delete(tr.dataset.ns ?? '');
      old.replaceWith(tb);
    }
    this.#adoptGroup(tb);
    for (const s of members) this.#write(s);
    return tb;
  }

  #dropGroup(tb: HTMLTableSectionElement): void {
    for (const tr of tb.querySelectorAll<HTMLTableRowElement>('tr[data-ns]')) this.#rows.delete(tr.dataset.ns ?? '');
    tb.remove();
  }

  /** Writes a status into its row, touching only cells whose text changes. */
  #write(s: RowStatus): void {
    const row = this.#rows.get(s.namespec);
    if (!row) return;
    row.status = s;
    row.receivedAt = performance.now();
    if (row.text.state !== s.statename) {
      row.text.state = s.statename;
      row.tr.dataset.state = s.statename;
      row.badge.className = stateClass(s.statename);
      row.badge.textContent = s.statename;
      if (this.#filter.state || this.#filter.text) this.#applyFilter(row);
      this.#syncButtons(row.buttons, [s.statename]);
      this.#dirtyGroups.add(row.group);
    }
    this.#setCell(row, 'pid', s.pid ? String(s.pid) : '');
    this.#setCell(row, 'detail', detailText(s));
    this.#setCell(row, 'spawnerr', s.spawnerr);
    this.#setCell(row, 'restarts', restartsText(s.restarts ?? row.starts));
  }

  /** Disables the start/stop/restart buttons that cannot apply to `states` (touching only those that change). */
  #syncButtons(buttons: readonly HTMLButtonElement[], states: readonly string[]): void {
    for (const b of buttons) {
      const off = !canApply(b.dataset.action ?? '', states);
      if (b.disabled !== off) b.disabled = off;
    }
  }

  #setCell(row: Row, key: CellKey, text: string): void {
    if (row.text[key] === text) return;
    row.text[key] = text;
    row.cells[key].textContent = text;
  }

  #applyFilter(row: Row): void {
    const visible = matchesFilter({ namespec: row.namespec, group: row.group, statename: row.text.state }, this.#filter.text, this.#filter.state);
    if (row.tr.hidden === visible) row.tr.hidden = !visible;
  }

  /** Group visibility, the group buttons, the summary and the "Showing n of m" line. */
  #refresh(): void {
    for (const group of this.#dirtyGroups) {
      const tb = this.#el.table.querySelector<HTMLTableSectionElement>(`tbody[data-group="${CSS.escape(group)}"]`);
      const head = tb?.querySelector<HTMLElement>('.group-row .c-actions');
      if (!head) continue;
      const buttons = STATEFUL_ACTIONS.map((a) => head.querySelector<HTMLButtonElement>(`button[data-action="${a}"]`)).filter(
        (b): b is HTMLButtonElement => b !== null,
      );
      this.#syncButtons(
        buttons,
        [...this.#rows.values()].filter((r) => r.group === group).map((r) => r.text.state),
      );
    }
    this.#dirtyGroups.clear();
    const counts = new Map<string, number>();
    let shown = 0;
    const visibleGroups = new Set<string>();
    for (const row of this.#rows.values()) {
      counts.set(row.text.state, (counts.get(row.text.state) ?? 0) + 1);
      if (row.tr.hidden) continue;
      shown += 1;
      visibleGroups.add(row.group);
    }
    for (const tb of this.#el.table.tBodies) {
      const hidden = !visibleGroups.has(tb.dataset.group ?? '');
      if (tb.hidden !== hidden) tb.hidden = hidden;
    }
    const total = this.#rows.size;
    const ordered = new Map([...counts].sort(([a], [b]) => STATE_ORDER.indexOf(a) - STATE_ORDER.indexOf(b)));
    setText(this.#el.counts, summaryText(ordered));
    setText(this.#el.shown, shown === total ? '' : `Showing ${shown} of ${total}`);
    this.#el.empty.hidden = shown > 0;
    setText(this.#el.empty, total ? 'No process matches the filter.' : 'No processes are configured.');
    this.onRefresh(this.states());
  }
}

const STATE_ORDER = ['STOPPED', 'STARTING', 'RUNNING', 'BACKOFF', 'STOPPING', 'EXITED', 'FATAL', 'UNKNOWN'];

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
