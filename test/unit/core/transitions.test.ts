// The transition table (docs/semantics.md#transitions) and the state vocabulary
// (docs/semantics.md#states), checked as data.
import { describe, expect, it } from 'vitest';
import { assertTransition, isLegalTransition, TRANSITIONS } from '../../../src/supervisor/transitions.js';
import {
  PROCESS_STATES,
  RUNNING_STATES,
  SIGNALLABLE_STATES,
  STATE_CODE,
  STOPPED_STATES,
  SUPERVISOR_STATE_CODE,
  type ProcessState,
} from '../../../src/supervisor/states.js';

// docs/semantics.md#transitions, one row per (from, to) pair that some trigger produces. "STOPPING -> STOPPING (SIGKILL sent)"
// emits no event and is not a state change, so it is not an edge.
const SPEC_EDGES: readonly [ProcessState, ProcessState, string][] = [
  ['STOPPED', 'STARTING', 'autostart / start request'],
  ['EXITED', 'STARTING', 'autorestart / start request'],
  ['FATAL', 'STARTING', 'start request'],
  ['BACKOFF', 'STARTING', 'retry'],
  ['STARTING', 'BACKOFF', 'spawn-time error / too-quick reap'],
  ['STARTING', 'RUNNING', 'outlived startsecs'],
  ['STARTING', 'STOPPING', 'stop request'],
  ['RUNNING', 'STOPPING', 'stop request'],
  ['RUNNING', 'EXITED', 'reap without a stop'],
  ['BACKOFF', 'STOPPED', 'stop request'],
  ['BACKOFF', 'FATAL', 'give up / shutdown stop'],
  ['STOPPING', 'STOPPED', 'reap after a stop'],
  ['STARTING', 'UNKNOWN', 'kill error'],
  ['RUNNING', 'UNKNOWN', 'kill error'],
  ['STOPPING', 'UNKNOWN', 'kill error'],
];

describe('transition table', () => {
  for (const [from, to, why] of SPEC_EDGES) {
    it(`${from} -> ${to} is legal (${why})`, () => {
      expect(isLegalTransition(from, to)).toBe(true);
      expect(() => assertTransition('x', from, to)).not.toThrow();
    });
  }

  it('no other pair of states is an edge', () => {
    const legal = new Set(SPEC_EDGES.map(([f, t]) => `${f}->${t}`));
    const unexpected: string[] = [];
    for (const from of PROCESS_STATES) {
      for (const to of PROCESS_STATES) {
        if (!legal.has(`${from}->${to}`) && isLegalTransition(from, to)) unexpected.push(`${from}->${to}`);
      }
    }
    expect(unexpected).toEqual([]);
    const total = Object.values(TRANSITIONS).reduce((n, tos) => n + tos.length, 0);
    expect(total).toBe(SPEC_EDGES.length);
  });

  it('there is no way out of UNKNOWN and FATAL is entered only from BACKOFF', () => {
    expect(TRANSITIONS.UNKNOWN).toEqual([]);
    const intoFatal = PROCESS_STATES.filter((s) => isLegalTransition(s, 'FATAL'));
    expect(intoFatal).toEqual(['BACKOFF']);
    const intoExited = PROCESS_STATES.filter((s) => isLegalTransition(s, 'EXITED'));
    expect(intoExited).toEqual(['RUNNING']);
  });

  it('an illegal transition throws an internal error naming the process and the edge', () => {
    expect(() => assertTransition('web', 'STOPPED', 'RUNNING')).toThrow(/illegal transition STOPPED -> RUNNING for 'web'/);
    expect(() => assertTransition('web', 'EXITED', 'STOPPED')).toThrow(/EXITED -> STOPPED/);
    expect(() => assertTransition('web', 'UNKNOWN', 'STARTING')).toThrow(/UNKNOWN -> STARTING/);
  });
});

describe('states', () => {
  it("codes are supervisord's", () => {
    expect(STATE_CODE).toEqual({ STOPPED: 0, STARTING: 10, RUNNING: 20, BACKOFF: 30, STOPPING: 40, EXITED: 100, FATAL: 200, UNKNOWN: 1000 });
    expect(PROCESS_STATES).toHaveLength(8);
    expect(SUPERVISOR_STATE_CODE).toEqual({ FATAL: 2, RUNNING: 1, RESTARTING: 0, SHUTDOWN: -1 });
  });

  it('stopped-like, running-like and signallable groupings; STOPPING belongs to neither of the first two', () => {
    expect([...STOPPED_STATES].sort()).toEqual(['EXITED', 'FATAL', 'STOPPED', 'UNKNOWN']);
    expect([...RUNNING_STATES].sort()).toEqual(['BACKOFF', 'RUNNING', 'STARTING']);
    expect([...SIGNALLABLE_STATES].sort()).toEqual(['RUNNING', 'STARTING', 'STOPPING']);
    expect(STOPPED_STATES.has('STOPPING') || RUNNING_STATES.has('STOPPING')).toBe(false);
    expect(SIGNALLABLE_STATES.has('BACKOFF')).toBe(false);
  });
});
