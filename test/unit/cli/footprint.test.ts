import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { compactAfterStartup } from '../../../src/cli/footprint.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('compactAfterStartup', () => {
  it('collects twice once no process changed state for the quiet time, then stops listening', async () => {
    const source = new EventEmitter();
    let calls = 0;
    compactAfterStartup(source, 150, () => calls++);
    expect(source.listenerCount('processState')).toBe(1);
    // State changes keep pushing the collection back.
    for (let i = 0; i < 4; i++) {
      await sleep(60);
      source.emit('processState');
    }
    expect(calls).toBe(0);
    const deadline = Date.now() + 10_000;
    while (calls === 0 && Date.now() < deadline) await sleep(20);
    expect(calls).toBe(2);
    expect(source.listenerCount('processState')).toBe(0);
    source.emit('processState');
    await sleep(300);
    expect(calls).toBe(2);
  });

  it('does nothing without an exposed gc (an embedder or a test host)', () => {
    const source = new EventEmitter();
    compactAfterStartup(source, 10, undefined);
    expect(source.listenerCount('processState')).toBe(0);
  });
});
