// Stopping (docs/semantics.md#stop): stopsignal, SIGKILL after
// stopwaitsecs, exits while STOPPING, stops from STARTING, and process-group signalling.
import { describe, expect, it } from 'vitest';
import { expectChain, expectFault, fakeTimeManager, macrotask, OutputCapture, realTimeManager } from '../../helpers/conformance.js';
import { node } from '../../helpers/manager.js';
import { isAlive, procTable, survivorsOf } from '../../helpers/processes.js';
import { edges, until, waitForState } from '../../helpers/wait-for.js';

describe('SIGKILL escalation after stopwaitsecs', () => {
  it('SIGTERM first; SIGKILL exactly stopwaitsecs later; STOPPED terminated by SIGKILL, exitstatus -1', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'stubborn', command: node('ignore-sigterm.mjs'), startsecs: 0, stopwaitsecs: 3, stdout_events_enabled: true });
    await pm.start();
    clock.flush();
    await out.waitFor('stubborn', /ready\n/);
    const pid = pm.getProcessInfo('stubborn').pid;
    let stopped: string | undefined;
    const stopping = pm.stopProcess('stubborn').then((info) => (stopped = info.statename));
    expect(pm.getProcessInfo('stubborn')).toMatchObject({ statename: 'STOPPING', state: 40, description: '', pid });
    expect(events.at(-1)).toMatchObject({ from: 'RUNNING', to: 'STOPPING', pid });
    expect(log.lines).toContainEqual({ level: 'debug', message: `killing stubborn (pid ${pid}) with signal SIGTERM` });
    await out.waitFor('stubborn', /got SIGTERM\n/);
    // Reported at the first check after the stop signal (supervisord: its next loop iteration),
    // before any SIGKILL, then every 2 s while it is still stopping.
    const waiting = () => log.messages().filter((m) => m === 'waiting for stubborn to stop').length;
    clock.advance(0);
    expect(waiting()).toBe(1);
    clock.advance(1999);
    expect(waiting()).toBe(1);
    clock.advance(1);
    expect(waiting()).toBe(2);

    clock.advance(999);
    await macrotask();
    expect(log.matching(/with SIGKILL$/)).toEqual([]);
    expect(pm.getProcessInfo('stubborn').statename).toBe('STOPPING');
    expect(stopped).toBeUndefined();

    clock.advance(1);
    expect(log.messages().indexOf('waiting for stubborn to stop')).toBeLessThan(log.messages().indexOf(`killing 'stubborn' (${pid}) with SIGKILL`));
    expect(log.lines).toContainEqual({ level: 'warn', message: `killing 'stubborn' (${pid}) with SIGKILL` });
    await stopping;
    expect(stopped).toBe('STOPPED');
    expect(log.lines).toContainEqual({ level: 'warn', message: 'stopped: stubborn (terminated by SIGKILL)' });
    expect(pm.getProcessInfo('stubborn')).toMatchObject({ statename: 'STOPPED', exitstatus: -1, pid: 0 });
    expect(events.at(-1)).toMatchObject({ from: 'STOPPING', to: 'STOPPED', pid, exitstatus: -1 });
    expect(clock.pendingCount).toBe(0);
    expectChain(pm, events, 'stubborn');
  });

  it('real clock: the stop call returns after about stopwaitsecs (0.2 s)', async () => {
    const { pm } = realTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'stubborn', command: node('ignore-sigterm.mjs'), startsecs: 0, stopwaitsecs: 0.2, stdout_events_enabled: true });
    await pm.startProcess('stubborn');
    await out.waitFor('stubborn', /ready\n/);
    const t0 = performance.now();
    await pm.stopProcess('stubborn');
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(195);
    expect(took).toBeLessThan(1500);
    expect(pm.getProcessInfo('stubborn').exitstatus).toBe(-1);
  });
});

describe('custom stopsignal', () => {
  it('stopsignal=INT: SIGINT sent, WARN terminated by SIGINT, returns quickly; a second stop is NOT_RUNNING', async () => {
    const { log, pm, events } = realTimeManager();
    pm.addProcessGroup({ name: 'polite', command: 'sleep 1000', startsecs: 0, stopsignal: 'INT' });
    await pm.startProcess('polite');
    const pid = pm.getProcessInfo('polite').pid;
    const t0 = performance.now();
    await pm.stopProcess('polite');
    expect(performance.now() - t0).toBeLessThan(500);
    expect(log.lines).toContainEqual({ level: 'debug', message: `killing polite (pid ${pid}) with signal SIGINT` });
    expect(log.lines).toContainEqual({ level: 'warn', message: 'stopped: polite (terminated by SIGINT)' });
    expect(pm.getProcessInfo('polite')).toMatchObject({ statename: 'STOPPED', exitstatus: -1 });
    await expectFault(pm.stopProcess('polite'), 'NOT_RUNNING', 'NOT_RUNNING: polite');
    expectChain(pm, events, 'polite');
  });
});

