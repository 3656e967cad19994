/// <reference lib="dom" />
// The status page's client (loaded as a module, so it runs after the document is parsed). It
// takes over the server-rendered table, keeps it current from /api/events (a snapshot, then one
// event per transition; never a poll of the whole status), filters it as you type, and wires the
// buttons: actions through the JSON API, logs into the log panel.
import { type Action, ActionRunner } from './client-actions.js';
import { LogView } from './client-log.js';
import { ProcessTable } from './client-table.js';
import type { RowStatus } from './view.js';

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
    for (const [key, value] of [['q', text.value], ['state', state.value]] as const) {
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

function wireButtons(table: ProcessTable, actions: ActionRunner, log: LogView): void {
  byId('processes').addEventListener('click', (e) => {
    const button = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
    if (!button || button.getAttribute('aria-disabled') === 'true') return;
    const action = button.dataset.action ?? '';
    const target = button.dataset.target ?? '';
    if (action === 'log') return log.open(target, button);
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
  });
  wireFilter(table);
  wireButtons(table, new ActionRunner(byId('messages')), log);
  followEvents(table);
  setInterval(() => table.tick(), 1000);
}

main();
