// No orphans, ever: whatever ends the host process, every child it started, every process in
// their groups and sessions, and their descendants are gone within 2 seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from '../../helpers/manager.js';
import { procTable, survivorsOf, isAlive } from '../../helpers/processes.js';
import { until } from '../../helpers/wait-for.js';

const dist = fileURLToPath(new URL('../../../dist/index.js', import.meta.url));
const hosts: ChildProcess[] = [];
const everSeen = new Set<number>();

afterEach(() => {
  // Belt and braces for a failing test: end what this file started, by pid.
  for (const h of hosts.splice(0)) if (h.pid && isAlive(h.pid)) process.kill(h.pid, 'SIGKILL');
  for (const r of survivorsOf(everSeen)) process.kill(r.pid, 'SIGKILL');
  everSeen.clear();
});

/** Starts a host, waits for its children to be RUNNING, returns the host and every descendant pid. */
async function startHost(mode: string): Promise<{ host: ChildProcess; tree: number[]; output: () => string }> {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const host = spawn(process.execPath, [fixture('host.mjs'), mode], { stdio: ['pipe', 'pipe', 'pipe'], env });
  hosts.push(host);
  let out = '';
  host.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  host.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  await until(
    () => out.includes('ready '),
    () => `host output: ${out}`,
    8000,
  );
  const children = JSON.parse(out.slice(out.indexOf('ready ') + 6).split('\n')[0] as string) as number[];
  children.forEach((p) => everSeen.add(p));
  // fork-tree and the shells start their grandchildren asynchronously: wait until they exist.
  await until(
    () => survivorsOf(children).length >= 13,
    () => `family so far: ${JSON.stringify(survivorsOf(children))}`,
    5000,
  );
  const tree = survivorsOf(children).map((r) => r.pid);
  tree.forEach((p) => everSeen.add(p));
  return { host, tree, output: () => out };
}

describe.skipIf(!existsSync(dist))('no orphans when the host dies', () => {
  for (const [mode, kill] of [
    ['sigkill-wait', (h: ChildProcess) => h.kill('SIGKILL')],
    ['sigterm-wait', (h: ChildProcess) => h.kill('SIGTERM')],
    ['throw', (h: ChildProcess) => h.stdin?.write('go\n')],
    ['shutdown', (h: ChildProcess) => h.stdin?.write('go\n')],
  ] as const) {
    it(`${mode}: every child, group member and descendant is gone within 2 s`, async () => {
      const { host, tree, output } = await startHost(mode);
      // 6 children; fork-tree's 3 children (one in its own session) and its sh's 2 sleeps; shell's 2 sleeps.
      expect(tree.length).toBeGreaterThanOrEqual(13);
      const t0 = Date.now();
      kill(host);
      await until(() => host.exitCode !== null || host.signalCode !== null, output, 5000);
      await until(
        () => tree.every((p) => !isAlive(p)),
        () => `survivors after ${Date.now() - t0} ms: ${JSON.stringify(procTable().filter((r) => tree.includes(r.pid) && r.state !== 'Z'))}`,
        2000,
      );
    });
  }
});

describe.skipIf(!existsSync(dist))('nothing left once the last manager has shut down', () => {
  it('after await pm.shutdown() the host has no child left, the orphan watchdog included', async () => {
    const { host, tree, output } = await startHost('shutdown-stay');
    host.stdin?.write('go\n');
    await until(() => output().includes('left '), output, 8000);
    const left = JSON.parse(
      output()
        .slice(output().indexOf('left ') + 5)
        .split('\n')[0] as string,
    ) as number[];
    expect(left).toEqual([]);
    expect(tree.filter((p) => isAlive(p))).toEqual([]);
  });
});

import { createTestManager } from '../../helpers/manager.js';
import { waitForEvent } from '../../helpers/wait-for.js';

describe('no orphans after shutdown', () => {
  it('ends a grandchild that left its session after its parent was killed and restarted', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({ name: 'esc', command: ['sh', '-c', 'setsid sleep 1000 & echo "gc $!"; wait'], startsecs: 0, autorestart: true });
    await pm.start();
    await until(
      () => pm.lastLines('esc', 1)[0]?.startsWith('gc ') === true,
      () => 'no grandchild pid printed',
    );
    const first = Number(pm.lastLines('esc', 1)[0]?.slice(3));
    const parent = pm.getProcessInfo('esc').pid;
    const restarted = waitForEvent(pm, (e) => e.name === 'esc' && e.to === 'RUNNING' && e.pid !== parent);
    process.kill(parent, 'SIGKILL');
    await restarted;
    expect(isAlive(first)).toBe(true); // orphaned by the kill, adopted by init
    await pm.shutdown();
    await until(
      () => !isAlive(first),
      () => `pid ${first} survived shutdown`,
      2000,
    );
  });
});
