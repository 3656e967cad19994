/// <reference lib="dom" />
// The status page's client (loaded as a module, so it runs after the document is parsed). It
// takes over the server-rendered table, keeps it current from /api/events (a snapshot, then one
// event per transition; never a poll of the whole status), filters it as you type, and wires the
// buttons: actions through the JSON API, logs into the log panel, the program form. CPU and memory
// are polled (GET /status-page/usage.json every USAGE_MS while the page is visible): they change
// all the time, so there is no event to wait for.
import { type Action, ActionRunner } from './client-actions.js';
import { FleetView } from './client-fleet.js';
import { ProgramForm } from './client-form.js';
import { LogView } from './client-log.js';
import { ProcessTable, type Usage } from './client-table.js';
import { canApply, type RowStatus } from './view.js';

interface Snapshot {
  supervisor: { statename: string };
  processes: RowStatus[];
}
interface StateMessage {
  process: RowStatus;
  to: string;
}
interface GroupMessage {
  action: 'added' | 'removed';
  name: string;
  processes?: RowStatus[];
}

/** How long to wait before reopening an event stream the browser gave up on (an HTTP error). */
const REOPEN_MS = 5000;
/** Between two usage samples. */
const USAGE_MS = 2000;

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`status page: #${id} is missing`);
  return el as T;
}

function setLive(state: 'connecting' | 'open' | 'down', text: string): void {
  const live = byId('live');
  live.dataset.live = state;
  live.textContent = text;
}

/** Follows /api/events; EventSource reconnects by itself after network errors, and we reopen after HTTP errors. */
function followEvents(table: ProcessTable): void {
  const source = new EventSource('/api/events');
  const on = <T>(type: string, fn: (data: T) => void) => source.addEventListener(type, (e) => fn(JSON.parse((e as MessageEvent<string>).data) as T));
  on<Snapshot>('snapshot', (s) => {
    table.applySnapshot(s.processes);
    byId('supervisor-state').textContent = s.supervisor.statename;
    setLive('open', 'Live');
  });
  on<StateMessage>('state', (m) => table.applyState(m.process, m.to));
  on<GroupMessage>('group', (m) => (m.action === 'added' ? table.addGroup(m.name, m.processes ?? []) : table.removeGroup(m.name)));
  on<{ statename: string }>('supervisor', (s) => (byId('supervisor-state').textContent = s.statename));
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      setLive('down', 'Live updates unavailable; retrying…');
      setTimeout(() => followEvents(table), REOPEN_MS);
    } else {
      setLive('down', 'Reconnecting…');
    }
  };
}

function wireFilter(table: ProcessTable): void {
  const form = byId<HTMLFormElement>('filter-form');
  const text = byId<HTMLInputElement>('filter');
  const state = byId<HTMLSelectElement>('state-filter');
  let frame = 0;
  const apply = () => {
    frame = 0;
    table.setFilter(text.value, state.value);
    const url = new URL(location.href);
    for (const [key, value] of [
      ['q', text.value],
      ['state', state.value],
    ] as const) {
      if (value) url.searchParams.set(key, value);
      else url.searchParams.delete(key);
    }
    history.replaceState(null, '', url);
  };
  const schedule = () => (frame ||= requestAnimationFrame(apply));
  text.addEventListener('input', schedule);
  state.addEventListener('change', schedule);
  form.addEventListener('submit', (e) => (e.preventDefault(), schedule()));
  table.setFilter(text.value, state.value);
}

/** Polls the usage numbers while the page is visible; stops asking after an error until the next tick. */
function followUsage(table: ProcessTable): void {
  const poll = async () => {
    if (document.hidden) return;
    const res = await fetch('/status-page/usage.json', { headers: { Accept: 'application/json' } }).catch(() => undefined);
    if (!res?.ok) return;
    const body = (await res.json().catch(() => undefined)) as { processes?: Record<string, Usage> } | undefined;
    if (body?.processes) table.applyUsage(body.processes);
  };
  void poll();
  setInterval(() => void poll(), USAGE_MS);
}

/** Which programs the JSON API holds (only those can be edited here). */
async function refreshEditable(table: ProcessTable): Promise<void> {
  const res = await fetch('/api/programs', { headers: { Accept: 'application/json' } }).catch(() => undefined);
  if (!res?.ok) return;
  const body = (await res.json().catch(() => ({}))) as { programs?: { name: string }[] };
  table.setEditable(new Set((body.programs ?? []).map((p) => p.name)));
}

function wireControls(table: ProcessTable, actions: ActionRunner, form: ProgramForm): void {
  const all = [...document.querySelectorAll<HTMLButtonElement>('button[data-all]')];
  table.onRefresh = (states) => {
    for (const b of all) {
      const off = !canApply(b.dataset.all ?? '', states);
      if (b.disabled !== off) b.disabled = off;
    }
  };
  for (const b of all) {
    b.addEventListener('click', () => {
      if (b.getAttribute('aria-disabled') === 'true') return;
      b.setAttribute('aria-disabled', 'true');
      void actions.runAll(b.dataset.all as 'start' | 'stop' | 'restart', table.states().length).finally(() => b.removeAttribute('aria-disabled'));
    });
  }
  byId('new-program').addEventListener('click', () => void form.open());
}

function wireButtons(table: ProcessTable, actions: ActionRunner, log: LogView, form: ProgramForm): void {
  byId('processes').addEventListener('click', (e) => {
    const button = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
    if (!button || button.disabled || button.getAttribute('aria-disabled') === 'true') return;
    const action = button.dataset.action ?? '';
    const target = button.dataset.target ?? '';
    if (action === 'log') return log.open(target, button);
    if (action === 'collapse') return table.toggleGroup(target);
    if (action === 'edit') return void form.open(target);
    const members = target.endsWith(':*') ? table.members(target.slice(0, -2)) : [target];
    button.setAttribute('aria-disabled', 'true');
    void actions.run(action as Action, target, members).finally(() => {
      button.removeAttribute('aria-disabled');
      if (action === 'clear' && members.includes(log.namespec)) log.clear();
    });
  });
}

function main(): void {
  const table = new ProcessTable({ table: byId('processes'), counts: byId('counts'), shown: byId('shown'), empty: byId('empty') });
  const log = new LogView({
    panel: byId('log-panel'),
    title: byId('log-title'),
    namespec: byId('log-ns'),
    stream: byId('log-stream'),
    pause: byId('log-pause'),
    close: byId('log-close'),
    status: byId('log-status'),
    output: byId('log-output'),
    download: byId('log-download'),
  });
  const actions = new ActionRunner(byId('messages'), byId('confirm'));
  const form = new ProgramForm(
    byId('program-dialog'),
    (text, ok) => actions.say(text, ok),
    () => void refreshEditable(table),
  );
  wireFilter(table);
  wireButtons(table, actions, log, form);
  wireControls(table, actions, form);
  followEvents(table);
  followUsage(table);
  void refreshEditable(table);
  setInterval(() => table.tick(), 1000);
  new FleetView(byId('fleet')).follow();
}

main();
