// Write faults injected into node:fs: partial writes, EIO, ENOSPC then recovery.
import * as realFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const faults = vi.hoisted(() => ({
  /** Errors thrown by the next writeSync calls, in order (undefined: let it through). */
  errors: [] as (string | undefined)[],
  /** Largest number of bytes one writeSync may write (partial writes). */
  maxPerWrite: Infinity,
}));

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const writeSync = (fd: number, buf: Buffer, offset: number, length: number): number => {
    const code = faults.errors.shift();
    if (code !== undefined) throw Object.assign(new Error(`${code}: injected`), { code });
    return actual.writeSync(fd, buf, offset, Math.min(length, faults.maxPerWrite));
  };
  return { ...actual, writeSync, default: { ...actual, writeSync } };
});

const { RotatingFile, errnoName } = await import('../../../src/logs/rotating-file.js');

let dir: string;
beforeEach(() => {
  dir = realFs.mkdtempSync(join(tmpdir(), 'procvisor-rotf-'));
  faults.errors = [];
  faults.maxPerWrite = Infinity;
});
afterEach(() => {
  realFs.rmSync(dir, { recursive: true, force: true });
});

describe('RotatingFile under injected faults', () => {
  it('loops on partial writes so each chunk lands whole', () => {
    const p = join(dir, 'partial.log');
    faults.maxPerWrite = 7;
    const f = new RotatingFile({ path: p, maxbytes: 100, backups: 1 });
    f.open();
    const chunk = Buffer.from('0123456789'.repeat(12));
    f.write(chunk);
    f.close();
    expect(realFs.readFileSync(`${p}.1`)).toEqual(chunk);
  });

  it('ENOSPC: one report per failure streak; dropped bytes counted; recovers', () => {
    const p = join(dir, 'full.log');
    const errors: Error[] = [];
    const f = new RotatingFile({ path: p, maxbytes: 0, backups: 0, onError: (e) => errors.push(e) });
    f.open();
    f.write(Buffer.from('ok1\n'));
    faults.errors = ['ENOSPC', 'ENOSPC', 'ENOSPC'];
    for (let i = 0; i < 3; i++) expect(() => f.write(Buffer.from('lost\n'))).not.toThrow();
    f.write(Buffer.from('ok2\n'));
    faults.errors = ['EIO'];
    f.write(Buffer.from('lost\n'));
    f.close();
    expect(errors.map(errnoName)).toEqual(['ENOSPC', 'EIO']);
    expect(f.droppedBytes).toBe(20);
    expect(realFs.readFileSync(p, 'utf8')).toBe('ok1\nok2\n');
  });

  it('a failure after a partial write drops only the unwritten rest', () => {
    const p = join(dir, 'half.log');
    faults.maxPerWrite = 4;
    faults.errors = [undefined, 'ENOSPC'];
    const f = new RotatingFile({ path: p, maxbytes: 0, backups: 0, onError: () => {} });
    f.open();
    f.write(Buffer.from('abcdefghij'));
    f.close();
    expect(realFs.readFileSync(p, 'utf8')).toBe('abcd');
    expect(f.droppedBytes).toBe(6);
  });
});
