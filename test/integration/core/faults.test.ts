// The fault of every API call in each state (docs/semantics.md#state-groups and #waiting): which
// call is refused where, with which fault string, and that a refused call changes nothing.
import { copyFileSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessManager } from '../../../src/index.js';
import { expectChain, expectFault, expectFaultSync, fakeTimeManager, OutputCapture, SH } from '../../helpers/conformance.js';
import { node } from '../../helpers/manager.js';
import { until, waitForState } from '../../helpers/wait-for.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'procvisor-faults-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Puts process `name` (a `sleep`, or `/bin/false` for BACKOFF/FATAL) into `state` on a FakeClock. */
async function inState(state: 'STOPPED' | 'STARTING' | 'RUNNING' | 'BACKOFF' | 'STOPPING' | 'EXITED' | 'FATAL') {
  const ctx = fakeTimeManager();
  const { clock, pm } = ctx;
  const failing = state === 'BACKOFF' || state === 'FATAL';
  const out = new OutputCapture(pm);
  pm.addProcessGroup({
    name: 'a',
    command: failing ? '/bin/false' : state === 'STOPPING' ? node('ignore-sigterm.mjs') : state === 'EXITED' ? SH.exitOnStdin : SH.sleep,
    autostart: false,
    startretries: 0,
    stdout_events_enabled: true,
  });
  if (state !== 'STOPPED') {
    await pm.startProcess('a', { wait: false });
    if (failing) await waitForState(pm, 'a', 'BACKOFF');
    if (state === 'FATAL') clock.flush();
    if (state === 'RUNNING' || state === 'STOPPING' || state === 'EXITED') clock.advance(1001);
    if (state === 'EXITED') {
      pm.sendProcessStdin('a', '0\n');
      await waitForState(pm, 'a', 'EXITED');
    }
    if (state === 'STOPPING') {
      await out.waitFor('a', /ready\n/);
      await pm.stopProcess('a', { wait: false });
    }
  }
  expect(pm.getProcessInfo('a').statename).toBe(state);
  return ctx;
}

/** Ends a STOPPING ignore-sigterm child (stopwaitsecs is on the fake clock). */
async function finishStopping(pm: ProcessManager): Promise<void> {
  if (pm.getProcessInfo('a').statename === 'STOPPING') {
    pm.signalProcess('a', 'KILL');
    await waitForState(pm, 'a', 'STOPPED');
  }
}

