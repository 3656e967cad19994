import { describe, expect, it } from 'vitest';
import { createTestManager, node } from '../../helpers/manager.js';
import { edges, recordStates, waitForState } from '../../helpers/wait-for.js';

describe('smoke', () => {
  it('starts a process to RUNNING after startsecs and stops it', async () => {
    const pm = createTestManager();
    const ev = recordStates(pm);
    pm.addProcessGroup({ name: 'a', command: node('ready-then-idle.mjs'), startsecs: 0.2, autostart: false });
    const t0 = performance.now();
    const info = await pm.startProcess('a');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
    expect(info.statename).toBe('RUNNING');
    expect(info.description).toMatch(/^pid \d+, uptime 0:00:0[01]$/);
    await pm.stopProcess('a');
    expect(pm.getProcessInfo('a').statename).toBe('STOPPED');
    expect(pm.getProcessInfo('a').exitstatus).toBe(-1);
    expect(edges(ev, 'a')).toEqual(['STOPPED->STARTING', 'STARTING->RUNNING', 'RUNNING->STOPPING', 'STOPPING->STOPPED']);
  });

  it('BACKOFF then FATAL for /bin/false with startretries=1', async () => {
    const pm = createTestManager();
    const ev = recordStates(pm);
    pm.addProcessGroup({ name: 'b', command: '/bin/false', startretries: 1 });
    await pm.start();
    await waitForState(pm, 'b', 'FATAL', 5000);
    expect(edges(ev, 'b')).toEqual(['STOPPED->STARTING', 'STARTING->BACKOFF', 'BACKOFF->STARTING', 'STARTING->BACKOFF', 'BACKOFF->FATAL']);
    expect(pm.getProcessInfo('b').description).toBe('Exited too quickly (process log may have details)');
  });
});
