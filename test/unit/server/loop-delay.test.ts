// The health report's event-loop delay: the histogram (a 50 ms timer of its own) runs only while
// reports are asked for, and stops a window after the last one.
import { describe, expect, it } from 'vitest';
import { type LoopDelayDeps, LoopDelayWatch } from '../../../src/server/loop-delay.js';

function fakeDeps() {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let seq = 0;
  const histogram = {
    enabled: false,
    max: 0,
    resets: 0,
    enable: () => ((histogram.enabled = true), true),
    disable: () => ((histogram.enabled = false), true),
    reset: () => ((histogram.max = 0), histogram.resets++),
  };
  let created = 0;
  const deps: LoopDelayDeps = {
    histogram: () => (created++, histogram),
    now: () => now,
    setTimer: (fn, ms) => (timers.set(++seq, { at: now + ms, fn }), seq),
    clearTimer: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number) => {
    const target = now + ms;
    for (;;) {
      const due = [...timers].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = target;
  };
  return { deps, histogram, timers, advance, created: () => created };
}

describe('LoopDelayWatch', () => {
  it('arms nothing and creates no histogram until a report is asked for', () => {
    const f = fakeDeps();
    const w = new LoopDelayWatch(60_000, f.deps);
    f.advance(10 * 60_000);
    expect(f.timers.size).toBe(0);
    expect(f.created()).toBe(0);
    expect(w.active).toBe(false);
  });

  it('measures from the first report, reports the max, and stops a window after the last report', () => {
    const f = fakeDeps();
    const w = new LoopDelayWatch(60_000, f.deps);
    expect(w.maxMs()).toBe(0); // nothing measured yet
    expect(f.histogram.enabled).toBe(true);
    expect(f.timers.size).toBe(1);
    f.histogram.max = 73e6;
    f.advance(30_000);
    expect(w.maxMs()).toBe(73);
    // The window ends with a report in it: a fresh histogram for the next one, still measuring.
    f.advance(30_000);
    expect(f.histogram.enabled).toBe(true);
    expect(f.histogram.max).toBe(0);
    expect(f.timers.size).toBe(1);
    // No report during the next whole window: measuring stops, nothing stays armed.
    f.advance(60_000);
    expect(f.histogram.enabled).toBe(false);
    expect(f.timers.size).toBe(0);
    expect(w.active).toBe(false);
    // The next report starts over.
    expect(w.maxMs()).toBe(0);
    expect(f.histogram.enabled).toBe(true);
    expect(f.created()).toBe(1);
    w.close();
    expect(f.histogram.enabled).toBe(false);
    expect(f.timers.size).toBe(0);
    expect(w.maxMs()).toBe(0);
    expect(f.timers.size).toBe(0);
  });

  it('on Node: the real histogram is off while nobody asks', async () => {
    const w = new LoopDelayWatch(200);
    expect(w.active).toBe(false);
    w.maxMs();
    expect(w.active).toBe(true);
    await new Promise((r) => setTimeout(r, 700)); // one window with no report, then the next check stops it
    expect(w.active).toBe(false);
    w.close();
  });
});
