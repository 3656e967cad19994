// Idle means idle: once every process is RUNNING and nothing happens, the manager has no timer
// armed — neither on its clock nor Node's global timers — until something asks for one (a TICK
// subscription, a memory limit), and lets go of it again when that is gone.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeTimeManager, SH } from '../../helpers/conformance.js';
import { waitForState } from '../../helpers/wait-for.js';

const realSetTimeout = globalThis.setTimeout;
/** Real time passing, on a timer the spy below does not see. */
const pause = (ms: number) => new Promise<void>((r) => realSetTimeout(r, ms));

/** Counts calls to Node's global timer functions while `during` runs (real time passes). */
async function globalTimerCalls(during: () => Promise<void>): Promise<string[]> {
  const calls: string[] = [];
  const spies = (['setTimeout', 'setInterval', 'setImmediate'] as const).map((name) => {
    const original = globalThis[name] as (...a: unknown[]) => unknown;
    return vi.spyOn(globalThis, name).mockImplementation(((...a: unknown[]) => {
      calls.push(
        `${name} ${(new Error().stack ?? '')
          .split('\n')
          .slice(2, 6)
          .map((l) => l.trim())
          .join(' < ')}`,
      );
      return original(...a);
    }) as never);
  });
  try {
    await during();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return calls;
}

afterEach(() => vi.restoreAllMocks());

describe('an idle manager arms nothing', () => {
  it('20 RUNNING programs (AUTO logs, startsecs, autorestart, a numprocs group): no clock timer, no global timer over an idle spell', async () => {
    const { clock, pm } = fakeTimeManager();
    for (let i = 0; i < 16; i++) pm.addProcessGroup({ name: `p${i}`, command: SH.sleep, startsecs: 1, autorestart: true });
    pm.addProcessGroup({ name: 'many', command: SH.sleep, numprocs: 4, process_name: '%(program_name)s_%(process_num)d', startsecs: 0 });
    await pm.start();
    clock.advance(1001);
    for (let i = 0; i < 16; i++) await waitForState(pm, `p${i}`, 'RUNNING');
    await waitForState(pm, 'many:many_3', 'RUNNING');
    expect(pm.getAllProcessInfo().filter((p) => p.statename === 'RUNNING')).toHaveLength(20);

    expect(clock.pendingCount).toBe(0);
    const calls = await globalTimerCalls(async () => {
      // Real time passes (pipes, child handles, log files all open) while nothing happens.
      await pause(300);
      clock.advance(3_600_000); // an hour on the manager's clock
    });
    expect(calls).toEqual([]);
    expect(clock.pendingCount).toBe(0);
    expect(pm.getAllProcessInfo().every((p) => p.statename === 'RUNNING')).toBe(true);
  });

  it('a TICK subscription arms one timer, which goes with the subscription', async () => {
    const { clock, pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'a', command: SH.sleep, startsecs: 0 });
    await pm.start();
    clock.flush(); // startsecs=0: promoted at the next evaluation
    await waitForState(pm, 'a', 'RUNNING');
    expect(clock.pendingCount).toBe(0);
    const ticks: string[] = [];
    const off = pm.events.subscribe('TICK_5', (e) => ticks.push(e.type));
    expect(clock.pendingCount).toBe(1);
    clock.advance(10_000);
    expect(ticks.length).toBeGreaterThanOrEqual(1);
    off();
    expect(clock.pendingCount).toBe(0);
  });

  it('a memory limit arms the sampler, which goes when the limited process stops', async () => {
    const { clock, pm } = fakeTimeManager({ sampleIntervalMs: 1000 });
    pm.addProcessGroup({ name: 'free', command: SH.sleep, startsecs: 0 });
    pm.addProcessGroup({ name: 'capped', command: SH.sleep, startsecs: 0, max_memory_mb: 512, autostart: false });
    await pm.start();
    clock.flush();
    await waitForState(pm, 'free', 'RUNNING');
    expect(clock.pendingCount).toBe(0);
    await pm.startProcess('capped', { wait: false });
    clock.flush();
    await waitForState(pm, 'capped', 'RUNNING');
    expect(clock.pendingCount).toBe(1);
    const stopping = pm.stopProcess('capped', { wait: true });
    await stopping;
    clock.advance(2000); // the sample already armed runs once, finds nothing to watch, and is not re-armed
    await new Promise((r) => setImmediate(r));
    clock.advance(2000);
    expect(clock.pendingCount).toBe(0);
  });
});
