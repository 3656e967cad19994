// Rotated backups off the hot path: gzip compression of a just-rotated file into `path.1.gz`
// (shifting the older `.N.gz`), and removal of backups past a maximum age. Everything here is
// asynchronous and runs after the live file was already reopened; the writer never waits for it.
import { createReadStream, createWriteStream, promises as fsp, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Where a rotated file waits for compression: `path.rotating-<epochMs>-<n>`. */
export function pendingName(path: string, epochMs: number, n: number): string {
  return `${path}.rotating-${epochMs}-${n}`;
}

/** Files left waiting for compression (a crash during it), oldest first. Synchronous: read at open. */
export function leftoverPending(path: string): string[] {
  const prefix = `${basename(path)}.rotating-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  const key = (n: string) => n.slice(prefix.length).split('-').map(Number);
  return names
    .filter((n) => n.startsWith(prefix) && !n.endsWith('.tmp'))
    .sort((a, b) => {
      const [ta = 0, na = 0] = key(a);
      const [tb = 0, nb = 0] = key(b);
      return ta - tb || na - nb;
    })
    .map((n) => join(dirname(path), n));
}

async function removeIfExists(path: string): Promise<void> {
  await fsp.rm(path, { force: true });
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await fsp.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Compresses `pending` (a rotated copy of `path`) into `path.1.gz`: gzip to a temporary file,
 * shift `path.(B-1).gz` → `path.B.gz` … `path.1.gz` → `path.2.gz`, move the new one in, delete
 * `pending`. The backup keeps the modification time of its content.
 */
export async function compressBackup(pending: string, path: string, backups: number, mode: number): Promise<void> {
  const tmp = `${pending}.gz.tmp`;
  const { mtime } = await fsp.stat(pending);
  await pipeline(createReadStream(pending), createGzip(), createWriteStream(tmp, { mode }));
  await fsp.utimes(tmp, mtime, mtime);
  await removeIfExists(`${path}.${backups}.gz`);
  for (let i = backups - 1; i >= 1; i--) await renameIfExists(`${path}.${i}.gz`, `${path}.${i + 1}.gz`);
  await fsp.rename(tmp, `${path}.1.gz`);
  await removeIfExists(pending);
}

/** Deletes backups of `path` (`path.N`, `path.N.gz`) last modified more than `maxAgeMs` before `now`. */
export async function removeOldBackups(path: string, maxAgeMs: number, now: number): Promise<string[]> {
  const prefix = `${basename(path)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fsp.readdir(dirname(path));
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^\d+(\.gz)?$/.test(name.slice(prefix.length))) continue;
    const full = join(dirname(path), name);
    try {
      const { mtimeMs } = await fsp.stat(full);
      if (now - mtimeMs > maxAgeMs) {
        await removeIfExists(full);
        removed.push(full);
      }
    } catch {
      // vanished meanwhile
    }
  }
  return removed;
}
