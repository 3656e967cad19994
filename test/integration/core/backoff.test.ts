// Failed starts: BACKOFF schedule, give-up to FATAL, and the counter quirks
// (docs/semantics.md#backoff). All on a FakeClock: the waits
// between attempts are 1, 2, 3 ... seconds of fake time; the children are real.
import { describe, expect, it } from 'vitest';
import { expectChain, fakeTimeManager } from '../../helpers/conformance.js';
import { edges, waitForState } from '../../helpers/wait-for.js';

const TOO_QUICK = 'Exited too quickly (process log may have details)';

describe('fast failure: BACKOFF schedule then FATAL', () => {
  it('4 attempts with waits of 1, 2, 3 s, tries 1..4, then FATAL with the too-quick description', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'b', command: '/bin/false', startsecs: 1, startretries: 3 });
    await pm.start();
    const attemptAt: number[] = [clock.now()];
    for (let attempt = 1; attempt <= 4; attempt++) {
      await waitForState(pm, 'b', 'BACKOFF');
      const backoff = events.at(-1);
      expect(backoff).toMatchObject({ from: 'STARTING', to: 'BACKOFF', tries: attempt });
      const info = pm.getProcessInfo('b');
      expect(info).toMatchObject({ statename: 'BACKOFF', state: 30, description: TOO_QUICK, spawnerr: TOO_QUICK, exitstatus: 0, pid: 0 });
      if (attempt === 4) break;
      // the retry is due `attempt` seconds after entering BACKOFF, not before
      clock.advance(attempt * 1000 - 1);
      expect(pm.getProcessInfo('b').statename).toBe('BACKOFF');
      clock.advance(1);
      expect(pm.getProcessInfo('b').statename).toBe('STARTING');
      expect(events.at(-1)).toMatchObject({ from: 'BACKOFF', to: 'STARTING', tries: attempt });
      attemptAt.push(clock.now());
    }
    expect(attemptAt).toEqual([0, 1000, 3000, 6000]);
    // give-up is the next evaluation after the 4th failure
    clock.flush();
    const fatal = pm.getProcessInfo('b');
    expect(fatal).toMatchObject({ statename: 'FATAL', state: 200, description: TOO_QUICK, spawnerr: TOO_QUICK, exitstatus: 0, pid: 0 });
    expect(events.at(-1)).toMatchObject({ from: 'BACKOFF', to: 'FATAL' });
    expect(log.messages('info')).toContain('gave up: b entered FATAL state, too many start retries too quickly');
    expect(log.messages('warn').filter((m) => m === 'exited: b (exit status 1; not expected)')).toHaveLength(4);
    expect(log.messages('info').filter((m) => m.startsWith("spawned: 'b' with pid "))).toHaveLength(4);
    expect(clock.pendingCount).toBe(0);
    clock.advance(60_000);
    expect(edges(events, 'b').filter((e) => e.endsWith('->STARTING'))).toHaveLength(4);
    expect(events.filter((e) => e.to === 'STARTING').map((e) => e.tries)).toEqual([0, 1, 2, 3]);
    expectChain(pm, events, 'b');
  });
});

describe('command not found', () => {
  it('no child is forked; spawnerr at each attempt on the same schedule; FATAL at the 4th attempt itself', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'd', command: '/nonexistent/cmd --x' });
    await pm.start();
    const msg = "can't find command '/nonexistent/cmd'";
    expect(pm.getProcessInfo('d')).toMatchObject({ statename: 'BACKOFF', spawnerr: msg, description: msg, pid: 0, stop: 0 });
    expect(pm.getProcessInfo('d').start).toBeGreaterThan(0);
    clock.advance(999);
    expect(pm.getProcessInfo('d').statename).toBe('BACKOFF');
    clock.advance(1);
    expect(events.filter((e) => e.to === 'BACKOFF').map((e) => e.tries)).toEqual([1, 2]);
    clock.advance(2000);
    expect(events.filter((e) => e.to === 'BACKOFF')).toHaveLength(3);
    clock.advance(3000); // 4th attempt at t=6 s: fails and gives up in the same advance
    expect(pm.getProcessInfo('d')).toMatchObject({ statename: 'FATAL', spawnerr: msg, description: msg });
    expect(log.lines.filter((l) => l.level === 'info' && l.message === `spawnerr: ${msg}`)).toHaveLength(4);
    expect(log.messages().some((m) => m.startsWith('spawned:'))).toBe(false);
    expect(events.every((e) => e.pid === 0)).toBe(true);
    expect(edges(events, 'd')).toEqual([
      'STOPPED->STARTING',
      'STARTING->BACKOFF',
      'BACKOFF->STARTING',
      'STARTING->BACKOFF',
      'BACKOFF->STARTING',
      'STARTING->BACKOFF',
      'BACKOFF->STARTING',
      'STARTING->BACKOFF',
      'BACKOFF->FATAL',
    ]);
    expect(clock.pendingCount).toBe(0);
  });
});

