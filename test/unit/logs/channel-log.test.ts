import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NoFileError } from '../../../src/errors.js';
import { ChannelLog } from '../../../src/logs/channel-log.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'procvisor-chan-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const b = (s: string): Buffer => Buffer.from(s);

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of it) out.push(line);
  return out;
}

describe('ChannelLog with a file', () => {
  it('writes raw chunks to the file and reads/tails the file', () => {
    const p = join(dir, 'echoer.log');
    const log = new ChannelLog({ file: { path: p, maxbytes: 0, backups: 0 } });
    log.open();
    log.write(b('hello-'));
    log.write(b('out\n'));
    expect(fs.readFileSync(p, 'utf8')).toBe('hello-out\n');
    expect(log.path).toBe(p);
    expect(log.read(2, 3)).toBe('llo');
    expect(log.tail(0, 3)).toEqual(['ut\n', 10, true]);
    log.close();
  });

  it('read of a configured but missing file → NO_FILE: PATH; tail → ["", 0, false]', () => {
    const p = join(dir, 'never.log');
    const log = new ChannelLog({ file: { path: p, maxbytes: 0, backups: 0 } });
    expect(() => log.read(0, 10)).toThrow(NoFileError);
    try {
      log.read(0, 10);
    } catch (err) {
      expect((err as NoFileError).faultString).toBe(`NO_FILE: ${p}`);
    }
    expect(log.tail(0, 10)).toEqual(['', 0, false]);
  });

  it('open() recreates a file deleted since the last spawn; open errors throw', () => {
    const p = join(dir, 'again.log');
    const log = new ChannelLog({ file: { path: p, maxbytes: 0, backups: 0 } });
    log.open();
    log.write(b('first\n'));
    fs.rmSync(p);
    log.open();
    log.write(b('second\n'));
    expect(fs.readFileSync(p, 'utf8')).toBe('second\n');
    log.close();
    const bad = new ChannelLog({ file: { path: dir, maxbytes: 0, backups: 0 } });
    expect(() => bad.open()).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });

  it('rotates with supervisord semantics', () => {
    const p = join(dir, 'rot.log');
    const log = new ChannelLog({ file: { path: p, maxbytes: 10, backups: 1 } });
    log.open();
    log.write(b('0123456789ABC'));
    log.write(b('x'));
    log.close();
    expect(fs.readFileSync(`${p}.1`, 'utf8')).toBe('0123456789ABC');
    expect(fs.readFileSync(p, 'utf8')).toBe('x');
  });

  it('clear() empties file and ring; backups stay', () => {
    const p = join(dir, 'clr.log');
    const log = new ChannelLog({ file: { path: p, maxbytes: 4, backups: 1 } });
    log.open();
    log.write(b('1234'));
    log.write(b('56'));
    log.clear();
    expect(fs.readFileSync(p, 'utf8')).toBe('');
    expect(fs.readFileSync(`${p}.1`, 'utf8')).toBe('1234');
    expect(log.tailMemory(0, 100)).toEqual(['', 0, false]);
    log.write(b('7'));
    expect(log.read(0, 0)).toBe('7');
    log.close();
  });

  it('file write failures go to onError once and are counted; ring and hooks still get the data', () => {
    const errors: Error[] = [];
    const log = new ChannelLog({ file: { path: '/dev/full', maxbytes: 0, backups: 0 }, onError: (e) => errors.push(e) });
    const seen: string[] = [];
    log.onData((c) => seen.push(c.toString()));
    log.open();
    log.write(b('a\n'));
    log.write(b('b\n'));
    expect(errors).toHaveLength(1);
    expect(log.droppedBytes).toBe(4);
    expect(seen).toEqual(['a\n', 'b\n']);
    expect(log.lastLines(5)).toEqual(['a', 'b']);
    log.close();
  });

  it('passes > 1 MB lines and binary data through to the file unchanged', () => {
    const p = join(dir, 'big.log');
    const log = new ChannelLog({ file: { path: p, maxbytes: 0, backups: 0 } });
    log.open();
    const line = Buffer.concat([Buffer.alloc(1_500_000, 'y'), b('\n')]);
    const binary = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x0a, 0x80]);
    log.write(line.subarray(0, 700_000));
    log.write(line.subarray(700_000));
    log.write(binary);
    log.close();
    expect(fs.readFileSync(p).equals(Buffer.concat([line, binary]))).toBe(true);
  });
});

