import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, splitLines } from '../../../src/logs/line-splitter.js';

describe('LineSplitter', () => {
  it('joins lines across chunks and keeps the unfinished one', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('ab'))).toEqual([]);
    expect(s.push(Buffer.from('c\nde\n\nf'))).toEqual(['abc', 'de', '']);
    expect(s.hasPartial).toBe(true);
    expect(s.flush()).toBe('f');
    expect(s.flush()).toBeUndefined();
  });

  it('drops \\r before \\n, even when split across chunks', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('a\r\nb\r'))).toEqual(['a']);
    expect(s.push(Buffer.from('\n'))).toEqual(['b']);
  });

  it('never cuts a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('é✓\n');
    const s = new LineSplitter();
    const lines = [...bytes].flatMap((b) => s.push(Buffer.from([b])));
    expect(lines).toEqual(['é✓']);
  });

  it('emits an over-long line in maxLineBytes pieces', () => {
    const s = new LineSplitter(4);
    expect(s.push(Buffer.from('abcdefghij'))).toEqual(['abcd', 'efgh']);
    expect(s.push(Buffer.from('k\nxy\n'))).toEqual(['ijk', 'xy']);
  });

  it('does not depend on how the stream is chunked', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.array(fc.nat(20), { maxLength: 10 }), (text, cuts) => {
        const bytes = Buffer.from(text);
        const s = new LineSplitter();
        const lines: string[] = [];
        let at = 0;
        for (const c of cuts) {
          lines.push(...s.push(bytes.subarray(at, at + c)));
          at += c;
        }
        lines.push(...s.push(bytes.subarray(at)));
        const last = s.flush();
        if (last !== undefined) lines.push(last);
        expect(lines).toEqual(splitLines(bytes));
      }),
    );
  });
});

describe('splitLines', () => {
  it('includes the unterminated last line, not an empty one after a final newline', () => {
    expect(splitLines(Buffer.from('a\nb'))).toEqual(['a', 'b']);
    expect(splitLines(Buffer.from('a\nb\n'))).toEqual(['a', 'b']);
    expect(splitLines(Buffer.alloc(0))).toEqual([]);
  });

  it('skips a cut-off first line when asked', () => {
    expect(splitLines(Buffer.from('tail of line\nnext\n'), true)).toEqual(['next']);
    expect(splitLines(Buffer.from('no newline at all'), true)).toEqual([]);
  });
});
