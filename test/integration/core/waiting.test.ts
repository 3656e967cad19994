// Waiting for many processes at once: one 'processState' listener serves every pending wait of a
// manager (it was one listener per wait, each called for every transition of every process), and
// it is gone once nothing waits.
import { describe, expect, it } from 'vitest';
import { fakeTimeManager, SH } from '../../helpers/conformance.js';

describe('pending waits', () => {
  it('start all with wait: 30 waits, one listener; all RUNNING after startsecs; the listener goes', async () => {
    const { clock, pm } = fakeTimeManager();
    for (let i = 0; i < 30; i++) pm.addProcessGroup({ name: `w${i}`, command: SH.sleep, startsecs: 1, autostart: false });
    await pm.start();
    const base = pm.listenerCount('processState');
    const all = pm.startAllProcesses({ wait: true });
    expect(pm.listenerCount('processState')).toBe(base + 1);
    clock.advance(999);
    expect(pm.getAllProcessInfo().every((p) => p.statename === 'STARTING')).toBe(true);
    clock.advance(2);
    const results = await all;
    expect(results).toHaveLength(30);
    expect(results.every((r) => r.description === 'OK')).toBe(true);
    expect(pm.listenerCount('processState')).toBe(base);
  });

  it('an aborted wait leaves the others waiting; a wait for one process is not ended by another', async () => {
    const { clock, pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'a', command: SH.sleep, startsecs: 1, autostart: false });
    pm.addProcessGroup({ name: 'b', command: SH.sleep, startsecs: 3, autostart: false });
    await pm.start();
    const base = pm.listenerCount('processState');
    const ac = new AbortController();
    const a = pm.startProcess('a', { wait: true, signal: ac.signal });
    const b = pm.startProcess('b', { wait: true });
    let bDone = false;
    void b.then(() => (bDone = true));
    ac.abort(new Error('gave up'));
    await expect(a).rejects.toThrow('gave up');
    clock.advance(1001); // a becomes RUNNING: b's wait goes on
    await new Promise((r) => setImmediate(r));
    expect(pm.getProcessInfo('a').statename).toBe('RUNNING');
    expect(bDone).toBe(false);
    expect(pm.listenerCount('processState')).toBe(base + 1);
    clock.advance(2000);
    await expect(b).resolves.toMatchObject({ statename: 'RUNNING' });
    expect(pm.listenerCount('processState')).toBe(base);
  });
});
