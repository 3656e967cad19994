// The one timer each state arms on entry, as a pure table.
import { describe, expect, it } from 'vitest';
import { SUPERVISORD_BACKOFF } from '../../../src/supervisor/backoff.js';
import { stateTimer, type TimerFacts } from '../../../src/supervisor/state-timers.js';

const base: TimerFacts = {
  startsecs: 1,
  stopwaitsecs: 10,
  startretries: 3,
  autorestart: 'unexpected',
  exitcodes: [0],
  policy: SUPERVISORD_BACKOFF,
  backoff: 0,
  exitstatus: null,
};
const unstable = { ...SUPERVISORD_BACKOFF, reset_after: 30 };

describe('stateTimer', () => {
  const rows: [string, Parameters<typeof stateTimer>[0], Partial<TimerFacts>, ReturnType<typeof stateTimer>][] = [
    ['STARTING waits startsecs', 'STARTING', { startsecs: 2.5 }, { action: 'promote', ms: 2500 }],
    ['STARTING with startsecs=0: the next evaluation', 'STARTING', { startsecs: 0 }, { action: 'promote', ms: 0 }],
    ['BACKOFF after the 1st failure: retry in 1 s', 'BACKOFF', { backoff: 1 }, { action: 'retry', ms: 1000 }],
    ['BACKOFF after the 3rd failure: retry in 3 s', 'BACKOFF', { backoff: 3 }, { action: 'retry', ms: 3000 }],
    ['BACKOFF past startretries: give up now', 'BACKOFF', { backoff: 4 }, { action: 'giveUp', ms: 0 }],
    ['BACKOFF with startretries=0', 'BACKOFF', { backoff: 1, startretries: 0 }, { action: 'giveUp', ms: 0 }],
    [
      'BACKOFF never gives up under give_up=false',
      'BACKOFF',
      { backoff: 9, policy: { ...SUPERVISORD_BACKOFF, give_up: false, max: 5 } },
      { action: 'retry', ms: 5000 },
    ],
    ["RUNNING waits for nothing under supervisord's policy", 'RUNNING', { backoff: 2 }, null],
    [
      'RUNNING with reset_after and failures: forget them after a stable run',
      'RUNNING',
      { backoff: 2, policy: unstable },
      { action: 'forgetFailures', ms: 30_000 },
    ],
    ['RUNNING with reset_after and no failure', 'RUNNING', { policy: unstable }, null],
    ['STOPPING: SIGKILL after stopwaitsecs', 'STOPPING', {}, { action: 'kill', ms: 10_000 }],
    ['EXITED expected under unexpected: stays', 'EXITED', { exitstatus: 0 }, null],
    ['EXITED unexpected: restart at the next evaluation', 'EXITED', { exitstatus: 1 }, { action: 'autorestart', ms: 0 }],
    ['EXITED with autorestart=true', 'EXITED', { autorestart: true, exitstatus: 0 }, { action: 'autorestart', ms: 0 }],
    ['EXITED with autorestart=false', 'EXITED', { autorestart: false, exitstatus: 1 }, null],
    [
      'EXITED after an unstable run: the policy delay',
      'EXITED',
      { autorestart: true, exitstatus: 1, backoff: 2, policy: unstable },
      { action: 'autorestart', ms: 2000 },
    ],
    ['STOPPED waits for nothing', 'STOPPED', {}, null],
    ['FATAL waits for nothing', 'FATAL', { backoff: 9 }, null],
    ['UNKNOWN waits for nothing', 'UNKNOWN', {}, null],
  ];
  for (const [name, state, over, want] of rows) {
    it(name, () => {
      expect(stateTimer(state, { ...base, ...over })).toEqual(want);
    });
  }

  it('jitter scales the delay by the random draw', () => {
    const policy = { ...SUPERVISORD_BACKOFF, jitter: 'full' as const };
    expect(stateTimer('BACKOFF', { ...base, backoff: 2, policy }, () => 0.25)).toEqual({ action: 'retry', ms: 500 });
  });
});
