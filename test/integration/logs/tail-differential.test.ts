// Differential: readLog/tailLog and the ring against supervisord 4.2.5's own readFile/tailFile,
// over a grid of offsets and lengths. Skipped when supervisord's Python package is absent.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../src/logs/ring-buffer.js';
import { readLog, tailLog } from '../../../src/logs/tail.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = `
import json, sys
from supervisor.options import readFile, tailFile
p = sys.argv[1]
out = []
for off in range(-14, 14):
    for ln in range(-4, 14):
        try:
            r = readFile(p, off, ln).decode()
        except ValueError as e:
            r = 'ERR:' + e.args[0]
        out.append([off, ln, r, tailFile(p, off, ln)])
print(json.dumps(out))
`;

function hasSupervisorPackage(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import supervisor.options'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const dir = fs.mkdtempSync(join(tmpdir(), 'procvisor-taildiff-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Case = [offset: number, length: number, read: string, tail: [string, number, boolean]];

describe.skipIf(!hasSupervisorPackage())('read/tail match supervisord 4.2.5 (readFile, tailFile)', () => {
  it('on a 10-byte file, for offsets -14..13 and lengths -4..13', () => {
    const p = join(dir, 'echoer.log');
    fs.writeFileSync(p, 'hello-out\n');
    const cases = JSON.parse(execFileSync(PYTHON, ['-c', SCRIPT, p], { encoding: 'utf8' })) as Case[];
    const ring = new RingBuffer(64);
    ring.write(Buffer.from('hello-out\n'));
    const attempt = (fn: () => string): string => {
      try {
        return fn();
      } catch (err) {
        return `ERR:${(err as { code: string }).code}`;
      }
    };
    const mismatches = cases.filter(([offset, length, read, tail]) => {
      const ours = [
        attempt(() => readLog(p, offset, length)),
        attempt(() => ring.read(offset, length)),
        JSON.stringify(tailLog(p, offset, length)),
        JSON.stringify(ring.tail(offset, length)),
      ];
      return ours.join('|') !== [read, read, JSON.stringify(tail), JSON.stringify(tail)].join('|');
    });
    expect(cases).toHaveLength(28 * 18);
    expect(mismatches).toEqual([]);
  });
});
