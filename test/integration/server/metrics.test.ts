// GET /metrics (Prometheus text) and the usage/restart fields of /api/status, over real HTTP with
// real children; CPU and memory are checked against what /proc says about the same process trees.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler, listenInet } from '../../../src/server/http-server.js';
import { createJsonApi } from '../../../src/server/json-api.js';
import { createMetricsRoute } from '../../../src/server/metrics.js';
import { createTestManager, node } from '../../helpers/manager.js';
import { serveRoutes, standInSupervisor, type Json } from '../../helpers/api-server.js';
import { survivorsOf } from '../../helpers/processes.js';
import { until, waitForEvent, waitForState } from '../../helpers/wait-for.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** CPU seconds and resident bytes of a tree as /proc shows it (status VmRSS, stat utime+stime). */
function procUsage(root: number): { cpu: number; rss: number; count: number } {
  let cpu = 0;
  let rss = 0;
  let count = 0;
  for (const row of survivorsOf([root])) {
    try {
      const stat = readFileSync(`/proc/${row.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const vm = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${row.pid}/status`, 'utf8'));
      cpu += (Number(f[11]) + Number(f[12])) / 100;
      rss += Number(vm?.[1] ?? 0) * 1024;
      count++;
    } catch {
      // exited meanwhile
    }
  }
  return { cpu, rss, count };
}