describe('exit while STOPPING', () => {
  it('a graceful handler exiting 0 -> STOPPED, INFO stopped (exit status 0), exitstatus 0, not restarted', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'graceful', command: node('graceful.mjs', 150, 0), startsecs: 0, autorestart: true, stdout_events_enabled: true });
    await pm.start();
    clock.flush();
    await out.waitFor('graceful', /ready\n/);
    await pm.stopProcess('graceful', { wait: false });
    expect(pm.getProcessInfo('graceful')).toMatchObject({ statename: 'STOPPING', description: '' });
    await waitForState(pm, 'graceful', 'STOPPED');
    expect(out.text('graceful')).toContain('bye\n');
    expect(log.lines).toContainEqual({ level: 'info', message: 'stopped: graceful (exit status 0)' });
    expect(pm.getProcessInfo('graceful')).toMatchObject({ statename: 'STOPPED', exitstatus: 0 });
    expect(log.matching(/SIGKILL/)).toEqual([]);
    expect(clock.pendingCount).toBe(0);
    clock.advance(10_000);
    expect(edges(events, 'graceful')).toEqual(['STOPPED->STARTING', 'STARTING->RUNNING', 'RUNNING->STOPPING', 'STOPPING->STOPPED']);
  });

  it('an exit code outside exitcodes while STOPPING is still STOPPED, logged at WARN', async () => {
    const { clock, log, pm } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'graceful', command: node('graceful.mjs', 0, 3), startsecs: 0, stdout_events_enabled: true });
    await pm.start();
    clock.flush();
    await out.waitFor('graceful', /ready\n/);
    await pm.stopProcess('graceful');
    expect(log.lines).toContainEqual({ level: 'warn', message: 'stopped: graceful (exit status 3)' });
    expect(pm.getProcessInfo('graceful')).toMatchObject({ statename: 'STOPPED', exitstatus: 3, spawnerr: '' });
  });
});

describe('stop during STARTING', () => {
  it('the stop wins; the waiting start rejects with ABNORMAL_TERMINATION; STOPPED by SIGTERM', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'slow', command: 'sleep 1000', startsecs: 5, autostart: false });
    const starting = pm.startProcess('slow');
    const started = expectFault(starting, 'ABNORMAL_TERMINATION', 'ABNORMAL_TERMINATION: slow');
    clock.advance(1000);
    expect(pm.getProcessInfo('slow')).toMatchObject({ statename: 'STARTING', description: '' });
    const info = await pm.stopProcess('slow');
    expect(info.statename).toBe('STOPPED');
    await started;
    expect(log.lines).toContainEqual({ level: 'warn', message: 'stopped: slow (terminated by SIGTERM)' });
    expect(edges(events, 'slow')).toEqual(['STOPPED->STARTING', 'STARTING->STOPPING', 'STOPPING->STOPPED']);
    expect(clock.pendingCount).toBe(0);
    clock.advance(10_000);
    expect(pm.getProcessInfo('slow').statename).toBe('STOPPED');
  });
});

