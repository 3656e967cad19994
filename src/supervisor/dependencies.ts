// depends_on between programs: validation (unknown names, cycles) at configuration time, whether
// a dependency is satisfied, and the order in which groups are stopped. Pure.
import { ConfigError } from '../errors.js';
import type { GroupSpec } from './config.js';
import type { Dependency } from './extensions.js';
import type { ProcessState } from './states.js';

/** The dependencies of a group: the union of its programs' `depends_on`. */
export function dependenciesOf(group: GroupSpec): Dependency[] {
  const seen = new Map<string, Dependency>();
  for (const p of group.processes) for (const d of p.ext.depends_on) if (!seen.has(d.name)) seen.set(d.name, d);
  return [...seen.values()];
}

/** A cycle in `edges` (group → groups it depends on), as a path `a -> b -> a`, or null. */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of edges.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

/**
 * Checks that every dependency names a known group (`known`, plus the groups being added) and that
 * no cycle exists. Throws ConfigError naming the program and the cycle.
 */
export function validateDependencies(adding: readonly GroupSpec[], known: Iterable<GroupSpec>): void {
  const all = new Map<string, GroupSpec>();
  for (const g of known) all.set(g.name, g);
  for (const g of adding) all.set(g.name, g);
  const edges = new Map<string, string[]>();
  for (const g of all.values()) {
    const deps = dependenciesOf(g);
    for (const d of deps) {
      if (!all.has(d.name)) {
        throw new ConfigError(`program '${g.name}' depends on '${d.name}', which is not a configured program or group`, {
          section: `program:${g.name}`,
          option: 'depends_on',
        });
      }
      if (d.name === g.name) throw new ConfigError(`program '${g.name}' depends on itself`, { section: `program:${g.name}`, option: 'depends_on' });
    }
    edges.set(
      g.name,
      deps.map((d) => d.name),
    );
  }
  const cycle = findCycle(edges);
  if (cycle) throw new ConfigError(`dependency cycle: ${cycle.join(' -> ')}`, { option: 'depends_on' });
}

/** The state of one process as a dependency check sees it. */
export interface MemberState {
  state: ProcessState;
  exitstatus: number;
  exitcodes: readonly number[];
  neverStarted: boolean;
}

/**
 * Whether `members` (the processes of the dependency) satisfy `condition`: 'started' — every one
 * was spawned and is not failing (STARTING, RUNNING, or it already EXITED); 'running' — every one
 * is RUNNING (ready, when it has readiness checks); 'exited' — every one EXITED with an expected
 * status (a migration job that succeeded).
 */
export function isSatisfied(condition: Dependency['condition'], members: readonly MemberState[]): boolean {
  return members.every((m) => {
    switch (condition) {
      case 'started':
        return m.state === 'STARTING' || m.state === 'RUNNING' || m.state === 'EXITED';
      case 'running':
        return m.state === 'RUNNING';
      case 'exited':
        return m.state === 'EXITED' && m.exitcodes.includes(m.exitstatus);
    }
  });
}
