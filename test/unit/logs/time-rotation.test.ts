// Rotation by time (hourly, daily at an hour, local time or UTC) driven by a fake clock; gzip
// compression of backups in the background (they decompress to exactly the bytes written);
// retention by count and by age.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelLog } from '../../../src/logs/channel-log.js';
import { RotatingFile, type RotatingFileOptions } from '../../../src/logs/rotating-file.js';
import { nextRotation } from '../../../src/logs/rotation-schedule.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { useTimeZone } from '../../helpers/time-zone.js';

useTimeZone('Europe/Paris');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'procvisor-timerot-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const HOUR = 3_600_000;
const read = (p: string) => fs.readFileSync(p, 'utf8');

function make(clock: FakeClock, options: Partial<RotatingFileOptions>, errors: Error[] = []) {
  const path = join(dir, 'app.log');
  const f = new RotatingFile({ path, maxbytes: 0, backups: 5, now: () => clock.epochMs(), onError: (e) => errors.push(e), ...options });
  f.open();
  return { f, path };
}

describe('nextRotation', () => {
  it('daily at an hour, in UTC or local time, across a DST change', () => {
    const at = (iso: string) => new Date(iso).getTime();
    expect(nextRotation(at('2026-11-22T01:00:00Z'), { every: 'daily', hour: 3, utc: true })).toBe(at('2026-11-22T03:00:00Z'));
    expect(nextRotation(at('2026-11-22T03:00:00Z'), { every: 'daily', hour: 3, utc: true })).toBe(at('2026-11-23T03:00:00Z'));
    // Paris is UTC+1 in November: local midnight is 23:00 UTC.
    expect(nextRotation(at('2026-11-22T01:00:00Z'), { every: 'daily', hour: 0, utc: false })).toBe(at('2026-11-22T23:00:00Z'));
    // The night summer time ends (25 Oct 2026): local midnights 24 h + 1 h apart.
    expect(nextRotation(at('2026-10-24T23:00:00Z'), { every: 'daily', hour: 0, utc: false })).toBe(at('2026-10-25T23:00:00Z'));
  });

  it('hourly at the top of the hour', () => {
    const at = (iso: string) => new Date(iso).getTime();
    expect(nextRotation(at('2026-11-22T01:59:59.999Z'), { every: 'hourly', hour: 0, utc: true })).toBe(at('2026-11-22T02:00:00Z'));
    expect(nextRotation(at('2026-11-22T02:00:00Z'), { every: 'hourly', hour: 0, utc: false })).toBe(at('2026-11-22T03:00:00Z'));
  });
});

describe('RotatingFile rotation by time (fake clock)', () => {
  it('hourly: the first write after each boundary goes to a new file; size rotation still applies', () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 1, 30)); // 01:30 UTC
    const { f, path } = make(clock, { schedule: { every: 'hourly', hour: 0, utc: true } });
    f.write(Buffer.from('a1\n'));
    clock.advance(29 * 60_000); // 01:59
    f.write(Buffer.from('a2\n'));
    expect(f.generation).toBe(0);
    clock.advance(60_000); // 02:00
    expect(fs.existsSync(`${path}.1`)).toBe(false); // nothing happens without a write
    f.write(Buffer.from('b1\n'));
    expect(read(`${path}.1`)).toBe('a1\na2\n');
    expect(read(path)).toBe('b1\n');
    clock.advance(3 * HOUR); // several boundaries passed while quiet: one rotation
    f.write(Buffer.from('c1\n'));
    expect([read(path), read(`${path}.1`), read(`${path}.2`)]).toEqual(['c1\n', 'b1\n', 'a1\na2\n']);
    expect(f.generation).toBe(2);
    f.close();
  });

  it('daily at 03:00 local time', () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 1, 0)); // 02:00 in Paris
    const { f, path } = make(clock, { schedule: { every: 'daily', hour: 3, utc: false } });
    f.write(Buffer.from('night\n'));
    clock.advance(59 * 60_000); // 02:59 local
    f.write(Buffer.from('still night\n'));
    clock.advance(60_000); // 03:00 local
    f.write(Buffer.from('day 1\n'));
    clock.advance(23 * HOUR + 59 * 60_000); // 02:59 next day
    f.write(Buffer.from('day 1 late\n'));
    clock.advance(60_000);
    f.write(Buffer.from('day 2\n'));
    expect([read(path), read(`${path}.1`), read(`${path}.2`)]).toEqual(['day 2\n', 'day 1\nday 1 late\n', 'night\nstill night\n']);
    f.close();
  });

  it('a file last written before the boundary is rotated at the first write after reopening', () => {
    const path = join(dir, 'app.log');
    fs.writeFileSync(path, 'yesterday\n');
    const written = Date.UTC(2026, 10, 21, 22, 0) / 1000;
    fs.utimesSync(path, written, written);
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 9, 0));
    const { f } = make(clock, { schedule: { every: 'daily', hour: 0, utc: true } });
    f.write(Buffer.from('today\n'));
    expect([read(path), read(`${path}.1`)]).toEqual(['today\n', 'yesterday\n']);
    f.close();
  });
});

