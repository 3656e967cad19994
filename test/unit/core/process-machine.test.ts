// The process state machine, driven without processes: a fake spawner stands in for fork and
// kill(2), a fake clock for time. Every edge of the transition table is exercised here, and the
// last test checks that the edges seen are exactly the allowed ones.
import { afterAll, describe, expect, it } from 'vitest';
import { FailedError } from '../../../src/errors.js';
import { ChannelLog } from '../../../src/logs/channel-log.js';
import { resolveProgram, type ProgramConfig } from '../../../src/supervisor/config.js';
import type { ProcessStateEvent } from '../../../src/supervisor/events.js';
import { TOO_QUICK } from '../../../src/supervisor/exit.js';
import { type ProcessHost, SupervisedProcess } from '../../../src/supervisor/process.js';
import { PROCESS_STATES, type ProcessState } from '../../../src/supervisor/states.js';
import { TRANSITIONS } from '../../../src/supervisor/transitions.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { FakeSpawner, FIRST_FAKE_PID as PID } from '../../helpers/fake-spawner.js';

/** Every edge any test of this file walked, from the events the process emitted. */
const exercised = new Set<string>();
const ALLOWED = new Set(PROCESS_STATES.flatMap((from) => TRANSITIONS[from].map((to) => `${from}->${to}`)));

type Level = Parameters<ProcessHost['log']>[0];

interface Harness {
  proc: SupervisedProcess;
  clock: FakeClock;
  spawner: FakeSpawner;
  events: ProcessStateEvent[];
  logs: { level: Level; message: string }[];
  output: { channel: string; text: string }[];
  /** The manager's mood: automatic starts only while true. */
  auto: { on: boolean };
  /** The edges walked so far, `FROM->TO`. */
  edges(): string[];
  /** Main-log lines at `level`. */
  lines(level: Level): string[];
}

function machine(cfg: Partial<ProgramConfig> = {}): Harness {
  const [spec] = resolveProgram({ name: 'web', command: '/bin/sh', ...cfg }, 'web', { env: { PATH: '/usr/bin:/bin' }, origin: 'api' });
  if (!spec) throw new Error('no process resolved');
  const clock = new FakeClock();
  const spawner = new FakeSpawner();
  const events: ProcessStateEvent[] = [];
  const logs: Harness['logs'] = [];
  const output: Harness['output'] = [];
  const auto = { on: true };
  const host: ProcessHost = {
    clock,
    spawner,
    guardValue: null,
    stripAnsi: false,
    canAutoStart: () => auto.on,
    baseEnvironment: () => ({ PATH: '/usr/bin:/bin', HOME: '/home/u' }),
    serverUrl: () => 'unix:///tmp/sv.sock',
    emitState: (ev) => {
      events.push(ev);
      exercised.add(`${ev.from}->${ev.to}`);
    },
    output: (_p, channel, chunk) => output.push({ channel, text: chunk.toString() }),
    keepsOutput: () => true,
    log: (level, message) => logs.push({ level, message }),
  };
  const logsOf = { stdout: new ChannelLog(), stderr: spec.redirect_stderr ? null : new ChannelLog() };
  const proc = new SupervisedProcess(spec, host, logsOf, { PORT: '8080' });
  return {
    proc,
    clock,
    spawner,
    events,
    logs,
    output,
    auto,
    edges: () => events.map((e) => `${e.from}->${e.to}`),
    lines: (level) => logs.filter((l) => l.level === level).map((l) => l.message),
  };
}

/** Lets promise callbacks (readiness checks) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Up to RUNNING: spawned, and startsecs (default 1 s) passed. */
function running(cfg: Partial<ProgramConfig> = {}): Harness {
  const h = machine(cfg);
  h.proc.spawn();
  h.clock.advance(h.proc.spec.startsecs * 1000);
  expect(h.proc.state).toBe('RUNNING');
  return h;
}

/** Into BACKOFF by a too-quick exit. */
function backoff(cfg: Partial<ProgramConfig> = {}): Harness {
  const h = machine(cfg);
  h.proc.spawn();
  h.spawner.last.exit(1);
  expect(h.proc.state).toBe('BACKOFF');
  return h;
}

