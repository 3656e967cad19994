// followFile (supervisord's /logtail) on real files with the real clock; every wait is bounded.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NoFileError } from '../../../src/errors.js';
import { followFile, TRUNCATED_MARKER } from '../../../src/logs/follow.js';
import { RotatingFile } from '../../../src/logs/rotating-file.js';

let dir: string;
let ac: AbortController;
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'procvisor-follow-'));
  ac = new AbortController();
});
afterEach(() => {
  ac.abort();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Reads from the follower until the collected text satisfies `done` (or 3 s pass).
async function readUntil(it: AsyncIterator<Buffer>, done: (text: string) => boolean, text = ''): Promise<string> {
  const deadline = Date.now() + 3000;
  while (!done(text)) {
    if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(text)}`);
    const r = await it.next();
    if (r.done) break;
    text += r.value.toString('latin1');
  }
  return text;
}

describe('followFile', () => {
  it('starts with the last 1024 bytes, then streams appended data', async () => {
    const p = join(dir, 'f.log');
    const head = Buffer.alloc(1500, 'h');
    head.write('TAILSTART', 1500 - 1024);
    fs.writeFileSync(p, head);
    const it = followFile(p, { signal: ac.signal })[Symbol.asyncIterator]();
    const first = await readUntil(it, (t) => t.length >= 1024);
    expect(first.length).toBe(1024);
    expect(first.startsWith('TAILSTART')).toBe(true);
    fs.appendFileSync(p, 'more\n');
    expect(await readUntil(it, (t) => t.includes('\n'))).toBe('more\n');
  });

  it('streams a short file whole', async () => {
    const p = join(dir, 'short.log');
    fs.writeFileSync(p, 'tiny\n');
    const it = followFile(p, { signal: ac.signal })[Symbol.asyncIterator]();
    expect(await readUntil(it, (t) => t.length >= 5)).toBe('tiny\n');
  });

  it('announces truncation, then streams from the start', async () => {
    const p = join(dir, 't.log');
    fs.writeFileSync(p, 'a long first line\n');
    const it = followFile(p, { signal: ac.signal })[Symbol.asyncIterator]();
    await readUntil(it, (t) => t.endsWith('\n'));
    fs.truncateSync(p, 0);
    expect(await readUntil(it, (t) => t.length > 0)).toBe(TRUNCATED_MARKER);
    fs.appendFileSync(p, 'new\n');
    expect(await readUntil(it, (t) => t.endsWith('\n'))).toBe('new\n');
  });

  it('follows rotation (new inode), draining the old file first', async () => {
    const p = join(dir, 'r.log');
    const f = new RotatingFile({ path: p, maxbytes: 20, backups: 2 });
    f.open();
    f.write(Buffer.from('start\n'));
    const it = followFile(p, { signal: ac.signal, pollMs: 50 })[Symbol.asyncIterator]();
    expect(await readUntil(it, (t) => t.endsWith('\n'))).toBe('start\n');
    f.write(Buffer.from('fills the file up\n')); // 24 ≥ 20: rotated to r.log.1
    f.write(Buffer.from('in the new file\n'));
    const text = await readUntil(it, (t) => t.includes('new file\n'));
    expect(text).toBe('fills the file up\nin the new file\n');
    f.close();
  });

  it('ends when the signal aborts', async () => {
    const p = join(dir, 'a.log');
    fs.writeFileSync(p, 'x');
    const it = followFile(p, { signal: ac.signal, pollMs: 10_000 })[Symbol.asyncIterator]();
    await it.next();
    const pending = it.next();
    ac.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('a missing file → NoFileError (supervisord answers 404)', async () => {
    const it = followFile(join(dir, 'missing.log'), { signal: ac.signal })[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(NoFileError);
  });
});
