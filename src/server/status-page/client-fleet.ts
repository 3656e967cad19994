/// <reference lib="dom" />
// The status page's "Fleet" section: shown only while GET /api/fleet answers 200 (the daemon has
// a [fleet] section), it lists the fleet's nodes (name, alive dot, labels) and each node's
// processes from /api/fleet/processes. Polled every FLEET_MS while the page is visible: fleet
// status comes from etcd, not from this daemon's event stream.
import { formatUptime, stateClass } from './view.js';

/** Between two refreshes of the fleet section. */
const FLEET_MS = 3000;

interface FleetInfo {
  node: string;
  connected: boolean;
  lastError?: string;
}
interface FleetNode {
  name: string;
  labels?: Record<string, string>;
  alive?: boolean;
  self?: boolean;
}
interface FleetProcess {
  node: string;
  group: string;
  name: string;
  statename: string;
  pid?: number;
  uptime?: number;
  stale?: boolean;
  /** False for the node's own programs (its configuration, not the fleet). */
  fleet?: boolean;
}

async function getJson<T>(path: string): Promise<{ status: number; body?: T }> {
  const res = await fetch(path, { headers: { Accept: 'application/json' } }).catch(() => undefined);
  if (!res) return { status: 0 };
  const body = (await res.json().catch(() => undefined)) as T | undefined;
  return body === undefined ? { status: res.status } : { status: res.status, body };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text) e.textContent = text;
  if (className) e.className = className;
  return e;
}

// Sets text only when it changed, so the live region announces changes, not every refresh.
function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

function nodeHeading(node: FleetNode): HTMLElement {
  const h = el('h3');
  const dot = el('span', '', 'dot');
  dot.dataset.alive = String(node.alive === true);
  dot.setAttribute('aria-hidden', 'true');
  h.append(dot, el('span', node.name, 'node-name'), el('span', node.alive ? 'up' : 'down', 'node-alive'));
  if (node.self) h.append(el('span', 'this node', 'node-self'));
  for (const [k, v] of Object.entries(node.labels ?? {})) h.append(el('span', `${k}=${v}`, 'label'));
  return h;
}

function processRow(p: FleetProcess): HTMLTableRowElement {
  const tr = el('tr');
  tr.dataset.ns = p.group === p.name ? p.name : `${p.group}:${p.name}`;
  const state = el('td');
  state.append(el('span', p.statename, stateClass(p.statename)));
  const running = p.statename === 'RUNNING';
  tr.append(
    el('th', tr.dataset.ns),
    state,
    el('td', running && p.pid ? String(p.pid) : ''),
    el('td', running ? `up ${formatUptime(p.uptime ?? 0)}` : ''),
    el('td', [p.fleet === false ? 'local' : '', p.stale ? 'stale' : ''].filter(Boolean).join(', ')),
  );
  tr.firstElementChild?.setAttribute('scope', 'row');
  return tr;
}

function nodeSection(node: FleetNode, processes: readonly FleetProcess[]): HTMLElement {
  const section = el('section', '', 'fleet-node');
  section.dataset.node = node.name;
  section.append(nodeHeading(node));
  if (processes.length === 0) {
    section.append(el('p', 'No processes.', 'muted'));
    return section;
  }
  const table = el('table');
  table.append(el('caption', `Processes on ${node.name}`, 'visually-hidden'));
  const head = el('tr');
  for (const c of ['Name', 'State', 'PID', 'Uptime', 'Status']) head.append(el('th', c));
  for (const th of head.children) th.setAttribute('scope', 'col');
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  tbody.append(...processes.map(processRow));
  table.append(thead, tbody);
  section.append(table);
  return section;
}

/** Keeps the #fleet section current; hidden while the daemon has no fleet. */
export class FleetView {
  // The #fleet section.
  readonly #root: HTMLElement;

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  /** Refreshes now and then every FLEET_MS while the page is visible. */
  follow(): void {
    void this.refresh();
    setInterval(() => {
      if (!document.hidden) void this.refresh();
    }, FLEET_MS);
  }

  async refresh(): Promise<void> {
    const info = await getJson<FleetInfo>('/api/fleet');
    if (info.status !== 200 || !info.body) {
      this.#root.hidden = true;
      return;
    }
    const [nodes, processes] = await Promise.all([
      getJson<{ nodes: FleetNode[] }>('/api/fleet/nodes'),
      getJson<{ processes: FleetProcess[] }>('/api/fleet/processes'),
    ]);
    this.#root.hidden = false;
    const summary = this.#root.querySelector<HTMLElement>('.fleet-summary');
    const list = this.#root.querySelector<HTMLElement>('.fleet-nodes');
    if (!summary || !list) return;
    if (!nodes.body || !processes.body) {
      setText(summary, `Fleet data unavailable (HTTP ${nodes.body ? processes.status : nodes.status}); showing the last known.`);
      summary.dataset.error = 'true';
      return;
    }
    const all = [...nodes.body.nodes];
    for (const p of processes.body.processes) if (!all.some((n) => n.name === p.node)) all.push({ name: p.node });
    const up = all.filter((n) => n.alive).length;
    const etcd = info.body.connected ? 'connected' : `unreachable${info.body.lastError ? ` (${info.body.lastError})` : ''}`;
    setText(summary, `This node: ${info.body.node} · ${all.length} node${all.length === 1 ? '' : 's'}, ${up} up · etcd ${etcd}`);
    summary.dataset.error = String(!info.body.connected);
    list.replaceChildren(...all.map((n) => nodeSection(n, processes.body?.processes.filter((p) => p.node === n.name) ?? [])));
  }
}
