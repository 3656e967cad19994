// The test-harness helpers, used as a test suite would.
import { describe, expect, it } from 'vitest';
import { createFixtures } from '../../../src/testing.js';
import { isAlive } from '../../helpers/processes.js';
import { sleep } from '../../helpers/wait-for.js';

describe('createFixtures', () => {
  it('starts a fixture with readiness and proves nothing leaked', async () => {
    await using fx = createFixtures();
    const info = await fx.start({
      name: 'srv',
      command: "sh -c 'echo starting; sleep 0.1; echo listening; exec sleep 1000'",
      startsecs: 0,
      ready: { checks: [{ log: 'listening' }], timeout: 5 },
    });
    expect(info.statename).toBe('RUNNING');
    expect(fx.output()).toContain('out| listening');
  });

  it('a failing start rejects with the fixture output attached', async () => {
    await using fx = createFixtures();
    const err = await fx.start({ name: 'bad', command: "sh -c 'echo cannot bind port >&2; exit 3'", startsecs: 1, startretries: 0 }).catch((e: Error) => e);
    expect((err as Error).message).toContain('cannot bind port');
  });

  it('dispose ends a grandchild that left its group and session', async () => {
    const fx = createFixtures({ orphanGuard: false });
    await fx.start({ name: 'escape', command: ['sh', '-c', 'setsid sleep 1000 & echo "child $!"; exec sleep 1000'], startsecs: 0 });
    let line = '';
    for (let i = 0; i < 100 && !line; i++) {
      line = fx.pm.lastLines('escape', 1)[0] ?? '';
      if (!line) await sleep(10);
    }
    const pid = Number(line.split(' ')[1]);
    expect(isAlive(pid)).toBe(true);
    await fx.dispose();
    expect(isAlive(pid)).toBe(false);
  });
});
