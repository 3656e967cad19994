// Start, RUNNING promotion, child exits and autorestart (docs/semantics.md#start-attempt to
// #autorestart). Time-dependent parts run on a FakeClock.
import { describe, expect, it } from 'vitest';
import { expectChain, fakeTimeManager, macrotask, OutputCapture, realTimeManager, SH } from '../../helpers/conformance.js';
import { isAlive } from '../../helpers/processes.js';
import { edges, waitForEvent, waitForState } from '../../helpers/wait-for.js';
import { useTimeZone } from '../../helpers/time-zone.js';

useTimeZone('UTC');

describe('autostart: STARTING -> RUNNING after startsecs', () => {
  it('spawns at start(), promotes after more than startsecs, logs spawned/success', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'a', command: SH.sleep });
    expect(events).toEqual([]);
    await pm.start();
    const starting = pm.getProcessInfo('a');
    expect(starting).toMatchObject({ statename: 'STARTING', state: 10, description: '' });
    expect(starting.pid).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ name: 'a', group: 'a', from: 'STOPPED', to: 'STARTING', tries: 0 });
    expect(log.lines).toContainEqual({ level: 'info', message: `spawned: 'a' with pid ${starting.pid}` });

    clock.advance(999);
    expect(pm.getProcessInfo('a').statename).toBe('STARTING');
    clock.advance(2);
    const running = pm.getProcessInfo('a');
    expect(running).toMatchObject({ statename: 'RUNNING', state: 20, pid: starting.pid, description: `pid ${starting.pid}, uptime 0:00:01` });
    expect(events[1]).toMatchObject({ from: 'STARTING', to: 'RUNNING', pid: starting.pid });
    expect(log.lines).toContainEqual({ level: 'info', message: 'success: a entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)' });

    clock.advance(5000);
    expect(pm.getProcessInfo('a').description).toBe(`pid ${starting.pid}, uptime 0:00:06`);
    expect(clock.pendingCount).toBe(0);
    expectChain(pm, events, 'a');
    expect(edges(events, 'a')).toEqual(['STOPPED->STARTING', 'STARTING->RUNNING']);
  });

  it('autostart=false leaves the process STOPPED / Not started', async () => {
    const { clock, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'manual', command: SH.sleep, autostart: false });
    await pm.start();
    clock.advance(5000);
    expect(events).toEqual([]);
    expect(pm.getProcessInfo('manual')).toMatchObject({
      statename: 'STOPPED',
      state: 0,
      description: 'Not started',
      start: 0,
      stop: 0,
      pid: 0,
      exitstatus: 0,
      spawnerr: '',
    });
  });

  it('nothing starts before start(); a group added after start() autostarts at once', async () => {
    const { pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'early', command: SH.sleep });
    expect(pm.getProcessInfo('early').statename).toBe('STOPPED');
    await pm.start();
    pm.addProcessGroup({ name: 'late', command: SH.sleep });
    expect(pm.getProcessInfo('late').statename).toBe('STARTING');
    expect(events.map((e) => `${e.name}:${e.to}`)).toEqual(['early:STARTING', 'late:STARTING']);
  });

  it('a process that was ever attempted is not autostarted later', async () => {
    const { pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'once', command: SH.sleep });
    await pm.startProcess('once', { wait: false });
    await pm.stopProcess('once');
    await pm.start();
    expect(pm.getProcessInfo('once').statename).toBe('STOPPED');
    expect(events.filter((e) => e.to === 'STARTING')).toHaveLength(1);
  });

  it('a fractional startsecs is honoured in the success line', async () => {
    const { clock, log, pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'frac', command: SH.sleep, startsecs: 0.25 });
    await pm.start();
    clock.advance(249);
    expect(pm.getProcessInfo('frac').statename).toBe('STARTING');
    clock.advance(2);
    expect(pm.getProcessInfo('frac').statename).toBe('RUNNING');
    expect(log.messages('info')).toContain('success: frac entered RUNNING state, process has stayed up for > than 0.25 seconds (startsecs)');
  });
});