/** Into FATAL: startretries=0 and one too-quick exit. */
function fatal(): Harness {
  const h = backoff({ startretries: 0 });
  h.clock.flush();
  expect(h.proc.state).toBe('FATAL');
  return h;
}

/** Into UNKNOWN: a stop whose kill fails with EPERM (RUNNING -> STOPPING -> UNKNOWN). */
function unknown(): Harness {
  const h = running();
  h.spawner.failKills('EPERM');
  expect(() => h.proc.stop()).toThrow(FailedError);
  expect(h.proc.state).toBe('UNKNOWN');
  return h;
}

afterAll(() => {
  // Guard against a silent filter (it.only, a skipped block): the coverage test below needs them all.
  expect(exercised.size).toBeGreaterThan(0);
});

describe('starting', () => {
  it('STOPPED -> STARTING: one spawn with the command, the environment and the options of the spec', () => {
    const h = machine({ environment: { FOO: 'bar', SUPERVISOR_GROUP_NAME: 'mine' }, directory: '/tmp', umask: '022', redirect_stderr: true });
    const pid = h.proc.spawn();
    expect(pid).toBe(PID);
    expect(h.proc.state).toBe('STARTING');
    expect(h.proc.pid).toBe(PID);
    expect(h.events).toMatchObject([{ from: 'STOPPED', to: 'STARTING', tries: 0, pid: 0 }]);
    expect(h.spawner.children).toHaveLength(1);
    const req = h.spawner.last.request;
    expect(req.command).toEqual({ file: '/bin/sh', argv: ['/bin/sh'] });
    expect(req).toMatchObject({ directory: '/tmp', user: null, umask: 0o22, redirectStderr: true });
    expect(req.failure).toBeUndefined();
    expect(req.env).toMatchObject({
      PATH: '/usr/bin:/bin',
      HOME: '/home/u',
      SUPERVISOR_ENABLED: '1',
      SUPERVISOR_SERVER_URL: 'unix:///tmp/sv.sock',
      SUPERVISOR_PROCESS_NAME: 'web',
      SUPERVISOR_GROUP_NAME: 'mine', // the program's own environment comes last
      PORT: '8080',
      FOO: 'bar',
    });
    expect(h.lines('info')).toEqual([`spawned: 'web' with pid ${PID}`]);
    expect(h.proc.neverStarted).toBe(false);
  });

  it('STARTING -> RUNNING once startsecs has passed, not a millisecond before', () => {
    const h = machine({ startsecs: 3 });
    h.proc.spawn();
    h.clock.advance(2999);
    expect(h.proc.state).toBe('STARTING');
    h.clock.advance(1);
    expect(h.proc.state).toBe('RUNNING');
    expect(h.events.at(-1)).toMatchObject({ from: 'STARTING', to: 'RUNNING', pid: PID });
    expect(h.lines('info')).toContain('success: web entered RUNNING state, process has stayed up for > than 3 seconds (startsecs)');
  });

  it('startsecs=0: RUNNING at the next evaluation, and evaluate() promotes at once', () => {
    const a = machine({ startsecs: 0 });
    a.proc.spawn();
    expect(a.proc.state).toBe('STARTING');
    a.clock.flush();
    expect(a.proc.state).toBe('RUNNING');
    const b = machine({ startsecs: 0 });
    b.proc.spawn();
    b.proc.evaluate();
    expect(b.proc.state).toBe('RUNNING');
  });

  it('STARTING -> BACKOFF when the child exits before startsecs, whatever its exit code', () => {
    for (const code of [0, 1]) {
      const h = machine({ startsecs: 1 });
      h.proc.spawn();
      h.clock.advance(999);
      h.spawner.last.exit(code);
      expect(h.proc.state).toBe('BACKOFF');
      expect(h.events.at(-1)).toMatchObject({ from: 'STARTING', to: 'BACKOFF', tries: 1, spawnerr: TOO_QUICK });
      expect(h.proc.info()).toMatchObject({ spawnerr: TOO_QUICK, exitstatus: 0, pid: 0 });
      expect(h.lines('warn')).toEqual([`exited: web (exit status ${code}; not expected)`]);
    }
  });

  it('STARTING -> BACKOFF on a command that cannot be found: no child at all', () => {
    const h = machine({ command: '/nonexistent/procvisor-test-program' });
    expect(h.proc.spawn()).toBeUndefined();
    expect(h.spawner.children).toHaveLength(0);
    expect(h.proc.state).toBe('BACKOFF');
    expect(h.proc.spawnerr).toBe("can't find command '/nonexistent/procvisor-test-program'");
    expect(h.events.map((e) => e.to)).toEqual(['STARTING', 'BACKOFF']);
    expect(h.lines('info')).toEqual(["spawnerr: can't find command '/nonexistent/procvisor-test-program'"]);
  });

  it.each([
    ['EAGAIN', "Too many processes in process table to spawn 'web'"],
    ['EMFILE', "too many open files to spawn 'web'"],
    ['EIO', "unknown error during fork for 'web': EIO"],
  ])('STARTING -> BACKOFF when the fork fails with %s', (code, message) => {
    const h = machine();
    h.spawner.failNextFork(code);
    expect(h.proc.spawn()).toBeUndefined();
    expect(h.proc.state).toBe('BACKOFF');
    expect(h.proc.spawnerr).toBe(message);
    expect(h.events.at(-1)).toMatchObject({ to: 'BACKOFF', tries: 1, spawnerr: message });
  });

  it('an exec failure runs a child that reports it and exits 127: a too-quick exit', () => {
    const h = machine();
    h.spawner.failNextExec('ENOENT');
    expect(h.proc.spawn()).toBeUndefined();
    expect(h.proc.state).toBe('STARTING');
    expect(h.proc.pid).toBe(0);
    h.spawner.reportExecFailure();
    const reporter = h.spawner.last;
    expect(reporter.request.failure).toEqual(["supervisor: couldn't exec /bin/sh: ENOENT", 'supervisor: child process was not spawned']);
    expect(h.proc.pid).toBe(reporter.pid);
    reporter.exit(127);
    expect(h.proc.state).toBe('BACKOFF');
    expect(h.proc.spawnerr).toBe(TOO_QUICK);
  });

  it('a start while a child exists only warns', () => {
    const h = running();
    expect(h.proc.spawn()).toBeUndefined();
    expect(h.spawner.children).toHaveLength(1);
    expect(h.lines('warn')).toEqual(["process 'web' already running"]);
  });
});

