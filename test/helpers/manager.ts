// createTestManager(): a ProcessManager registered for cleanup after each test, with a leak check
// that every child it ever started (and their groups) is gone.
import { afterEach, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessManager, type ManagerOptions } from '../../src/index.js';
import { survivorsOf } from './processes.js';
import { waitUntil } from './wait-for.js';

const managers: { pm: ProcessManager; pids: Set<number>; dir: string }[] = [];

/** Absolute path of a fixture program. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/programs/${name}`, import.meta.url));
}

/** argv running a Node fixture with this Node. */
export function node(name: string, ...args: (string | number)[]): string[] {
  return [process.execPath, fixture(name), ...args.map(String)];
}

export function createTestManager(options: ManagerOptions = {}): ProcessManager & { tmp: string } {
  const dir = mkdtempSync(join(tmpdir(), 'procvisor-test-'));
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const pm = new ProcessManager({ childlogdir: dir, environment: env, ...options }) as ProcessManager & { tmp: string };
  pm.tmp = dir;
  const pids = new Set<number>();
  pm.on('processState', (e) => {
    if (e.pid) pids.add(e.pid);
  });
  managers.push({ pm, pids, dir });
  return pm;
}

afterEach(async () => {
  const list = managers.splice(0);
  for (const { pm, pids, dir } of list) {
    await pm.shutdown({ force: false });
    // survivorsOf includes every listed pid that is still alive (not a zombie).
    await waitUntil(() => survivorsOf(pids).length === 0, 3000);
    rmSync(dir, { recursive: true, force: true });
    expect(survivorsOf(pids), 'processes the test left behind').toEqual([]);
  }
});
