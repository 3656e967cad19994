// Shutdown (docs/semantics.md#shutdown; SHUTDOWN_STATE for every change once it began):
// idempotent, everything stopped, no automatic start afterwards, every control call refused.
import { describe, expect, it } from 'vitest';
import type { SupervisorState } from '../../../src/index.js';
import { expectFault, expectFaultSync, fakeTimeManager, macrotask, OutputCapture, realTimeManager, SH } from '../../helpers/conformance.js';
import { createTestManager, node } from '../../helpers/manager.js';
import { edges, recordStates, waitForState } from '../../helpers/wait-for.js';

describe('shutdown', () => {
  it('is idempotent: one promise, one stop per process, one SHUTDOWN mood change', async () => {
    const { clock, pm, events } = fakeTimeManager();
    const moods: SupervisorState[] = [];
    pm.on('supervisorState', (s) => moods.push(s));
    pm.addProcessGroup({ name: 'a', command: SH.sleep });
    pm.addProcessGroup({ name: 'b', command: SH.sleep, priority: 5 });
    await pm.start();
    clock.advance(1001);
    const first = pm.shutdown();
    const second = pm.shutdown();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await pm.shutdown();
    await pm.shutdown({ force: true });
    expect(moods).toEqual(['SHUTDOWN']);
    expect(pm.getState()).toEqual({ statecode: -1, statename: 'SHUTDOWN' });
    for (const name of ['a', 'b']) expect(edges(events, name)).toEqual(['STOPPED->STARTING', 'STARTING->RUNNING', 'RUNNING->STOPPING', 'STOPPING->STOPPED']);
    expect(clock.pendingCount).toBe(0);
  });

  it('a BACKOFF process is given up (FATAL), not STOPPED; a STARTING one is stopped', async () => {
    const { pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'missing', command: '/no/such/thing' });
    pm.addProcessGroup({ name: 'starting', command: SH.sleep, startsecs: 5 });
    await pm.start();
    await pm.shutdown();
    expect(edges(events, 'missing')).toEqual(['STOPPED->STARTING', 'STARTING->BACKOFF', 'BACKOFF->FATAL']);
    expect(edges(events, 'starting')).toEqual(['STOPPED->STARTING', 'STARTING->STOPPING', 'STOPPING->STOPPED']);
  });

  it('no automatic start during or after shutdown: pending autorestarts and retries do not fire', async () => {
    const { clock, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'again', command: SH.exitOnStdin, autorestart: true });
    pm.addProcessGroup({ name: 'retry', command: '/no/such/thing', startretries: 5 });
    await pm.start();
    clock.advance(1001); // 'again' RUNNING; 'retry' retried once, BACKOFF with its next retry 2 s away
    pm.sendProcessStdin('again', '0\n');
    await waitForState(pm, 'again', 'EXITED');
    expect(pm.getProcessInfo('retry').statename).toBe('BACKOFF');
    const done = pm.shutdown();
    clock.advance(60_000);
    await done;
    expect(pm.getProcessInfo('again').statename).toBe('EXITED');
    expect(pm.getProcessInfo('retry').statename).toBe('FATAL');
    expect(events.filter((e) => e.to === 'STARTING')).toHaveLength(3);
  });

  it('waits for a stubborn child until the SIGKILL after stopwaitsecs', async () => {
    const { clock, log, pm } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'stubborn', command: node('ignore-sigterm.mjs'), startsecs: 0, stopwaitsecs: 4, stdout_events_enabled: true });
    await pm.start();
    clock.flush();
    await out.waitFor('stubborn', /ready\n/);
    let done = false;
    const shutdown = pm.shutdown().then(() => (done = true));
    await out.waitFor('stubborn', /got SIGTERM\n/);
    clock.advance(3999);
    await macrotask();
    expect(done).toBe(false);
    expect(pm.getProcessInfo('stubborn').statename).toBe('STOPPING');
    // While it waits, shutdown reports the unstopped processes every 3 s
    expect(log.lines).toContainEqual({ level: 'info', message: 'waiting for stubborn to die' });
    clock.advance(1);
    await shutdown;
    expect(log.lines).toContainEqual({ level: 'warn', message: 'stopped: stubborn (terminated by SIGKILL)' });
  });

  it('force: SIGKILL at once, without waiting for stopwaitsecs', async () => {
    const { pm } = realTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'stubborn', command: node('ignore-sigterm.mjs'), startsecs: 0, stopwaitsecs: 30, stdout_events_enabled: true });
    await pm.startProcess('stubborn');
    await out.waitFor('stubborn', /ready\n/);
    const t0 = performance.now();
    await pm.shutdown({ force: true });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(pm.getProcessInfo('stubborn')).toMatchObject({ statename: 'STOPPED', exitstatus: -1 });
  });

  it('Symbol.asyncDispose shuts down', async () => {
    const pm = createTestManager();
    const events = recordStates(pm);
    {
      await using scoped = pm;
      scoped.addProcessGroup({ name: 'a', command: SH.sleep, startsecs: 0 });
      await scoped.startProcess('a');
    }
    expect(pm.getState().statename).toBe('SHUTDOWN');
    expect(edges(events, 'a').at(-1)).toBe('STOPPING->STOPPED');
  });
});

describe('SHUTDOWN_STATE', () => {
  it('every control call fails with SHUTDOWN_STATE once shutdown began, even before it completes', async () => {
    const { pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'a', command: SH.sleep });
    pm.addProcessGroup({ name: 'b', command: SH.sleep, autostart: false });
    await pm.start();
    const done = pm.shutdown();
    const check = async () => {
      await expectFault(pm.startProcess('b'), 'SHUTDOWN_STATE', 'SHUTDOWN_STATE');
      await expectFault(pm.startProcess('b', { wait: false }), 'SHUTDOWN_STATE');
      await expectFault(pm.stopProcess('a'), 'SHUTDOWN_STATE');
      await expectFault(pm.startProcessGroup('b'), 'SHUTDOWN_STATE');
      await expectFault(pm.stopProcessGroup('a'), 'SHUTDOWN_STATE');
      await expectFault(pm.startAllProcesses(), 'SHUTDOWN_STATE');
      await expectFault(pm.stopAllProcesses(), 'SHUTDOWN_STATE');
      await expectFault(pm.start(), 'SHUTDOWN_STATE');
      expectFaultSync(() => pm.signalProcess('a', 'HUP'), 'SHUTDOWN_STATE');
      expectFaultSync(() => pm.signalProcessGroup('a', 'HUP'), 'SHUTDOWN_STATE');
      expectFaultSync(() => pm.signalAllProcesses('HUP'), 'SHUTDOWN_STATE');
      expectFaultSync(() => pm.sendProcessStdin('a', 'x'), 'SHUTDOWN_STATE');
      expectFaultSync(() => pm.addProcessGroup({ name: 'c', command: SH.sleep }), 'SHUTDOWN_STATE');
      expectFaultSync(() => pm.removeProcessGroup('b'), 'SHUTDOWN_STATE');
    };
    await check();
    await done;
    await check();
    expect(events.some((e) => e.name === 'b')).toBe(false);
    expect(pm.getAllProcessInfo().map((p) => p.name)).toEqual(['a', 'b']);
  });
});
