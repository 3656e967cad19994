// The exit status a policy passes on: the code, or 128 + the signal's number, as a shell reports it.
import { describe, expect, it } from 'vitest';
import { exitStatusOf } from '../../../src/server/exit-policy.js';

describe('exitStatusOf', () => {
  it('passes a code through and maps a signal to 128 + its number', () => {
    expect(exitStatusOf({ code: 7, signal: null })).toBe(7);
    expect(exitStatusOf({ code: 0, signal: null })).toBe(0);
    expect(exitStatusOf({ code: null, signal: 'SIGTERM' })).toBe(143);
    expect(exitStatusOf({ code: null, signal: 'SIGKILL' })).toBe(137);
    expect(exitStatusOf({ code: null, signal: 'SIGSEGV' })).toBe(139);
  });
});
