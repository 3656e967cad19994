// procvisor's opt-in options: readiness, dependencies, backoff policies.
import { describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/concurrency.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { createTestManager } from '../../helpers/manager.js';
import { edges, recordStates, waitForState } from '../../helpers/wait-for.js';

const SERVER = `const net=require('net');setTimeout(()=>net.createServer(()=>{}).listen(Number(process.argv[1]),'127.0.0.1',()=>console.log('listening')),Number(process.argv[2]))`;

describe('readiness-gated RUNNING', () => {
  it('a server that binds its port after a delay is RUNNING only after binding', async () => {
    const pm = createTestManager();
    const port = await freePort();
    pm.addProcessGroup({
      name: 'srv',
      command: [process.execPath, '-e', SERVER, String(port), '400'],
      startsecs: 0,
      autostart: false,
      ready: { checks: [{ tcp: port }], timeout: 5, interval: 20 },
    });
    const t0 = performance.now();
    await pm.startProcess('srv');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    expect(pm.getProcessInfo('srv').statename).toBe('RUNNING');
  });

  it('a log-line check gates RUNNING', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({
      name: 'l',
      command: "sh -c 'echo booting; sleep 0.2; echo ready now; exec sleep 1000'",
      startsecs: 0,
      autostart: false,
      ready: { checks: [{ log: 'ready now' }], timeout: 5 },
    });
    const ev = recordStates(pm);
    await pm.startProcess('l');
    expect(edges(ev, 'l')).toEqual(['STOPPED->STARTING', 'STARTING->RUNNING']);
  });

  it('a timeout is a failed start: BACKOFF, then FATAL, and the error carries the output', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({
      name: 'never',
      command: "sh -c 'echo trying to start >&2; exec sleep 1000'",
      startsecs: 0,
      startretries: 0,
      autostart: false,
      ready: { checks: [{ file: '/nonexistent/ready-flag' }], timeout: 0.3, interval: 20 },
    });
    const err = await pm.startProcess('never').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SPAWN_ERROR' });
    expect((err as Error).message).toContain('trying to start');
    await waitForState(pm, 'never', 'FATAL');
    expect(pm.getProcessInfo('never').spawnerr).toMatch(/^readiness check timed out after 0.3s: file \/nonexistent\/ready-flag/);
  });

  it('a readiness check without timeout is a configuration error', () => {
    const pm = createTestManager();
    expect(() => pm.addProcessGroup({ name: 'x', command: 'sleep 1', ready: { checks: [{ tcp: 1 }] } as never })).toThrow(/needs a timeout/);
  });
});

describe('dependencies', () => {
  it('db -> migrate (exits 0) -> web start in order and stop in reverse', async () => {
    const pm = createTestManager();
    const ev = recordStates(pm);
    // Added one by one, a program's dependencies must exist first.
    expect(() => pm.addProcessGroup({ name: 'x', command: 'sleep 1', depends_on: ['nosuch'] })).toThrow(/depends on 'nosuch'/);
    pm.addProcessGroup({ name: 'db', command: 'sleep 1000', startsecs: 0.2, priority: 999 });
    pm.addProcessGroup({ name: 'migrate', command: "sh -c 'sleep 0.1; exit 0'", startsecs: 0, autorestart: false, depends_on: { db: 'running' } });
    pm.addProcessGroup({ name: 'web', command: 'sleep 1000', startsecs: 0.1, depends_on: { migrate: 'exited' }, priority: 1 });
    await pm.start();
    await waitForState(pm, 'web', 'RUNNING', 5000);
    const starts = ev.filter((e) => e.to === 'STARTING').map((e) => e.name);
    expect(starts).toEqual(['db', 'migrate', 'web']);
    const dbRunning = ev.findIndex((e) => e.name === 'db' && e.to === 'RUNNING');
    const migrateStart = ev.findIndex((e) => e.name === 'migrate' && e.to === 'STARTING');
    const migrateExit = ev.findIndex((e) => e.name === 'migrate' && e.to === 'EXITED');
    const webStart = ev.findIndex((e) => e.name === 'web' && e.to === 'STARTING');
    expect(dbRunning).toBeLessThan(migrateStart);
    expect(migrateExit).toBeLessThan(webStart);
    await pm.shutdown();
    const stops = ev.filter((e) => e.to === 'STOPPING').map((e) => e.name);
    // web has the lowest priority number but depends (indirectly) on db: it still stops first.
    expect(stops).toEqual(['web', 'db']);
  });

  it('a cycle is refused at configuration time, naming it', () => {
    const pm = createTestManager();
    pm.addProcessGroup({ name: 'a', command: 'sleep 1', autostart: false });
    expect(() =>
      pm.addProcessGroups([
        { name: 'b', command: 'sleep 1', depends_on: ['c'] },
        { name: 'c', command: 'sleep 1', depends_on: ['b'] },
      ]),
    ).toThrow('dependency cycle: b -> c -> b');
    expect(pm.getAllProcessInfo().map((p) => p.name)).toEqual(['a']);
  });

  it('groups added one by one: checked once a depends_on exists anywhere (unknown name, removal of a dependency)', () => {
    const pm = createTestManager();
    for (const name of ['a', 'b', 'c']) pm.addProcessGroup({ name, command: 'sleep 1', autostart: false });
    expect(() => pm.addProcessGroup({ name: 'd', command: 'sleep 1', autostart: false, depends_on: ['nope'] })).toThrow(
      "program 'd' depends on 'nope', which is not a configured program or group",
    );
    pm.addProcessGroup({ name: 'e', command: 'sleep 1', autostart: false, depends_on: ['b'] });
    // A later group without depends_on is still checked against the existing graph, and b cannot go while e needs it.
    pm.addProcessGroup({ name: 'f', command: 'sleep 1', autostart: false });
    expect(() => pm.removeProcessGroup('b')).toThrow("program 'e' depends on 'b', which is not a configured program or group");
    expect(pm.getAllProcessInfo().map((p) => p.name)).toEqual(['a', 'b', 'c', 'e', 'f']);
  });
});

