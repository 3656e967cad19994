import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BadArgumentsError } from '../../../src/errors.js';
import { RingBuffer } from '../../../src/logs/ring-buffer.js';
import { readLog, tailLog } from '../../../src/logs/tail.js';

const dir = fs.mkdtempSync(join(tmpdir(), 'procvisor-ring-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('RingBuffer', () => {
  it('behaves like the file while everything fits (the `hello-out` log of 10 bytes)', () => {
    const r = new RingBuffer();
    r.write(Buffer.from('hello-'));
    r.write(Buffer.from('out\n'));
    expect(r.read(0, 0)).toBe('hello-out\n');
    expect(r.read(2, 3)).toBe('llo');
    expect(r.read(-4, 0)).toBe('out\n');
    expect(() => r.read(-4, 2)).toThrow(BadArgumentsError);
    expect(() => r.read(0, -2)).toThrow(BadArgumentsError);
    expect(r.read(100, 0)).toBe('');
    expect(r.tail(0, 100)).toEqual(['hello-out\n', 10, false]);
    expect(r.tail(0, 3)).toEqual(['ut\n', 10, true]);
    expect(r.tail(10, 3)).toEqual(['', 10, false]);
    expect(r.tail(100, 3)).toEqual(['', 10, false]);
    expect(r.tail(5, 100)).toEqual(['hello-out\n', 10, false]);
  });

  it('forgets its beginning but keeps counting offsets', () => {
    const r = new RingBuffer(8);
    r.write(Buffer.from('abcdef'));
    r.write(Buffer.from('ghijk')); // wraps
    expect(r.size).toBe(11);
    expect(r.start).toBe(3);
    expect(r.contents().toString()).toBe('defghijk');
    expect(r.read(0, 5)).toBe('de'); // bytes 0..2 are gone; 3..4 remain
    expect(r.read(5, 0)).toBe('fghijk');
    expect(r.read(-2, 0)).toBe('jk');
    expect(r.read(-100, 0)).toBe('defghijk');
    expect(r.tail(0, 4)).toEqual(['hijk', 11, true]);
    expect(r.tail(11, 4)).toEqual(['', 11, false]);
    expect(r.tail(0, 100)).toEqual(['defghijk', 11, false]);
  });

  it('keeps only the last capacity bytes of a chunk larger than itself', () => {
    const r = new RingBuffer(4);
    r.write(Buffer.from('x'));
    r.write(Buffer.from('0123456789'));
    expect(r.contents().toString()).toBe('6789');
    expect(r.size).toBe(11);
    r.write(Buffer.from('ab'));
    expect(r.contents().toString()).toBe('89ab');
  });

  it('clear() restarts offsets at 0', () => {
    const r = new RingBuffer(4);
    r.write(Buffer.from('abcdef'));
    r.clear();
    expect(r.size).toBe(0);
    expect(r.tail(0, 10)).toEqual(['', 0, false]);
    r.write(Buffer.from('z'));
    expect(r.read(0, 0)).toBe('z');
  });

  it('rejects a capacity below 1', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });

  it('holds exactly the last capacity bytes of any chunk sequence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.uint8Array({ maxLength: 60 }), { maxLength: 20 }), (cap, chunks) => {
        const r = new RingBuffer(cap);
        for (const c of chunks) r.write(Buffer.from(c));
        const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
        expect(r.size).toBe(all.length);
        expect(r.contents()).toEqual(all.subarray(Math.max(0, all.length - cap)));
      }),
    );
  });

  it('read/tail equal the file functions on the same bytes while they fit', () => {
    const p = join(dir, 'same.log');
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.integer({ min: -40, max: 40 }), fc.integer({ min: -5, max: 40 }), (text, offset, length) => {
        fs.writeFileSync(p, text);
        const r = new RingBuffer(64);
        r.write(Buffer.from(text));
        const attempt = (fn: () => string): string => {
          try {
            return fn();
          } catch (err) {
            return `ERR:${(err as { code: string }).code}`;
          }
        };
        expect(attempt(() => r.read(offset, length))).toBe(attempt(() => readLog(p, offset, length)));
        expect(r.tail(offset, length)).toEqual(tailLog(p, offset, length));
      }),
      { numRuns: 100 },
    );
  });
});