describe('how long startProcess blocks', () => {
  it('with wait it resolves only once RUNNING, startsecs after the spawn', async () => {
    const { clock, pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 's2', command: SH.sleep, startsecs: 2, autostart: false });
    let settled: string | undefined;
    const p = pm.startProcess('s2').then(
      (info) => (settled = info.statename),
      (e: unknown) => (settled = String(e)),
    );
    await macrotask();
    clock.advance(1999);
    await macrotask();
    expect(settled).toBeUndefined();
    clock.advance(2);
    await p;
    expect(settled).toBe('RUNNING');
  });

  it('real clock: startsecs=0.3 blocks at least 0.3 s; startsecs=0 returns RUNNING at once', async () => {
    const { pm } = realTimeManager();
    pm.addProcessGroup({ name: 'slow', command: SH.sleep, startsecs: 0.3, autostart: false });
    pm.addProcessGroup({ name: 'quick', command: SH.sleep, startsecs: 0, autostart: false });
    let t0 = performance.now();
    expect((await pm.startProcess('slow')).statename).toBe('RUNNING');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(299);
    t0 = performance.now();
    expect((await pm.startProcess('quick')).statename).toBe('RUNNING');
    expect(performance.now() - t0).toBeLessThan(250);
  });

  it('startsecs=0: the start call itself promotes to RUNNING (supervisord evaluates it before answering), even with wait=false', async () => {
    const { log, pm } = realTimeManager();
    pm.addProcessGroup({ name: 's0', command: SH.sleep, startsecs: 0, autostart: false });
    const info = await pm.startProcess('s0', { wait: false });
    expect(info.statename).toBe('RUNNING');
    expect(log.messages('info')).toContain('success: s0 entered RUNNING state, process has stayed up for > than 0 seconds (startsecs)');
  });

  it('an abort signal stops the waiting, never the process', async () => {
    const { clock, pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'ab', command: SH.sleep, startsecs: 2, autostart: false });
    const ac = new AbortController();
    const waiting = pm.startProcess('ab', { signal: ac.signal });
    ac.abort(new Error('gave up waiting'));
    await expect(waiting).rejects.toThrow('gave up waiting');
    expect(pm.getProcessInfo('ab').statename).toBe('STARTING');
    clock.advance(2001);
    expect(pm.getProcessInfo('ab').statename).toBe('RUNNING');
  });

  it('wait=false returns right after the fork, while STARTING', async () => {
    const { pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 's3', command: SH.sleep, startsecs: 3, autostart: false });
    const info = await pm.startProcess('s3', { wait: false });
    expect(info.statename).toBe('STARTING');
    expect(info.pid).toBeGreaterThan(0);
  });
});