describe('autorestart=false does not stop BACKOFF retries', () => {
  it('exit 0 within startsecs is a failure; retried after 1 s; exactly 2 spawns; FATAL', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'n', command: 'sh -c "exit 0"', startsecs: 1, autorestart: false, startretries: 1 });
    await pm.start();
    await waitForState(pm, 'n', 'BACKOFF');
    expect(log.lines).toContainEqual({ level: 'warn', message: 'exited: n (exit status 0; not expected)' });
    clock.advance(1000);
    expect(pm.getProcessInfo('n').statename).toBe('STARTING');
    await waitForState(pm, 'n', 'BACKOFF');
    clock.flush();
    expect(pm.getProcessInfo('n').statename).toBe('FATAL');
    expect(edges(events, 'n').filter((e) => e.endsWith('->STARTING'))).toHaveLength(2);
    expect(log.messages('warn').filter((m) => m === 'exited: n (exit status 0; not expected)')).toHaveLength(2);
    expectChain(pm, events, 'n');
  });
});

describe('startretries=0', () => {
  it('exactly one spawn, then FATAL', async () => {
    const { clock, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'r', command: '/bin/false', startretries: 0 });
    await pm.start();
    await waitForState(pm, 'r', 'BACKOFF');
    clock.flush();
    expect(pm.getProcessInfo('r').statename).toBe('FATAL');
    expect(edges(events, 'r')).toEqual(['STOPPED->STARTING', 'STARTING->BACKOFF', 'BACKOFF->FATAL']);
    expect(clock.pendingCount).toBe(0);
  });

  it('a spawn-time error with startretries=0 is FATAL at once', async () => {
    const { clock, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'r0', command: '/nonexistent/cmd', startretries: 0 });
    await pm.start();
    clock.flush();
    expect(edges(events, 'r0')).toEqual(['STOPPED->STARTING', 'STARTING->BACKOFF', 'BACKOFF->FATAL']);
  });
});

