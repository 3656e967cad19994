import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadArgumentsError, FailedError, NoFileError } from '../../../src/errors.js';
import { readLog, readRange, tailLog, tailRange } from '../../../src/logs/tail.js';

let dir: string;
let out: string;
beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'procvisor-tail-'));
  out = join(dir, 'echoer-stdout.log');
  fs.writeFileSync(out, 'hello-out\n');
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function faultOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { faultString: string }).faultString;
  }
  return 'no fault';
}

describe('readLog', () => {
  it.each([
    [0, 0, 'hello-out\n'],
    [2, 3, 'llo'],
    [-4, 0, 'out\n'],
    [-100, 0, 'hello-out\n'],
    [100, 0, ''],
    [10, 0, ''],
    [8, 100, 't\n'],
  ])('read(%i, %i) → %j', (offset, length, expected) => {
    expect(readLog(out, offset, length)).toBe(expected);
  });

  it.each([
    [-4, 2],
    [0, -2],
  ])('read(%i, %i) → BAD_ARGUMENTS', (offset, length) => {
    expect(() => readLog(out, offset, length)).toThrow(BadArgumentsError);
    expect(faultOf(() => readLog(out, offset, length))).toBe('BAD_ARGUMENTS');
  });

  it('missing file → NO_FILE: PATH (checked before the arguments, as supervisord does)', () => {
    const missing = join(dir, 'missing.log');
    expect(() => readLog(missing, 0, 0)).toThrow(NoFileError);
    expect(faultOf(() => readLog(missing, 0, -1))).toBe(`NO_FILE: ${missing}`);
  });

  it('an unreadable path (a directory) → FAILED', () => {
    expect(() => readLog(dir, 0, 0)).toThrow(FailedError);
    expect(faultOf(() => readLog(dir, 0, 0))).toBe('FAILED');
  });

  it('decodes UTF-8; a character cut at the edge becomes U+FFFD', () => {
    const p = join(dir, 'utf8.log');
    fs.writeFileSync(p, 'héllo ✓\n');
    expect(readLog(p, 0, 0)).toBe('héllo ✓\n');
    expect(readLog(p, 0, 2)).toBe('h\uFFFD');
  });
});

describe('tailLog', () => {
  it.each([
    [0, 100, ['hello-out\n', 10, false]],
    [0, 3, ['ut\n', 10, true]],
    [10, 3, ['', 10, false]],
    [100, 3, ['', 10, false]],
    [5, 100, ['hello-out\n', 10, false]],
    [7, 3, ['ut\n', 10, false]],
    [9, 1, ['\n', 10, false]],
    [0, 0, ['', 10, true]],
    [0, -5, ['', 10, true]],
  ] as const)('tail(%i, %i) → %j', (offset, length, expected) => {
    expect(tailLog(out, offset, length)).toEqual(expected);
  });

  it('missing file → ["", 0, false], not a fault', () => {
    expect(tailLog(join(dir, 'missing.log'), 5, 10)).toEqual(['', 0, false]);
  });
});

describe('huge files: only the needed range is read', () => {
  it('reads and tails the end of a sparse 4 GiB file quickly', () => {
    const p = join(dir, 'huge.log');
    const fd = fs.openSync(p, 'w');
    fs.ftruncateSync(fd, 4 * 1024 ** 3);
    fs.writeSync(fd, Buffer.from('END\n'), 0, 4, 4 * 1024 ** 3);
    fs.closeSync(fd);
    const t0 = performance.now();
    expect(readLog(p, -4, 0)).toBe('END\n');
    expect(readLog(p, 4 * 1024 ** 3 + 1, 2)).toBe('ND');
    expect(tailLog(p, 0, 1600)[0].endsWith('END\n')).toBe(true);
    expect(tailLog(p, 0, 1600).slice(1)).toEqual([4 * 1024 ** 3 + 4, true]);
    expect(performance.now() - t0).toBeLessThan(500);
    fs.rmSync(p);
  });
});

describe('range arithmetic', () => {
  it('readRange', () => {
    expect(readRange(10, 0, 0)).toEqual({ start: 0, end: 10 });
    expect(readRange(10, 12, 5)).toEqual({ start: 10, end: 10 });
    expect(readRange(10, -3, 0)).toEqual({ start: 7, end: 10 });
    expect(readRange(0, -3, 0)).toEqual({ start: 0, end: 0 });
  });

  it('tailRange on an empty log', () => {
    expect(tailRange(0, 0, 100)).toEqual({ start: 0, end: 0, offset: 0, overflow: false });
  });

  it('tailRange always returns the last min(length, size) bytes when offset < size', () => {
    for (let size = 1; size < 20; size++) {
      for (let offset = -5; offset < size; offset++) {
        for (let length = 1; length < 25; length++) {
          const r = tailRange(size, offset, length);
          expect(r).toEqual({ start: size - Math.min(length, size), end: size, offset: size, overflow: size > offset + length });
        }
      }
    }
  });
});
