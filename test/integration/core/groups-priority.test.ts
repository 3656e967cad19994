// Groups, numprocs and ordering (docs/semantics.md#ordering):
// who is spawned / signalled in which order, namespecs, and the result structs of group calls.
import { describe, expect, it } from 'vitest';
import type { ProcessManager, ProcessStateEvent } from '../../../src/index.js';
import { expectFault, expectFaultSync, fakeTimeManager, OutputCapture } from '../../helpers/conformance.js';
import { waitForState } from '../../helpers/wait-for.js';

const SLEEP = 'sleep 1000';
const order = (events: readonly ProcessStateEvent[], to: string) => events.filter((e) => e.to === to).map((e) => e.name);
const ok = (group: string, name: string) => ({ name, group, status: 80, description: 'OK' });
/** Waited results arrive in completion order, so compare them as sets. */
const bySpec = <T extends { group: string; name: string }>(rs: readonly T[]) =>
  [...rs].sort((a, b) => `${a.group}:${a.name}`.localeCompare(`${b.group}:${b.name}`));

/** Asserts that group k's first STOPPING comes after every STOPPED of group k-1 (shutdown waits per group). */
function expectGroupsStoppedOneAfterAnother(events: readonly ProcessStateEvent[], groups: string[]): void {
  for (let k = 1; k < groups.length; k++) {
    const lastStoppedPrev = events.findLastIndex((e) => e.group === groups[k - 1] && e.to === 'STOPPED');
    const firstStoppingNext = events.findIndex((e) => e.group === groups[k] && e.to === 'STOPPING');
    expect(lastStoppedPrev, `group ${groups[k - 1]} stopped`).toBeGreaterThanOrEqual(0);
    expect(firstStoppingNext, `group ${groups[k]} was signalled only after ${groups[k - 1]} was fully stopped`).toBeGreaterThan(lastStoppedPrev);
  }
}

function addS20(pm: ProcessManager): void {
  pm.addProcessGroup({ name: 'p100', command: SLEEP, priority: 100 });
  pm.addProcessGroup({ name: 'm', command: SLEEP, numprocs: 11, process_name: 'm_%(process_num)d', priority: 70 });
  pm.addProcessGroup({ name: 'p50', command: SLEEP, priority: 50 });
  pm.addProcessGroup({ name: 'p1', command: SLEEP, priority: 1 });
}
const M_ORDER = ['m_0', 'm_1', 'm_10', 'm_2', 'm_3', 'm_4', 'm_5', 'm_6', 'm_7', 'm_8', 'm_9'];

describe('numprocs naming and ordering', () => {
  it('spawn order is (group priority, process name as a string); namespecs are m:m_N', async () => {
    const { pm, events } = fakeTimeManager();
    addS20(pm);
    await pm.start();
    expect(order(events, 'STARTING')).toEqual(['p1', 'p50', ...M_ORDER, 'p100']);
    expect(pm.getProcessInfo('m:m_10')).toMatchObject({ name: 'm_10', group: 'm', statename: 'STARTING' });
    expectFaultSync(() => pm.getProcessInfo('m'), 'BAD_NAME', 'BAD_NAME: m');
    expectFaultSync(() => pm.getProcessInfo('m:m_11'), 'BAD_NAME', 'BAD_NAME: m:m_11');
  });

  it('stopAllProcesses signals in the same ascending order and returns one OK per process', async () => {
    const { pm, events } = fakeTimeManager();
    addS20(pm);
    await pm.start();
    const results = await pm.stopAllProcesses();
    expect(order(events, 'STOPPING')).toEqual(['p1', 'p50', ...M_ORDER, 'p100']);
    expect(results).toHaveLength(14);
    expect(results).toEqual(expect.arrayContaining([ok('p1', 'p1'), ok('m', 'm_10'), ok('p100', 'p100')]));
    expect(results.every((r) => r.status === 80 && r.description === 'OK')).toBe(true);
    expect(pm.getAllProcessInfo().every((p) => p.statename === 'STOPPED')).toBe(true);
    // nothing running-like any more: a second stop-all has nothing to report
    expect(await pm.stopAllProcesses()).toEqual([]);
  });

  it('shutdown signals in exactly the reverse order, one group at a time', async () => {
    const { pm, events } = fakeTimeManager();
    addS20(pm);
    await pm.start();
    await pm.shutdown();
    expect(order(events, 'STOPPING')).toEqual(['p100', ...[...M_ORDER].reverse(), 'p50', 'p1']);
    expectGroupsStoppedOneAfterAnother(events, ['p100', 'm', 'p50', 'p1']);
  });

  it('numprocs_start with %(process_num)02d: x_08, x_09, x_10', async () => {
    const { pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'x', command: SLEEP, numprocs: 3, numprocs_start: 8, process_name: '%(program_name)s_%(process_num)02d', autostart: false });
    expect(pm.getAllProcessInfo().map((p) => `${p.group}:${p.name}`)).toEqual(['x:x_08', 'x:x_09', 'x:x_10']);
  });
});

