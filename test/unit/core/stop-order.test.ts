// Shutdown order: descending priority, a group only after every group that depends on it.
import { describe, expect, it } from 'vitest';
import type { ProcessGroup } from '../../../src/supervisor/group.js';
import { stopOrder } from '../../../src/supervisor/shutdown.js';

/** A stand-in with what stopOrder reads: the name and the programs' depends_on. */
function group(name: string, dependsOn: string[] = []): ProcessGroup {
  return { name, spec: { processes: [{ ext: { depends_on: dependsOn.map((n) => ({ name: n })) } }] } } as unknown as ProcessGroup;
}

/** The rule stated plainly (quadratic): repeatedly the last group that no remaining group depends on. */
function reference(ascending: ProcessGroup[], deps: Map<string, string[]>): string[] {
  const left = [...ascending];
  const out: string[] = [];
  while (left.length) {
    const blocked = new Set(left.flatMap((g) => deps.get(g.name) ?? []));
    let i = left.length - 1;
    while (i > 0 && blocked.has((left[i] as ProcessGroup).name)) i--;
    out.push(...left.splice(i, 1).map((g) => g.name));
  }
  return out;
}

describe('stopOrder', () => {
  it('no dependencies: exactly descending priority', () => {
    const gs = ['a', 'b', 'c', 'd'].map((n) => group(n));
    expect(stopOrder(gs).map((g) => g.name)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('a group that others depend on waits for them, even when its priority is higher', () => {
    // ascending priority: db, web, cache; web depends on cache, cache on nothing, worker on db and cache
    const gs = [group('db'), group('web', ['cache']), group('cache'), group('worker', ['db', 'cache'])];
    expect(stopOrder(gs).map((g) => g.name)).toEqual(['worker', 'web', 'cache', 'db']);
  });

  it('matches the plain rule on random acyclic graphs', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rnd() * 12);
      const names = Array.from({ length: n }, (_, i) => `g${i}`);
      // Edges only from a later-created group to an earlier one keep the graph acyclic; the priority order is shuffled.
      const deps = new Map(names.map((name, i) => [name, names.slice(0, i).filter(() => rnd() < 0.3)]));
      const ascending = names.map((name) => group(name, deps.get(name))).sort(() => rnd() - 0.5);
      expect(stopOrder(ascending).map((g) => g.name)).toEqual(reference(ascending, deps));
    }
  });

  it('5,000 groups without dependencies: highest priority first, lowest last', () => {
    const gs = Array.from({ length: 5000 }, (_, i) => group(`p${i}`));
    const order = stopOrder(gs);
    expect(order[0]?.name).toBe('p4999');
    expect(order.at(-1)?.name).toBe('p0');
  });
});
