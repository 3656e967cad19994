// Event listener pools in the embedded API, with real listener processes written with
// supervisord's own helper library (supervisor.childutils, run by /usr/bin/python3): what they are
// sent, rejection and death (the event comes again with the same serials), protocol violations,
// buffer overflow; and the native subscription seeing the same events and serials.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProcessManager } from '../../../src/index.js';
import { createTestManager } from '../../helpers/manager.js';
import { until, waitForState } from '../../helpers/wait-for.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const PYTHON = '/usr/bin/python3';
const RECORDER = fileURLToPath(new URL('../../fixtures/listeners/recorder.py', import.meta.url));

function haveChildutils(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import supervisor.childutils'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const CAN_RUN = haveChildutils();
if (!CAN_RUN) console.warn('NOTICE: /usr/bin/python3 with supervisor.childutils not found: event listener process tests skipped.');

interface Recorded {
  process: string;
  headers: Record<string, string>;
  payload: string;
}

function records(file: string): Recorded[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Recorded);
}

const short = (r: Recorded) => `${r.headers.serial}/${r.headers.poolserial} ${r.headers.eventname} ${r.payload.replace(/pid:\d+/, 'pid:N')}`;

function listener(pm: ProcessManager & { tmp: string }, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const file = join(pm.tmp, 'rec.jsonl');
  pm.addProcessGroup({
    type: 'eventlistener',
    name: 'lis',
    command: [PYTHON, RECORDER],
    events: ['PROCESS_STATE', 'REMOTE_COMMUNICATION'],
    startsecs: 0,
    environment: { RECORD_FILE: file, ...env },
    ...extra,
  });
  return file;
}

describe.skipIf(!CAN_RUN)('event listener pools (embedded API, childutils listeners)', () => {
  it('a pool is a group: listeners get envelopes with global and pool serials; pm.events sees the same serials', async () => {
    const pm = createTestManager({ identifier: 'emb' });
    const native: string[] = [];
    pm.events.subscribe(['PROCESS_STATE', 'REMOTE_COMMUNICATION'], (e) => native.push(`${e.serial} ${e.type} ${e.payload.replace(/pid:\d+/, 'pid:N')}`));
    const file = listener(pm);
    pm.addProcessGroup({ name: 'w', command: ['/bin/sh', '-c', 'exit 3'], startsecs: 0, autorestart: false });
    await pm.start();
    await waitForState(pm, 'w', 'EXITED');
    await waitForState(pm, 'lis', 'RUNNING');
    pm.events.sendRemoteCommEvent('greeting', 'hello é');
    await until(
      () => records(file).some((r) => r.headers.eventname === 'REMOTE_COMMUNICATION'),
      () => `recorded: ${JSON.stringify(records(file).map(short))}`,
      10_000,
    );
    const got = records(file);
    expect(got.map(short)).toEqual([
      '0/0 PROCESS_STATE_STARTING processname:lis groupname:lis from_state:STOPPED tries:0',
      '1/1 PROCESS_STATE_STARTING processname:w groupname:w from_state:STOPPED tries:0',
      '2/2 PROCESS_STATE_RUNNING processname:lis groupname:lis from_state:STARTING pid:N',
      '3/3 PROCESS_STATE_RUNNING processname:w groupname:w from_state:STARTING pid:N',
      '4/4 PROCESS_STATE_EXITED processname:w groupname:w from_state:RUNNING expected:0 pid:N',
      '5/5 REMOTE_COMMUNICATION type:greeting\nhello é',
    ]);
    expect(got[0]?.headers).toMatchObject({ ver: '3.0', server: 'emb', pool: 'lis', len: '56' });
    expect(got[5]?.headers.len).toBe(String('type:greeting\nhello é'.length));
    expect(native).toEqual(got.map((r) => `${r.headers.serial} ${r.headers.eventname} ${r.payload.replace(/pid:\d+/, 'pid:N')}`));
    // The listener's stdout is its protocol: in its stdout log, never as output events.
    expect(pm.readProcessStdoutLog('lis', 0, 0)).toMatch(/^READY\nRESULT 2\nOKREADY\n/);
    expect(pm.getAllProcessInfo().map((i) => `${i.group}:${i.name}`)).toEqual(['lis:lis', 'w:w']);
  });

  it('FAIL sends the same event again (same serials) until OK', async () => {
    const pm = createTestManager();
    const file = listener(pm, { events: 'REMOTE_COMMUNICATION' }, { FAIL_FIRST: '2' });
    await pm.start();
    await waitForState(pm, 'lis', 'RUNNING');
    pm.events.sendRemoteCommEvent('t', 'one');
    pm.events.sendRemoteCommEvent('t', 'two');
    await until(
      () => records(file).length >= 4,
      () => `recorded: ${JSON.stringify(records(file).map(short))}`,
      10_000,
    );
    expect(records(file).map(short)).toEqual([
      '0/0 REMOTE_COMMUNICATION type:t\none',
      '0/0 REMOTE_COMMUNICATION type:t\none',
      '0/0 REMOTE_COMMUNICATION type:t\none',
      '1/1 REMOTE_COMMUNICATION type:t\ntwo',
    ]);
    expect(pm.readLog(0, 0)).toContain('WARN lis: event was rejected');
  });

  it('a listener that dies while BUSY: its event goes first to the restarted listener', async () => {
    const pm = createTestManager();
    const file = listener(pm, { events: 'REMOTE_COMMUNICATION', autorestart: true }, { DIE_ON: 'REMOTE_COMMUNICATION' });
    await pm.start();
    await waitForState(pm, 'lis', 'RUNNING');
    pm.events.sendRemoteCommEvent('t', 'one');
    pm.events.sendRemoteCommEvent('t', 'two');
    await until(
      () => records(file).length >= 3,
      () => `recorded: ${JSON.stringify(records(file).map(short))}`,
      10_000,
    );
    expect(records(file).map(short)).toEqual([
      '0/0 REMOTE_COMMUNICATION type:t\none',
      '0/0 REMOTE_COMMUNICATION type:t\none',
      '1/1 REMOTE_COMMUNICATION type:t\ntwo',
    ]);
    expect(pm.getProcessInfo('lis').pid).not.toBe(0);
  });

  it('output that breaks the protocol: UNKNOWN, no more events for that process, the queue keeps them', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({
      type: 'eventlistener',
      name: 'bad',
      command: ['/bin/sh', '-c', 'echo READY; sleep 0.3; echo garbage; exec sleep 60'],
      events: 'REMOTE_COMMUNICATION',
      startsecs: 0,
    });
    await pm.start();
    await until(
      () => pm.events.listenerState('bad', 'bad') === 'UNKNOWN',
      () => `state ${pm.events.listenerState('bad', 'bad')}`,
      5000,
    );
    expect(pm.readLog(0, 0)).toContain(
      'WARN bad: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol',
    );
    pm.events.sendRemoteCommEvent('t', 'x');
    await new Promise((r) => setTimeout(r, 100));
    expect(pm.events.queuedEvents('bad')).toEqual([0]);
  });

  it('buffer overflow drops the oldest event and logs it as supervisord does', async () => {
    const pm = createTestManager();
    // Never READY: events stay queued.
    pm.addProcessGroup({
      type: 'eventlistener',
      name: 'slow',
      command: ['/bin/sh', '-c', 'exec sleep 60'],
      events: 'REMOTE_COMMUNICATION',
      buffer_size: 2,
      startsecs: 0,
    });
    await pm.start();
    for (const d of ['a', 'b', 'c', 'd']) pm.events.sendRemoteCommEvent('t', d);
    expect(pm.events.queuedEvents('slow')).toEqual([2, 3]);
    const log = pm.readLog(0, 0);
    expect(log).toContain('ERRO pool slow event buffer overflowed, discarding event 0');
    expect(log).toContain('ERRO pool slow event buffer overflowed, discarding event 1');
  });
});

