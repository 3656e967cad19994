// Differential: RotatingFile against supervisord 4.2.5's RotatingFileHandler fed the same chunks
// (the handler that writes child logs: fmt '%(message)s', one emit per chunk). Skipped when
// supervisord's Python package is absent.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RotatingFile } from '../../../src/logs/rotating-file.js';

const PYTHON = '/usr/bin/python3';
// argv: path maxbytes backups, then chunk sizes; chunk k is filled with byte 'a' + k % 26.
const SCRIPT = `
import sys
from supervisor import loggers
path, maxbytes, backups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
log = loggers.getLogger(loggers.LevelsByName.INFO)
loggers.handle_file(log, path, '%(message)s', rotating=not not maxbytes, maxbytes=maxbytes, backups=backups)
for k, n in enumerate(sys.argv[4:]):
    log.info(bytes([97 + k % 26]) * int(n))
log.close()
`;

function hasSupervisorPackage(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import supervisor.loggers'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const root = fs.mkdtempSync(join(tmpdir(), 'procvisor-rotdiff-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// Every file in `dir`, name → contents.
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.readFileSync(join(dir, f), 'latin1')]),
  );
}

const scenarios: [name: string, maxbytes: number, backups: number, chunks: number[]][] = [
  ['one write per line', 200, 2, Array<number>(40).fill(51)],
  ['one big burst', 1024, 10, [14_890]],
  ['no rotation', 0, 10, [14_890, 3]],
  ['no backups', 1024, 0, [14_890]],
  ['mixed sizes', 100, 3, [1, 99, 5, 300, 40, 40, 40, 1, 0, 250, 7, 93, 100, 12]],
  ['exact boundary', 10, 1, [10, 9, 1, 11, 5]],
];

describe.skipIf(!hasSupervisorPackage())('RotatingFile matches supervisord 4.2.5 RotatingFileHandler', () => {
  it.each(scenarios)('%s (maxbytes=%i, backups=%i)', (name, maxbytes, backups, chunks) => {
    const theirs = fs.mkdtempSync(join(root, 'py-'));
    const ours = fs.mkdtempSync(join(root, 'ts-'));
    execFileSync(PYTHON, ['-c', SCRIPT, join(theirs, 'x.log'), String(maxbytes), String(backups), ...chunks.map(String)]);
    const f = new RotatingFile({ path: join(ours, 'x.log'), maxbytes, backups });
    f.open();
    chunks.forEach((n, k) => f.write(Buffer.alloc(n, 97 + (k % 26))));
    f.close();
    expect(snapshot(ours), name).toEqual(snapshot(theirs));
  });
});
