// When a fleet API call tries etcd again, with the errors the etcd3 client really raises (the
// messages are those seen with a three-member cluster whose leader was SIGKILLed).
import { BrokenCircuitError } from 'cockatiel';
import { EtcdAuthenticationFailedError, GRPCDeadlineExceededError, GRPCUnavailableError } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { nextTry } from '../../../src/fleet/service.js';

const deadMember = new GRPCUnavailableError('14 UNAVAILABLE: No connection established. Last error: Failed to connect. Resolution note: ');
const dropped = new GRPCUnavailableError('14 UNAVAILABLE: Connection dropped');
const leaderChanged = new GRPCUnavailableError('14 UNAVAILABLE: etcdserver: leader changed');
const heldPastDeadline = new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded after 3.001s,remote_addr=127.0.0.1:2379');
const refused = new BrokenCircuitError();
const started = 1_000_000;

describe('nextTry', () => {
  it('tries again when the last member asked was the dead one and a live one answered a moment ago', () => {
    // A live member held the first try for its 3 s deadline (the election); the client's last try
    // went to the dead member. The CI failure answered 503 here.
    const now = started + 3_050;
    expect(nextTry(deadMember, { started, now, lastAnswer: now - 30, delay: 100 })).toEqual({ wait: 50, delay: 100 });
    expect(nextTry(dropped, { started, now, lastAnswer: now - 30, delay: 100 })).toEqual({ wait: 50, delay: 100 });
  });

  it('answers 503 at once when every member is unreachable and none answered lately', () => {
    expect(nextTry(deadMember, { started, now: started + 5, lastAnswer: started - 60_000, delay: 100 })).toBeUndefined();
    expect(nextTry(deadMember, { started, now: started + 5, lastAnswer: 0, delay: 100 })).toBeUndefined();
    // ...and once the members stayed silent for the refusal budget after their last answer.
    expect(nextTry(deadMember, { started, now: started + 2_400, lastAnswer: started, delay: 100 })).toEqual({ wait: 50, delay: 100 });
    expect(nextTry(deadMember, { started, now: started + 2_500, lastAnswer: started, delay: 100 })).toBeUndefined();
  });

  it('waits out a refusal by the circuit breakers from the start of the call or the last answer, whichever is later', () => {
    expect(nextTry(refused, { started, now: started + 10, lastAnswer: 0, delay: 100 })).toEqual({ wait: 50, delay: 100 });
    expect(nextTry(refused, { started, now: started + 2_500, lastAnswer: 0, delay: 100 })).toBeUndefined();
    // Refused 4 s into a call whose earlier tries timed out on live members: still worth waiting.
    expect(nextTry(refused, { started, now: started + 4_000, lastAnswer: started + 3_900, delay: 100 })).toEqual({ wait: 50, delay: 100 });
  });

  it('backs off while etcd elects a leader, up to the retry budget', () => {
    expect(nextTry(leaderChanged, { started, now: started + 1, lastAnswer: started + 1, delay: 100 })).toEqual({ wait: 100, delay: 200 });
    expect(nextTry(heldPastDeadline, { started, now: started + 3_000, lastAnswer: started + 3_000, delay: 800 })).toEqual({ wait: 800, delay: 1000 });
    expect(nextTry(heldPastDeadline, { started, now: started + 9_500, lastAnswer: started + 9_500, delay: 1000 })).toBeUndefined();
    // However lately a member answered, a call ends within the retry budget.
    expect(nextTry(deadMember, { started, now: started + 9_990, lastAnswer: started + 9_980, delay: 1000 })).toBeUndefined();
  });

  it('answers 503 at once for a failure no retry cures', () => {
    expect(
      nextTry(new EtcdAuthenticationFailedError('etcdserver: authentication failed, invalid user ID or password'), {
        started,
        now: started,
        lastAnswer: started,
        delay: 100,
      }),
    ).toBeUndefined();
  });
});