describe('pools and configuration changes', () => {
  it("a plan that changes a pool's events replaces the pool", async () => {
    const pm = createTestManager();
    const pool = { type: 'eventlistener' as const, name: 'p', command: ['/bin/sh', '-c', 'exec sleep 60'], startsecs: 0, buffer_size: 5 };
    pm.addProcessGroup({ ...pool, events: 'REMOTE_COMMUNICATION' });
    await pm.start();
    pm.events.sendRemoteCommEvent('t', 'kept');
    expect(pm.events.queuedEvents('p')).toEqual([0]);
    const plan = pm.plan([{ ...pool, events: 'PROCESS_GROUP' }]);
    expect([plan.removed, plan.added]).toEqual([['p'], ['p']]);
    await pm.apply(plan);
    pm.events.sendRemoteCommEvent('t', 'ignored now');
    // The new pool holds only its own PROCESS_GROUP_ADDED (serial 1: nobody took the REMOVED).
    expect(pm.events.queuedEvents('p')).toEqual([1]);
    await waitForState(pm, 'p', 'RUNNING');
  });
});

describe('native subscriptions on the manager', () => {
  it('TICK events on the injected clock; the timer exists only while subscribed', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 1, 0, 59));
    const pm = new ProcessManager({ clock, orphanGuard: false });
    const baseline = clock.pendingCount;
    const seen: string[] = [];
    const off = pm.events.subscribe(['TICK_5', 'TICK_60'], (e) => seen.push(`${e.type} ${e.payload} #${e.serial}`));
    clock.advance(1000);
    expect(seen).toEqual([`TICK_5 when:${Date.UTC(2026, 10, 22, 1, 1, 0) / 1000} #0`, `TICK_60 when:${Date.UTC(2026, 10, 22, 1, 1, 0) / 1000} #1`]);
    off();
    expect(clock.pendingCount).toBe(baseline);
    await pm.shutdown();
  });

  it('group and supervisor state events, typed', async () => {
    const pm = new ProcessManager({ orphanGuard: false });
    const seen: string[] = [];
    pm.events.subscribe(['PROCESS_GROUP', 'SUPERVISOR_STATE_CHANGE'], (e) => seen.push('groupname' in e ? `${e.type}:${e.groupname}` : e.type));
    pm.addProcessGroup({ name: 'x', command: ['/bin/true'], autostart: false });
    await pm.start();
    pm.removeProcessGroup('x');
    await pm.shutdown();
    expect(seen).toEqual(['PROCESS_GROUP_ADDED:x', 'SUPERVISOR_STATE_CHANGE_RUNNING', 'PROCESS_GROUP_REMOVED:x', 'SUPERVISOR_STATE_CHANGE_STOPPING']);
  });
});
