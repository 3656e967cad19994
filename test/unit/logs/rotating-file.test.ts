import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatcherErrorMessage, errnoName, RotatingFile } from '../../../src/logs/rotating-file.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'procvisor-rot-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const line51 = (i: number): Buffer => Buffer.from(`line ${String(i).padStart(2, '0')} `.padEnd(50, '.') + '\n');
const read = (p: string): Buffer => fs.readFileSync(p);
const exists = (p: string): boolean => fs.existsSync(p);

function make(path: string, maxbytes: number, backups: number, errors: Error[] = []): RotatingFile {
  const f = new RotatingFile({ path, maxbytes, backups, onError: (e) => errors.push(e) });
  f.open();
  return f;
}

describe('RotatingFile rotation (as supervisord rotates)', () => {
  it('40 lines of 51 bytes, maxbytes=200, backups=2', () => {
    const p = join(dir, 'slow.log');
    const f = make(p, 200, 2);
    for (let i = 0; i < 40; i++) f.write(line51(i));
    f.close();
    expect(read(p).length).toBe(0);
    const lines = (from: number, to: number): Buffer => Buffer.concat([...Array(to - from + 1).keys()].map((k) => line51(from + k)));
    expect(read(`${p}.1`)).toEqual(lines(36, 39));
    expect(read(`${p}.2`)).toEqual(lines(32, 35));
    expect(read(`${p}.1`).length).toBe(204);
    expect(exists(`${p}.3`)).toBe(false);
  });

  it('a single 14 890-byte burst with maxbytes 1 KB yields one 14 890-byte .1', () => {
    const p = join(dir, 'burst.log');
    const burst = Buffer.alloc(14_890, 'a');
    const f = make(p, 1024, 10);
    f.write(burst);
    f.close();
    expect(read(`${p}.1`)).toEqual(burst);
    expect(read(p).length).toBe(0);
    expect(exists(`${p}.2`)).toBe(false);
  });

  it('a chunk longer than a 64 KiB pipe read that reaches maxbytes is written read by read: no file exceeds maxbytes by 64 KiB', () => {
    const p = join(dir, 'wide.log');
    const chunk = Buffer.alloc(256 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) & 0xff;
    const f = make(p, 100_000, 5);
    f.write(chunk.subarray(0, 1000)); // the file holds 1 000 bytes: the chunk's 2nd piece reaches 100 000
    f.write(chunk);
    f.close();
    // The 1 000 bytes and two pieces reach 100 000 (→ .2 after the next rotation), the third and
    // fourth pieces reach it again (→ .1); the current file is empty.
    expect(read(`${p}.2`).length).toBe(1000 + 2 * 65536);
    expect(read(`${p}.1`).length).toBe(2 * 65536);
    expect(read(p).length).toBe(0);
    expect(Buffer.concat([read(`${p}.2`), read(`${p}.1`)]).equals(Buffer.concat([chunk.subarray(0, 1000), chunk]))).toBe(true);
    expect(exists(`${p}.3`)).toBe(false);
  });

  it('maxbytes=0 never rotates', () => {
    const p = join(dir, 'norot.log');
    const f = make(p, 0, 10);
    f.write(Buffer.alloc(14_890, 'a'));
    f.write(Buffer.alloc(10, 'b'));
    f.close();
    expect(read(p).length).toBe(14_900);
    expect(exists(`${p}.1`)).toBe(false);
  });

  it('backups=0 truncates instead of creating .1', () => {
    const p = join(dir, 'nobackup.log');
    const f = make(p, 1024, 0);
    f.write(Buffer.alloc(14_890, 'a'));
    f.close();
    expect(read(p).length).toBe(0);
    expect(exists(`${p}.1`)).toBe(false);
  });

  it('rotates exactly when size reaches maxbytes, counting what the file held before open', () => {
    const p = join(dir, 'pre.log');
    fs.writeFileSync(p, Buffer.alloc(150, 'p'));
    const f = make(p, 200, 1);
    f.write(Buffer.alloc(49, 'q')); // 199 < 200: no rotation
    expect(exists(`${p}.1`)).toBe(false);
    f.write(Buffer.from('r')); // 200: rotate
    f.close();
    expect(read(`${p}.1`).length).toBe(200);
    expect(read(p).length).toBe(0);
  });

  it('the oldest backup falls off; .1 is always the newest', () => {
    const p = join(dir, 'shift.log');
    const f = make(p, 1, 3);
    for (const c of 'abcde') f.write(Buffer.from(c));
    f.close();
    expect(['.1', '.2', '.3'].map((s) => read(p + s).toString())).toEqual(['e', 'd', 'c']);
    expect(exists(`${p}.4`)).toBe(false);
  });

  it('tolerates files removed by someone else before rotation', () => {
    const p = join(dir, 'gone.log');
    const errors: Error[] = [];
    const f = make(p, 10, 3, errors);
    f.write(Buffer.alloc(10, 'a')); // → .1
    f.write(Buffer.alloc(10, 'b')); // → .2, .1
    fs.rmSync(`${p}.1`);
    fs.rmSync(p); // the open file is unlinked; supervisord keeps writing to the inode
    f.write(Buffer.alloc(10, 'c'));
    f.close();
    expect(errors).toEqual([]);
    expect(read(p).length).toBe(0);
    expect(exists(`${p}.1`)).toBe(false); // the unlinked current file could not be renamed
    expect(exists(`${p}.2`)).toBe(false);
    expect(read(`${p}.3`)).toEqual(Buffer.alloc(10, 'a'));
  });

  it('when a backup cannot be moved, reports once and appends instead of truncating', () => {
    const p = join(dir, 'stuck.log');
    fs.mkdirSync(`${p}.2`);
    fs.writeFileSync(join(`${p}.2`, 'occupant'), 'x');
    const errors: Error[] = [];
    const f = make(p, 5, 2, errors);
    f.write(Buffer.from('11111')); // .1 = 11111
    f.write(Buffer.from('22222')); // .1 → .2 fails: EISDIR/ENOTEMPTY
    f.write(Buffer.from('33333')); // fails again, not reported again
    f.close();
    expect(errors).toHaveLength(1);
    expect(read(`${p}.1`).toString()).toBe('11111');
    expect(read(p).toString()).toBe('2222233333');
  });
});

