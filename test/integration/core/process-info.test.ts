// getProcessInfo through a process's life: the bookkeeping of docs/semantics.md#states, the struct
// and its per-state descriptions. FakeClock epoch: 2026-11-22 01:00:00 UTC; TZ=UTC for stop times.
import { describe, expect, it } from 'vitest';
import { expectChain, fakeTimeManager, OutputCapture, SH } from '../../helpers/conformance.js';
import { node } from '../../helpers/manager.js';
import { waitForState } from '../../helpers/wait-for.js';
import { useTimeZone } from '../../helpers/time-zone.js';

useTimeZone('UTC');

const EPOCH_S = Date.UTC(2026, 10, 22, 1, 0, 0) / 1000;
const KEYS = [
  'name',
  'group',
  'description',
  'start',
  'stop',
  'now',
  'state',
  'statename',
  'spawnerr',
  'exitstatus',
  'logfile',
  'stdout_logfile',
  'stderr_logfile',
  'pid',
].sort();

describe('getProcessInfo', () => {
  it("has exactly supervisord's keys and types; a never-started program is all zeros and Not started", () => {
    const { pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'never', command: SH.sleep, autostart: false });
    const info = pm.getProcessInfo('never');
    expect(Object.keys(info).sort()).toEqual(KEYS);
    for (const k of ['start', 'stop', 'now', 'state', 'exitstatus', 'pid'] as const) expect(typeof info[k]).toBe('number');
    for (const k of ['name', 'group', 'description', 'statename', 'spawnerr', 'logfile', 'stdout_logfile', 'stderr_logfile'] as const)
      expect(typeof info[k]).toBe('string');
    expect(info).toMatchObject({
      name: 'never',
      group: 'never',
      start: 0,
      stop: 0,
      now: EPOCH_S,
      state: 0,
      statename: 'STOPPED',
      spawnerr: '',
      exitstatus: 0,
      pid: 0,
      description: 'Not started',
    });
    expect(info.logfile).toBe(info.stdout_logfile);
  });

  it('follows a process through STARTING, RUNNING, STOPPING, STOPPED, EXITED and a restart', async () => {
    const { clock, pm, events } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'p', command: node('graceful.mjs', 0, 0), autostart: false, stdout_events_enabled: true });
    pm.addProcessGroup({ name: 'q', command: SH.exitOnStdin, autostart: false, autorestart: false });

    clock.advance(5000);
    await pm.startProcess('p', { wait: false });
    const starting = pm.getProcessInfo('p');
    expect(starting).toMatchObject({ statename: 'STARTING', state: 10, description: '', start: EPOCH_S + 5, stop: 0, exitstatus: 0, spawnerr: '' });
    expect(starting.pid).toBeGreaterThan(0);

    clock.advance(1001);
    await out.waitFor('p', /ready\n/);
    clock.advance(3000);
    expect(pm.getProcessInfo('p')).toMatchObject({
      statename: 'RUNNING',
      state: 20,
      start: EPOCH_S + 5,
      now: EPOCH_S + 9,
      description: `pid ${starting.pid}, uptime 0:00:04`,
    });

    await pm.stopProcess('p', { wait: false });
    expect(pm.getProcessInfo('p')).toMatchObject({ statename: 'STOPPING', state: 40, description: '', pid: starting.pid });
    await waitForState(pm, 'p', 'STOPPED');
    clock.advance(60_000);
    expect(pm.getProcessInfo('p')).toMatchObject({ statename: 'STOPPED', state: 0, pid: 0, exitstatus: 0, stop: EPOCH_S + 9, description: 'Nov 22 01:00 AM' });

    // EXITED with an unexpected code, then an explicit start clears exitstatus and spawnerr
    await pm.startProcess('q', { wait: false });
    clock.advance(1001);
    pm.sendProcessStdin('q', '4\n');
    await waitForState(pm, 'q', 'EXITED');
    const exited = pm.getProcessInfo('q');
    expect(exited).toMatchObject({ state: 100, statename: 'EXITED', exitstatus: 4, spawnerr: 'Bad exit code 4', pid: 0, description: 'Nov 22 01:01 AM' });
    expect(exited.stop).toBe(exited.now);
    await pm.startProcess('q', { wait: false });
    expect(pm.getProcessInfo('q')).toMatchObject({ statename: 'STARTING', exitstatus: 0, spawnerr: '', stop: exited.stop, start: exited.now });
    pm.sendProcessStdin('q', '0\n');
    await waitForState(pm, 'q', 'BACKOFF');
    expectChain(pm, events, 'p');
    expectChain(pm, events, 'q');
  });

  it('startProcess(wait=false) then stopProcess of a sleep: STOPPED, exitstatus -1, description = stop time', async () => {
    const { clock, pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'echoer', command: SH.sleep, autostart: false });
    await pm.startProcess('echoer', { wait: false });
    clock.advance(120_000);
    await pm.stopProcess('echoer');
    expect(pm.getProcessInfo('echoer')).toMatchObject({ statename: 'STOPPED', exitstatus: -1, stop: EPOCH_S + 120, description: 'Nov 22 01:02 AM' });
  });

  it('BACKOFF and FATAL describe the spawn error; FATAL keeps the last one', async () => {
    const { clock, pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'b', command: '/nonexistent/x', startretries: 1 });
    await pm.start();
    expect(pm.getProcessInfo('b')).toMatchObject({ state: 30, description: "can't find command '/nonexistent/x'" });
    clock.advance(1000);
    expect(pm.getProcessInfo('b')).toMatchObject({
      state: 200,
      statename: 'FATAL',
      spawnerr: "can't find command '/nonexistent/x'",
      description: "can't find command '/nonexistent/x'",
    });
  });

  it('getAllProcessInfo returns the same structs as getProcessInfo', async () => {
    const { pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'b', command: SH.sleep, autostart: false });
    pm.addProcessGroup({ name: 'a', programs: [{ name: 'z', command: SH.sleep, autostart: false }] });
    expect(pm.getAllProcessInfo()).toEqual([pm.getProcessInfo('a:z'), pm.getProcessInfo('b')]);
  });
});
