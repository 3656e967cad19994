// LogHub: lines cut on demand from the bytes each channel's log keeps in memory (a fragment whose
// start is no longer held is skipped), a follower that joins mid-line gets the whole line, a last
// line without newline is complete when its process stops, and times are those of each line's
// first byte. Chunks come as views of a reused read buffer (as from the spawner), after the
// channel's log has written them, as a manager delivers them: the hub keeps no copy of its own.
import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import { ChannelLog } from '../../../src/logs/channel-log.js';
import { LogHub, type LogLine } from '../../../src/server/log-hub.js';
import type { OutputTap } from '../../../src/supervisor/events.js';
import type { ProcessManager } from '../../../src/supervisor/manager.js';

function setup(ringBytes = 1 << 20) {
  const taps = new Set<OutputTap>();
  const pm = Object.assign(new EventEmitter(), {
    tapOutput: (tap: OutputTap) => {
      taps.add(tap);
      return () => taps.delete(tap);
    },
  });
  const clock = { t: 1000 };
  const hub = new LogHub(pm as unknown as ProcessManager, { now: () => clock.t });
  const logs = new Map<string, ChannelLog>();
  const logOf = (name: string, channel: string) => {
    let log = logs.get(`${name} ${channel}`);
    if (!log) logs.set(`${name} ${channel}`, (log = new ChannelLog({ ringBytes })));
    return log;
  };
  // Like the spawner: every chunk is a view of one read buffer, overwritten after the call.
  const readBuffer = Buffer.alloc(1024);
  /** Output of `name`, logged first (as a manager does) unless `logged` is false (capture mode). */
  const out = (name: string, data: string, channel: 'stdout' | 'stderr' = 'stdout', logged = true) => {
    const n = readBuffer.write(data);
    const view = readBuffer.subarray(0, n);
    const log = logged ? logOf(name, channel) : undefined;
    log?.write(view);
    for (const tap of taps) tap({ name, group: name, pid: 1, channel, data: view }, log);
    readBuffer.fill('#');
  };
  const stop = (name: string) => pm.emit('processState', { name, group: name, from: 'RUNNING', to: 'EXITED', pid: 1, time: clock.t });
  return { hub, clock, out, stop, pm, logOf };
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

  it('a chatty process does not push a quiet one out of history: each channel keeps its own newest bytes', () => {
    const { hub, clock, out, stop } = setup(256);
    out('quiet', 'started\nno newline at exit');
    for (let i = 0; i < 10_000; i++) {
      clock.t = 2000 + i;
      out('chatty', `line ${i}\n`); // well past TRIM_AT entries, most of them no longer held
    }
    stop('quiet');
    const lines = hub.history({}, { since: 0 });
    expect(lines.filter((l) => l.process === 'quiet').map((l) => `${l.time} ${l.line}`)).toEqual(['1000 started', '1000 no newline at exit']);
    const chatty = lines.filter((l) => l.process === 'chatty').map((l) => l.line);
    expect(chatty.at(-1)).toBe('line 9999');
    expect(chatty.length).toBeGreaterThan(10);
    expect(chatty.join('\n').length).toBeLessThanOrEqual(256);
    // consecutive, with no fragment of a line whose beginning is gone
    const first = Number(chatty[0]?.slice(5));
    expect(chatty).toEqual(Array.from({ length: chatty.length }, (_, i) => `line ${first + i}`));
  });

  it('output that was not logged (capture mode) is followed live but not kept; a cleared log forgets its lines', () => {
    const { hub, out, logOf } = setup();
    const got: LogLine[] = [];
    const off = hub.subscribe({}, (l) => got.push(l));
    out('a', 'logged\n');
    out('a', 'captured\n', 'stdout', false);
    out('a', 'after\n');
    off();
    expect(got.map((l) => l.line)).toEqual(['logged', 'captured', 'after']);
    expect(hub.history({}).map((l) => l.line)).toEqual(['logged', 'after']);
    logOf('a', 'stdout').clear(); // clearProcessLogs
    expect(hub.history({})).toEqual([]);
    out('a', 'new\n');
    expect(hub.history({}).map((l) => l.line)).toEqual(['new']);
  });

  it('a removed group is forgotten; one added again under its name starts afresh', () => {
    const { hub, out, pm, logOf } = setup();
    out('a', 'old a\n');
    out('b', 'b stays\n');
    pm.emit('processGroupRemoved', 'a');
    expect(hub.history({}).map((l) => l.line)).toEqual(['b stays']);
    logOf('a', 'stdout').clear(); // (a new log, as a re-added group has)
    out('a', 'new a\n');
    expect(hub.history({}).map((l) => l.line)).toEqual(['b stays', 'new a']);
  });
});