/** Samples of one family from the exposition text: `labels text` → value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (m) out.set(m[1] ?? '', Number(m[2]));
  }
  return out;
}

const BUSY = [process.execPath, '-e', 'while (process.cpuUsage().user < 400_000); setInterval(() => {}, 1 << 30);'];

async function serveWithCredentials(pm: ReturnType<typeof createTestManager>) {
  const credentials = { username: 'alice', password: 'secret' };
  const routes = [createMetricsRoute({ manager: () => pm })];
  const server = await listenInet(createHandler({ supervisor: standInSupervisor(pm), credentials, routes }), { host: '127.0.0.1', port: 0 });
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = `Basic ${Buffer.from('alice:secret').toString('base64')}`;
  return { base, auth };
}

describe('GET /metrics', () => {
  it('reports per-process tree CPU and memory that agree with /proc, state, restarts and start time; authenticated', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({ name: 'tree', command: node('fork-tree.mjs'), startsecs: 0, stopasgroup: true, killasgroup: true, stopwaitsecs: 2 });
    pm.addProcessGroup({ name: 'busy', command: BUSY, startsecs: 0, stopwaitsecs: 1 });
    pm.addProcessGroup({ name: 'idle', command: 'sleep 1000', autostart: false });
    await pm.start();
    await waitForState(pm, 'tree', 'RUNNING');
    await waitForState(pm, 'busy', 'RUNNING');
    const treePid = pm.getProcessInfo('tree').pid;
    const busyPid = pm.getProcessInfo('busy').pid;
    await until(
      () => procUsage(treePid).count === 5 && procUsage(busyPid).cpu >= 0.3,
      () => `tree ${JSON.stringify(procUsage(treePid))} busy ${JSON.stringify(procUsage(busyPid))}`,
      8000,
    );
    const { base, auth } = await serveWithCredentials(pm);

    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const before = { tree: procUsage(treePid), busy: procUsage(busyPid) };
    const res = await fetch(`${base}/metrics`, { headers: { authorization: auth } });
    const after = { tree: procUsage(treePid), busy: procUsage(busyPid) };
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();

    const cpu = samples(text, 'procvisor_process_cpu_seconds_total');
    const rss = samples(text, 'procvisor_process_resident_memory_bytes');
    const count = samples(text, 'procvisor_process_tree_processes');
    for (const name of ['tree', 'busy'] as const) {
      const key = `{group="${name}",name="${name}"}`;
      expect(cpu.get(key), `${name} cpu`).toBeGreaterThanOrEqual(before[name].cpu - 1e-9);
      expect(cpu.get(key), `${name} cpu`).toBeLessThanOrEqual(after[name].cpu + 1e-9);
      expect(rss.get(key), `${name} rss`).toBeGreaterThanOrEqual(Math.min(before[name].rss, after[name].rss) * 0.9);
      expect(rss.get(key), `${name} rss`).toBeLessThanOrEqual(Math.max(before[name].rss, after[name].rss) * 1.1);
      expect(count.get(key)).toBe(before[name].count);
    }
    expect(count.get('{group="tree",name="tree"}')).toBe(5); // node, sleep, sh and its two sleeps
    expect(cpu.get('{group="busy",name="busy"}')).toBeGreaterThanOrEqual(0.3);
    expect(cpu.has('{group="idle",name="idle"}')).toBe(false);

    expect(samples(text, 'procvisor_process_up')).toEqual(
      new Map([
        ['{group="busy",name="busy"}', 1],
        ['{group="idle",name="idle"}', 0],
        ['{group="tree",name="tree"}', 1],
      ]),
    );
    const state = samples(text, 'procvisor_process_state');
    expect(state.get('{group="idle",name="idle",state="STOPPED"}')).toBe(1);
    expect(state.get('{group="idle",name="idle",state="RUNNING"}')).toBe(0);
    expect([...state.entries()].filter(([k, v]) => k.includes('name="tree"') && v === 1).map(([k]) => k)).toEqual([
      '{group="tree",name="tree",state="RUNNING"}',
    ]);
    expect(samples(text, 'procvisor_process_start_time_seconds').get('{group="tree",name="tree"}')).toBe(pm.getProcessInfo('tree').start);
    expect(samples(text, 'procvisor_process_pid').get('{group="busy",name="busy"}')).toBe(busyPid);
    expect(samples(text, 'procvisor_process_restarts_total').get('{group="tree",name="tree"}')).toBe(0);
    expect(samples(text, 'procvisor_supervisor_state').get('{state="RUNNING"}')).toBe(1);

    // The supervisor's own process metrics, against /proc/self.
    const own = procUsage(process.pid);
    const ownRss = samples(text, 'process_resident_memory_bytes').get('') ?? 0;
    const selfRss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
    expect(ownRss).toBeGreaterThan(selfRss * 0.7);
    expect(ownRss).toBeLessThan(selfRss * 1.3);
    expect(own.count).toBeGreaterThan(0);
    expect(samples(text, 'process_cpu_seconds_total').get('')).toBeGreaterThan(0);
    expect(samples(text, 'process_open_fds').get('')).toBeGreaterThan(0);
    const started = samples(text, 'process_start_time_seconds').get('') ?? 0;
    expect(Math.abs(started - (Date.now() / 1000 - process.uptime()))).toBeLessThan(2);
    expect(text).toMatch(/^# TYPE procvisor_process_cpu_seconds_total counter$/m);
    expect(text).toMatch(/^# HELP procvisor_process_restarts_total /m);
  });

  it('counts restarts of a crashing process', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({ name: 'crash', command: node('exit-with.mjs', 3, 50), startsecs: 0, autorestart: true, stopwaitsecs: 1 });
    await pm.start();
    await waitForEvent(pm, () => pm.getProcessStatus('crash').restarts >= 2, 8000);
    const { base, auth } = await serveWithCredentials(pm);
    const text = await (await fetch(`${base}/metrics`, { headers: { authorization: auth } })).text();
    const restarts = samples(text, 'procvisor_process_restarts_total').get('{group="crash",name="crash"}') ?? -1;
    expect(restarts).toBeGreaterThanOrEqual(2);
    expect(restarts).toBeLessThanOrEqual(pm.getProcessStatus('crash').restarts);
  });
});

describe('/api/status', () => {
  it('carries restarts and nextRetryAt from the process status (not 0 / null for everything)', async () => {
    const pm = createTestManager();
    // Exits before startsecs: BACKOFF with a retry pending, then retried.
    pm.addProcessGroup({ name: 'flaky', command: node('exit-with.mjs', 1, 0), startsecs: 5, startretries: 5 });
    pm.addProcessGroup({ name: 'ok', command: 'sleep 1000', startsecs: 0, stopwaitsecs: 1 });
    await pm.start();
    await waitForState(pm, 'ok', 'RUNNING');
    await waitForEvent(pm, (e) => e.name === 'flaky' && e.to === 'BACKOFF' && pm.getProcessStatus('flaky').restarts >= 1, 8000);
    const api = createJsonApi({ manager: () => pm });
    const { call, close } = await serveRoutes(pm, [api]);
    cleanups.push(async () => {
      api.close();
      await close();
    });
    const want = pm.getProcessStatus('flaky');
    const body = (await call('GET', '/api/status')).body;
    const flaky = body.processes.find((p: Json) => p.name === 'flaky');
    const now = pm.getProcessStatus('flaky');
    expect(want.restarts).toBeGreaterThanOrEqual(1);
    expect(flaky.restarts).toBeGreaterThanOrEqual(want.restarts);
    expect(flaky.restarts).toBeLessThanOrEqual(now.restarts);
    // The second retry waits 2 s in BACKOFF: the request lands inside that window.
    expect(flaky.statename).toBe('BACKOFF');
    expect(flaky.nextRetryAt).toBe(now.nextRetryAt);
    expect(flaky.nextRetryAt).toBeGreaterThan(Date.now() - 1000);
    const ok = body.processes.find((p: Json) => p.name === 'ok');
    expect(ok).toMatchObject({ restarts: 0, nextRetryAt: null, statename: 'RUNNING' });
    expect(ok.usage).toMatchObject({ processes: 1 });
    expect(ok.usage.rssBytes).toBeGreaterThan(100_000);
    expect(ok.usage.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(ok.usage.cpuPercent).toBeNull(); // first reading
    // A second reading later has a percentage (sleep uses none).
    await new Promise((r) => setTimeout(r, 300));
    const again = (await call('GET', '/api/processes/ok')).body;
    expect(again.usage.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(again.usage.cpuPercent).toBeLessThan(50);
  });
});