describe('backoff counter', () => {
  it('is reset when the process reaches RUNNING', async () => {
    const { clock, pm, events } = fakeTimeManager();
    // fails once (exit within startsecs), then on the retry stays up
    pm.addProcessGroup({ name: 'flaky', command: ['/bin/sh', '-c', 'read code; exit $code'], startretries: 1 });
    await pm.start();
    pm.sendProcessStdin('flaky', '1\n');
    await waitForState(pm, 'flaky', 'BACKOFF');
    clock.advance(1000);
    expect(events.at(-1)).toMatchObject({ to: 'STARTING', tries: 1 });
    clock.advance(1001);
    expect(pm.getProcessInfo('flaky').statename).toBe('RUNNING');
    // now an unexpected exit after RUNNING restarts with tries 0 (counter reset), and a
    // following too-quick failure counts from 1 again instead of giving up
    pm.sendProcessStdin('flaky', '1\n');
    await waitForState(pm, 'flaky', 'EXITED');
    clock.flush();
    expect(events.at(-1)).toMatchObject({ to: 'STARTING', tries: 0 });
    pm.sendProcessStdin('flaky', '1\n');
    await waitForState(pm, 'flaky', 'BACKOFF');
    expect(events.at(-1)).toMatchObject({ to: 'BACKOFF', tries: 1 });
    clock.flush();
    expect(pm.getProcessInfo('flaky').statename).toBe('BACKOFF');
  });

  it('quirk: not reset by a stop in BACKOFF nor by an explicit start', async () => {
    const { clock, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'q', command: '/bin/false', startretries: 1 });
    await pm.start();
    await waitForState(pm, 'q', 'BACKOFF');
    await pm.stopProcess('q');
    expect(pm.getProcessInfo('q').statename).toBe('STOPPED');
    await pm.startProcess('q', { wait: false });
    expect(events.at(-1)).toMatchObject({ from: 'STOPPED', to: 'STARTING', tries: 1 });
    await waitForState(pm, 'q', 'BACKOFF');
    expect(events.at(-1)).toMatchObject({ to: 'BACKOFF', tries: 2 });
    clock.flush();
    expect(pm.getProcessInfo('q').statename).toBe('FATAL');
  });

  it('is reset on give-up: a start from FATAL counts from 0 again', async () => {
    const { clock, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'g', command: '/bin/false', startretries: 0 });
    await pm.start();
    await waitForState(pm, 'g', 'BACKOFF');
    clock.flush();
    expect(pm.getProcessInfo('g').statename).toBe('FATAL');
    await pm.startProcess('g', { wait: false });
    expect(events.at(-1)).toMatchObject({ from: 'FATAL', to: 'STARTING', tries: 0 });
    await waitForState(pm, 'g', 'BACKOFF');
    expect(events.at(-1)).toMatchObject({ tries: 1 });
  });
});

describe('stop from BACKOFF', () => {
  it('-> STOPPED at once with pid 0, no signal, no further retries', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'missing', command: '/no/such/thing', startretries: 100 });
    await pm.start();
    clock.advance(1000);
    expect(pm.getProcessInfo('missing').statename).toBe('BACKOFF');
    const info = await pm.stopProcess('missing');
    expect(info).toMatchObject({ statename: 'STOPPED', pid: 0 });
    expect(events.at(-1)).toMatchObject({ from: 'BACKOFF', to: 'STOPPED', pid: 0 });
    expect(log.lines).toContainEqual({ level: 'debug', message: 'Attempted to kill missing, which is in BACKOFF state.' });
    expect(log.messages().some((m) => m.startsWith('killing '))).toBe(false);
    expect(clock.pendingCount).toBe(0);
    const before = events.length;
    clock.advance(60_000);
    expect(events.length).toBe(before);
    expectChain(pm, events, 'missing');
  });

  it('the STOPPED description uses stop time 0 (Jan 01 12:00 AM under TZ=UTC)', async () => {
    const saved = process.env.TZ;
    process.env.TZ = 'UTC';
    try {
      const { pm } = fakeTimeManager();
      pm.addProcessGroup({ name: 'missing', command: '/no/such/thing' });
      await pm.start();
      await pm.stopProcess('missing');
      const info = pm.getProcessInfo('missing');
      expect(info.stop).toBe(0);
      expect(info.start).toBeGreaterThan(0);
      expect(info.description).toBe('Jan 01 12:00 AM');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('a stop from BACKOFF after a child was forked: STOPPED, pid 0, exitstatus 0', async () => {
    const { clock, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'b', command: '/bin/false' });
    await pm.start();
    await waitForState(pm, 'b', 'BACKOFF');
    await pm.stopProcess('b');
    expect(pm.getProcessInfo('b')).toMatchObject({ statename: 'STOPPED', pid: 0, exitstatus: 0 });
    expect(pm.getProcessInfo('b').stop).toBeGreaterThan(0);
    expect(clock.pendingCount).toBe(0);
    expect(events.at(-1)).toMatchObject({ from: 'BACKOFF', to: 'STOPPED', pid: 0 });
  });
});

describe('BACKOFF is running-like', () => {
  it('startProcess from BACKOFF is ALREADY_STARTED and changes nothing', async () => {
    const { pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'b', command: '/bin/false' });
    await pm.start();
    await waitForState(pm, 'b', 'BACKOFF');
    const before = events.length;
    await expect(pm.startProcess('b')).rejects.toMatchObject({ code: 'ALREADY_STARTED', faultString: 'ALREADY_STARTED: b' });
    expect(events.length).toBe(before);
  });
});
