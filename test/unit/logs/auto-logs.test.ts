import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupAutoLogs, createAutoLogFile, isAutoLogName, randomAutoSuffix } from '../../../src/logs/auto-logs.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'procvisor-auto-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('createAutoLogFile', () => {
  it('creates NAME-CHANNEL---IDENTIFIER-XXXXXXXX.log, empty, mode 0600', () => {
    const p = createAutoLogFile({ childlogdir: dir, processName: 'a', channel: 'stdout', identifier: 'svtest' });
    expect(basename(p)).toMatch(/^a-stdout---svtest-[a-z0-9_]{8}\.log$/);
    expect(fs.statSync(p).mode & 0o777).toBe(0o600);
    expect(fs.statSync(p).size).toBe(0);
  });

  it('never reuses an existing name (exclusive create, retried)', () => {
    const names = ['taken123', 'taken123', 'fresh456'];
    const opts = { childlogdir: dir, processName: 'web', channel: 'stderr' as const, identifier: 'supervisor', randomName: () => names.shift()! };
    const first = createAutoLogFile(opts);
    fs.writeFileSync(first, 'keep');
    const second = createAutoLogFile(opts);
    expect(basename(second)).toBe('web-stderr---supervisor-fresh456.log');
    expect(fs.readFileSync(first, 'utf8')).toBe('keep');
  });

  it('throws when childlogdir is missing', () => {
    expect(() => createAutoLogFile({ childlogdir: join(dir, 'nope'), processName: 'a', channel: 'stdout', identifier: 'x' })).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });

  it('random suffixes use mkstemp’s alphabet', () => {
    for (let i = 0; i < 50; i++) expect(randomAutoSuffix()).toMatch(/^[a-z0-9_]{8}$/);
  });
});

describe('cleanupAutoLogs', () => {
  it('deletes this identifier’s AUTO logs, rotated ones included, and nothing else', () => {
    const mine = ['a-stdout---svtest-abcdefgh.log', 'a-stderr---svtest-abcdefgh.log', 'b-stdout---svtest-zz_9zz00.log.1', 'b-stdout---svtest-zz_9zz00.log.10'];
    const others = ['a-stdout---supervisor-abcdefgh.log', 'a-stdout---svtest.log', 'keep.log', 'svtest-abc.log', 'a-stdout---svtestx-abcdefgh.log'];
    for (const f of [...mine, ...others]) fs.writeFileSync(join(dir, f), '');
    const removed = cleanupAutoLogs(dir, 'svtest');
    expect(removed.map((p) => basename(p)).sort()).toEqual([...mine].sort());
    expect(fs.readdirSync(dir).sort()).toEqual([...others].sort());
  });

  it('matches supervisord’s prefix regex, identifier taken literally', () => {
    expect(isAutoLogName('x---a.b-12345678.log', 'a.b')).toBe(true);
    expect(isAutoLogName('x---aXb-12345678.log', 'a.b')).toBe(false);
    expect(isAutoLogName('---svtest-12345678.log', 'svtest')).toBe(false); // `.+?` needs a name
  });

  it('warns with supervisord’s wording instead of throwing', () => {
    const warnings: string[] = [];
    expect(cleanupAutoLogs(join(dir, 'missing'), 'x', (m) => warnings.push(m))).toEqual([]);
    const stuck = join(dir, 'p-stdout---x-abcdefgh.log');
    fs.mkdirSync(stuck); // unlink(2) of a directory fails
    cleanupAutoLogs(dir, 'x', (m) => warnings.push(m));
    expect(warnings).toEqual(['Could not clear childlog dir', `Failed to clean up '${stuck}'`]);
  });
});
