// The `notify` readiness check, like systemd's Type=notify: each process gets its own
// $NOTIFY_SOCKET and is RUNNING only once it sends READY=1 there; with a watchdog it is killed
// (and restarted as autorestart says) when its WATCHDOG=1 pings stop. The program is a Python
// service using only the standard library's socket module, as a real one would.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestManager, fixture } from '../../helpers/manager.js';
import { edges, recordStates, until, waitForEvent, waitForState } from '../../helpers/wait-for.js';
import { NotifySockets } from '../../../src/supervisor/notify-socket.js';

const PYTHON = '/usr/bin/python3';
const RUNNABLE = existsSync(PYTHON) && NotifySockets.available();
if (!RUNNABLE) console.warn('NOTICE: notify readiness tests skipped (need /usr/bin/python3 for the service and perl for the sockets)');

describe.skipIf(!RUNNABLE)('readiness check `notify` (READY=1 on $NOTIFY_SOCKET)', () => {
  it('stays STARTING until the program sends READY=1, then is RUNNING; its socket is its own', async () => {
    const pm = createTestManager();
    const gate = join(pm.tmp, 'gate');
    pm.addProcessGroup({
      name: 'svc',
      command: [PYTHON, fixture('sd-notify.py'), gate],
      numprocs: 2,
      process_name: '%(program_name)s_%(process_num)s',
      startsecs: 0,
      autostart: false,
      ready: { checks: [{ notify: true }], timeout: 30 },
    });
    const events = recordStates(pm);
    const started = pm.startProcessGroup('svc');
    await until(
      () => events.some((e) => e.name === 'svc_1' && e.to === 'STARTING'),
      () => JSON.stringify(events),
      5000,
    );
    // Well past startsecs=0, with the program up and waiting for its gate: still STARTING.
    const deadline = Date.now() + 800;
    while (Date.now() < deadline) {
      expect(pm.getProcessInfo('svc:svc_0').statename).toBe('STARTING');
      await new Promise((r) => setTimeout(r, 50));
    }
    const out = () => pm.readProcessStdoutLog('svc:svc_0', 0, 0) + pm.readProcessStdoutLog('svc:svc_1', 0, 0);
    await until(() => out().split('NOTIFY_SOCKET=').length === 3, out, 10_000);
    expect(pm.getProcessInfo('svc:svc_0').statename).toBe('STARTING');
    const sockets = [0, 1].map((n) => /NOTIFY_SOCKET=(\S+)/.exec(pm.readProcessStdoutLog(`svc:svc_${n}`, 0, 0))?.[1]);
    expect(sockets[0], out()).toMatch(/procvisor-notify-\d+\/\d+\.sock$/);
    expect(sockets[1]).not.toBe(sockets[0]);
    expect(pm.readProcessStdoutLog('svc:svc_0', 0, 0)).not.toContain('sent READY=1');
    writeFileSync(gate, '');
    await started;
    expect(pm.getProcessInfo('svc:svc_0').statename).toBe('RUNNING');
    // The program prints that line after sending READY=1: its output may come after the transition.
    await until(() => pm.readProcessStdoutLog('svc:svc_0', 0, 0).includes('sent READY=1'), out, 5000);
    expect(edges(events, 'svc_0')).toEqual(['STOPPED->STARTING', 'STARTING->RUNNING']);
  }, 30_000);

  it('no READY=1 within the readiness timeout: a failed start (BACKOFF)', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({
      name: 'mute',
      command: [PYTHON, fixture('sd-notify.py'), '/nonexistent/gate'],
      startsecs: 0,
      startretries: 0,
      autostart: false,
      ready: { checks: [{ notify: true }], timeout: 1 },
    });
    await expect(pm.startProcess('mute')).rejects.toThrow();
    await waitForState(pm, 'mute', 'FATAL', 10_000);
    expect(pm.getProcessInfo('mute').spawnerr).toMatch(/READY=1 on NOTIFY_SOCKET/);
  }, 30_000);

  it('watchdog: WATCHDOG_USEC given; pings keep it RUNNING, and when they stop it is killed and restarted', async () => {
    const pm = createTestManager();
    const gate = join(pm.tmp, 'gate');
    const stop = join(pm.tmp, 'stop');
    writeFileSync(gate, '');
    pm.addProcessGroup({
      name: 'dog',
      command: [PYTHON, fixture('sd-notify.py'), gate, stop],
      startsecs: 0,
      autostart: false,
      autorestart: true,
      ready: { checks: [{ notify: true, watchdog: 2 }], timeout: 30 },
    });
    await pm.startProcess('dog');
    expect(pm.readProcessStdoutLog('dog', 0, 0)).toContain('WATCHDOG_USEC=2000000');
    const first = pm.getProcessInfo('dog').pid;
    // Over two watchdog intervals with pings: still the same process.
    await new Promise((r) => setTimeout(r, 5000));
    expect(pm.getProcessInfo('dog')).toMatchObject({ statename: 'RUNNING', pid: first });
    const events = recordStates(pm);
    writeFileSync(stop, '');
    const exited = await waitForEvent(pm, (e) => e.name === 'dog' && e.to === 'EXITED', 10_000);
    expect(exited.death).toEqual({ code: null, signal: 'SIGKILL' });
    await waitForEvent(pm, (e) => e.name === 'dog' && e.to === 'STARTING', 10_000);
    expect(edges(events, 'dog').slice(0, 2)).toEqual(['RUNNING->EXITED', 'EXITED->STARTING']);
  }, 30_000);
});