function addS22(pm: ProcessManager): void {
  pm.addProcessGroup({ name: 'high', command: SLEEP, priority: 100 });
  pm.addProcessGroup({ name: 'multi', command: SLEEP, numprocs: 3, process_name: 'multi_%(process_num)d', priority: 70 });
  pm.addProcessGroup({
    name: 'grp',
    priority: 60,
    programs: [
      { name: 'inner_a', command: SLEEP, priority: 20 },
      { name: 'inner_b', command: SLEEP, priority: 10 },
    ],
  });
  pm.addProcessGroup({ name: 'amid', command: SLEEP, priority: 50 });
  pm.addProcessGroup({ name: 'zlow', command: SLEEP, priority: 1 });
}

describe('priorities', () => {
  it('boot spawns every group in one pass, ascending group priority, a [group] in its listed order', async () => {
    const { pm, events } = fakeTimeManager();
    addS22(pm);
    await pm.start();
    // all spawned without waiting for anything to reach RUNNING
    expect(order(events, 'STARTING')).toEqual(['zlow', 'amid', 'inner_a', 'inner_b', 'multi_0', 'multi_1', 'multi_2', 'high']);
    expect(order(events, 'RUNNING')).toEqual([]);
  });

  it('shutdown: descending priority, each group only after the previous one fully stopped', async () => {
    const { pm, events } = fakeTimeManager();
    addS22(pm);
    await pm.start();
    await pm.shutdown();
    expect(order(events, 'STOPPING')).toEqual(['high', 'multi_2', 'multi_1', 'multi_0', 'inner_a', 'inner_b', 'amid', 'zlow']);
    expectGroupsStoppedOneAfterAnother(events, ['high', 'multi', 'grp', 'amid', 'zlow']);
  });

  it('stopAllProcesses: ascending priority, processes of a group by their own priority', async () => {
    const { pm, events } = fakeTimeManager();
    addS22(pm);
    await pm.start();
    await pm.stopAllProcesses();
    expect(order(events, 'STOPPING')).toEqual(['zlow', 'amid', 'inner_b', 'inner_a', 'multi_0', 'multi_1', 'multi_2', 'high']);
  });

  it('startAllProcesses: ascending priority, processes of a group by their own priority', async () => {
    const { pm, events } = fakeTimeManager();
    addS22(pm);
    const results = await pm.startAllProcesses({ wait: false });
    expect(order(events, 'STARTING')).toEqual(['zlow', 'amid', 'inner_b', 'inner_a', 'multi_0', 'multi_1', 'multi_2', 'high']);
    expect(results.map((r) => `${r.group}:${r.name}`)).toEqual([
      'zlow:zlow',
      'amid:amid',
      'grp:inner_b',
      'grp:inner_a',
      'multi:multi_0',
      'multi:multi_1',
      'multi:multi_2',
      'high:high',
    ]);
  });

  it('getAllProcessInfo is lexical: group name, then process name', async () => {
    const { pm } = fakeTimeManager();
    addS22(pm);
    expect(pm.getAllProcessInfo().map((p) => `${p.group}:${p.name}`)).toEqual([
      'amid:amid',
      'grp:inner_a',
      'grp:inner_b',
      'high:high',
      'multi:multi_0',
      'multi:multi_1',
      'multi:multi_2',
      'zlow:zlow',
    ]);
  });
});

describe('heterogeneous group naming', () => {
  it('members are grp:NAME, their own groups do not exist, and %(group_name)s is the group', async () => {
    const { pm } = fakeTimeManager();
    const out = new OutputCapture(pm);
    addS22(pm);
    pm.addProcessGroup({
      name: 'g',
      programs: [{ name: 'a', command: 'echo %(group_name)s %(program_name)s', startsecs: 0, autorestart: false, stdout_events_enabled: true }],
    });
    expect(pm.getProcessInfo('grp:inner_a')).toMatchObject({ name: 'inner_a', group: 'grp' });
    expectFaultSync(() => pm.getProcessInfo('inner_a'), 'BAD_NAME', 'BAD_NAME: inner_a');
    await expectFault(pm.startProcessGroup('inner_a'), 'BAD_NAME', 'BAD_NAME: inner_a');
    await pm.startProcess('g:a');
    await waitForState(pm, 'g:a', 'EXITED');
    expect(out.text('a')).toBe('g a\n');
  });
});

