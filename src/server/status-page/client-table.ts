/// <reference lib="dom" />
// The process table in the browser: takes over the server-rendered rows, then changes only what an
// event changes. Updates are coalesced per process and written once per animation frame, so a
// burst (a thousand processes starting) costs one write per changed cell.
import {
  actionsHtml,
  byGroup,
  detailText,
  groupHtml,
  hasGroupRow,
  logButtonHtml,
  matchesFilter,
  restartsText,
  type RowStatus,
  stateClass,
  summaryText,
} from './view.js';

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

  constructor(el: TableElements) {
    this.#el = el;
    el.table.querySelectorAll<HTMLTableSectionElement>('tbody[data-group]').forEach((tb) => this.#adoptGroup(tb));
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
    const head = tb.querySelector<HTMLElement>('.group-row .c-actions');
    if (head && !head.firstChild) head.innerHTML = actionsHtml(`${group}:*`, `group ${group}`);
    tb.querySelectorAll<HTMLTableRowElement>('tr[data-ns]').forEach((tr) => this.#adoptRow(tr, group));
  }

  #adoptRow(tr: HTMLTableRowElement, group: string): void {
    const namespec = tr.dataset.ns ?? '';
    const actions = cell(tr, 'c-actions');
    if (!actions.firstChild) actions.innerHTML = actionsHtml(namespec, namespec) + logButtonHtml(namespec);
    const cells = { pid: cell(tr, 'c-pid'), detail: cell(tr, 'c-detail'), spawnerr: cell(tr, 'c-spawnerr'), restarts: cell(tr, 'c-restarts') };
    const text = { state: tr.dataset.state ?? '', pid: '', detail: '', spawnerr: '', restarts: '' };
    for (const k of CELL_KEYS) text[k] = cells[k].textContent ?? '';
    const badge = tr.querySelector<HTMLElement>('.state') ?? document.createElement('span');
    const old = this.#rows.get(namespec);
    this.#rows.set(namespec, { tr, namespec, group, badge, cells, text, status: old?.status, receivedAt: old?.receivedAt ?? 0, starts: old?.starts ?? 0 });
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
    }
    this.#setCell(row, 'pid', s.pid ? String(s.pid) : '');
    this.#setCell(row, 'detail', detailText(s));
    this.#setCell(row, 'spawnerr', s.spawnerr);
    this.#setCell(row, 'restarts', restartsText(s.restarts ?? row.starts));
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

  /** Group visibility, the summary and the "Showing n of m" line. */
  #refresh(): void {
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
  }
}

const STATE_ORDER = ['STOPPED', 'STARTING', 'RUNNING', 'BACKOFF', 'STOPPING', 'EXITED', 'FATAL', 'UNKNOWN'];

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