describe('RotatingFile open, reopen, clear, close', () => {
  it('open() throws the errno error for a directory; errnoName gives EISDIR', () => {
    const f = new RotatingFile({ path: dir, maxbytes: 0, backups: 0 });
    let caught: unknown;
    try {
      f.open();
    } catch (err) {
      caught = err;
    }
    expect(errnoName(caught)).toBe('EISDIR');
    expect(dispatcherErrorMessage('badlog', caught)).toBe("unknown error making dispatchers for 'badlog': EISDIR");
    expect(dispatcherErrorMessage('web', Object.assign(new Error('x'), { code: 'EMFILE' }))).toBe("too many open files to spawn 'web'");
  });

  it('errnoName falls back to the message', () => {
    expect(errnoName(new Error('boom'))).toBe('boom');
    expect(errnoName('x')).toBe('x');
  });

  it('opens in append mode and creates files with the given mode', () => {
    const p = join(dir, 'mode.log');
    fs.writeFileSync(p, 'old\n');
    fs.chmodSync(p, 0o600);
    const f = new RotatingFile({ path: p, maxbytes: 4, backups: 1, mode: 0o600 });
    f.open();
    f.write(Buffer.from('new\n'));
    f.close();
    expect(read(`${p}.1`).toString()).toBe('old\nnew\n');
    expect(fs.statSync(p).mode & 0o777).toBe(0o600);
  });

  it('writes before open() open the file lazily', () => {
    const p = join(dir, 'lazy.log');
    const f = new RotatingFile({ path: p, maxbytes: 0, backups: 0 });
    f.write(Buffer.from('x'));
    f.close();
    expect(read(p).toString()).toBe('x');
  });

  it('reopen() follows a file moved away by logrotate', () => {
    const p = join(dir, 'lr.log');
    const f = make(p, 0, 0);
    f.write(Buffer.from('before\n'));
    fs.renameSync(p, `${p}.old`);
    f.write(Buffer.from('still old inode\n'));
    f.reopen();
    f.write(Buffer.from('after\n'));
    f.close();
    expect(read(`${p}.old`).toString()).toBe('before\nstill old inode\n');
    expect(read(p).toString()).toBe('after\n');
  });

  it('clear() empties the current file and leaves backups alone', () => {
    const p = join(dir, 'clear.log');
    const f = make(p, 5, 1);
    f.write(Buffer.from('12345'));
    f.write(Buffer.from('abc'));
    f.clear();
    f.write(Buffer.from('z'));
    f.close();
    expect(read(p).toString()).toBe('z');
    expect(read(`${p}.1`).toString()).toBe('12345');
  });

  it('close() is idempotent and later writes are dropped silently', () => {
    const p = join(dir, 'closed.log');
    const errors: Error[] = [];
    const f = make(p, 0, 0, errors);
    f.close();
    f.close();
    f.write(Buffer.from('lost'));
    expect(f.droppedBytes).toBe(4);
    expect(errors).toEqual([]);
    expect(read(p).length).toBe(0);
  });

  it('passes > 1 MB chunks and binary data through unchanged', () => {
    const p = join(dir, 'bin.log');
    const big = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131) & 0xff;
    const f = make(p, 0, 0);
    f.write(big);
    f.write(Buffer.from([0, 0xff, 0x0a, 0xc3]));
    f.close();
    expect(read(p).equals(Buffer.concat([big, Buffer.from([0, 0xff, 0x0a, 0xc3])]))).toBe(true);
  });
});

describe('RotatingFile write errors', () => {
  it('disk full (/dev/full): reported once, bytes counted, never throws', () => {
    const errors: Error[] = [];
    const f = make('/dev/full', 100, 0, errors);
    expect(() => {
      for (let i = 0; i < 5; i++) f.write(Buffer.alloc(30, 'x'));
    }).not.toThrow();
    f.close();
    expect(errors).toHaveLength(1);
    expect(errnoName(errors[0])).toBe('ENOSPC');
    expect(f.droppedBytes).toBe(150);
  });

  it('a file that cannot be reopened after rotation: reported once, writes retried and dropped', () => {
    const sub = join(dir, 'sub');
    fs.mkdirSync(sub);
    const p = join(sub, 'x.log');
    const errors: Error[] = [];
    const f = make(p, 3, 1, errors);
    f.write(Buffer.from('abc')); // rotates: sub/x.log.1, reopen sub/x.log
    fs.rmSync(sub, { recursive: true }); // the new current file's directory vanishes
    f.write(Buffer.from('de')); // still the unlinked inode: fine
    f.write(Buffer.from('f')); // size 3: rotation fails to reopen (ENOENT)
    f.write(Buffer.from('gh')); // open retried, fails, dropped
    f.write(Buffer.from('ij'));
    expect(errors.map(errnoName)).toEqual(['ENOENT']);
    expect(f.droppedBytes).toBe(4);
    fs.mkdirSync(sub);
    f.write(Buffer.from('back')); // the open succeeds again (and 4 ≥ 3 rotates)
    f.write(Buffer.from('!'));
    f.close();
    expect(read(`${p}.1`).toString()).toBe('back');
    expect(read(p).toString()).toBe('!');
  });
});