describe('group operations and their result structs', () => {
  function addW(pm: ProcessManager): void {
    pm.addProcessGroup({ name: 'w', command: SLEEP, numprocs: 2, process_name: 'w%(process_num)d', autostart: false, startsecs: 0 });
  }

  it('startProcess("w:*") starts both members; again it reports nothing; results are {name, group, status 80, description OK}', async () => {
    const { clock, pm } = fakeTimeManager();
    addW(pm);
    const started = pm.startProcess('w:*');
    clock.flush();
    expect(bySpec(await started)).toEqual([ok('w', 'w0'), ok('w', 'w1')]);
    expect(await pm.startProcess('w:*')).toEqual([]);
    expect(await pm.startProcessGroup('w')).toEqual([]);
  });

  it('startAllProcesses with one of three already running: results only for the other two', async () => {
    const { clock, pm } = fakeTimeManager();
    for (const name of ['one', 'two', 'three']) pm.addProcessGroup({ name, command: SLEEP, autostart: false, startsecs: 0 });
    await pm.startProcess('two', { wait: false });
    const all = pm.startAllProcesses();
    clock.flush();
    const results = await all;
    expect(results).toHaveLength(2);
    expect(results).toEqual(expect.arrayContaining([ok('one', 'one'), ok('three', 'three')]));
  });

  it('stopProcess("w:") stops both members; stopProcessGroup reports only running-like ones', async () => {
    const { clock, pm } = fakeTimeManager();
    addW(pm);
    await pm.startProcess('w:w1', { wait: false });
    clock.flush();
    expect(await pm.stopProcessGroup('w')).toEqual([ok('w', 'w1')]);
    const both = pm.startProcessGroup('w');
    clock.flush();
    await both;
    expect(bySpec(await pm.stopProcess('w:'))).toEqual([ok('w', 'w0'), ok('w', 'w1')]);
    expect(pm.getAllProcessInfo().map((p) => p.statename)).toEqual(['STOPPED', 'STOPPED']);
  });

  it('a stop of a BACKOFF member is part of the group result', async () => {
    const { pm } = fakeTimeManager();
    pm.addProcessGroup({
      name: 'mix',
      programs: [
        { name: 'up', command: SLEEP },
        { name: 'missing', command: '/no/such/thing' },
      ],
    });
    await pm.start();
    expect(pm.getProcessInfo('mix:missing').statename).toBe('BACKOFF');
    const results = await pm.stopProcessGroup('mix');
    expect(results).toEqual(expect.arrayContaining([ok('mix', 'up'), ok('mix', 'missing')]));
    expect(results).toHaveLength(2);
  });

  it('start all with broken programs: their faults come first, with fault code and string, then the started ones', async () => {
    const { clock, pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'a', command: SLEEP, autostart: false, priority: 1 });
    pm.addProcessGroup({ name: 'nofile', command: '/nonexistent/bin', autostart: false, priority: 2 });
    pm.addProcessGroup({ name: 'notexec', command: '/etc/passwd', autostart: false, priority: 3 });
    pm.addProcessGroup({ name: 'badquote', command: 'echo "unterminated', autostart: false, priority: 4 });
    pm.addProcessGroup({ name: 'failer', command: '/bin/false', autostart: false, priority: 5 });
    const all = pm.startAllProcesses();
    await waitForState(pm, 'failer', 'BACKOFF');
    clock.advance(1001);
    const results = await all;
    expect(results.slice(0, 3)).toEqual([
      { name: 'nofile', group: 'nofile', status: 20, description: "NO_FILE: can't find command '/nonexistent/bin'" },
      { name: 'notexec', group: 'notexec', status: 21, description: "NOT_EXECUTABLE: command at '/etc/passwd' is not executable" },
      { name: 'badquote', group: 'badquote', status: 21, description: `NOT_EXECUTABLE: can't parse command 'echo "unterminated': No closing quotation` },
    ]);
    expect(results.slice(3)).toEqual(
      expect.arrayContaining([ok('a', 'a'), { name: 'failer', group: 'failer', status: 50, description: 'SPAWN_ERROR: failer' }]),
    );
    expect(results).toHaveLength(5);
    // the broken ones were never spawned
    expect(pm.getProcessInfo('nofile')).toMatchObject({ statename: 'STOPPED', start: 0 });
    expect(pm.getProcessInfo('notexec')).toMatchObject({ statename: 'STOPPED', start: 0 });
  });

  it('signalProcessGroup / signalAllProcesses report only signallable processes', async () => {
    const { clock, pm } = fakeTimeManager();
    addW(pm);
    pm.addProcessGroup({ name: 'idle', command: SLEEP, autostart: false });
    await pm.startProcess('w:w0', { wait: false });
    clock.flush();
    expect(pm.signalProcessGroup('w', 'CONT')).toEqual([ok('w', 'w0')]);
    expect(pm.signalProcess('w:*', 'CONT')).toEqual([ok('w', 'w0')]);
    expect(pm.signalAllProcesses(18)).toEqual([ok('w', 'w0')]);
    expect(pm.getProcessInfo('w:w0').statename).toBe('RUNNING');
  });

  it('unknown groups are BAD_NAME for every group call', async () => {
    const { pm } = fakeTimeManager();
    await expectFault(pm.startProcessGroup('nog'), 'BAD_NAME', 'BAD_NAME: nog');
    await expectFault(pm.stopProcessGroup('nog'), 'BAD_NAME', 'BAD_NAME: nog');
    await expectFault(pm.startProcess('nog:*'), 'BAD_NAME');
    await expectFault(pm.stopProcess('nog:'), 'BAD_NAME');
    expectFaultSync(() => pm.signalProcessGroup('nog', 'HUP'), 'BAD_NAME', 'BAD_NAME: nog');
  });
});