describe('backoff policies', () => {
  it('exponential with a cap and never giving up', async () => {
    const clock = new FakeClock();
    const pm = createTestManager({ clock });
    pm.addProcessGroup({
      name: 'f',
      command: '/bin/false',
      startretries: 1,
      backoff: { strategy: 'exponential', initial: 2, multiplier: 3, max: 10, give_up: false },
    });
    const ev = recordStates(pm);
    await pm.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await waitForState(pm, 'f', 'BACKOFF');
      const next = pm.getProcessStatus('f').nextRetryAt - clock.epochMs();
      delays.push(next);
      clock.advance(next);
    }
    expect(delays).toEqual([2000, 6000, 10000, 10000]);
    expect(ev.some((e) => e.to === 'FATAL')).toBe(false);
  });

  it('the default stays supervisord’s 1 s, 2 s then FATAL', async () => {
    const clock = new FakeClock();
    const pm = createTestManager({ clock });
    pm.addProcessGroup({ name: 'f', command: '/bin/false', startretries: 2 });
    await pm.start();
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      await waitForState(pm, 'f', 'BACKOFF');
      const next = pm.getProcessStatus('f').nextRetryAt - clock.epochMs();
      delays.push(next);
      clock.advance(next);
    }
    await waitForState(pm, 'f', 'BACKOFF');
    clock.flush();
    await waitForState(pm, 'f', 'FATAL');
    expect(delays).toEqual([1000, 2000]);
  });
});

describe('ports', () => {
  it('PORT is deterministic from the name, stable across restarts, never shared', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({
      name: 'app',
      command: "sh -c 'echo port=$PORT host=$HOST; exec sleep 1000'",
      numprocs: 3,
      process_name: '%(program_name)s_%(process_num)d',
      startsecs: 0,
      autostart: false,
      port: { mode: 'hash', range: [20000, 20009], host: '127.0.0.1' },
    });
    const ports = new Set<string>();
    for (const n of [0, 1, 2]) {
      await pm.startProcess(`app:app_${n}`);
      await until(
        () => pm.tailProcessStdoutLog(`app:app_${n}`, 0, 100)[1] > 0,
        () => 'no output',
      );
      ports.add(pm.readProcessStdoutLog(`app:app_${n}`, 0, 0));
    }
    expect(ports.size).toBe(3);
    for (const p of ports) expect(p).toMatch(/^port=200\d\d host=127\.0\.0\.1\n$/);
    const first = pm.readProcessStdoutLog('app:app_0', 0, 0);
    await pm.stopProcess('app:app_0');
    pm.clearProcessLogs('app:app_0');
    await pm.startProcess('app:app_0');
    await until(
      () => pm.tailProcessStdoutLog('app:app_0', 0, 100)[1] > 0,
      () => 'no output',
    );
    expect(pm.readProcessStdoutLog('app:app_0', 0, 0)).toBe(first);
  });

  it('an exhausted range fails at configuration time, adding nothing', () => {
    const pm = createTestManager();
    expect(() =>
      pm.addProcessGroup({ name: 'many', command: 'sleep 1', numprocs: 3, process_name: 'm%(process_num)d', port: { mode: 'hash', range: [20100, 20101] } }),
    ).toThrow(/no free port left in 20100-20101/);
    expect(pm.getAllProcessInfo()).toEqual([]);
  });
});