describe('child exits after RUNNING and autorestart', () => {
  it('startsecs=0, exit 3, autorestart=false: STARTING -> RUNNING -> EXITED, not restarted', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'f', command: 'sh -c "exit 3"', startsecs: 0, autorestart: false });
    await pm.start();
    await waitForState(pm, 'f', 'EXITED');
    expect(edges(events, 'f')).toEqual(['STOPPED->STARTING', 'STARTING->RUNNING', 'RUNNING->EXITED']);
    const exited = events.find((e) => e.to === 'EXITED');
    expect(exited).toMatchObject({ expected: false, exitstatus: 3 });
    expect(exited?.pid).toBeGreaterThan(0);
    expect(log.lines).toContainEqual({ level: 'warn', message: 'exited: f (exit status 3; not expected)' });
    const info = pm.getProcessInfo('f');
    expect(info).toMatchObject({ state: 100, statename: 'EXITED', exitstatus: 3, spawnerr: 'Bad exit code 3', pid: 0, description: 'Nov 22 01:00 AM' });
    expect(info.stop).toBeGreaterThan(0);
    expect(clock.pendingCount).toBe(0);
    clock.advance(10_000);
    expect(edges(events, 'f')).toHaveLength(3);
    expectChain(pm, events, 'f');
  });

  it('startsecs=0, exit 0, autorestart=unexpected: EXITED expected, INFO, never restarted', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'c', command: 'sh -c "exit 0"', startsecs: 0 });
    await pm.start();
    await waitForState(pm, 'c', 'EXITED');
    expect(events.find((e) => e.to === 'EXITED')).toMatchObject({ expected: true, exitstatus: 0 });
    expect(log.lines).toContainEqual({ level: 'info', message: 'exited: c (exit status 0; expected)' });
    expect(pm.getProcessInfo('c')).toMatchObject({ statename: 'EXITED', exitstatus: 0, spawnerr: '' });
    expect(edges(events, 'c')).toContain('STARTING->RUNNING');
    expect(clock.pendingCount).toBe(0);
    clock.advance(10_000);
    expect(edges(events, 'c')).toEqual(['STOPPED->STARTING', 'STARTING->RUNNING', 'RUNNING->EXITED']);
  });

  it('autorestart=true restarts after a clean exit, with a new pid and tries 0 each cycle', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'always', command: SH.exitOnStdin, autorestart: true });
    await pm.start();
    const pids: number[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      clock.advance(1001);
      expect(pm.getProcessInfo('always').statename).toBe('RUNNING');
      pids.push(pm.getProcessInfo('always').pid);
      pm.sendProcessStdin('always', '0\n');
      await waitForState(pm, 'always', 'EXITED');
      expect(pm.getProcessInfo('always').statename).toBe('EXITED');
      clock.flush();
      expect(pm.getProcessInfo('always').statename).toBe('STARTING');
    }
    expect(new Set(pids).size).toBe(3);
    expect(events.filter((e) => e.to === 'STARTING').map((e) => e.tries)).toEqual([0, 0, 0, 0]);
    expect(events.filter((e) => e.to === 'EXITED').every((e) => e.expected === true)).toBe(true);
    expect(log.messages('info').filter((m) => m === 'exited: always (exit status 0; expected)')).toHaveLength(3);
    expect(edges(events, 'always')).not.toContain('STARTING->BACKOFF');
    expectChain(pm, events, 'always');
  });

  it('exitcodes with autorestart=unexpected: an expected code stays EXITED, another is restarted', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'ok', command: SH.exitOnStdin, exitcodes: [0, 2] });
    pm.addProcessGroup({ name: 'bad', command: SH.exitOnStdin, exitcodes: '0,2' });
    await pm.start();
    clock.advance(1001);
    pm.sendProcessStdin('ok', '2\n');
    pm.sendProcessStdin('bad', '1\n');
    await Promise.all([waitForState(pm, 'ok', 'EXITED'), waitForState(pm, 'bad', 'EXITED')]);
    expect(log.lines).toContainEqual({ level: 'info', message: 'exited: ok (exit status 2; expected)' });
    expect(log.lines).toContainEqual({ level: 'warn', message: 'exited: bad (exit status 1; not expected)' });
    expect(pm.getProcessInfo('ok')).toMatchObject({ exitstatus: 2, spawnerr: '' });
    expect(pm.getProcessInfo('bad')).toMatchObject({ exitstatus: 1, spawnerr: 'Bad exit code 1' });
    clock.flush();
    expect(pm.getProcessInfo('ok').statename).toBe('EXITED');
    expect(pm.getProcessInfo('bad').statename).toBe('STARTING');
    // a second unexpected exit after RUNNING is restarted again (no BACKOFF, no FATAL)
    clock.advance(1001);
    pm.sendProcessStdin('bad', '1\n');
    await waitForEvent(pm, (e) => e.name === 'bad' && e.to === 'EXITED' && events.filter((x) => x.name === 'bad' && x.to === 'EXITED').length === 2);
    clock.flush();
    expect(pm.getProcessInfo('bad').statename).toBe('STARTING');
    expect(edges(events, 'ok')).toEqual(['STOPPED->STARTING', 'STARTING->RUNNING', 'RUNNING->EXITED']);
    expect(edges(events, 'bad').filter((e) => e === 'EXITED->STARTING')).toHaveLength(2);
    expectChain(pm, events, 'ok');
    expectChain(pm, events, 'bad');
  });

  it('autorestart=false stays EXITED after an unexpected exit; autorestart=true restarts after an unexpected one', async () => {
    const { clock, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'never', command: SH.exitOnStdin, autorestart: false });
    pm.addProcessGroup({ name: 'always', command: SH.exitOnStdin, autorestart: true });
    await pm.start();
    clock.advance(1001);
    pm.sendProcessStdin('never', '5\n');
    pm.sendProcessStdin('always', '5\n');
    await Promise.all([waitForState(pm, 'never', 'EXITED'), waitForState(pm, 'always', 'EXITED')]);
    clock.flush();
    expect(pm.getProcessInfo('never').statename).toBe('EXITED');
    expect(pm.getProcessInfo('always').statename).toBe('STARTING');
    expect(events.filter((e) => e.to === 'EXITED').map((e) => [e.name, e.expected])).toEqual(
      expect.arrayContaining([
        ['never', false],
        ['always', false],
      ]),
    );
  });

  it('a RUNNING process killed by an outside signal is EXITED unexpected (-1) and restarted by autorestart=unexpected', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    pm.addProcessGroup({ name: 'echoer', command: SH.sleep });
    await pm.start();
    clock.advance(1001);
    const pid = pm.getProcessInfo('echoer').pid;
    process.kill(pid, 'SIGUSR1');
    await waitForState(pm, 'echoer', 'EXITED');
    expect(pm.getProcessInfo('echoer')).toMatchObject({ exitstatus: -1, spawnerr: 'Bad exit code -1' });
    expect(log.lines).toContainEqual({ level: 'warn', message: 'exited: echoer (terminated by SIGUSR1; not expected)' });
    expect(events.at(-1)).toMatchObject({ to: 'EXITED', expected: false, exitstatus: -1, pid });
    clock.flush();
    const again = pm.getProcessInfo('echoer');
    expect(again.statename).toBe('STARTING');
    expect(again.pid).not.toBe(pid);
  });
});

