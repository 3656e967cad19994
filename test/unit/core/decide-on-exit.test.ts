// What an exit means (docs/semantics.md#exit-decision) and the exit messages, as a pure table.
import { describe, expect, it } from 'vitest';
import { decideOnExit, describeExit, TOO_QUICK, type ExitFacts } from '../../../src/supervisor/exit.js';
import { signalName } from '../../../src/supervisor/signals.js';

const base: ExitFacts = { state: 'RUNNING', killing: false, elapsed: 10, startsecs: 1, status: 0, exitcodes: [0] };
const facts = (over: Partial<ExitFacts>): ExitFacts => ({ ...base, ...over });

describe('decideOnExit', () => {
  const rows: [string, Partial<ExitFacts>, ReturnType<typeof decideOnExit>][] = [
    // A stop was issued -> STOPPED, whatever the code and the elapsed time.
    ['stop, exit 0', { state: 'STOPPING', killing: true, status: 0 }, { to: 'STOPPED', expected: true, spawnerr: null, exitstatus: 0 }],
    ['stop, signal death', { state: 'STOPPING', killing: true, status: -1 }, { to: 'STOPPED', expected: false, spawnerr: null, exitstatus: -1 }],
    ['stop, code outside exitcodes', { state: 'STOPPING', killing: true, status: 3 }, { to: 'STOPPED', expected: false, spawnerr: null, exitstatus: 3 }],
    ['a stop wins over too quick (stopped while STARTING)', { state: 'STOPPING', killing: true, elapsed: 0.1, status: 0 }, { to: 'STOPPED', expected: true, spawnerr: null, exitstatus: 0 }],
    // Too quick -> BACKOFF regardless of code.
    ['exit 1 too quickly', { state: 'STARTING', elapsed: 0.01, status: 1 }, { to: 'BACKOFF', expected: false, spawnerr: TOO_QUICK, exitstatus: null }],
    ['exit 0 too quickly is still a failure', { state: 'STARTING', elapsed: 0.5, status: 0 }, { to: 'BACKOFF', expected: false, spawnerr: TOO_QUICK, exitstatus: null }],
    ['signal death too quickly', { state: 'STARTING', elapsed: 0.5, status: -1 }, { to: 'BACKOFF', expected: false, spawnerr: TOO_QUICK, exitstatus: null }],
    ['fractional startsecs', { state: 'STARTING', elapsed: 0.19, startsecs: 0.2, status: 0 }, { to: 'BACKOFF', expected: false, spawnerr: TOO_QUICK, exitstatus: null }],
    // Otherwise -> EXITED (through RUNNING when still STARTING).
    ['STARTING, elapsed == startsecs is not too quick', { state: 'STARTING', elapsed: 1, status: 0 }, { to: 'EXITED', expected: true, spawnerr: null, exitstatus: 0 }],
    ['startsecs=0 never too quick', { state: 'STARTING', elapsed: 0, startsecs: 0, status: 3 }, { to: 'EXITED', expected: false, spawnerr: 'Bad exit code 3', exitstatus: 3 }],
    ['RUNNING expected', { status: 0 }, { to: 'EXITED', expected: true, spawnerr: null, exitstatus: 0 }],
    ['RUNNING unexpected', { status: 1 }, { to: 'EXITED', expected: false, spawnerr: 'Bad exit code 1', exitstatus: 1 }],
    ['custom exitcodes', { status: 2, exitcodes: [0, 2] }, { to: 'EXITED', expected: true, spawnerr: null, exitstatus: 2 }],
    ['empty exitcodes: every exit unexpected', { status: 0, exitcodes: [] }, { to: 'EXITED', expected: false, spawnerr: 'Bad exit code 0', exitstatus: 0 }],
    ['signal death never matches exitcodes', { status: -1, exitcodes: [0, 1, 2] }, { to: 'EXITED', expected: false, spawnerr: 'Bad exit code -1', exitstatus: -1 }],
    ['RUNNING with a short elapsed time is not too quick', { state: 'RUNNING', elapsed: 0.1, status: 0 }, { to: 'EXITED', expected: true, spawnerr: null, exitstatus: 0 }],
  ];
  for (const [name, over, want] of rows) {
    it(name, () => {
      expect(decideOnExit(facts(over))).toEqual(want);
    });
  }

  it('the too-quick text is supervisord\'s', () => {
    expect(TOO_QUICK).toBe('Exited too quickly (process log may have details)');
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
