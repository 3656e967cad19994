// The test helper that runs a real etcd cluster (Debian's etcd 3.4) for the fleet tests: it comes
// up healthy, serves writes through etcdctl, stays writable with one member killed, keeps its data
// across stopAll/startAll, and close() leaves no etcd process and no data dir behind.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdCluster, etcdctl, etcdOrWarn } from '../helpers/etcd-cluster.js';
import { procTable, survivorsOf } from '../helpers/processes.js';

const HAVE_ETCD = etcdOrWarn('etcd cluster helper tests');

async function put(c: EtcdCluster, key: string, value: string): Promise<void> {
  const r = await etcdctl(c.endpoints, ['put', key, value]);
  expect(r, `etcdctl put ${key}: ${r.stderr}`).toMatchObject({ status: 0, stdout: 'OK\n' });
}

// A write that was in flight to a leader that died fails ("request timed out, possibly due to
// previous leader failure") and a client retries it: writable means a retry succeeds soon.
async function putRetrying(c: EtcdCluster, key: string, value: string, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const failures: string[] = [];
  for (;;) {
    const r = await etcdctl(c.endpoints, ['put', key, value, '--command-timeout=1s']);
    if (r.status === 0 && r.stdout === 'OK\n') return failures.length;
    failures.push(r.stderr.trim().split('\n').pop() ?? '');
    if (Date.now() > deadline) throw new Error(`etcdctl put ${key} kept failing for ${timeoutMs} ms: ${failures.join(' | ')}`);
  }
}

async function get(c: EtcdCluster, key: string): Promise<string> {
  const r = await etcdctl(c.endpoints, ['get', '--print-value-only', key]);
  expect(r.status, `etcdctl get ${key}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
}

async function expectGone(pids: number[]): Promise<void> {
  const deadline = Date.now() + 5000;
  while (survivorsOf(pids).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(survivorsOf(pids), 'etcd processes left behind').toEqual([]);
}

describe.skipIf(!HAVE_ETCD)('etcd cluster helper (3 members)', () => {
  let c: EtcdCluster;
  const seen = new Set<number>();
  beforeAll(async () => {
    c = await EtcdCluster.start();
  }, 30_000);
  afterAll(async () => {
    await c?.close();
  });

  it('comes up with three healthy etcd members on distinct loopback ports; put/get works', async () => {
    expect(c.endpoints).toHaveLength(3);
    expect(new Set(c.endpoints).size).toBe(3);
    for (const e of c.endpoints) expect(e).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const rows = procTable();
    for (const pid of c.pids()) {
      seen.add(pid);
      expect(rows.find((r) => r.pid === pid)?.cmd).toMatch(/etcd --name=m\d/);
    }
    expect(seen.size).toBe(3);
    const list = await etcdctl(c.endpoints, ['member', 'list']);
    expect(list.stdout.trim().split('\n')).toHaveLength(3);
    await put(c, '/t/a', 'one');
    expect(await get(c, '/t/a')).toBe('one');
  });

  it('stays writable with one member killed (SIGKILL), and the member rejoins with its data dir', async () => {
    const victim = c.member(0);
    const pid = victim.pid as number;
    await victim.kill();
    expect(victim.running).toBe(false);
    await expectGone([pid]);
    await putRetrying(c, '/t/b', 'two');
    expect(await get(c, '/t/b')).toBe('two');
    victim.start();
    seen.add(victim.pid as number);
    await c.waitHealthy();
    // The restarted member caught up: read through it alone.
    const r = await etcdctl([victim.clientUrl], ['get', '--print-value-only', '/t/b']);
    expect(r.stdout.trim()).toBe('two');
  });

  it('keeps the data across stopAll (SIGTERM) and startAll', async () => {
    await put(c, '/t/c', 'three');
    const before = c.pids();
    await c.stopAll();
    expect(c.pids()).toEqual([]);
    await expectGone(before);
    const down = await etcdctl(c.endpoints, ['get', '/t/c', '--dial-timeout=500ms', '--command-timeout=1s']);
    expect(down.status).not.toBe(0);
    await c.startAll();
    for (const pid of c.pids()) seen.add(pid);
    expect(await get(c, '/t/a')).toBe('one');
    expect(await get(c, '/t/c')).toBe('three');
  });

  it('close() ends every member it started and removes the data dirs', async () => {
    const root = c.root;
    expect(existsSync(root)).toBe(true);
    await c.close();
    await expectGone([...seen]);
    expect(existsSync(root)).toBe(false);
    await c.close(); // idempotent
  });
});

describe.skipIf(!HAVE_ETCD)('etcd cluster helper (1 member)', () => {
  it('runs a single-member cluster and closes it', async () => {
    const c = await EtcdCluster.start({ members: 1 });
    const pids = c.pids();
    try {
      expect(c.endpoints).toHaveLength(1);
      await put(c, 'k', 'v');
      expect(await get(c, 'k')).toBe('v');
    } finally {
      await c.close();
    }
    await expectGone(pids);
  });
});
