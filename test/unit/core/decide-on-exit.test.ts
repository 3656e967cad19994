// What an exit means (docs/semantics.md#exit-decision) and the exit messages, as a pure table.
import { describe, expect, it } from 'vitest';
import { SUPERVISORD_BACKOFF } from '../../../src/supervisor/backoff.js';
import { decideOnExit, describeExit, TOO_QUICK, type ExitDecision, type ExitFacts } from '../../../src/supervisor/exit.js';
import { signalName } from '../../../src/supervisor/signals.js';

const base: ExitFacts = {
  name: 'web',
  state: 'RUNNING',
  killing: false,
  elapsed: 10,
  startsecs: 1,
  status: 0,
  description: 'exit status 0',
  exitcodes: [0],
  autorestart: 'unexpected',
  ready: true,
  readyFailure: null,
  backoff: 0,
  policy: SUPERVISORD_BACKOFF,
  startretries: 3,
};
const facts = (over: Partial<ExitFacts>): ExitFacts => ({ ...base, ...over });
type Core = Pick<ExitDecision, 'to' | 'expected' | 'spawnerr' | 'exitstatus'>;
const core = ({ to, expected, spawnerr, exitstatus }: ExitDecision): Core => ({ to, expected, spawnerr, exitstatus });

describe('decideOnExit', () => {
  const rows: [string, Partial<ExitFacts>, Core][] = [
    // a stop was issued -> STOPPED, whatever the code and the elapsed time.
    ['stop, exit 0', { state: 'STOPPING', killing: true, status: 0 }, { to: 'STOPPED', expected: true, spawnerr: null, exitstatus: 0 }],
    ['stop, signal death', { state: 'STOPPING', killing: true, status: -1 }, { to: 'STOPPED', expected: false, spawnerr: null, exitstatus: -1 }],
    ['stop, code outside exitcodes', { state: 'STOPPING', killing: true, status: 3 }, { to: 'STOPPED', expected: false, spawnerr: null, exitstatus: 3 }],
    [
      'a stop wins over too quick (stopped while STARTING)',
      { state: 'STOPPING', killing: true, elapsed: 0.1, status: 0 },
      { to: 'STOPPED', expected: true, spawnerr: null, exitstatus: 0 },
    ],
    // too quick -> BACKOFF regardless of code.
    ['exit 1 too quickly', { state: 'STARTING', elapsed: 0.01, status: 1 }, { to: 'BACKOFF', expected: false, spawnerr: TOO_QUICK, exitstatus: null }],
    [
      'exit 0 too quickly is still a failure',
      { state: 'STARTING', elapsed: 0.5, status: 0 },
      { to: 'BACKOFF', expected: false, spawnerr: TOO_QUICK, exitstatus: null },
    ],
    ['signal death too quickly', { state: 'STARTING', elapsed: 0.5, status: -1 }, { to: 'BACKOFF', expected: false, spawnerr: TOO_QUICK, exitstatus: null }],
    [
      'fractional startsecs',
      { state: 'STARTING', elapsed: 0.19, startsecs: 0.2, status: 0 },
      { to: 'BACKOFF', expected: false, spawnerr: TOO_QUICK, exitstatus: null },
    ],
    // otherwise -> EXITED (through RUNNING when still STARTING).
    [
      'STARTING, elapsed == startsecs is not too quick',
      { state: 'STARTING', elapsed: 1, status: 0 },
      { to: 'EXITED', expected: true, spawnerr: null, exitstatus: 0 },
    ],
    [
      'startsecs=0 never too quick',
      { state: 'STARTING', elapsed: 0, startsecs: 0, status: 3 },
      { to: 'EXITED', expected: false, spawnerr: 'Bad exit code 3', exitstatus: 3 },
    ],
    ['RUNNING expected', { status: 0 }, { to: 'EXITED', expected: true, spawnerr: null, exitstatus: 0 }],
    ['RUNNING unexpected', { status: 1 }, { to: 'EXITED', expected: false, spawnerr: 'Bad exit code 1', exitstatus: 1 }],
    ['custom exitcodes', { status: 2, exitcodes: [0, 2] }, { to: 'EXITED', expected: true, spawnerr: null, exitstatus: 2 }],
    ['empty exitcodes: every exit unexpected', { status: 0, exitcodes: [] }, { to: 'EXITED', expected: false, spawnerr: 'Bad exit code 0', exitstatus: 0 }],
    [
      'signal death never matches exitcodes',
      { status: -1, exitcodes: [0, 1, 2] },
      { to: 'EXITED', expected: false, spawnerr: 'Bad exit code -1', exitstatus: -1 },
    ],
    [
      'RUNNING with a short elapsed time is not too quick',
      { state: 'RUNNING', elapsed: 0.1, status: 0 },
      { to: 'EXITED', expected: true, spawnerr: null, exitstatus: 0 },
    ],
  ];
  for (const [name, over, want] of rows) {
    it(name, () => {
      expect(core(decideOnExit(facts(over)))).toEqual(want);
    });
  }

  it("the too-quick text is supervisord's", () => {
    expect(TOO_QUICK).toBe('Exited too quickly (process log may have details)');
  });
});

