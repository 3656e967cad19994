// Crash-safe file replacement: the new text goes to a temporary file in the same directory, is
// flushed to disk, renamed over the target (atomic on POSIX file systems), and the directory is
// flushed so the rename itself survives a power loss. A crash at any point leaves the old file or
// the new one, never a torn one; at worst a temporary file, which readers skip.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Temporary files are named `.<target>.tmp-<random>` (hidden, and never matching `*.conf`). */
export function isTemporaryName(name: string): boolean {
  return /^\..+\.tmp-[0-9a-f]{12}$/.test(name);
}

/** Flushes a directory's entries (renames, unlinks) to disk. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `text` atomically and durably (mode 0644). */
export function writeFileAtomic(path: string, text: string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  const fd = openSync(temp, 'wx', 0o644);
  try {
    const bytes = Buffer.from(text, 'utf8');
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  fsyncDirectory(dir);
}

/** Removes `path` durably; false when there was no such file. */
export function removeFileDurably(path: string): boolean {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  fsyncDirectory(dirname(path));
  return true;
}