describe('startProcess by state', () => {
  for (const state of ['STARTING', 'RUNNING', 'BACKOFF'] as const) {
    it(`${state}: ALREADY_STARTED, nothing changes`, async () => {
      const { pm, events } = await inState(state);
      const before = events.length;
      await expectFault(pm.startProcess('a'), 'ALREADY_STARTED', 'ALREADY_STARTED: a');
      await expectFault(pm.startProcess('a', { wait: false }), 'ALREADY_STARTED', 'ALREADY_STARTED: a');
      expect(events.length).toBe(before);
    });
  }

  for (const state of ['STOPPED', 'EXITED', 'FATAL'] as const) {
    it(`${state}: accepted -> STARTING`, async () => {
      const { pm, events } = await inState(state);
      await pm.startProcess('a', { wait: false });
      expect(events.at(-1)).toMatchObject({ from: state, to: 'STARTING' });
      expectChain(pm, events, 'a');
    });
  }

  it("STOPPING: the spawn attempt is a no-op that logs `process 'a' already running`", async () => {
    const { pm, log } = await inState('STOPPING');
    await expectFault(pm.startProcess('a'), 'ABNORMAL_TERMINATION');
    expect(log.lines).toContainEqual({ level: 'warn', message: "process 'a' already running" });
  });

  it('STOPPING: the spawn is a no-op and the call fails with ABNORMAL_TERMINATION; the stop completes', async () => {
    const { pm, events } = await inState('STOPPING');
    const before = events.length;
    await expectFault(pm.startProcess('a'), 'ABNORMAL_TERMINATION', 'ABNORMAL_TERMINATION: a');
    expect(events.length).toBe(before);
    await finishStopping(pm);
    expect(events.filter((e) => e.to === 'STARTING')).toHaveLength(1);
    expectChain(pm, events, 'a');
  });

  it('SPAWN_ERROR when the child exits too quickly (/bin/false)', async () => {
    const { pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'failer', command: '/bin/false', autostart: false });
    await expectFault(pm.startProcess('failer'), 'SPAWN_ERROR', 'SPAWN_ERROR: failer');
    expect(pm.getProcessInfo('failer').statename).toBe('BACKOFF');
    expectChain(pm, events, 'failer');
  });

  it('SPAWN_ERROR for a bad directory (the child exits 127 too quickly)', async () => {
    const { pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'e', command: 'sleep 100', directory: '/nonexistent_dir', autostart: false });
    await expectFault(pm.startProcess('e'), 'SPAWN_ERROR', 'SPAWN_ERROR: e');
  });

  const badCommands: [string, string, 'NO_FILE' | 'NOT_EXECUTABLE', string][] = [
    ['nofile', '/nonexistent/bin', 'NO_FILE', "NO_FILE: can't find command '/nonexistent/bin'"],
    ['notexec', '/etc/passwd', 'NOT_EXECUTABLE', "NOT_EXECUTABLE: command at '/etc/passwd' is not executable"],
    ['isdir', '/tmp', 'NOT_EXECUTABLE', "NOT_EXECUTABLE: command at '/tmp' is a directory"],
    ['badquote', 'echo "unterminated', 'NOT_EXECUTABLE', `NOT_EXECUTABLE: can't parse command 'echo "unterminated': No closing quotation`],
    ['empty', '', 'NOT_EXECUTABLE', 'NOT_EXECUTABLE: command is empty'],
  ];
  for (const [name, command, fault, text] of badCommands) {
    it(`${name}: ${fault} on explicit start, without any state change`, async () => {
      const { pm, events, log } = fakeTimeManager();
      pm.addProcessGroup({ name, command, autostart: false });
      await expectFault(pm.startProcess(name), fault, text);
      await expectFault(pm.startProcess(name, { wait: false }), fault, text);
      expect(events).toEqual([]);
      expect(log.lines).toEqual([]);
      expect(pm.getProcessInfo(name)).toMatchObject({ statename: 'STOPPED', start: 0, description: 'Not started', spawnerr: '' });
    });
  }

  it('quirk: a running process whose binary disappeared reports NO_FILE, not ALREADY_STARTED', async () => {
    const { pm } = fakeTimeManager();
    const bin = join(dir, 'mysleep');
    copyFileSync('/bin/sleep', bin);
    pm.addProcessGroup({ name: 'gone', command: [bin, '1000'], autostart: false });
    await pm.startProcess('gone', { wait: false });
    unlinkSync(bin);
    await expectFault(pm.startProcess('gone'), 'NO_FILE', `NO_FILE: can't find command '${bin}'`);
    expect(pm.getProcessInfo('gone').statename).toBe('STARTING');
  });

  it('BAD_NAME for unknown names and for the plain name of a numprocs group', async () => {
    const { pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'w', command: SH.sleep, numprocs: 2, process_name: 'w%(process_num)d', autostart: false });
    await expectFault(pm.startProcess('nosuch'), 'BAD_NAME', 'BAD_NAME: nosuch');
    await expectFault(pm.startProcess('w'), 'BAD_NAME', 'BAD_NAME: w');
    await expectFault(pm.startProcess('w:w7'), 'BAD_NAME', 'BAD_NAME: w:w7');
    await expectFault(pm.stopProcess('w'), 'BAD_NAME', 'BAD_NAME: w');
    await expectFault(pm.stopProcess('nosuch'), 'BAD_NAME', 'BAD_NAME: nosuch');
    expectFaultSync(() => pm.signalProcess('w', 'HUP'), 'BAD_NAME', 'BAD_NAME: w');
    expectFaultSync(() => pm.sendProcessStdin('w', 'x'), 'BAD_NAME', 'BAD_NAME: w');
    expectFaultSync(() => pm.getProcessInfo('w'), 'BAD_NAME', 'BAD_NAME: w');
    expectFaultSync(() => pm.getProcessInfo('nosuch'), 'BAD_NAME', 'BAD_NAME: nosuch');
    // a group-only namespec where a process is required
    expectFaultSync(() => pm.getProcessInfo('w:'), 'BAD_NAME');
    expectFaultSync(() => pm.getProcessInfo('never:'), 'BAD_NAME');
    expectFaultSync(() => pm.sendProcessStdin('w:*', 'x'), 'BAD_NAME');
  });
});

describe('stopProcess by state', () => {
  for (const state of ['STOPPED', 'EXITED', 'FATAL', 'STOPPING'] as const) {
    it(`${state}: NOT_RUNNING, nothing changes`, async () => {
      const { pm, events } = await inState(state);
      const before = events.length;
      await expectFault(pm.stopProcess('a'), 'NOT_RUNNING', 'NOT_RUNNING: a');
      await expectFault(pm.stopProcess('a', { wait: false }), 'NOT_RUNNING', 'NOT_RUNNING: a');
      expect(events.length).toBe(before);
      await finishStopping(pm);
    });
  }

  for (const state of ['STARTING', 'RUNNING', 'BACKOFF'] as const) {
    it(`${state}: accepted -> STOPPED`, async () => {
      const { pm, events } = await inState(state);
      const info = await pm.stopProcess('a');
      expect(info.statename).toBe('STOPPED');
      expect(events.at(-1)).toMatchObject({ to: 'STOPPED' });
      expectChain(pm, events, 'a');
    });
  }
});