/** Waits for fork-tree.mjs's `pids LEADER KID1 KID2` line and returns the pids. */
async function forkTreePids(out: OutputCapture, name: string): Promise<number[]> {
  const m = await out.waitFor(name, /pids (\d+) (\d+) (\d+)\n/);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

describe('stopasgroup / killasgroup', () => {
  it('children lead their own process group and grandchildren share it', async () => {
    const { pm } = realTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'tree', command: node('fork-tree.mjs'), startsecs: 0, stdout_events_enabled: true });
    await pm.startProcess('tree');
    const [leader, ...kids] = await forkTreePids(out, 'tree');
    expect(leader).toBe(pm.getProcessInfo('tree').pid);
    const rows = procTable();
    expect(rows.find((r) => r.pid === leader)?.pgrp).toBe(leader);
    for (const kid of kids) expect(rows.find((r) => r.pid === kid)?.pgrp).toBe(leader);
  });

  it('stopasgroup=true: the stop signal reaches the whole group; nothing is left', async () => {
    const { log, pm } = realTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'grp', command: node('fork-tree.mjs'), startsecs: 0, stopasgroup: true, stdout_events_enabled: true });
    await pm.startProcess('grp');
    const [leader] = await forkTreePids(out, 'grp');
    await until(
      () => survivorsOf([leader as number]).length >= 5,
      () => `tree not complete: ${JSON.stringify(survivorsOf([leader as number]))}`,
    );
    await pm.stopProcess('grp');
    expect(log.messages('debug')).toContain(`killing grp (pid ${leader}) process group with signal SIGTERM`);
    await until(
      () => survivorsOf([leader as number]).length === 0,
      () => `left after stop: ${JSON.stringify(survivorsOf([leader as number]))}`,
      2000,
    );
  });

  it('stopasgroup=false: grandchildren survive the stop (orphaned); the test ends them itself', async () => {
    const { log, pm } = realTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'nogrp', command: node('fork-tree.mjs'), startsecs: 0, stdout_events_enabled: true });
    await pm.startProcess('nogrp');
    const [leader, ...kids] = await forkTreePids(out, 'nogrp');
    await until(
      () => survivorsOf([leader as number]).length >= 5,
      () => `tree not complete: ${JSON.stringify(survivorsOf([leader as number]))}`,
    );
    try {
      await pm.stopProcess('nogrp');
      expect(log.messages('debug')).toContain(`killing nogrp (pid ${leader}) with signal SIGTERM`);
      expect(isAlive(leader as number)).toBe(false);
      for (const kid of kids) expect(isAlive(kid)).toBe(true);
      const rows = procTable();
      for (const kid of kids) expect(rows.find((r) => r.pid === kid)?.ppid).not.toBe(leader);
    } finally {
      for (const row of survivorsOf([leader as number])) {
        try {
          process.kill(row.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await until(
        () => survivorsOf([leader as number]).length === 0,
        () => `could not end ${JSON.stringify(survivorsOf([leader as number]))}`,
        2000,
      );
    }
  });

  it('signalProcess goes to the pid only, never the group', async () => {
    const { pm } = realTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'sig', command: node('fork-tree.mjs'), startsecs: 0, autorestart: false, stopasgroup: true, stdout_events_enabled: true });
    await pm.startProcess('sig');
    const [leader, ...kids] = await forkTreePids(out, 'sig');
    try {
      pm.signalProcess('sig', 'TERM');
      await waitForState(pm, 'sig', 'EXITED');
      expect(pm.getProcessInfo('sig').exitstatus).toBe(-1);
      for (const kid of kids) expect(isAlive(kid)).toBe(true);
    } finally {
      for (const row of survivorsOf([leader as number])) {
        try {
          process.kill(row.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await until(
        () => survivorsOf([leader as number]).length === 0,
        () => `could not end ${JSON.stringify(survivorsOf([leader as number]))}`,
        2000,
      );
    }
  });

  it('killasgroup=true alone: SIGTERM to the leader only, the SIGKILL after stopwaitsecs to the whole group', async () => {
    const { clock, log, pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'kg', command: `sh -c 'trap "" TERM; sleep 1001 & sleep 1002 & wait'`, startsecs: 0, stopwaitsecs: 1, killasgroup: true });
    await pm.start();
    clock.flush();
    const leader = pm.getProcessInfo('kg').pid;
    const members = () => procTable().filter((r) => r.pgrp === leader && r.state !== 'Z');
    await until(
      () => members().length === 3,
      () => `group of ${leader}: ${JSON.stringify(members())}`,
    );
    const stopping = pm.stopProcess('kg');
    expect(log.messages('debug')).toContain(`killing kg (pid ${leader}) with signal SIGTERM`);
    // SIGTERM is ignored by all three; nothing may die before the SIGKILL
    await macrotask();
    expect(pm.getProcessInfo('kg').statename).toBe('STOPPING');
    clock.advance(1000);
    expect(log.lines).toContainEqual({ level: 'warn', message: `killing 'kg' (${leader}) with SIGKILL` });
    expect(log.messages('debug')).toContain(`killing kg (pid ${leader}) process group with signal SIGKILL`);
    await stopping;
    await until(
      () => members().length === 0,
      () => `left in group: ${JSON.stringify(members())}`,
      2000,
    );
    expect(pm.getProcessInfo('kg')).toMatchObject({ statename: 'STOPPED', exitstatus: -1 });
  });
});
