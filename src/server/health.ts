// Health for orchestrators. GET /healthz: the supervisor is up and its event loop answers (a stuck
// loop answers nothing, which a probe's timeout reports). GET /readyz: every autostart process —
// or each process of the configured `health_ready_programs` — is RUNNING (RUNNING already waits for
// a program's readiness check). Both answer JSON; 200 when good, 503 otherwise, with the processes
// that are not ready named. Also what `procvisorctl health` / `ready` ask for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProcessManager } from '../supervisor/manager.js';
import type { Route } from './http-server.js';
import { LoopDelayWatch } from './loop-delay.js';

export interface NotReady {
  name: string;
  state: string;
  /** Why it is not there yet (spawn error, readiness timeout) when known. */
  detail?: string;
}

export interface ReadyReport {
  ready: boolean;
  /** The supervisor's state (RUNNING, SHUTDOWN, …). */
  state: string;
  notReady: NotReady[];
}

export interface HealthReport {
  healthy: boolean;
  state: string;
  pid: number;
  uptimeSeconds: number;
  /**
   * The event loop's longest delay (ms) over the last minute or so; measured only while reports
   * are asked for (0 on the first one after a quiet minute), so an idle supervisor arms no timer.
   */
  eventLoopDelayMaxMs: number;
}

export interface HealthOptions {
  manager: () => ProcessManager;
  /** Group names or `group:process` names /readyz waits for; default every autostart process. */
  readyPrograms?: () => readonly string[] | undefined;
  /** True once the supervisor shuts down: both answer 503. */
  stopping: () => boolean;
}

/** The processes /readyz waits for that are not RUNNING, by namespec. */
export function notReady(pm: ProcessManager, programs?: readonly string[]): NotReady[] {
  const out: NotReady[] = [];
  const wanted = programs && programs.length > 0 ? new Set(programs) : undefined;
  const known = new Set<string>();
  for (const g of pm.listGroups()) {
    for (const p of g.processes) {
      const full = p.namespec;
      const listed = wanted ? wanted.has(g.name) || wanted.has(full) || (g.name === p.name && wanted.has(p.name)) : p.autostart;
      if (wanted?.has(g.name)) known.add(g.name);
      if (wanted?.has(full)) known.add(full);
      if (!listed || p.statename === 'RUNNING') continue;
      out.push({ name: g.name === p.name ? p.name : full, state: p.statename, ...(p.spawnerr ? { detail: p.spawnerr } : {}) });
    }
  }
  for (const name of wanted ?? []) if (!known.has(name)) out.push({ name, state: 'UNKNOWN', detail: 'no such program' });
  return out;
}

/** Whether autostart has settled: nothing STARTING or BACKOFF, every autostart process tried (or held back by a FATAL dependency). */
export function autostartSettled(pm: ProcessManager): boolean {
  // While autostart runs something is STARTING or BACKOFF: that answers from the plain process
  // list, without building every group's details.
  for (const p of pm.getAllProcessInfo()) if (p.statename === 'STARTING' || p.statename === 'BACKOFF') return false;
  const groups = pm.listGroups();
  const fatal = new Set(groups.filter((g) => g.processes.some((p) => p.statename === 'FATAL')).map((g) => g.name));
  for (const g of groups) {
    for (const p of g.processes) {
      if (p.statename === 'STARTING' || p.statename === 'BACKOFF') return false;
      // Never started (start 0) yet autostart: still to come, unless a dependency gave up.
      if (p.autostart && p.statename === 'STOPPED' && p.start === 0) {
        const spec = g.spec.processes.find((s) => s.name === p.name);
        const blocked = spec?.ext.depends_on.some((d) => fatal.has(d.name)) ?? false;
        if (!blocked) return false;
      }
    }
  }
  return true;
}

/**
 * Resolves once autostart has settled (see autostartSettled), or when `signal` aborts. The check
 * looks at every process, so it runs once per turn of the event loop in which processes changed
 * state, not once per change: checked per change, the autostart of 5,000 programs (10,000
 * transitions) cost minutes of CPU.
 */
export function whenSettled(manager: () => ProcessManager, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let pm = manager();
    let done = false;
    let queued = false;
    const check = () => {
      if (done) return;
      if (signal?.aborted || autostartSettled(pm)) {
        done = true;
        pm.off('processState', later);
        signal?.removeEventListener('abort', check);
        resolve();
      }
    };
    const later = () => {
      if (queued) return;
      queued = true;
      setImmediate(() => {
        queued = false;
        check();
      });
    };
    pm.on('processState', later);
    signal?.addEventListener('abort', check, { once: true });
    // A first look once any spawns of this turn have happened.
    setImmediate(() => {
      if (manager() !== pm) {
        pm.off('processState', later);
        pm = manager();
        if (!done) pm.on('processState', later);
      }
      check();
    });
  });
}

function json(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(head ? undefined : text);
}

export interface Health {
  route: Route;
  health(): HealthReport;
  readiness(): ReadyReport;
  close(): void;
}

export function createHealth(options: HealthOptions): Health {
  const started = Date.now();
  const delay = new LoopDelayWatch();
  const health = (): HealthReport => {
    const state = options.stopping() ? 'SHUTDOWN' : options.manager().getState().statename;
    return {
      healthy: state === 'RUNNING',
      state,
      pid: process.pid,
      uptimeSeconds: Math.floor((Date.now() - started) / 1000),
      eventLoopDelayMaxMs: delay.maxMs(),
    };
  };
  const readiness = (): ReadyReport => {
    const pm = options.manager();
    const state = options.stopping() ? 'SHUTDOWN' : pm.getState().statename;
    const missing = state === 'RUNNING' ? notReady(pm, options.readyPrograms?.()) : [];
    return { ready: state === 'RUNNING' && missing.length === 0, state, notReady: missing };
  };
  const route: Route = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== '/healthz' && url.pathname !== '/readyz') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return true;
    }
    const head = req.method === 'HEAD';
    if (url.pathname === '/healthz') {
      const h = health();
      json(res, h.healthy ? 200 : 503, h, head);
    } else {
      const r = readiness();
      json(res, r.ready ? 200 : 503, r, head);
    }
    return true;
  };
  return { route, health, readiness, close: () => delay.close() };
}