describe('signalProcess by state', () => {
  for (const state of ['STOPPED', 'BACKOFF', 'EXITED', 'FATAL'] as const) {
    it(`${state}: NOT_RUNNING`, async () => {
      const { pm, events } = await inState(state);
      const before = events.length;
      expectFaultSync(() => pm.signalProcess('a', 'HUP'), 'NOT_RUNNING', 'NOT_RUNNING: a');
      expect(events.length).toBe(before);
    });
  }

  for (const state of ['STARTING', 'RUNNING'] as const) {
    it(`${state}: accepted by name or number, no state change`, async () => {
      const { pm, events } = await inState(state);
      const before = events.length;
      expect(pm.signalProcess('a', 'CONT')).toBe(true);
      expect(pm.signalProcess('a', 'sigcont')).toBe(true);
      expect(pm.signalProcess('a', 18)).toBe(true);
      expect(pm.signalProcess('a', '18')).toBe(true);
      expect(events.length).toBe(before);
      expect(pm.getProcessInfo('a').statename).toBe(state);
    });
  }

  it('STOPPING: accepted (e.g. a SIGKILL to finish the stop)', async () => {
    const { pm, events } = await inState('STOPPING');
    expect(pm.signalProcess('a', 'KILL')).toBe(true);
    await waitForState(pm, 'a', 'STOPPED');
    expect(pm.getProcessInfo('a').exitstatus).toBe(-1);
    expectChain(pm, events, 'a');
  });

  it('the child receives the signal and nothing else happens', async () => {
    const { clock, pm, events } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'ears', command: node('ignore-sigterm.mjs'), startsecs: 0, stdout_events_enabled: true });
    await pm.start();
    clock.flush();
    await out.waitFor('ears', /ready\n/);
    pm.signalProcess('ears', 'INT');
    await out.waitFor('ears', /got SIGINT\n/);
    expect(pm.getProcessInfo('ears').statename).toBe('RUNNING');
    expect(events.map((e) => e.to)).toEqual(['STARTING', 'RUNNING']);
    pm.signalProcess('ears', 'KILL');
    await waitForState(pm, 'ears', 'EXITED');
  });

  it('BAD_SIGNAL for unknown names and numbers, checked before the state', async () => {
    const { pm } = await inState('STOPPED');
    expectFaultSync(() => pm.signalProcess('a', 'FOO'), 'BAD_SIGNAL', 'BAD_SIGNAL: FOO');
    expectFaultSync(() => pm.signalProcess('a', 99), 'BAD_SIGNAL', 'BAD_SIGNAL: 99');
    expectFaultSync(() => pm.signalProcess('a', '33'), 'BAD_SIGNAL', 'BAD_SIGNAL: 33');
    expectFaultSync(() => pm.signalProcess('a', ''), 'BAD_SIGNAL', 'BAD_SIGNAL: ');
    // A group or all: one BAD_SIGNAL result per signallable process (none here: 'a' is stopped).
    expect(pm.signalProcessGroup('a', 'FOO')).toEqual([]);
    expect(pm.signalAllProcesses('NOPE')).toEqual([]);
    expectFaultSync(() => pm.signalProcess('nosuch', 'FOO'), 'BAD_NAME', 'BAD_NAME: nosuch');
    expectFaultSync(() => pm.signalProcessGroup('nosuch', 'FOO'), 'BAD_NAME', 'BAD_NAME: nosuch');
    expectFaultSync(() => pm.signalProcess('', 'HUP'), 'BAD_NAME', 'BAD_NAME: ');
  });

  it('a bad signal for a group or all: one BAD_SIGNAL result per running process, none signalled', async () => {
    const { pm } = await inState('RUNNING');
    const pid = pm.getProcessInfo('a').pid;
    const bad = { name: 'a', group: 'a', status: 11 };
    expect(pm.signalProcessGroup('a', 'FOO')).toEqual([{ ...bad, description: 'BAD_SIGNAL: FOO' }]);
    expect(pm.signalAllProcesses(99)).toEqual([{ ...bad, description: 'BAD_SIGNAL: 99' }]);
    expect(pm.signalProcess('a:*', '')).toEqual([{ ...bad, description: 'BAD_SIGNAL: ' }]);
    expect(pm.getProcessInfo('a')).toMatchObject({ statename: 'RUNNING', pid });
  });
});