describe('ChannelLog without a file (NONE)', () => {
  it('read faults NO_FILE; tail gives ["", 0, false]; the ring still has the bytes', () => {
    const log = new ChannelLog();
    log.write(b('hello-out\n'));
    expect(log.path).toBeUndefined();
    expect(() => log.read(0, 10)).toThrow(NoFileError);
    try {
      log.read(0, 10);
    } catch (err) {
      expect((err as NoFileError).faultString).toBe('NO_FILE');
      expect((err as NoFileError).faultCode).toBe(20);
    }
    expect(log.tail(0, 10)).toEqual(['', 0, false]);
    expect(log.tailMemory(0, 3)).toEqual(['ut\n', 10, true]);
    expect(log.readMemory(-4, 0)).toBe('out\n');
    expect(() => log.open()).not.toThrow();
    expect(() => log.reopen()).not.toThrow();
  });
});

describe('ChannelLog.lastLines', () => {
  it('returns the last n lines, an unfinished line included', () => {
    const log = new ChannelLog();
    log.write(b('one\ntwo\nthr'));
    log.write(b('ee\nfour'));
    expect(log.lastLines(2)).toEqual(['three', 'four']);
    expect(log.lastLines(10)).toEqual(['one', 'two', 'three', 'four']);
    expect(log.lastLines(0)).toEqual([]);
  });

  it('skips the line the ring cut in half', () => {
    const log = new ChannelLog({ ringBytes: 8 });
    log.write(b('abcdef\ngh\nij\n'));
    expect(log.lastLines(10)).toEqual(['gh', 'ij']);
  });
});

describe('ChannelLog.lines', () => {
  it('without follow: the lines held now', async () => {
    const log = new ChannelLog();
    log.write(b('a\nb\nc'));
    expect(await collect(log.lines())).toEqual(['a', 'b', 'c']);
  });

  it('with follow: held lines, then new ones, until close() (which flushes the last partial line)', async () => {
    const log = new ChannelLog();
    log.write(b('old\npart'));
    const it = log.lines({ follow: true })[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ done: false, value: 'old' });
    const pending = it.next();
    log.write(b('ial\nnew'));
    expect(await pending).toEqual({ done: false, value: 'partial' });
    log.write(b('er\n'));
    expect(await it.next()).toEqual({ done: false, value: 'newer' });
    log.write(b('last'));
    log.close();
    expect(await it.next()).toEqual({ done: false, value: 'last' });
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('with follow: ends when the signal aborts, and unsubscribes', async () => {
    const log = new ChannelLog();
    const ac = new AbortController();
    const got: string[] = [];
    const done = (async () => {
      for await (const line of log.lines({ follow: true, signal: ac.signal })) {
        got.push(line);
        if (line === 'two') ac.abort();
      }
    })();
    log.write(b('one\n'));
    await Promise.resolve();
    log.write(b('two\n'));
    await done;
    log.write(b('three\n'));
    expect(got).toEqual(['one', 'two']);
  });

  it('an already aborted signal yields nothing', async () => {
    const log = new ChannelLog();
    log.write(b('a\n'));
    expect(await collect(log.lines({ follow: true, signal: AbortSignal.abort() }))).toEqual([]);
  });

  it('with follow after the ring forgot the start: skips the rest of the cut line', async () => {
    const log = new ChannelLog({ ringBytes: 4 });
    log.write(b('abcdefgh')); // ring holds "efgh", a cut line
    const it = log.lines({ follow: true })[Symbol.asyncIterator]();
    const first = it.next();
    log.write(b('ij\nkl\n'));
    expect(await first).toEqual({ done: false, value: 'kl' });
    log.close();
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('a slow follower loses the oldest queued lines beyond maxQueuedChars', async () => {
    const log = new ChannelLog();
    const it = log.lines({ follow: true, maxQueuedChars: 6 })[Symbol.asyncIterator]();
    const first = it.next();
    log.write(b('aa\nbb\ncc\ndd\nee\n')); // 10 chars queued; keep the newest 6
    log.close();
    expect(await first).toEqual({ done: false, value: 'cc' });
    expect(await collect({ [Symbol.asyncIterator]: () => it })).toEqual(['dd', 'ee']);
  });
});

describe('ChannelLog.onData', () => {
  it('calls hooks with each chunk, until unsubscribed; hooks survive close()', () => {
    const log = new ChannelLog();
    const seen: string[] = [];
    const off = log.onData((c) => seen.push(c.toString()));
    log.write(b('x'));
    log.close();
    log.write(b('y'));
    off();
    log.write(b('z'));
    expect(seen).toEqual(['x', 'y']);
  });

  it('a throwing hook goes to onError and does not stop the others', () => {
    const errors: Error[] = [];
    const log = new ChannelLog({ onError: (e) => errors.push(e) });
    const seen: string[] = [];
    log.onData(() => {
      throw new Error('listener bug');
    });
    log.onData((c) => seen.push(c.toString()));
    expect(() => log.write(b('x'))).not.toThrow();
    expect(seen).toEqual(['x']);
    expect(errors.map((e) => e.message)).toEqual(['listener bug']);
  });
});