describe('backoff and giving up', () => {
  it('BACKOFF -> STARTING after 1 s, 2 s, 3 s; BACKOFF -> FATAL at the next evaluation after startretries', () => {
    const h = machine({ startretries: 3, startsecs: 1 });
    const starts: number[] = [];
    h.proc.spawn();
    starts.push(h.clock.now());
    for (let attempt = 1; attempt <= 3; attempt++) {
      h.spawner.last.exit(1);
      expect(h.proc.state).toBe('BACKOFF');
      expect(h.proc.nextRetryAt).toBe(h.clock.epochMs() + attempt * 1000);
      h.clock.advance(attempt * 1000 - 1);
      expect(h.proc.state).toBe('BACKOFF');
      h.clock.advance(1);
      expect(h.proc.state).toBe('STARTING');
      expect(h.events.at(-1)).toMatchObject({ from: 'BACKOFF', to: 'STARTING', tries: attempt });
      starts.push(h.clock.now());
    }
    expect(starts).toEqual([0, 1000, 3000, 6000]);
    h.spawner.last.exit(1);
    expect(h.proc.state).toBe('BACKOFF');
    expect(h.proc.givingUp).toBe(true);
    h.clock.flush();
    expect(h.proc.state).toBe('FATAL');
    expect(h.events.at(-1)).toMatchObject({ from: 'BACKOFF', to: 'FATAL', spawnerr: TOO_QUICK });
    expect(h.lines('info')).toContain('gave up: web entered FATAL state, too many start retries too quickly');
    expect(h.spawner.children).toHaveLength(4);
    h.clock.advance(60_000);
    expect(h.spawner.children).toHaveLength(4);
  });

  it('startretries=0: FATAL after the first failure', () => {
    const h = fatal();
    expect(h.edges()).toEqual(['STOPPED->STARTING', 'STARTING->BACKOFF', 'BACKOFF->FATAL']);
  });

  it('a spawn error that exhausts the retries gives up at once (the next evaluation, no time later)', () => {
    const h = machine({ command: '/nonexistent/x', startretries: 1 });
    h.proc.spawn();
    h.clock.advance(999);
    expect(h.events.map((e) => e.to)).toEqual(['STARTING', 'BACKOFF']);
    h.clock.advance(1);
    expect(h.events.map((e) => e.to)).toEqual(['STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'FATAL']);
    expect(h.events.slice(2).map((e) => e.time - (h.events[0]?.time ?? 0))).toEqual([1000, 1000, 1000]);
    expect(h.proc.state).toBe('FATAL');
    expect(h.proc.spawnerr).toBe("can't find command '/nonexistent/x'");
  });

  it('no retry while automatic starts are off (the manager is shutting down)', () => {
    const h = backoff();
    h.auto.on = false;
    h.clock.advance(10_000);
    expect(h.proc.state).toBe('BACKOFF');
    expect(h.spawner.children).toHaveLength(1);
  });

  it('retries happen even with autorestart=false', () => {
    const h = backoff({ autorestart: false });
    h.clock.advance(1000);
    expect(h.proc.state).toBe('STARTING');
  });

  it('reaching RUNNING forgets the failed starts', () => {
    const h = backoff({ startretries: 1 });
    h.clock.advance(1000);
    h.clock.advance(1000);
    expect(h.proc.state).toBe('RUNNING');
    h.spawner.last.exit(0);
    h.clock.flush(); // autorestart=unexpected, exit 0: stays EXITED
    expect(h.proc.state).toBe('EXITED');
    h.proc.spawn();
    expect(h.events.at(-1)).toMatchObject({ to: 'STARTING', tries: 0 });
  });

  it('FATAL -> STARTING on a start request, which counts from zero', () => {
    const h = fatal();
    h.proc.spawn();
    expect(h.proc.state).toBe('STARTING');
    expect(h.events.at(-1)).toMatchObject({ from: 'FATAL', to: 'STARTING', tries: 0 });
    expect(h.proc.spawnerr).toBeNull();
  });
});

describe('exits after RUNNING', () => {
  const cases: [ProgramConfig['autorestart'], number, boolean, boolean][] = [
    // autorestart, exit code, expected, restarted
    [true, 0, true, true],
    [true, 3, false, true],
    [false, 0, true, false],
    [false, 3, false, false],
    ['unexpected', 0, true, false],
    ['unexpected', 3, false, true],
  ];
  it.each(cases)('RUNNING -> EXITED with autorestart=%s, exit %i: expected=%s, EXITED -> STARTING: %s', (autorestart, code, expected, restarted) => {
    const h = running({ autorestart });
    h.spawner.last.exit(code);
    expect(h.proc.state).toBe('EXITED');
    expect(h.events.at(-1)).toMatchObject({ from: 'RUNNING', to: 'EXITED', expected, exitstatus: code, pid: PID });
    expect(h.proc.info()).toMatchObject({ exitstatus: code, spawnerr: expected ? '' : `Bad exit code ${code}`, pid: 0 });
    expect(expected ? h.lines('info') : h.lines('warn')).toContain(`exited: web (exit status ${code}; ${expected ? 'expected' : 'not expected'})`);
    h.clock.flush();
    expect(h.proc.state).toBe(restarted ? 'STARTING' : 'EXITED');
    expect(h.spawner.children).toHaveLength(restarted ? 2 : 1);
    if (restarted) expect(h.events.at(-1)).toMatchObject({ from: 'EXITED', to: 'STARTING' });
  });

  it('a signal death is never expected, whatever exitcodes lists', () => {
    const h = running({ exitcodes: [0, 1, 2] });
    h.spawner.last.kill('SIGSEGV');
    expect(h.events.at(-1)).toMatchObject({ to: 'EXITED', expected: false, exitstatus: -1 });
    expect(h.proc.spawnerr).toBe('Bad exit code -1');
    expect(h.lines('warn')).toContain('exited: web (terminated by SIGSEGV; not expected)');
  });

  it('an exit while STARTING after startsecs (no evaluation yet) goes through RUNNING, without the success line', () => {
    const h = machine({ startsecs: 0 });
    h.proc.spawn();
    h.spawner.last.exit(0);
    expect(h.edges()).toEqual(['STOPPED->STARTING', 'STARTING->RUNNING', 'RUNNING->EXITED']);
    expect(h.lines('info').some((l) => l.startsWith('success:'))).toBe(false);
  });

  it('no autorestart while automatic starts are off', () => {
    const h = running({ autorestart: true });
    h.auto.on = false;
    h.spawner.last.exit(0);
    h.clock.advance(10_000);
    expect(h.proc.state).toBe('EXITED');
  });

  it('EXITED -> STARTING on a start request', () => {
    const h = running({ autorestart: false });
    h.spawner.last.exit(0);
    h.proc.spawn();
    expect(h.events.at(-1)).toMatchObject({ from: 'EXITED', to: 'STARTING' });
  });

  it('a policy with reset_after counts an unstable run and delays its restart', () => {
    const h = running({ autorestart: true, backoff: { reset_after: 30 } });
    h.spawner.last.exit(1);
    expect(h.proc.state).toBe('EXITED');
    expect(h.proc.nextRetryAt).toBe(h.clock.epochMs() + 1000);
    h.clock.advance(999);
    expect(h.proc.state).toBe('EXITED');
    h.clock.advance(1);
    expect(h.proc.state).toBe('STARTING');
    expect(h.events.at(-1)).toMatchObject({ tries: 1 });
  });
});

describe('stopping', () => {
  it('RUNNING -> STOPPING: stopsignal to the pid; STOPPING -> STOPPED when it dies', () => {
    const h = running({ stopsignal: 'INT' });
    h.proc.stop();
    expect(h.proc.state).toBe('STOPPING');
    expect(h.spawner.kills).toEqual([{ target: PID, signal: 2 }]);
    expect(h.lines('debug')).toContain(`killing web (pid ${PID}) with signal SIGINT`);
    h.spawner.last.kill('SIGINT');
    expect(h.proc.state).toBe('STOPPED');
    expect(h.events.at(-1)).toMatchObject({ from: 'STOPPING', to: 'STOPPED', pid: PID, expected: false, exitstatus: -1 });
    expect(h.lines('warn')).toContain('stopped: web (terminated by SIGINT)');
    h.clock.advance(60_000);
    expect(h.proc.state).toBe('STOPPED'); // never restarted
  });

  it('a clean exit after the stop signal is logged as info; the exit code is not an "exit"', () => {
    const h = running({ autorestart: true });
    h.proc.stop();
    h.spawner.last.exit(0);
    expect(h.events.at(-1)).toMatchObject({ to: 'STOPPED', expected: true, exitstatus: 0 });
    expect(h.lines('info')).toContain('stopped: web (exit status 0)');
    h.clock.advance(60_000);
    expect(h.proc.state).toBe('STOPPED');
  });

  it('STARTING -> STOPPING, then STOPPED even when it dies before startsecs', () => {
    const h = machine({ startsecs: 10 });
    h.proc.spawn();
    h.proc.stop();
    expect(h.edges()).toEqual(['STOPPED->STARTING', 'STARTING->STOPPING']);
    h.spawner.last.kill('SIGTERM');
    expect(h.proc.state).toBe('STOPPED');
  });

  it('stopasgroup and killasgroup signal the process group', () => {
    const h = running({ stopasgroup: true, killasgroup: true, stopwaitsecs: 2 });
    h.proc.stop();
    h.clock.advance(2000);
    expect(h.spawner.kills).toEqual([
      { target: -PID, signal: 15 },
      { target: -PID, signal: 9 },
    ]);
    expect(h.lines('debug')).toContain(`killing web (pid ${PID}) process group with signal SIGTERM`);
  });

  it('STOPPING: SIGKILL after stopwaitsecs, again every stopwaitsecs, no state change until it dies', () => {
    const h = running({ stopwaitsecs: 10 });
    h.proc.stop();
    h.clock.advance(9999);
    expect(h.spawner.kills).toHaveLength(1);
    h.clock.advance(1);
    expect(h.spawner.kills.at(-1)).toEqual({ target: PID, signal: 9 });
    expect(h.lines('warn')).toContain(`killing 'web' (${PID}) with SIGKILL`);
    h.clock.advance(10_000);
    expect(h.spawner.kills).toHaveLength(3);
    expect(h.proc.state).toBe('STOPPING');
    const stoppingEvents = h.events.filter((e) => e.to === 'STOPPING');
    expect(stoppingEvents).toHaveLength(1);
    h.spawner.last.kill('SIGKILL');
    expect(h.proc.state).toBe('STOPPED');
    h.clock.advance(60_000);
    expect(h.spawner.kills).toHaveLength(3);
  });

  it('a kill that finds the child already gone (ESRCH) still stops it', () => {
    const h = running();
    h.spawner.failKills('ESRCH');
    h.proc.stop();
    expect(h.proc.state).toBe('STOPPING');
    expect(h.lines('debug')).toContain(`unable to signal web (pid ${PID}), it probably just exited on its own: kill ESRCH`);
    h.spawner.last.exit(0);
    expect(h.proc.state).toBe('STOPPED');
  });

  it('BACKOFF -> STOPPED on a stop request: no signal, pid 0, and the failure count is kept', () => {
    const h = backoff();
    h.proc.stop();
    expect(h.proc.state).toBe('STOPPED');
    expect(h.events.at(-1)).toMatchObject({ from: 'BACKOFF', to: 'STOPPED', pid: 0 });
    expect(h.spawner.kills).toEqual([]);
    h.clock.advance(10_000);
    expect(h.proc.state).toBe('STOPPED');
    h.proc.spawn();
    expect(h.events.at(-1)).toMatchObject({ from: 'STOPPED', to: 'STARTING', tries: 1 });
  });

  it('BACKOFF -> FATAL on the stop of a shutdown', () => {
    const h = backoff();
    h.proc.stopForShutdown();
    expect(h.proc.state).toBe('FATAL');
    expect(h.events.at(-1)).toMatchObject({ from: 'BACKOFF', to: 'FATAL' });
  });

  it('a stop while the exec failure is still unknown: STOPPING without a signal, then STOPPED', () => {
    const h = machine();
    h.spawner.failNextExec('EACCES');
    h.proc.spawn();
    h.proc.stop();
    expect(h.proc.state).toBe('STOPPING');
    expect(h.spawner.kills).toEqual([]);
    h.spawner.reportExecFailure();
    expect(h.proc.state).toBe('STOPPED');
    expect(h.events.at(-1)).toMatchObject({ from: 'STOPPING', to: 'STOPPED', pid: 0 });
    expect(h.spawner.children).toHaveLength(0);
  });

  it('a start request while STOPPING is a no-op', () => {
    const h = running();
    h.proc.stop();
    expect(h.proc.spawn()).toBeUndefined();
    expect(h.proc.state).toBe('STOPPING');
  });
});

describe('UNKNOWN: a signal that fails for another reason than ESRCH', () => {
  it('RUNNING -> STOPPING -> UNKNOWN: stop() throws FailedError and logs critical (supervisord changes the state before signalling)', () => {
    const h = running();
    h.spawner.failKills('EPERM');
    let error: unknown;
    try {
      h.proc.stop();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FailedError);
    expect(error).toMatchObject({ code: 'FAILED', faultString: `FAILED: unknown problem killing web (${PID}):kill EPERM` });
    expect(h.proc.state).toBe('UNKNOWN');
    expect(h.events.slice(-2)).toMatchObject([
      { from: 'RUNNING', to: 'STOPPING' },
      { from: 'STOPPING', to: 'UNKNOWN' },
    ]);
    expect(h.lines('critical')).toEqual([`unknown problem killing web (${PID}):kill EPERM`]);
    h.clock.advance(60_000); // the STOPPING timer went with the state: no SIGKILL follows
    expect(h.spawner.kills).toHaveLength(1);
  });

  it('STARTING -> STOPPING -> UNKNOWN', () => {
    const h = machine();
    h.proc.spawn();
    h.spawner.failKills('EPERM');
    expect(() => h.proc.stop()).toThrow(FailedError);
    expect(h.events.slice(-2)).toMatchObject([
      { from: 'STARTING', to: 'STOPPING' },
      { from: 'STOPPING', to: 'UNKNOWN' },
    ]);
  });

  it('STOPPING -> UNKNOWN when the SIGKILL fails (from a timer: nothing throws)', () => {
    const h = running({ stopwaitsecs: 1 });
    h.proc.stop();
    h.spawner.failKills('EPERM');
    h.clock.advance(1000);
    expect(h.proc.state).toBe('UNKNOWN');
    expect(h.events.at(-1)).toMatchObject({ from: 'STOPPING', to: 'UNKNOWN' });
  });

  it('signal(): the pid only, no state change, ESRCH ignored, other errors throw and make it UNKNOWN', () => {
    const h = running({ stopasgroup: true });
    h.proc.signal(10);
    expect(h.spawner.kills).toEqual([{ target: PID, signal: 10 }]);
    expect(h.proc.state).toBe('RUNNING');
    h.spawner.failKills('ESRCH');
    h.proc.signal(10);
    expect(h.proc.state).toBe('RUNNING');
    h.spawner.failKills('EPERM');
    expect(() => h.proc.signal(10)).toThrow(new FailedError(`unknown problem sending sig web (${PID}):kill EPERM`));
    expect(h.proc.state).toBe('UNKNOWN');
  });

  it('the stop of a shutdown never throws', () => {
    const h = running();
    h.spawner.failKills('EPERM');
    expect(() => h.proc.stopForShutdown()).not.toThrow();
    expect(h.proc.state).toBe('UNKNOWN');
  });

  it('a child that dies while UNKNOWN is recorded, and UNKNOWN stays', () => {
    const h = unknown();
    h.spawner.last.exit(4);
    expect(h.proc.state).toBe('UNKNOWN');
    expect(h.proc.info()).toMatchObject({ pid: 0, exitstatus: 4 });
    expect(h.lines('warn')).toContain('exited: web (exit status 4; not expected)');
    h.clock.advance(60_000);
    expect(h.proc.state).toBe('UNKNOWN');
  });
});

describe('readiness gating', () => {
  const ready = { checks: [{ log: 'listening' }], timeout: 5 };

  it('STARTING -> RUNNING only once startsecs has passed AND the checks passed', async () => {
    const h = machine({ startsecs: 1, ready });
    h.proc.spawn();
    h.clock.advance(2000);
    expect(h.proc.state).toBe('STARTING');
    h.spawner.last.write('stdout', 'listening on 8080\n');
    await settle();
    expect(h.proc.state).toBe('RUNNING');
  });

  it('ready before startsecs: RUNNING at startsecs', async () => {
    const h = machine({ startsecs: 1, ready });
    h.proc.spawn();
    h.spawner.last.write('stdout', 'listening\n');
    await settle();
    expect(h.proc.state).toBe('STARTING');
    h.clock.advance(1000);
    expect(h.proc.state).toBe('RUNNING');
  });

  it('a readiness timeout kills the process group; its death is a failed start with the reason', () => {
    const h = machine({ startsecs: 1, ready });
    h.proc.spawn();
    h.clock.advance(5000);
    expect(h.spawner.kills).toEqual([{ target: -PID, signal: 9 }]);
    expect(h.proc.state).toBe('STARTING');
    h.spawner.last.kill('SIGKILL');
    expect(h.proc.state).toBe('BACKOFF');
    expect(h.proc.spawnerr).toBe('readiness check timed out after 5s: log /listening/');
    expect(h.events.at(-1)).toMatchObject({ from: 'STARTING', to: 'BACKOFF', spawnerr: 'readiness check timed out after 5s: log /listening/' });
  });

  it('an exit after startsecs but before ready is a failed start, not an exit', () => {
    const h = machine({ startsecs: 1, ready });
    h.proc.spawn();
    h.clock.advance(3000);
    h.spawner.last.exit(0);
    expect(h.proc.state).toBe('BACKOFF');
    expect(h.proc.spawnerr).toBe('exited before it was ready (exit status 0)');
  });
});

describe('children and their pipes', () => {
  it('output goes to the channel logs and the host; with redirect_stderr, stderr is stdout', () => {
    const split = machine();
    split.proc.spawn();
    split.spawner.last.write('stdout', 'out\n');
    split.spawner.last.write('stderr', 'err\n');
    expect(split.proc.logs.stdout.lastLines(5)).toEqual(['out']);
    expect(split.proc.logs.stderr?.lastLines(5)).toEqual(['err']);
    expect(split.output).toEqual([
      { channel: 'stdout', text: 'out\n' },
      { channel: 'stderr', text: 'err\n' },
    ]);
    const joined = machine({ redirect_stderr: true });
    joined.proc.spawn();
    joined.spawner.last.write('stderr', 'err\n');
    expect(joined.proc.logs.stdout.lastLines(5)).toEqual(['err']);
    expect(joined.output).toEqual([{ channel: 'stdout', text: 'err\n' }]);
  });

  it('stdin reaches the child until it is reaped', () => {
    const h = running();
    const child = h.spawner.last;
    expect(h.proc.writeStdin('hello\n')).toBe(true);
    expect(child.stdin).toEqual(['hello\n']);
    child.exit(0);
    expect(child.stdinOpen).toBe(false);
    expect(h.proc.writeStdin('late\n')).toBe(false);
  });

  it('a reaped child whose group still has members stays a family root; an empty group is released', () => {
    const h = running({ autorestart: false });
    h.spawner.liveGroups.add(PID);
    h.spawner.last.exit(0);
    expect(h.proc.familyRoots()).toEqual([PID]);
    expect(h.spawner.released).toEqual([]);
    h.proc.forgetFamily();
    expect(h.spawner.released).toEqual([PID]);
    h.proc.spawn();
    h.spawner.last.kill('SIGTERM');
    expect(h.spawner.released).toEqual([PID, PID + 1]);
    expect(h.proc.familyRoots()).toEqual([]);
  });
});

/** One way to walk each edge, from a fresh process. */
const EDGES: Record<string, () => Harness> = {
  'STOPPED->STARTING': () => {
    const h = machine();
    h.proc.spawn();
    return h;
  },
  'STARTING->RUNNING': () => running(),
  'STARTING->BACKOFF': () => backoff(),
  'STARTING->STOPPING': () => {
    const h = machine();
    h.proc.spawn();
    h.proc.stop();
    return h;
  },
  'STARTING->UNKNOWN': () => {
    // A failed stop goes through STOPPING (as supervisord's kill()); a failed signalProcess does not.
    const h = machine();
    h.proc.spawn();
    h.spawner.failKills('EPERM');
    expect(() => h.proc.signal(10)).toThrow(FailedError);
    return h;
  },
  'RUNNING->STOPPING': () => {
    const h = running();
    h.proc.stop();
    return h;
  },
  'RUNNING->EXITED': () => {
    const h = running();
    h.spawner.last.exit(0);
    return h;
  },
  'RUNNING->UNKNOWN': () => {
    const h = running();
    h.spawner.failKills('EPERM');
    expect(() => h.proc.signal(10)).toThrow(FailedError);
    return h;
  },
  'BACKOFF->STARTING': () => {
    const h = backoff();
    h.clock.advance(1000);
    return h;
  },
  'BACKOFF->FATAL': () => fatal(),
  'BACKOFF->STOPPED': () => {
    const h = backoff();
    h.proc.stop();
    return h;
  },
  'STOPPING->STOPPED': () => {
    const h = running();
    h.proc.stop();
    h.spawner.last.kill('SIGTERM');
    return h;
  },
  'STOPPING->UNKNOWN': () => {
    const h = running();
    h.proc.stop();
    h.spawner.failKills('EPERM');
    h.clock.advance(h.proc.spec.stopwaitsecs * 1000);
    return h;
  },
  'EXITED->STARTING': () => {
    const h = running({ autorestart: true });
    h.spawner.last.exit(0);
    h.clock.flush();
    return h;
  },
  'FATAL->STARTING': () => {
    const h = fatal();
    h.proc.spawn();
    return h;
  },
};

describe('the transition table, edge by edge', () => {
  for (const [edge, walk] of Object.entries(EDGES)) {
    it(`${edge} is walked, as the last transition`, () => {
      const h = walk();
      expect(h.edges().at(-1)).toBe(edge);
      expect(h.proc.state).toBe(edge.split('->')[1] as ProcessState);
    });
  }

  it('the table above names exactly the allowed transitions', () => {
    expect(new Set(Object.keys(EDGES))).toEqual(ALLOWED);
  });

  it('every test of this file together walked exactly the allowed transitions, and no other', () => {
    expect([...exercised].filter((e) => !ALLOWED.has(e))).toEqual([]);
    expect([...ALLOWED].filter((e) => !exercised.has(e))).toEqual([]);
  });
});
