// getAllProcessInfo lists processes by group name, then process name. The order is kept between
// calls (sorting thousands of processes at every status was most of a call's cost when the
// configuration did not list them by name), so it must follow every change of the groups and of
// a group's processes.
import { describe, expect, it } from 'vitest';
import { createTestManager } from '../../helpers/manager.js';

const names = (pm: ReturnType<typeof createTestManager>) => pm.getAllProcessInfo().map((p) => `${p.group}:${p.name}`);

describe('getAllProcessInfo order', () => {
  it('follows groups added and removed, and a group whose processes change, in name order', async () => {
    const pm = createTestManager();
    const program = (name: string, extra: object = {}) => ({ name, command: 'sleep 1000', autostart: false, ...extra });
    const pool = program('m', { numprocs: 2, process_name: 'p%(process_num)d' });
    pm.addProcessGroups([program('z'), program('b'), pool]);
    expect(names(pm)).toEqual(['b:b', 'm:p0', 'm:p1', 'z:z']);

    pm.addProcessGroup(program('a'));
    expect(names(pm)).toEqual(['a:a', 'b:b', 'm:p0', 'm:p1', 'z:z']);
    pm.removeProcessGroup('b');
    expect(names(pm)).toEqual(['a:a', 'm:p0', 'm:p1', 'z:z']);

    // the pool grows, by a process whose name sorts first, and later shrinks
    await pm.apply(pm.planChanges({ upsert: [{ ...pool, numprocs: 3, process_name: '%(process_num)d-p' }] }));
    expect(names(pm)).toEqual(['a:a', 'm:0-p', 'm:1-p', 'm:2-p', 'z:z']);
    await pm.apply(pm.planChanges({ upsert: [{ ...pool, numprocs: 3, numprocs_start: 8, process_name: 'q%(process_num)d' }] }));
    expect(names(pm)).toEqual(['a:a', 'm:q10', 'm:q8', 'm:q9', 'z:z']);
    await pm.apply(pm.planChanges({ upsert: [{ ...pool, numprocs: 1, numprocs_start: 8, process_name: 'q%(process_num)d' }] }));
    expect(names(pm)).toEqual(['a:a', 'm:q8', 'z:z']);

    // a [group:x] of programs listed out of order
    pm.addProcessGroup({ name: 'g', programs: [program('y'), program('c')] });
    expect(names(pm)).toEqual(['a:a', 'g:c', 'g:y', 'm:q8', 'z:z']);
  });
});