describe('memory limits', () => {
  const GROW = `const a=[];setInterval(()=>{if(a.length<Number(process.argv[1]))a.push(Buffer.alloc(8*1024*1024,1))},20);console.log('up')`;

  it('a process that grows past max_memory_mb is restarted within two sampling intervals', async () => {
    const pm = createTestManager({ sampleIntervalMs: 200 });
    const events: unknown[] = [];
    pm.on('memoryLimit', (e) => events.push(e));
    pm.addProcessGroup({ name: 'hog', command: [process.execPath, '-e', GROW, '20'], startsecs: 0, max_memory_mb: 80, autostart: false, stopwaitsecs: 1 });
    pm.addProcessGroup({ name: 'calm', command: [process.execPath, '-e', GROW, '1'], startsecs: 0, max_memory_mb: 400, autostart: false });
    await pm.startProcess('hog');
    await pm.startProcess('calm');
    const calmPid = pm.getProcessInfo('calm').pid;
    const firstPid = pm.getProcessInfo('hog').pid;
    await until(
      () => events.length > 0 && pm.getProcessInfo('hog').pid !== firstPid && pm.getProcessInfo('hog').pid !== 0,
      () => JSON.stringify(pm.getProcessInfo('hog')),
      6000,
    );
    expect(events[0]).toMatchObject({ name: 'hog', limitMb: 80 });
    expect(pm.getProcessInfo('calm').pid).toBe(calmPid);
    expect(pm.getProcessMetrics('calm')?.rss).toBeGreaterThan(0);
  });
});

import { until } from '../../helpers/wait-for.js';

describe('reload plans', () => {
  it('plan/apply restarts exactly the changed processes, applies live changes in place', async () => {
    const pm = createTestManager();
    const pool = { name: 'pool', command: 'sleep 100%(process_num)d', numprocs: 3, process_name: 'p%(process_num)d', startsecs: 0 };
    const v1 = [
      { name: 'keep', command: 'sleep 1000', startsecs: 0 },
      { name: 'chg', command: 'sleep 1000', startsecs: 0 },
      { name: 'gone', command: 'sleep 1000', startsecs: 0 },
      pool,
    ];
    for (const c of v1) pm.addProcessGroup(c);
    await pm.start();
    await until(
      () => pm.getAllProcessInfo().every((p) => p.statename === 'RUNNING'),
      () => JSON.stringify(pm.getAllProcessInfo()),
    );
    const before = Object.fromEntries(pm.getAllProcessInfo().map((p) => [`${p.group}:${p.name}`, p.pid]));
    const v2 = [
      { name: 'keep', command: 'sleep 1000', startsecs: 0, stopwaitsecs: 3 },
      { name: 'chg', command: 'sleep 2000', startsecs: 0 },
      { name: 'new', command: 'sleep 1000', startsecs: 0 },
      // p0 keeps `sleep 1000`; p1 and p2 get `sleep 1011` and `sleep 1022`.
      { ...pool, command: 'sleep 10%(process_num)d%(process_num)d' },
    ];
    const plan = pm.plan(v2);
    expect(plan.added).toEqual(['new']);
    expect(plan.removed).toEqual(['gone']);
    expect(plan.live).toEqual(['keep:keep']);
    expect(plan.restart.sort()).toEqual(['chg:chg', 'pool:p1', 'pool:p2']);
    await pm.apply(plan);
    const after = Object.fromEntries(pm.getAllProcessInfo().map((p) => [`${p.group}:${p.name}`, p.pid]));
    expect(after['keep:keep']).toBe(before['keep:keep']);
    expect(pm.getGroupDetails('keep')?.spec.processes[0]?.stopwaitsecs).toBe(3);
    // A process's own spec (what the exit policies read at each exit) follows the reload too.
    expect(pm.getProcessSpec('keep', 'keep')?.stopwaitsecs).toBe(3);
    expect(pm.getProcessSpec('gone', 'gone')).toBeUndefined();
    expect(pm.getProcessSpec('keep', 'nope')).toBeUndefined();
    expect(pm.getProcessSpec('pool', 'p1')?.command).toBe('sleep 1011');
    expect(after['chg:chg']).not.toBe(before['chg:chg']);
    expect(after['pool:p0']).toBe(before['pool:p0']);
    expect(after['pool:p1']).not.toBe(before['pool:p1']);
    expect(after['gone:gone']).toBeUndefined();
    await waitForState(pm, 'new', 'RUNNING');
    await waitForState(pm, 'chg', 'RUNNING');
  });

  it('a numprocs change restarts no existing member', async () => {
    const pm = createTestManager();
    const pool = { name: 'pool', command: 'sleep 1000', numprocs: 2, process_name: 'p%(process_num)d', startsecs: 0 };
    pm.addProcessGroup(pool);
    await pm.start();
    await until(
      () => pm.getAllProcessInfo().every((p) => p.statename === 'RUNNING'),
      () => JSON.stringify(pm.getAllProcessInfo()),
    );
    const pids = pm.getAllProcessInfo().map((p) => p.pid);
    const plan = pm.plan([{ ...pool, numprocs: 3 }]);
    expect(plan).toMatchObject({ restart: [], live: [], addedProcesses: ['pool:p2'] });
    await pm.apply(plan);
    await waitForState(pm, 'pool:p2', 'RUNNING');
    expect(
      pm
        .getAllProcessInfo()
        .slice(0, 2)
        .map((p) => p.pid),
    ).toEqual(pids);
  });
});