describe('compressed backups', () => {
  it('decompress to exactly the bytes written (binary, size rotation), and the live file never waits for gzip', async () => {
    const clock = new FakeClock();
    const { f, path } = make(clock, { maxbytes: 4096, backups: 50, compress: true });
    const written: Buffer[] = [];
    let seed = 7;
    for (let i = 0; i < 40; i++) {
      const chunk = Buffer.alloc(700 + i * 13);
      for (let j = 0; j < chunk.length; j++) chunk[j] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16;
      written.push(chunk);
      f.write(chunk);
    }
    // Right after the writes the rotated files are still waiting: compression runs later.
    const waiting = fs.readdirSync(dir).filter((n) => n.includes('.rotating-'));
    expect(waiting.length).toBeGreaterThan(0);
    expect(f.generation).toBeGreaterThan(3);
    await f.idle();
    f.close();
    const names = fs.readdirSync(dir).sort();
    expect(names.filter((n) => n.includes('.rotating-') || n.endsWith('.tmp'))).toEqual([]);
    const backups = names.filter((n) => /^app\.log\.\d+\.gz$/.test(n)).map((n) => Number(n.split('.')[2]));
    expect(backups.length).toBe(f.generation);
    const oldestFirst = backups.sort((a, b) => b - a).map((n) => gunzipSync(fs.readFileSync(`${path}.${n}.gz`)));
    expect(Buffer.concat([...oldestFirst, fs.readFileSync(path)]).equals(Buffer.concat(written))).toBe(true);
    expect(names.some((n) => /^app\.log\.\d+$/.test(n))).toBe(false); // no uncompressed backups
  });

  it('keeps `backups` compressed files, dropping the oldest', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 0, 30));
    const { f, path } = make(clock, { backups: 2, compress: true, schedule: { every: 'hourly', hour: 0, utc: true } });
    for (let h = 0; h < 5; h++) {
      f.write(Buffer.from(`hour ${h}\n`));
      clock.advance(HOUR);
    }
    await f.idle();
    f.close();
    expect(gunzipSync(fs.readFileSync(`${path}.1.gz`)).toString()).toBe('hour 3\n');
    expect(gunzipSync(fs.readFileSync(`${path}.2.gz`)).toString()).toBe('hour 2\n');
    expect(fs.existsSync(`${path}.3.gz`)).toBe(false);
    expect(read(path)).toBe('hour 4\n');
  });

  it('a rotated file left waiting by a crash is compressed at the next open', async () => {
    const path = join(dir, 'app.log');
    fs.writeFileSync(`${path}.rotating-1000-0`, 'left behind\n');
    const clock = new FakeClock();
    const { f } = make(clock, { compress: true });
    await f.idle();
    f.close();
    expect(gunzipSync(fs.readFileSync(`${path}.1.gz`)).toString()).toBe('left behind\n');
    expect(fs.existsSync(`${path}.rotating-1000-0`)).toBe(false);
  });
});

describe('retention by age', () => {
  it('deletes backups (plain or compressed) last modified longer ago than max age', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 12, 0));
    const path = join(dir, 'app.log');
    const day = 86_400;
    const now = clock.epochMs() / 1000;
    for (const [name, ageDays] of [
      ['1', 1],
      ['2.gz', 3],
      ['3', 8],
      ['4.gz', 9],
    ] as const) {
      fs.writeFileSync(`${path}.${name}`, name);
      fs.utimesSync(`${path}.${name}`, now - ageDays * day, now - ageDays * day);
    }
    fs.writeFileSync(join(dir, 'other.log.9'), 'not ours');
    fs.utimesSync(join(dir, 'other.log.9'), now - 30 * day, now - 30 * day);
    const { f } = make(clock, { maxAgeMs: 7 * day * 1000 });
    await f.idle();
    expect(fs.readdirSync(dir).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2.gz', 'other.log.9']);
    // Time passes; the next rotation checks again.
    clock.advance(4.5 * day * 1000); // .2.gz is now 7.5 days old; .1 (5.5 days) moves to .2
    f.write(Buffer.from('x'.repeat(10)));
    f.maxbytes = 5;
    f.write(Buffer.from('y'));
    await f.idle();
    f.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2', 'other.log.9']);
  });
});

describe('ChannelLog with timestamps and time rotation', () => {
  it('a line continued across a time rotation is stamped again in the new file', () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 1, 59, 59));
    const path = join(dir, 'chan.log');
    const now = () => clock.epochMs();
    const log = new ChannelLog({
      file: { path, maxbytes: 0, backups: 3, schedule: { every: 'hourly', hour: 0, utc: true }, now },
      format: { format: 'timestamped', timeFormat: '%H:%M:%S', utc: true, process: 'p', stream: 'stdout', now },
    });
    log.open();
    log.write(Buffer.from('before\nhalf'));
    clock.advance(1000);
    log.write(Buffer.from(' done\nafter\n'));
    log.write(Buffer.from('tail'));
    log.close(); // ends the unfinished line
    expect(read(`${path}.1`)).toBe('01:59:59 before\n01:59:59 half');
    expect(read(path)).toBe('02:00:00  done\n02:00:00 after\n02:00:00 tail\n');
    expect(log.lastLines(10)).toEqual(['before', 'half done', 'after', 'tail']); // memory keeps the bytes as written
  });
});