describe('sendProcessStdin by state', () => {
  for (const state of ['STOPPED', 'BACKOFF', 'EXITED', 'FATAL', 'STOPPING'] as const) {
    it(`${state}: NOT_RUNNING`, async () => {
      const { pm } = await inState(state);
      expectFaultSync(() => pm.sendProcessStdin('a', 'x\n'), 'NOT_RUNNING', 'NOT_RUNNING: a');
      await finishStopping(pm);
    });
  }

  it('RUNNING: the bytes reach the child', async () => {
    const { clock, pm } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'cat', command: 'cat', stdout_events_enabled: true });
    await pm.start();
    clock.advance(1001);
    expect(pm.sendProcessStdin('cat', 'hello\n')).toBe(true);
    expect(pm.sendProcessStdin('cat', Buffer.from('bytes\n'))).toBe(true);
    await out.waitFor('cat', /hello\nbytes\n/);
  });

  it('NO_FILE once the child has closed its stdin', async () => {
    const { clock, pm } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'deaf', command: `sh -c 'exec 0<&-; echo closed; exec sleep 1000'`, stdout_events_enabled: true });
    await pm.start();
    clock.advance(1001);
    await out.waitFor('deaf', /closed\n/);
    let fault: unknown;
    await until(
      () => {
        try {
          pm.sendProcessStdin('deaf', 'x\n');
          return false;
        } catch (e) {
          fault = e;
          return true;
        }
      },
      () => 'sendProcessStdin kept succeeding',
      2000,
    );
    await expectFault(Promise.reject(fault), 'NO_FILE');
    expect(pm.getProcessInfo('deaf').statename).toBe('RUNNING');
  });

  it('a non-string is INCORRECT_PARAMETERS', async () => {
    const { pm } = await inState('RUNNING');
    expectFaultSync(() => pm.sendProcessStdin('a', 42 as unknown as string), 'INCORRECT_PARAMETERS');
  });
});

describe('addProcessGroup / removeProcessGroup', () => {
  for (const state of ['STARTING', 'RUNNING', 'BACKOFF', 'STOPPING'] as const) {
    it(`remove while ${state}: STILL_RUNNING, group kept`, async () => {
      const { pm } = await inState(state);
      const removed: string[] = [];
      pm.on('processGroupRemoved', (g) => removed.push(g));
      expectFaultSync(() => pm.removeProcessGroup('a'), 'STILL_RUNNING', 'STILL_RUNNING: a');
      expect(removed).toEqual([]);
      expect(pm.getProcessInfo('a').statename).toBe(state);
      await finishStopping(pm);
    });
  }

  for (const state of ['STOPPED', 'EXITED', 'FATAL'] as const) {
    it(`remove while ${state}: removed, with a processGroupRemoved event`, async () => {
      const { clock, pm } = await inState(state);
      const removed: string[] = [];
      pm.on('processGroupRemoved', (g) => removed.push(g));
      pm.removeProcessGroup('a');
      expect(removed).toEqual(['a']);
      expectFaultSync(() => pm.getProcessInfo('a'), 'BAD_NAME', 'BAD_NAME: a');
      expect(pm.getAllProcessInfo()).toEqual([]);
      expect(clock.pendingCount).toBe(0);
    });
  }

  it('remove after stopping, add again, add once more: ALREADY_ADDED; unknown remove: BAD_NAME', async () => {
    const { pm, events } = fakeTimeManager();
    const added: string[] = [];
    pm.on('processGroupAdded', (g) => added.push(g));
    const never = { name: 'never', command: SH.sleep };
    pm.addProcessGroup(never);
    await pm.start();
    expectFaultSync(() => pm.removeProcessGroup('never'), 'STILL_RUNNING', 'STILL_RUNNING: never');
    await pm.stopProcess('never');
    pm.removeProcessGroup('never');
    pm.addProcessGroup(never);
    // after start(), an added group autostarts
    expect(pm.getProcessInfo('never').statename).toBe('STARTING');
    const pid = pm.getProcessInfo('never').pid;
    const before = events.length;
    expectFaultSync(() => pm.addProcessGroup(never), 'ALREADY_ADDED', 'ALREADY_ADDED: never');
    expectFaultSync(() => pm.addProcessGroup({ name: 'never', command: 'sleep 5' }), 'ALREADY_ADDED', 'ALREADY_ADDED: never');
    expect(events.length).toBe(before);
    expect(pm.getProcessInfo('never')).toMatchObject({ statename: 'STARTING', pid });
    expect(added).toEqual(['never', 'never']);
    expectFaultSync(() => pm.removeProcessGroup('zzz'), 'BAD_NAME', 'BAD_NAME: zzz');
  });
});

describe('getState', () => {
  it('is RUNNING (1) while the manager runs', () => {
    const { pm } = fakeTimeManager();
    expect(pm.getState()).toEqual({ statecode: 1, statename: 'RUNNING' });
  });
});