describe('decideOnExit: the rest of the reap (backoff count, readiness, UNKNOWN, what follows, the log line)', () => {
  const none = { viaRunning: false, giveUp: false, autorestart: false };

  it('a stop: the failure count is kept; the log level follows exitcodes, a signal death is a warning', () => {
    expect(decideOnExit(facts({ state: 'STOPPING', killing: true, backoff: 2 }))).toEqual({
      ...none,
      to: 'STOPPED',
      expected: true,
      spawnerr: null,
      exitstatus: 0,
      backoff: 2,
      log: { level: 'info', message: 'stopped: web (exit status 0)' },
    });
    const bySignal = decideOnExit(facts({ state: 'STOPPING', killing: true, status: -1, exitcodes: [-1], description: 'terminated by SIGTERM' }));
    expect(bySignal.log).toEqual({ level: 'warn', message: 'stopped: web (terminated by SIGTERM)' });
    expect(decideOnExit(facts({ state: 'STOPPING', killing: true, status: 3, description: 'exit status 3' })).log.level).toBe('warn');
  });

  it('too quick: one more failure; FATAL follows once the count exceeds startretries', () => {
    const quick = facts({ state: 'STARTING', elapsed: 0.1, status: 1, description: 'exit status 1', backoff: 2 });
    expect(decideOnExit(quick)).toEqual({
      ...none,
      to: 'BACKOFF',
      expected: false,
      spawnerr: TOO_QUICK,
      exitstatus: null,
      backoff: 3,
      log: { level: 'warn', message: 'exited: web (exit status 1; not expected)' },
    });
    expect(decideOnExit({ ...quick, backoff: 3 })).toMatchObject({ to: 'BACKOFF', backoff: 4, giveUp: true });
    expect(decideOnExit({ ...quick, backoff: 0, startretries: 0 })).toMatchObject({ backoff: 1, giveUp: true });
    expect(decideOnExit({ ...quick, backoff: 50, policy: { ...SUPERVISORD_BACKOFF, give_up: false } })).toMatchObject({ backoff: 51, giveUp: false });
  });

  it('not ready yet: a failed start even after startsecs, with the readiness reason when it timed out', () => {
    const early = facts({ state: 'STARTING', elapsed: 5, ready: false, status: 0 });
    expect(decideOnExit(early)).toMatchObject({
      to: 'BACKOFF',
      spawnerr: 'exited before it was ready (exit status 0)',
      exitstatus: null,
      backoff: 1,
      viaRunning: false,
    });
    const reason = 'readiness check timed out after 2s: tcp 8080';
    expect(decideOnExit({ ...early, status: -1, description: 'terminated by SIGKILL', readyFailure: reason })).toMatchObject({
      to: 'BACKOFF',
      spawnerr: reason,
      log: { level: 'warn', message: 'exited: web (terminated by SIGKILL; not expected)' },
    });
    // A stop wins over readiness.
    expect(decideOnExit({ ...early, state: 'STOPPING', killing: true }).to).toBe('STOPPED');
  });

  it('UNKNOWN stays UNKNOWN and records the status', () => {
    expect(decideOnExit(facts({ state: 'UNKNOWN', status: 4, description: 'exit status 4', backoff: 1 }))).toEqual({
      ...none,
      to: 'UNKNOWN',
      expected: false,
      spawnerr: null,
      exitstatus: 4,
      backoff: 1,
      log: { level: 'warn', message: 'exited: web (exit status 4; not expected)' },
    });
  });

  it('an exit after RUNNING forgets failed starts, unless the policy counts unstable runs', () => {
    expect(decideOnExit(facts({ backoff: 2 }))).toMatchObject({ to: 'EXITED', backoff: 0 });
    const counting = { ...SUPERVISORD_BACKOFF, reset_after: 30 };
    expect(decideOnExit(facts({ backoff: 2, policy: counting }))).toMatchObject({ to: 'EXITED', backoff: 3, giveUp: false });
  });

  it('STARTING that outlived startsecs goes through RUNNING; the log line says expected or not', () => {
    expect(decideOnExit(facts({ state: 'STARTING', elapsed: 2 }))).toMatchObject({
      to: 'EXITED',
      viaRunning: true,
      log: { level: 'info', message: 'exited: web (exit status 0; expected)' },
    });
    expect(decideOnExit(facts({ state: 'RUNNING' })).viaRunning).toBe(false);
  });

  const restarts: [Partial<ExitFacts>, boolean][] = [
    [{ autorestart: true, status: 0 }, true],
    [{ autorestart: true, status: 1 }, true],
    [{ autorestart: false, status: 1 }, false],
    [{ autorestart: 'unexpected', status: 0 }, false],
    [{ autorestart: 'unexpected', status: 1 }, true],
    [{ autorestart: 'unexpected', status: -1 }, true],
    [{ autorestart: 'unexpected', status: 2, exitcodes: [0, 2] }, false],
  ];
  for (const [over, want] of restarts) {
    it(`autorestart=${String(over.autorestart)}, status ${over.status}, exitcodes ${JSON.stringify(over.exitcodes ?? [0])}: ${want ? 'restart' : 'stay EXITED'}`, () => {
      expect(decideOnExit(facts(over))).toMatchObject({ to: 'EXITED', autorestart: want });
    });
  }

  it('nothing but EXITED restarts and nothing but BACKOFF gives up', () => {
    expect(decideOnExit(facts({ state: 'STOPPING', killing: true, autorestart: true, status: 1 })).autorestart).toBe(false);
    expect(decideOnExit(facts({ state: 'STARTING', elapsed: 0, autorestart: true, status: 1 })).autorestart).toBe(false);
    expect(decideOnExit(facts({ backoff: 99, startretries: 0, policy: { ...SUPERVISORD_BACKOFF, reset_after: 1 } })).giveUp).toBe(false);
  });
});

describe('describeExit', () => {
  it('renders codes and signals like supervisord', () => {
    expect(describeExit(3, null)).toBe('exit status 3');
    expect(describeExit(0, null)).toBe('exit status 0');
    expect(describeExit(null, 'SIGTERM')).toBe('terminated by SIGTERM');
    expect(describeExit(null, 'SIGKILL')).toBe('terminated by SIGKILL');
    expect(describeExit(null, 'SIGINT')).toBe('terminated by SIGINT');
    expect(describeExit(null, 'SIGSEGV', true)).toBe('terminated by SIGSEGV (core dumped)');
  });

  it('unknown signal numbers render as `signal N`', () => {
    expect(signalName(15)).toBe('SIGTERM');
    expect(signalName(34)).toBe('SIGRTMIN');
    expect(signalName(40)).toBe('signal 40');
  });
});
