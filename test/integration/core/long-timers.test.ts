// Durations beyond Node's timer limit (2^31 - 1 ms, about 24.8 days). The fake clock emulates the
// limit (a longer delay fires after 1 ms, as Node's setTimeout does) and the manager runs on it
// through withLongTimers, as the real clock does: stopwaitsecs=3000000 must not SIGKILL at once,
// startsecs=3000000 must not spin, and both take effect when due. Children are real.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, withLongTimers } from '../../../src/supervisor/clock.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { createTestManager, node } from '../../helpers/manager.js';
import { isAlive } from '../../helpers/processes.js';
import { waitForState } from '../../helpers/wait-for.js';
import type { ProcessManager } from '../../../src/index.js';

const LONG_S = 3_000_000;
const LONG_MS = LONG_S * 1000;

const managers: ProcessManager[] = [];
afterEach(async () => {
  // A failed test may leave a TERM-ignoring child with a 3,000,000 s stop wait: force it.
  await Promise.all(managers.splice(0).map((pm) => pm.shutdown({ force: true })));
});

function setup() {
  const fake = new FakeClock(undefined, { maxTimerMs: MAX_TIMER_MS });
  const pm = createTestManager({ clock: withLongTimers(fake) });
  managers.push(pm);
  return { fake, pm };
}

describe('withLongTimers', () => {
  it('the emulated limit is real: a 3,000,000 s timer on the bare clock fires after 1 ms', () => {
    const fake = new FakeClock(undefined, { maxTimerMs: MAX_TIMER_MS });
    let fired = 0;
    fake.setTimeout(() => fired++, LONG_MS);
    fake.advance(1);
    expect(fired).toBe(1);
  });

  it('fires a 3,000,000 s timer exactly when due, once; clearing it mid-way stops it', () => {
    const fake = new FakeClock(undefined, { maxTimerMs: MAX_TIMER_MS });
    const clock = withLongTimers(fake);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(fake.now()), LONG_MS);
    const cleared = clock.setTimeout(() => fired.push(-1), LONG_MS);
    fake.advance(1);
    fake.advance(MAX_TIMER_MS);
    clock.clearTimeout(cleared);
    expect(fired).toEqual([]);
    expect(fake.pendingCount).toBe(1);
    fake.advance(LONG_MS - MAX_TIMER_MS - 2);
    expect(fired).toEqual([]);
    fake.advance(1);
    expect(fired).toEqual([LONG_MS]);
    fake.advance(10 * LONG_MS);
    expect(fired).toEqual([LONG_MS]);
    expect(fake.pendingCount).toBe(0);
  });

  it('short delays pass through unchanged (0 ms at the next evaluation)', () => {
    const fake = new FakeClock(undefined, { maxTimerMs: MAX_TIMER_MS });
    const clock = withLongTimers(fake);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('zero'), 0);
    clock.setTimeout(() => fired.push('ten'), 10);
    fake.flush();
    expect(fired).toEqual(['zero']);
    fake.advance(10);
    expect(fired).toEqual(['zero', 'ten']);
  });
});

describe('the manager with durations of 3,000,000 s', () => {
  it('stopwaitsecs=3000000: a TERM-ignoring program stays STOPPING until then, then is SIGKILLed', async () => {
    const { fake, pm } = setup();
    pm.addProcessGroup({ name: 'stubborn', command: node('ignore-sigterm.mjs'), startsecs: 0, stopwaitsecs: LONG_S, autostart: false });
    await pm.start();
    await pm.startProcess('stubborn', { wait: false });
    fake.flush();
    await waitForState(pm, 'stubborn', 'RUNNING', 10_000);
    // Its handlers are installed once it printed "ready".
    for (let i = 0; i < 200 && !pm.lastLines('stubborn', 5).includes('ready'); i++) await new Promise((r) => setTimeout(r, 25));
    const pid = pm.getProcessInfo('stubborn').pid;
    const stopped = pm.stopProcess('stubborn', { wait: true });
    fake.advance(1);
    fake.advance(MAX_TIMER_MS);
    fake.advance(LONG_MS - MAX_TIMER_MS - 10);
    await new Promise((r) => setTimeout(r, 200));
    expect(pm.getProcessInfo('stubborn').statename).toBe('STOPPING');
    expect(isAlive(pid)).toBe(true);
    fake.advance(10);
    await stopped;
    expect(pm.getProcessInfo('stubborn').statename).toBe('STOPPED');
    expect(pm.getProcessInfo('stubborn').exitstatus).toBe(-1);
  }, 30_000);

  it('startsecs=3000000: STARTING without re-arming a timer in a loop, RUNNING when due', async () => {
    const { fake, pm } = setup();
    pm.addProcessGroup({ name: 'slow', command: 'sleep 1000', startsecs: LONG_S, autostart: false });
    await pm.start();
    await pm.startProcess('slow', { wait: false });
    fake.flush();
    expect(pm.getProcessInfo('slow').statename).toBe('STARTING');
    const armed = fake.pendingCount;
    for (let i = 0; i < 100; i++) fake.advance(1);
    fake.advance(MAX_TIMER_MS);
    expect(fake.pendingCount).toBe(armed);
    expect(pm.getProcessInfo('slow').statename).toBe('STARTING');
    fake.advance(LONG_MS - MAX_TIMER_MS - 100);
    expect(pm.getProcessInfo('slow').statename).toBe('RUNNING');
  }, 30_000);
});
