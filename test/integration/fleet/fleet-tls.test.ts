// The [fleet] section's TLS files reach etcd: a node with the CA and a client certificate joins a
// cluster that requires client certificates; one with the CA alone is refused and says why.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETCD, etcdctl, etcdOrWarn } from '../../helpers/etcd-cluster.js';
import { freePort } from '../../helpers/concurrency.js';
import { HAVE_PROCVISOR } from '../daemon/daemon-pair.js';
import { until } from '../../helpers/wait-for.js';
import { FleetNode, markedPids } from './fleet-nodes.js';

const OPENSSL = '/usr/bin/openssl';
const haveOpenssl = existsSync(OPENSSL);
if (!haveOpenssl) console.warn('NOTICE: fleet TLS tests skipped: /usr/bin/openssl is missing (it makes their certificates).');
const enabled = HAVE_PROCVISOR && haveOpenssl && etcdOrWarn('fleet TLS tests');

/** A CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`. */
function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=procvisor test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, ext] of [
    ['server', 'server.ext'],
    ['client', 'client.ext'],
  ] as const) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', ext);
  }
}

describe.skipIf(!enabled)('fleet with etcd over TLS and client certificates', () => {
  let root: string;
  let etcd: ChildProcess | undefined;
  let url = '';
  const mark = `fleet-tls-${process.pid}-${Date.now()}`;
  const nodes: FleetNode[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'procvisor-fleet-tls-'));
    makeCertificates(root);
    const [client, peer] = [await freePort(), await freePort()];
    url = `https://127.0.0.1:${client}`;
    etcd = spawn(
      ETCD,
      [
        '--name=tls0',
        `--data-dir=${join(root, 'data')}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-cluster=tls0=http://127.0.0.1:${peer}`,
        `--cert-file=${join(root, 'server.pem')}`,
        `--key-file=${join(root, 'server.key')}`,
        `--trusted-ca-file=${join(root, 'ca.pem')}`,
        '--client-cert-auth',
        '--log-level=error',
        '--logger=zap',
      ],
      { stdio: 'ignore' },
    );
    const tls = ['--cacert', join(root, 'ca.pem'), '--cert', join(root, 'client.pem'), '--key', join(root, 'client.key')];
    await until(async () => (await etcdctl([url], [...tls, 'endpoint', 'health'])).status === 0, 'etcd over TLS healthy', 20_000, 100);
  }, 40_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    if (etcd && etcd.exitCode === null && etcd.signalCode === null) {
      const exited = new Promise((r) => etcd?.once('exit', r));
      etcd.kill('SIGTERM');
      // Bounded: a member that does not stop within 10 s is killed.
      const timer = setTimeout(() => etcd?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    const left = markedPids(mark);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
    expect(left).toEqual([]);
  }, 30_000);

  /** The node reaches etcd through its own proxy, so the URL in [fleet] is the proxy's, over https. */
  const node = async (name: string, options: string) => {
    const n = new FleetNode(name, join(root, name), mark, [Number(new URL(url).port)], options, 'https');
    nodes.push(n);
    await n.start();
    return n;
  };

  it('joins with the CA and a client certificate', async () => {
    const n = await node(
      'tls-good',
      `ca_file=${join(root, 'ca.pem')}\ncert_file=${join(root, 'client.pem')}\nkey_file=${join(root, 'client.key')}\nlease_ttl=2`,
    );
    await until(async () => (await n.api('GET', '/api/fleet')).body.connected === true, 'tls-good connected', 15_000, 50);
    const r = await n.api('POST', '/api/fleet/programs', { name: 'secure', command: 'sleep 3701', startsecs: 0 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await until(async () => (await n.local('secure'))?.statename === 'RUNNING', 'secure RUNNING', 15_000, 25);
  }, 30_000);

  it('is refused without a client certificate, and says so', async () => {
    const n = await node('tls-bad', `ca_file=${join(root, 'ca.pem')}\nlease_ttl=2`);
    const info = await n.fleetError();
    expect(info.connected).toBe(false);
    expect((await n.api('GET', '/api/fleet/programs')).status).toBe(503);
  }, 30_000);
});
