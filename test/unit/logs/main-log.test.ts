import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NoFileError } from '../../../src/errors.js';
import { formatChildOutput, formatLogLine, formatLogTime, MainLog, parseLogLevel, type LogLevelName } from '../../../src/logs/main-log.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'procvisor-main-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

// 2024-05-01 12:03:04.056 local time
const T = new Date(2024, 4, 1, 12, 3, 4, 56).getTime();
const fixedNow = (): number => T;

describe('main log format', () => {
  it('formats local time as YYYY-MM-DD HH:MM:SS,mmm', () => {
    expect(formatLogTime(T)).toBe('2024-05-01 12:03:04,056');
    expect(formatLogTime(T + 0.9)).toBe('2024-05-01 12:03:04,056'); // truncated, like %03d
  });

  it('formats every millisecond right, in any order (the per-second cache never goes stale)', () => {
    const naive = (ms: number): string => {
      const d = new Date(ms);
      const p = (n: number, w = 2): string => String(n).padStart(w, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
    };
    const times = [T, T + 999, T + 1000, T - 1, T + 1, T + 86_400_000 * 183 + 7, T - 1, 0, 999, 1000, -1];
    for (let i = 0; i < 200; i++) times.push(T + Math.floor(Math.sin(i) * 3_000));
    for (const t of times) expect(formatLogTime(t), String(t)).toBe(naive(t));
  });

  it.each([
    ['critical', 'CRIT'],
    ['error', 'ERRO'],
    ['warn', 'WARN'],
    ['info', 'INFO'],
    ['debug', 'DEBG'],
    ['trace', 'TRAC'],
    ['blather', 'BLAT'],
  ] as const)('%s is tagged %s', (level, tag) => {
    expect(formatLogLine(T, level, 'msg')).toBe(`2024-05-01 12:03:04,056 ${tag} msg\n`);
  });

  it("formats child output like supervisord's debug copy", () => {
    expect(formatChildOutput('web', 'stdout', Buffer.from('hi\n'))).toBe("'web' stdout output:\nhi\n");
    expect(formatChildOutput('web', 'stderr', Buffer.from([0x61, 0xff, 0x0a, 0x27]))).toBe(`'web' stderr output:\nUndecodable: b"a\\xff\\n'"`);
  });
});

describe('parseLogLevel', () => {
  it('accepts supervisord’s names case-insensitively', () => {
    expect(parseLogLevel('INFO')).toBe('info');
    expect(parseLogLevel('Blather')).toBe('blather');
  });

  it.each(['warning', 'WARNING', 'fatal', ''])('rejects %j with supervisord’s message', (value) => {
    expect(() => parseLogLevel(value)).toThrow(`bad logging level name '${value}'`);
  });

  it('does not accept Object prototype names', () => {
    expect(() => parseLogLevel('constructor')).toThrow('bad logging level name');
  });
});

describe('MainLog', () => {
  it('filters by level and writes formatted lines to file, echo and memory', () => {
    const p = join(dir, 'supervisord.log');
    const echoed: string[] = [];
    const log = new MainLog({ level: 'info', file: { path: p, maxbytes: 0, backups: 0 }, echo: { write: (s) => echoed.push(s) }, now: fixedNow });
    log.open();
    log.debug('hidden');
    log.info("spawned: 'web' with pid 1234");
    log.warn('received SIGTERM indicating exit request');
    const expected = "2024-05-01 12:03:04,056 INFO spawned: 'web' with pid 1234\n" + '2024-05-01 12:03:04,056 WARN received SIGTERM indicating exit request\n';
    expect(fs.readFileSync(p, 'utf8')).toBe(expected);
    expect(echoed.join('')).toBe(expected);
    expect(log.readLog(0, 0)).toBe(expected);
    expect(log.tail(0, 8)).toEqual(['request\n', expected.length, true]);
    log.close();
  });

  it('each level method logs at its level; the threshold is adjustable', () => {
    const log = new MainLog({ level: 'blather', now: fixedNow });
    const levels: LogLevelName[] = ['critical', 'error', 'warn', 'info', 'debug', 'trace', 'blather'];
    for (const l of levels) log[l](l);
    expect(
      log
        .readLog(0, 0)
        .split('\n')
        .filter(Boolean)
        .map((s) => s.slice(24)),
    ).toEqual(['CRIT critical', 'ERRO error', 'WARN warn', 'INFO info', 'DEBG debug', 'TRAC trace', 'BLAT blather']);
    log.level = 'error';
    expect(log.isEnabled('warn')).toBe(false);
    expect(log.isEnabled('critical')).toBe(true);
  });

  it('without a file, readLog/tail/clear work on memory', () => {
    const log = new MainLog({ now: fixedNow });
    log.info('x');
    expect(log.path).toBeUndefined();
    expect(log.readLog(-2, 0)).toBe('x\n');
    log.clear();
    expect(log.readLog(0, 0)).toBe('');
  });

  it('rotates with logfile_maxbytes / logfile_backups', () => {
    const p = join(dir, 'main.log');
    const log = new MainLog({ file: { path: p, maxbytes: 60, backups: 2 }, now: fixedNow });
    log.open();
    for (let i = 0; i < 6; i++) log.info(`message number ${i} padded`); // 55 bytes each
    log.close();
    expect(fs.readFileSync(p, 'utf8')).toBe('');
    expect(fs.readFileSync(`${p}.1`, 'utf8')).toContain('message number 4');
    expect(fs.readFileSync(`${p}.2`, 'utf8')).toContain('message number 2');
    expect(fs.existsSync(`${p}.3`)).toBe(false);
  });

  it('clear() recreates the file; NO_FILE when it was deleted', () => {
    const p = join(dir, 'c.log');
    const log = new MainLog({ file: { path: p, maxbytes: 0, backups: 0 }, now: fixedNow });
    log.open();
    log.info('before');
    log.clear();
    log.info('after');
    expect(fs.readFileSync(p, 'utf8')).toBe('2024-05-01 12:03:04,056 INFO after\n');
    fs.rmSync(p);
    expect(() => log.clear()).toThrow(NoFileError);
    expect(() => log.readLog(0, 0)).toThrow(NoFileError);
    log.reopen();
    log.info('reopened');
    expect(log.readLog(0, 0)).toBe('2024-05-01 12:03:04,056 INFO reopened\n');
    log.close();
  });

  it('a write failure is reported once and never throws', () => {
    const errors: Error[] = [];
    const log = new MainLog({ file: { path: '/dev/full', maxbytes: 0, backups: 0 }, onError: (e) => errors.push(e) });
    log.open();
    expect(() => {
      log.info('a');
      log.error('b');
    }).not.toThrow();
    expect(errors).toHaveLength(1);
    log.close();
  });
});
