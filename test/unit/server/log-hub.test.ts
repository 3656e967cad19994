// LogHub: lines cut from the byte history on demand (a fragment whose start was dropped is
// skipped), a follower that joins mid-line gets the whole line, a last line without newline is
// complete when its process stops, and times are those of each line's first byte. Chunks come as
// views of a reused read buffer (as from the spawner), so the history must hold copies.
import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import { LogHub, type LogLine } from '../../../src/server/log-hub.js';
import type { OutputTap } from '../../../src/supervisor/events.js';
import type { ProcessManager } from '../../../src/supervisor/manager.js';

function setup(historyBytes = 1 << 20) {
  const taps = new Set<OutputTap>();
  const pm = Object.assign(new EventEmitter(), {
    tapOutput: (tap: OutputTap) => {
      taps.add(tap);
      return () => taps.delete(tap);
    },
  });
  const clock = { t: 1000 };
  const hub = new LogHub(pm as unknown as ProcessManager, { historyBytes, now: () => clock.t });
  // Like the spawner: every chunk is a view of one read buffer, overwritten after the call.
  const readBuffer = Buffer.alloc(1024);
  const out = (name: string, data: string, channel: 'stdout' | 'stderr' = 'stdout') => {
    const n = readBuffer.write(data);
    for (const tap of taps) tap({ name, group: name, pid: 1, channel, data: readBuffer.subarray(0, n) });
    readBuffer.fill('#');
  };
  const stop = (name: string) => pm.emit('processState', { name, group: name, from: 'RUNNING', to: 'EXITED', pid: 1, time: clock.t });
  return { hub, clock, out, stop };
}

const brief = (ls: LogLine[]) => ls.map((l) => `${l.time} ${l.process} ${l.stream} ${l.line}`);

describe('LogHub', () => {
  it('history: complete lines of all processes in time order, filtered; times of first bytes; \\r\\n stripped', () => {
    const { hub, clock, out } = setup();
    out('a', 'one\r\ntw');
    clock.t = 1010;
    out('b', 'bee\n');
    clock.t = 1020;
    out('a', 'o\nthree');
    out('b', 'err\n', 'stderr');
    expect(brief(hub.history({}))).toEqual(['1000 a stdout one', '1000 a stdout two', '1010 b stdout bee', '1020 b stderr err']);
    expect(brief(hub.history({ names: ['b'], stream: 'stdout' }))).toEqual(['1010 b stdout bee']);
    expect(brief(hub.history({}, { since: 1010 }))).toEqual(['1010 b stdout bee', '1020 b stderr err']);
    expect(brief(hub.history({}, { lines: 1 }))).toEqual(['1020 b stderr err']);
  });

  it('a line whose beginning fell out of the history is skipped', () => {
    const { hub, out } = setup(64);
    out('a', 'x'.repeat(40));
    out('a', `${'y'.repeat(30)}\nkept\n`);
    out('a', 'z'.repeat(20)); // pushes the first chunk out
    expect(hub.history({}).map((l) => l.line)).toEqual(['kept']);
  });

  it('a chunk larger than the history keeps its last complete lines', () => {
    const { hub, out } = setup(16);
    out('a', `${'x'.repeat(30)}\nab\ncd\n`);
    expect(hub.history({}).map((l) => l.line)).toEqual(['ab', 'cd']);
  });

  it('a follower joining mid-line gets the whole line, with the time of its first byte; lines end at exit', () => {
    const { hub, clock, out, stop } = setup();
    out('a', 'hel');
    clock.t = 2000;
    const got: LogLine[] = [];
    const off = hub.subscribe({ names: ['a'] }, (l) => got.push(l));
    out('a', 'lo\nbye');
    out('b', 'not for me\n');
    stop('a');
    off();
    expect(brief(got)).toEqual(['1000 a stdout hello', '2000 a stdout bye']);
    out('a', 'after\n'); // nobody follows: history only
    expect(got).toHaveLength(2);
    expect(hub.history({ names: ['a'] }).map((l) => l.line)).toEqual(['hello', 'bye', 'after']);
  });
});
