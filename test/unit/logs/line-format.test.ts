// Timestamped and JSON log lines: partial lines across chunks, a last line without newline,
// binary output, and the time formats.
import { describe, expect, it } from 'vitest';
import { LineFormatter, type LineFormatOptions } from '../../../src/logs/line-format.js';
import { checkTimeFormat, formatTime } from '../../../src/logs/time-format.js';
import { useTimeZone } from '../../helpers/time-zone.js';

useTimeZone('Europe/Paris');

const T0 = Date.UTC(2026, 10, 22, 1, 2, 3, 45); // 02:02:03.045 in Paris (UTC+1)

/** A formatter whose clock is `t.now`, moved by the test. */
function make(format: 'timestamped' | 'json', extra: Partial<LineFormatOptions> = {}) {
  const t = { now: T0 };
  const f = new LineFormatter({ format, timeFormat: 'iso', utc: true, process: 'web:web_0', stream: 'stdout', now: () => t.now, ...extra });
  return { f, t };
}

const text = (b: Buffer) => b.toString('latin1');

describe('time formats', () => {
  it('iso is ISO 8601 with milliseconds, Z in UTC and the offset in local time', () => {
    expect(formatTime(T0, 'iso', true)).toBe('2026-11-22T01:02:03.045Z');
    expect(formatTime(T0, 'iso', false)).toBe('2026-11-22T02:02:03.045+01:00');
    expect(formatTime(Date.UTC(2026, 6, 1, 12), 'iso', false)).toBe('2026-07-01T14:00:00.000+02:00'); // summer time
  });

  it('strftime directives, local or UTC', () => {
    expect(formatTime(T0, '%Y-%m-%d %H:%M:%S,%L %z', false)).toBe('2026-11-22 02:02:03,045 +0100');
    expect(formatTime(T0, '[%H:%M:%S.%f] %%', true)).toBe('[01:02:03.045000] %');
    expect(formatTime(T0, '%s', true)).toBe(String(Math.floor(T0 / 1000)));
  });

  it('refuses unknown directives, naming them', () => {
    expect(checkTimeFormat('%Y %Q')).toMatch(/unsupported directive %Q/);
    expect(checkTimeFormat('100%')).toMatch(/unsupported directive %/);
    expect(checkTimeFormat('')).toMatch(/empty/);
    expect(checkTimeFormat('%Y-%m-%dT%H:%M:%S%z')).toBeUndefined();
  });
});

describe('timestamped lines', () => {
  it('prefixes each line with the time its first byte arrived; partial lines are written as they come', () => {
    const { f, t } = make('timestamped');
    expect(text(f.write(Buffer.from('one\ntw')))).toBe('2026-11-22T01:02:03.045Z one\n2026-11-22T01:02:03.045Z tw');
    t.now += 1500;
    expect(text(f.write(Buffer.from('o\n')))).toBe('o\n'); // the continuation of "two": no new prefix
    expect(text(f.write(Buffer.from('\n\nthree')))).toBe('2026-11-22T01:02:04.545Z \n2026-11-22T01:02:04.545Z \n2026-11-22T01:02:04.545Z three');
    expect(text(f.flush())).toBe('\n'); // the program ended without a newline
    expect(f.flush().length).toBe(0);
  });

  it('keeps binary bytes exactly', () => {
    const { f } = make('timestamped', { timeFormat: '%H:%M:%S' });
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x80, 0x0d, 0x0a, 0xc3]);
    const out = f.write(bytes);
    const stamp = Buffer.from('01:02:03 ');
    expect(out).toEqual(Buffer.concat([stamp, bytes.subarray(0, 4), stamp, bytes.subarray(4, 7), stamp, bytes.subarray(7)]));
  });

  it('a new file after a rotation mid-line stamps the rest of the line again', () => {
    const { f } = make('timestamped', { timeFormat: '%S' });
    expect(text(f.write(Buffer.from('abc')))).toBe('03 abc');
    f.newFile();
    expect(text(f.write(Buffer.from('def\n')))).toBe('03 def\n');
  });
});

describe('JSON lines', () => {
  const parse = (b: Buffer) =>
    b
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, string>);

  it("one object per line: {time, process, stream, line}; a line split across chunks is one record with its first byte's time", () => {
    const { f, t } = make('json');
    expect(f.write(Buffer.from('hello "wor')).length).toBe(0);
    t.now += 2000;
    const out = parse(f.write(Buffer.from('ld"\nsecond\n')));
    expect(out).toEqual([
      { time: '2026-11-22T01:02:03.045Z', process: 'web:web_0', stream: 'stdout', line: 'hello "world"' },
      { time: '2026-11-22T01:02:05.045Z', process: 'web:web_0', stream: 'stdout', line: 'second' },
    ]);
    expect(Object.keys(out[0] as object)).toEqual(['time', 'process', 'stream', 'line']);
  });

  it('the last line without a newline is written by flush(); UTF-8 split across chunks stays one character', () => {
    const { f } = make('json', { stream: 'stderr' });
    const euro = Buffer.from('€uro', 'utf8');
    expect(f.write(euro.subarray(0, 2)).length).toBe(0);
    expect(f.write(euro.subarray(2)).length).toBe(0);
    expect(parse(f.flush())).toEqual([{ time: '2026-11-22T01:02:03.045Z', process: 'web:web_0', stream: 'stderr', line: '€uro' }]);
    expect(f.flush().length).toBe(0);
  });

  it('a line that is not UTF-8 is base64 with encoding=base64, and decodes to exactly the bytes written', () => {
    const { f } = make('json');
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x41, 0x0d]);
    const [rec] = parse(f.write(Buffer.concat([bytes, Buffer.from('\n')])));
    expect(rec?.encoding).toBe('base64');
    expect(Buffer.from(rec?.line ?? '', 'base64')).toEqual(bytes);
  });

  it('a line longer than the limit is written in pieces that add up to it', () => {
    const { f } = make('json', { maxLineBytes: 10 });
    const recs = parse(Buffer.concat([f.write(Buffer.from('0123456789abcdefghij')), f.write(Buffer.from('XYZ\nnext')), f.flush()]));
    expect(recs.map((r) => r.line)).toEqual(['0123456789', 'abcdefghij', 'XYZ', 'next']);
  });
});
