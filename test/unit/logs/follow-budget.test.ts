// Slow followers in 'end' mode: past their own limit or a budget shared with other followers they
// are ended with SlowFollowerError (their queued lines freed at once, onOverflow told), instead of
// holding lines without bound; a follower that keeps up is never ended; the budget returns to 0.
import { describe, expect, it } from 'vitest';
import { ChannelLog } from '../../../src/logs/channel-log.js';
import { FollowBudget, SlowFollowerError } from '../../../src/logs/live-lines.js';

const line = (n: number, i: number) => `${String(i).padStart(6, '0')} ${'x'.repeat(n)}\n`;

describe("lines({ follow, onSlowConsumer: 'end' })", () => {
  it('ends a follower that queued more than its limit, with the reason, and frees the budget', async () => {
    const log = new ChannelLog();
    const budget = new FollowBudget(1 << 20);
    const told: SlowFollowerError[] = [];
    const it = log.lines({ follow: true, onSlowConsumer: 'end', maxQueuedChars: 1000, budget, onOverflow: (e) => told.push(e) })[Symbol.asyncIterator]();
    const first = it.next();
    log.write(Buffer.from(line(10, 0)));
    expect(await first).toEqual({ done: false, value: line(10, 0).trimEnd() });
    for (let i = 1; i <= 50; i++) log.write(Buffer.from(line(10, i))); // 50 × (17 + overhead) > 1000
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ shared: false, limitBytes: 1000 });
    expect(budget.used).toBe(0);
    await expect(it.next()).rejects.toBeInstanceOf(SlowFollowerError);
    log.close();
  });

  it('the shared budget ends the follower that pushes it over; the others go on', async () => {
    const log = new ChannelLog();
    const budget = new FollowBudget(2000);
    const ended: number[] = [];
    const its = [0, 1, 2].map((k) =>
      log.lines({ follow: true, onSlowConsumer: 'end', maxQueuedChars: 1500, budget, onOverflow: () => ended.push(k) })[Symbol.asyncIterator](),
    );
    const pending = its.map((it) => it.next());
    log.write(Buffer.from('go\n'));
    expect((await Promise.all(pending)).map((r) => r.value)).toEqual(['go', 'go', 'go']);
    for (let i = 0; i < 15; i++) log.write(Buffer.from(line(20, i))); // each follower alone stays under 1500
    expect(ended.length).toBeGreaterThan(0);
    expect(budget.used).toBeLessThanOrEqual(budget.maxBytes);
    // A survivor still reads its lines in order.
    const survivor = its.find((_, k) => !ended.includes(k))!;
    expect((await survivor.next()).value).toBe(line(20, 0).trimEnd());
    log.close();
    for (const it of its) await it.return?.();
    expect(budget.used).toBe(0);
  });

  it('a follower that keeps up is never ended, however much passes through', async () => {
    const log = new ChannelLog();
    const budget = new FollowBudget(4096);
    const it = log.lines({ follow: true, onSlowConsumer: 'end', maxQueuedChars: 512, budget })[Symbol.asyncIterator]();
    for (let i = 0; i < 500; i++) {
      const next = it.next();
      log.write(Buffer.from(line(100, i)));
      expect((await next).value).toBe(line(100, i).trimEnd());
    }
    log.close();
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(budget.used).toBe(0);
  });
});
