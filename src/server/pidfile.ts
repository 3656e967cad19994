// supervisord's pidfile: written after startup, removed at exit (only if it still holds our pid).
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

export function writePidfile(path: string, pid = process.pid): void {
  writeFileSync(path, `${pid}\n`);
}

export function removePidfile(path: string, pid = process.pid): void {
  try {
    if (readFileSync(path, 'utf8').trim() === String(pid)) unlinkSync(path);
  } catch {
    // already gone
  }
}
