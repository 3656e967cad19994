// "Autostart has settled" (systemd's READY=1) is checked once per turn in which processes changed
// state, however many changed: the check looks at every process.
import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import { whenSettled } from '../../../src/server/health.js';
import type { ProcessManager } from '../../../src/supervisor/manager.js';

/** The part of a manager whenSettled reads, with N processes and a count of full looks. */
function fakeManager(n: number) {
  const em = new EventEmitter();
  let state = 'STARTING';
  let looks = 0;
  const pm = Object.assign(em, {
    getAllProcessInfo: () => {
      looks++;
      return Array.from({ length: n }, (_, i) => ({ name: `p${i}`, statename: state }));
    },
    listGroups: () => [],
  });
  return {
    pm: pm as unknown as ProcessManager,
    emitMany: (k: number) => {
      for (let i = 0; i < k; i++) em.emit('processState', { name: `p${i % n}`, group: `p${i % n}`, from: 'STARTING', to: state });
    },
    settle: () => (state = 'RUNNING'),
    looks: () => looks,
  };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('whenSettled', () => {
  it('2,000 transitions in one turn: one look; resolves at the first look after everything settled', async () => {
    const f = fakeManager(1000);
    let settled = false;
    void whenSettled(() => f.pm).then(() => (settled = true));
    await turn(); // the first look
    expect(f.looks()).toBe(1);
    f.emitMany(2000);
    await turn();
    await turn();
    expect(f.looks()).toBe(2);
    expect(settled).toBe(false);
    f.settle();
    f.emitMany(1000);
    await turn();
    await turn();
    expect(settled).toBe(true);
    expect(f.looks()).toBe(3);
    f.emitMany(10); // nothing listens any more
    await turn();
    expect(f.looks()).toBe(3);
  });

  it('an abort ends the waiting at once', async () => {
    const f = fakeManager(3);
    const ac = new AbortController();
    const p = whenSettled(() => f.pm, ac.signal);
    await turn();
    ac.abort();
    await expect(p).resolves.toBeUndefined();
  });
});