describe('reap details', () => {
  it('output still in the pipes is delivered before the exit is processed', async () => {
    const { pm } = realTimeManager();
    const order: string[] = [];
    pm.on('processLog', (e) => order.push(`log:${e.data.toString().trim()}`));
    pm.on('processState', (e) => order.push(`state:${e.to}`));
    pm.addProcessGroup({ name: 'last', command: `sh -c 'echo last-words; exit 3'`, startsecs: 0, autorestart: false, stdout_events_enabled: true });
    await pm.startProcess('last', { wait: false });
    await waitForState(pm, 'last', 'EXITED');
    expect(order.indexOf('log:last-words')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('log:last-words')).toBeLessThan(order.indexOf('state:EXITED'));
  });

  it('stdout and stderr arrive on their channels; redirect_stderr merges stderr into stdout', async () => {
    const { pm } = realTimeManager();
    const out = new OutputCapture(pm);
    const cmd = `sh -c 'echo to-out; echo to-err >&2'`;
    const common = { command: cmd, startsecs: 0, autorestart: false, stdout_events_enabled: true, stderr_events_enabled: true } as const;
    pm.addProcessGroup({ name: 'split', ...common });
    pm.addProcessGroup({ name: 'redir', ...common, redirect_stderr: true });
    await pm.startProcess('split', { wait: false });
    await pm.startProcess('redir', { wait: false });
    await Promise.all([waitForState(pm, 'split', 'EXITED'), waitForState(pm, 'redir', 'EXITED')]);
    expect(out.text('split', 'stdout')).toBe('to-out\n');
    expect(out.text('split', 'stderr')).toBe('to-err\n');
    expect(out.text('redir', 'stdout')).toBe('to-out\nto-err\n');
    expect(out.text('redir', 'stderr')).toBe('');
  });

  it('a grandchild holding the pipes does not delay the reap', async () => {
    const { pm } = realTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'holder', command: `sh -c 'sleep 20 & echo "bg $!"; exit 3'`, startsecs: 0, autorestart: false, stdout_events_enabled: true });
    const t0 = performance.now();
    await pm.startProcess('holder', { wait: false });
    const bg = Number((await out.waitFor('holder', /bg (\d+)\n/))[1]);
    try {
      await waitForState(pm, 'holder', 'EXITED', 1000);
      expect(performance.now() - t0).toBeLessThan(900);
      expect(pm.getProcessInfo('holder').exitstatus).toBe(3);
      expect(isAlive(bg)).toBe(true);
    } finally {
      process.kill(bg, 'SIGKILL');
    }
  });
});

describe('startsecs=0 crash loop', () => {
  it('cycles STARTING -> RUNNING -> EXITED -> STARTING and never enters BACKOFF or FATAL', async () => {
    const { pm, events } = realTimeManager();
    pm.addProcessGroup({ name: 'loop0', command: "sh -c 'exit 1'", startsecs: 0, autorestart: true });
    await pm.start();
    await waitForEvent(pm, () => events.filter((e) => e.to === 'EXITED').length >= 5, 5000);
    const mine = edges(events, 'loop0');
    expect(mine.filter((e) => e === 'RUNNING->EXITED').length).toBeGreaterThanOrEqual(5);
    expect(mine.some((e) => e.endsWith('BACKOFF') || e.endsWith('FATAL'))).toBe(false);
    const pids = events.filter((e) => e.to === 'EXITED').map((e) => e.pid);
    expect(new Set(pids).size).toBe(pids.length);
    expect(events.filter((e) => e.to === 'STARTING').every((e) => e.tries === 0)).toBe(true);
  });
});

describe('timers', () => {
  it('no timer is armed once every process is RUNNING, STOPPED, EXITED or FATAL', async () => {
    const { clock, pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'running', command: SH.sleep });
    pm.addProcessGroup({ name: 'stopped', command: SH.sleep, autostart: false });
    pm.addProcessGroup({ name: 'exited', command: 'sh -c "exit 0"', startsecs: 0 });
    pm.addProcessGroup({ name: 'fatal', command: '/nonexistent/cmd', startretries: 0 });
    pm.addProcessGroup({ name: 'stopme', command: SH.sleep, startsecs: 0 });
    await pm.start();
    clock.flush();
    await waitForState(pm, 'exited', 'EXITED');
    await pm.stopProcess('stopme');
    clock.advance(1001);
    expect(pm.getAllProcessInfo().map((p) => `${p.name}:${p.statename}`)).toEqual([
      'exited:EXITED',
      'fatal:FATAL',
      'running:RUNNING',
      'stopme:STOPPED',
      'stopped:STOPPED',
    ]);
    expect(clock.pendingCount).toBe(0);
  });
});
