// The [fleet] section's etcd credentials reach etcd: a node with the right user joins, one with a
// wrong password stays out and says why, while running its own programs as usual.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdCluster, etcdctl, etcdOrWarn } from '../../helpers/etcd-cluster.js';
import { HAVE_PROCVISOR } from '../daemon/daemon-pair.js';
import { until } from '../../helpers/wait-for.js';
import { FleetNode, markedPids } from './fleet-nodes.js';

const enabled = HAVE_PROCVISOR && etcdOrWarn('fleet authentication tests');

describe.skipIf(!enabled)('fleet with etcd authentication', () => {
  let cluster: EtcdCluster;
  let root: string;
  const mark = `fleet-auth-${process.pid}-${Date.now()}`;
  const nodes: FleetNode[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'procvisor-fleet-auth-'));
    cluster = await EtcdCluster.start({ members: 1 });
    for (const args of [
      ['user', 'add', 'root', '--new-user-password=s3cret'],
      ['auth', 'enable'],
    ]) {
      const r = await etcdctl(cluster.endpoints, args);
      expect(r.status, r.stderr).toBe(0);
    }
  }, 30_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await cluster?.close();
    const left = markedPids(mark);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
    expect(left).toEqual([]);
  }, 30_000);

  const port = () => Number(new URL(cluster.endpoints[0] as string).port);

  it('joins with the right credentials', async () => {
    const node = new FleetNode('good', join(root, 'good'), mark, [port()], 'username=root\npassword=s3cret\nlease_ttl=2');
    nodes.push(node);
    await node.start();
    await until(async () => (await node.api('GET', '/api/fleet')).body.connected === true, 'good connected', 15_000, 50);
    const r = await node.api('POST', '/api/fleet/programs', { name: 'authed', command: 'sleep 3601', startsecs: 0 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await until(async () => (await node.local('authed'))?.statename === 'RUNNING', 'authed RUNNING', 15_000, 25);
  }, 30_000);

  it('stays out with a wrong password and says why', async () => {
    const node = new FleetNode('bad', join(root, 'bad'), mark, [port()], 'username=root\npassword=wrong\nlease_ttl=2');
    nodes.push(node);
    await node.start();
    const info = await node.fleetError();
    expect(info.connected).toBe(false);
    expect(info.lastError).toMatch(/authentication failed|invalid user ID or password/i);
    expect((await node.api('GET', '/api/fleet/nodes')).status).toBe(503);
  }, 30_000);
});
