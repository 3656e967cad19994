// `npm run bench:fleet` (after `npm run build`; needs Debian's etcd-server): the fleet's two
// figures, each beside its floor measured in the same run.
//
//  1. API write -> RUNNING on another node: POST /api/fleet/programs on node A for a program
//     placed on node B, until B's own status shows it RUNNING (startsecs=0). Floor: the same
//     path without procvisor: an etcd put by one client, seen by another client's watch, then a
//     bare child_process.spawn of the same command until its 'spawn' event.
//  2. Status publishing for 500 processes on one node: etcd writes per second while they start,
//     while idle, and while all of them are restarted, with the bytes of each write.
//
//   node bench/fleet.mjs [--reps=20] [--processes=500] [--out=FILE.md]
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { request } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, fmt, machine, now, sleep, stats, waitFor } from './lib.mjs';

delete process.env.NODE_EXTRA_CA_CERTS;
const root = fileURLToPath(new URL('..', import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const REPS = Number(args.reps ?? 20);
const PROCESSES = Number(args.processes ?? 500);
const PROCVISOR = join(root, 'dist/cli/procvisor.js');
const { Etcd3 } = await import('etcd3');

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const work = mkdtempSync(join(tmpdir(), 'procvisor-bench-fleet-'));
const children = [];

async function startEtcd(members = 3) {
  const ports = [];
  for (let i = 0; i < members; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const cluster = ports.map((p, i) => `m${i}=http://127.0.0.1:${p.peer}`).join(',');
  ports.forEach((p, i) => {
    const out = openSync(join(work, `etcd-${i}.log`), 'w');
    const child = spawn(
      'etcd',
      [
        `--name=m${i}`,
        `--data-dir=${join(work, `etcd-${i}`)}`,
        `--listen-client-urls=http://127.0.0.1:${p.client}`,
        `--advertise-client-urls=http://127.0.0.1:${p.client}`,
        `--listen-peer-urls=http://127.0.0.1:${p.peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${p.peer}`,
        `--initial-cluster=${cluster}`,
        '--initial-cluster-state=new',
        '--log-level=warn',
        '--logger=zap',
      ],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    children.push(child);
  });
  const endpoints = ports.map((p) => `http://127.0.0.1:${p.client}`);
  const client = new Etcd3({ hosts: endpoints });
  await waitFor(
    async () =>
      await client
        .put('/bench/ready')
        .value('1')
        .then(
          () => true,
          () => false,
        ),
    { timeout: 30000, what: 'etcd cluster up' },
  );
  return { endpoints, client };
}

function api(port, method, path, body) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers = { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };
  if (data) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function startNode(name, endpoints, prefix, extra = '') {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(
    conf,
    `[supervisord]\nlogfile=%(here)s/main.log\npidfile=%(here)s/pid\nchildlogdir=%(here)s\n[inet_http_server]\nport=127.0.0.1:${port}\nusername=u\npassword=p\n` +
      `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n` +
      `[fleet]\netcd=${endpoints.join(',')}\nnode=${name}\nprefix=${prefix}\n${extra}`,
  );
  const child = spawn(process.execPath, [PROCVISOR, '-n', '-c', conf], { env: childEnv(), stdio: 'ignore' });
  children.push(child);
  await waitFor(async () => (await api(port, 'GET', '/api/fleet').catch(() => ({}))).body?.connected === true, {
    timeout: 30000,
    what: `node ${name} connected`,
  });
  return { name, port, child };
}

async function localState(node, group) {
  const r = await api(node.port, 'GET', '/api/status');
  return r.body.processes.find((p) => p.group === group)?.statename;
}

const lines = [];
const say = (s) => (console.log(s), lines.push(s));

try {
  say(`# Fleet bench`);
  say('');
  say(
    `${machine()}; etcd: three members on loopback; ${new Date().toISOString().slice(0, 10)}; \`node bench/fleet.mjs --reps=${REPS} --processes=${PROCESSES}\``,
  );
  say('');
  const { endpoints, client } = await startEtcd(3);
  const prefix = `/bench${Date.now()}`;
  const a = await startNode('a', endpoints, prefix);
  const b = await startNode('b', endpoints, prefix);

  // ---- 1. API write -> RUNNING on another node ----
  const write = [];
  const floor = [];
  const watcherClient = new Etcd3({ hosts: endpoints });
  for (let i = 0; i < REPS; i++) {
    // floor: put, seen by another client's watch, then a bare spawn
    const key = `${prefix}-floor/k${i}`;
    const w = await watcherClient.watch().key(key).create();
    const t0 = now();
    const seen = new Promise((r) => w.once('put', r));
    await client.put(key).value('x');
    await seen;
    const c = spawn('sleep', ['1000'], { stdio: 'ignore' });
    await new Promise((r) => c.once('spawn', r));
    floor.push(now() - t0);
    c.kill('SIGKILL');
    await w.cancel();

    const name = `p${i}`;
    const t1 = now();
    const r = await api(a.port, 'POST', '/api/fleet/programs', { name, command: 'sleep 1000', startsecs: 0, placement: { nodes: ['b'] } });
    if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    await waitFor(async () => (await localState(b, name)) === 'RUNNING', { timeout: 10000, every: 1, what: `${name} RUNNING on b` });
    write.push(now() - t1);
    await api(a.port, 'DELETE', `/api/fleet/programs/${name}`);
    await waitFor(async () => (await localState(b, name)) === undefined, { timeout: 10000, every: 5, what: `${name} removed` });
  }
  watcherClient.close();
  const ws = stats(write);
  const fs = stats(floor);
  say('## API write on node A → RUNNING on node B');
  say('');
  say('| path | median | p90 | max | ratio to floor (median) |');
  say('|---|---|---|---|---|');
  say(`| floor: etcd put → another client's watch → bare spawn | ${fs.median.toFixed(1)} ms | ${fs.p90.toFixed(1)} ms | ${fs.max.toFixed(1)} ms | 1.00× |`);
  say(
    `| procvisor: POST /api/fleet/programs on A → RUNNING on B | ${ws.median.toFixed(1)} ms | ${ws.p90.toFixed(1)} ms | ${ws.max.toFixed(1)} ms | ${(ws.median / fs.median).toFixed(2)}× |`,
  );
  say('');
  say(`procvisor: ${fmt(ws)}; floor: ${fmt(fs)}. The procvisor path also polls B's /api/status every ~1 ms to see RUNNING.`);
  say('');

  // ---- 2. Status publishing for N processes on one node ----
  const dir = join(work, 'c');
  const c = await startNode('c', endpoints, prefix, 'status_interval=1\nstatus_refresh=30\n');
  const statusKey = `${prefix}/status/c`;
  const writes = [];
  const w = await client.watch().key(statusKey).create();
  w.on('put', (kv) => writes.push({ at: now(), bytes: kv.value.length }));
  const window = async (label, fn, seconds) => {
    const from = writes.length;
    const t0 = now();
    await fn();
    const left = seconds * 1000 - (now() - t0);
    if (left > 0) await sleep(left);
    const took = (now() - t0) / 1000;
    const mine = writes.slice(from);
    const bytes = mine.length ? Math.round(mine.reduce((s, x) => s + x.bytes, 0) / mine.length) : 0;
    return { label, writes: mine.length, seconds: took, rate: mine.length / took, bytes };
  };
  const rows = [];
  rows.push(
    await window(
      `${PROCESSES} processes added and started`,
      async () => {
        const r = await api(c.port, 'POST', '/api/fleet/programs', {
          name: 'many',
          command: 'sleep 1000',
          numprocs: PROCESSES,
          process_name: '%(program_name)s_%(process_num)s',
          startsecs: 0,
          placement: { nodes: ['c'] },
        });
        if (r.status !== 201) throw new Error(`create many: ${r.status} ${JSON.stringify(r.body)}`);
        await waitFor(async () => (await api(c.port, 'GET', '/api/status')).body.processes.filter((p) => p.statename === 'RUNNING').length === PROCESSES, {
          timeout: 60000,
          every: 50,
          what: 'all RUNNING',
        });
      },
      5,
    ),
  );
  rows.push(await window('idle', async () => {}, 10));
  rows.push(
    await window(
      `all ${PROCESSES} restarted through the fleet API`,
      async () => {
        const r = await api(a.port, 'POST', '/api/fleet/programs/many/restart');
        if (r.status !== 200) throw new Error(`restart: ${r.status}`);
      },
      5,
    ),
  );
  await w.cancel();
  say(`## Status publishing: etcd writes of one node with ${PROCESSES} processes (status_interval=1, status_refresh=30)`);
  say('');
  say('| phase | writes | seconds | writes/s | bytes per write |');
  say('|---|---|---|---|---|');
  for (const r of rows) say(`| ${r.label} | ${r.writes} | ${r.seconds.toFixed(1)} | ${r.rate.toFixed(2)} | ${r.bytes} |`);
  say('');
  say(
    `Each write is the node's whole status in one key; changes within status_interval are coalesced, so the rate is bounded by 1/status_interval whatever the churn (the floor is 0 writes/s when idle).`,
  );
  await api(a.port, 'DELETE', '/api/fleet/programs/many');
  client.close();
  void dir;
} finally {
  for (const ch of children.reverse()) {
    if (ch.exitCode === null && ch.signalCode === null) {
      const done = new Promise((r) => ch.once('exit', r));
      ch.kill('SIGTERM');
      await Promise.race([done, sleep(20000)]);
      if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
    }
  }
  rmSync(work, { recursive: true, force: true });
}
if (args.out) writeFileSync(args.out, lines.join('\n') + '\n');
