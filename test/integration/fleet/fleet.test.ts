// The fleet end to end: a real three-member etcd cluster on loopback and three procvisor daemons
// as nodes a (role=web), b and c (role=worker). Programs are written through one node's API and
// must run where their placement says; a singleton must move when its holder is SIGKILLed and
// never run twice; etcd failures must not disturb what runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdCluster, etcdOrWarn } from '../../helpers/etcd-cluster.js';
import { HAVE_PROCVISOR, HAVE_SUPERVISORD, PROCVISOR_JS, run } from '../daemon/daemon-pair.js';

const PROCVISORCTL_JS = PROCVISOR_JS.replace(/procvisor\.js$/, 'procvisorctl.js');
import { isAlive } from '../../helpers/processes.js';
import { sleep, until } from '../../helpers/wait-for.js';
import { FleetNode, markedPids, PASSWORD, pidsRunning, USER } from './fleet-nodes.js';

const TTL_S = 2;
const enabled = HAVE_PROCVISOR && etcdOrWarn('fleet tests (test/integration/fleet)');

describe.skipIf(!enabled)('fleet on a three-member etcd cluster', () => {
  let cluster: EtcdCluster;
  let root: string;
  const mark = `fleet-${process.pid}-${Date.now()}`;
  const nodes: Record<'a' | 'b' | 'c', FleetNode> = {} as never;
  const all = () => Object.values(nodes);
  let prefix = '';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'procvisor-fleet-'));
    cluster = await EtcdCluster.start({ members: 3 });
    const ports = cluster.members.map((m) => Number(new URL(m.clientUrl).port));
    prefix = `/t${Date.now()}`;
    const labels = { a: 'role=web', b: 'role=worker', c: 'role=worker' };
    for (const n of ['a', 'b', 'c'] as const) {
      nodes[n] = new FleetNode(n, join(root, n), mark, ports, [`labels=${labels[n]}`, `prefix=${prefix}`, `lease_ttl=${TTL_S}`].join('\n'));
    }
    await Promise.all(all().map((n) => n.start()));
    await until(
      async () => {
        const r = await nodes.a.api('GET', '/api/fleet/nodes');
        return r.status === 200 && (r.body.nodes as { alive: boolean }[]).filter((n) => n.alive).length === 3;
      },
      'three live nodes',
      15_000,
      50,
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(all().map((n) => n.close()));
    await cluster?.close();
    const left = markedPids(mark);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
    expect(left, 'processes the fleet nodes started that outlived them').toEqual([]);
  }, 60_000);

  const running = (node: FleetNode, program: string) =>
    until(
      async () => {
        const p = await node.local(program);
        return p?.statename === 'RUNNING' && p;
      },
      () => `${program} RUNNING on ${node.name}`,
      15_000,
      25,
    );

  /** Creates a singleton and waits until its holder runs it. */
  const singleton = async (name: string, command: string) => {
    const r = await nodes.a.api('POST', '/api/fleet/programs', { name, command, startsecs: 0, placement: { singleton: true } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const holderName = await until(
      async () => {
        const p = (await nodes.a.api('GET', `/api/fleet/programs/${name}`)).body.program as { holder?: string; nodes: string[] };
        return p.holder !== undefined && p.nodes.includes(p.holder) && p.holder;
      },
      `a holder running ${name}`,
      15_000,
      25,
    );
    const holder = nodes[holderName as 'a' | 'b' | 'c'];
    return { holderName, holder, first: await running(holder, name) };
  };

  it('runs a program created through node a on node b; an edit restarts only it; deletion stops it', async () => {
    for (const [name, cmd] of [
      ['one', 'sleep 3101'],
      ['two', 'sleep 3102'],
    ]) {
      const r = await nodes.a.api('POST', '/api/fleet/programs', { name, command: cmd, startsecs: 0, placement: { nodes: ['b'] } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const one = await running(nodes.b, 'one');
    const two = await running(nodes.b, 'two');
    expect(await nodes.a.local('one')).toBeUndefined();
    expect(await nodes.c.local('one')).toBeUndefined();

    const edit = await nodes.a.api('PATCH', '/api/fleet/programs/one', { command: 'sleep 3103' });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    const edited = await until(
      async () => {
        const p = await nodes.b.local('one');
        return p?.statename === 'RUNNING' && p.pid !== one.pid && p;
      },
      'one restarted with its new command',
      15_000,
      25,
    );
    expect(pidsRunning('sleep 3103')).toEqual([edited.pid]);
    expect((await nodes.b.local('two'))?.pid, 'the other program kept its process').toBe(two.pid);

    if (HAVE_SUPERVISORD) {
      // The stock supervisorctl sees fleet programs as groups, and its reread/update leave them alone.
      const ctl = (...args: string[]) => run('supervisorctl', ['-s', `http://127.0.0.1:${nodes.b.port}`, '-u', USER, '-p', PASSWORD, ...args]);
      expect((await ctl('status', 'two')).stdout).toMatch(/^two\s+RUNNING\s+pid \d+/);
      const update = await ctl('update');
      expect(update.stdout, update.stderr).not.toMatch(/removed|stopped/);
      expect((await nodes.b.local('two'))?.pid).toBe(two.pid);
    }

    const dup = await nodes.c.api('POST', '/api/fleet/programs', { name: 'one', command: 'sleep 1', placement: { nodes: ['b'] } });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'ALREADY_ADDED']);
    const badPlacement = await nodes.c.api('POST', '/api/fleet/programs', { name: 'bad', command: 'sleep 1', placement: { node: 'b' } });
    expect([badPlacement.status, badPlacement.body.error.field]).toEqual([400, 'placement']);
    const badOption = await nodes.c.api('POST', '/api/fleet/programs', { name: 'bad', command: 'sleep 1', startretries: 'many' });
    expect(badOption.status, JSON.stringify(badOption.body)).toBe(400);
    expect(badOption.body.error.message).toMatch(/startretries/);
    expect((await nodes.c.api('GET', '/api/fleet/programs/bad')).status).toBe(404);
    const badEdit = await nodes.c.api('PATCH', '/api/fleet/programs/one', { startsecs: -5 });
    expect([badEdit.status, badEdit.body.error.message], 'an invalid edit changes nothing').toEqual([400, expect.stringMatching(/startsecs/)]);

    const view = await nodes.c.api('GET', '/api/fleet/programs/one');
    expect(view.body.program).toMatchObject({ name: 'one', placement: { nodes: ['b'] }, config: { command: 'sleep 3103' } });

    for (const name of ['one', 'two']) expect((await nodes.a.api('DELETE', `/api/fleet/programs/${name}`)).status).toBe(200);
    await until(async () => (await nodes.b.local('one')) === undefined && (await nodes.b.local('two')) === undefined, 'one and two removed from b', 15_000, 25);
    expect(isAlive(edited.pid)).toBe(false);
    expect(isAlive(two.pid)).toBe(false);
  }, 60_000);

  it('puts one copy of a label-placed program on each matching node, and starts and stops it through etcd', async () => {
    const r = await nodes.a.api('POST', '/api/fleet/programs', {
      name: 'workers',
      command: 'sleep 3201',
      startsecs: 0,
      placement: { labels: { role: 'worker' } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await running(nodes.b, 'workers');
    await running(nodes.c, 'workers');
    expect(await nodes.a.local('workers')).toBeUndefined();
    expect(pidsRunning('sleep 3201')).toHaveLength(2);
    await until(
      async () => {
        const all = (await nodes.a.api('GET', '/api/fleet/processes')).body.processes as { node: string; program: string; statename: string }[];
        const mine = all.filter((p) => p.program === 'workers' && p.statename === 'RUNNING').map((p) => p.node);
        return mine.join() === 'b,c';
      },
      'the fleet view shows workers RUNNING on b and c',
      10_000,
      50,
    );

    // procvisorctl's fleet view, from node a.
    const ctl = await run(process.execPath, [
      PROCVISORCTL_JS,
      '-s',
      `http://127.0.0.1:${nodes.a.port}`,
      '-u',
      USER,
      '-p',
      PASSWORD,
      'fleet',
      'status',
      'workers',
    ]);
    expect(ctl.stdout.trim().split('\n'), ctl.stderr).toEqual([
      expect.stringMatching(/^b\s+workers\s+RUNNING\s+pid \d+/),
      expect.stringMatching(/^c\s+workers\s+RUNNING\s+pid \d+/),
    ]);
    expect(ctl.code).toBe(0);

    const stop = await nodes.a.api('POST', '/api/fleet/programs/workers/stop');
    expect(stop.status, JSON.stringify(stop.body)).toBe(200);
    expect((stop.body.results as { node: string; ok: boolean }[]).map((x) => [x.node, x.ok])).toEqual([
      ['b', true],
      ['c', true],
    ]);
    expect((await nodes.b.local('workers'))?.statename).toBe('STOPPED');
    expect((await nodes.c.local('workers'))?.statename).toBe('STOPPED');
    const start = await nodes.c.api('POST', '/api/fleet/programs/workers/start');
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    expect((await nodes.b.local('workers'))?.statename).toBe('RUNNING');
    expect((await nodes.a.api('DELETE', '/api/fleet/programs/workers')).status).toBe(200);
    await until(() => pidsRunning('sleep 3201').length === 0, 'workers gone', 15_000, 25);
  }, 60_000);

  it('keeps working with one etcd member killed, the leader at that', async () => {
    const leaders = await Promise.all(cluster.members.map((m) => m.isLeader()));
    const victim = cluster.member(Math.max(0, leaders.indexOf(true)));
    await victim.kill();
    try {
      // Calls made during the election: each node's client picks members at random, so some of
      // its tries reach the dead member last, after a live one held them past their deadline.
      const [r, ...reads] = await Promise.all([
        nodes.b.api('POST', '/api/fleet/programs', { name: 'survivor', command: 'sleep 3301', startsecs: 0, placement: { nodes: ['c'] } }),
        ...all().flatMap((n) => [n.api('GET', '/api/fleet/programs'), n.api('GET', '/api/fleet/nodes'), n.api('GET', '/api/fleet/processes')]),
      ]);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      for (const read of reads) expect(read.status, JSON.stringify(read.body)).toBe(200);
      await running(nodes.c, 'survivor');
      expect((await nodes.a.api('DELETE', '/api/fleet/programs/survivor')).status).toBe(200);
      await until(() => pidsRunning('sleep 3301').length === 0, 'survivor gone', 15_000, 25);
      const live = (await nodes.c.api('GET', '/api/fleet/nodes')).body.nodes as { alive: boolean }[];
      expect(live.filter((n) => n.alive)).toHaveLength(3);
    } finally {
      victim.start();
      await cluster.waitHealthy();
    }
  }, 60_000);

  it('moves a singleton within lease TTL + 1 s when its holder is SIGKILLed, never running two', async () => {
    const cmd = 'sleep 3401';
    const { holderName, holder, first } = await singleton('lonely', cmd);
    // Sample every few ms: how many copies run, from the kill until another node runs it.
    let most = pidsRunning(cmd).length;
    let samples = 0;
    const killedAt = Date.now();
    await holder.kill();
    const moved = await until(
      () => {
        const pids = pidsRunning(cmd);
        samples++;
        most = Math.max(most, pids.length);
        const other = pids.find((p) => p !== first.pid);
        return other !== undefined && { pid: other, at: Date.now() };
      },
      'lonely running on another node',
      (TTL_S + 5) * 1000,
      5,
    );
    const gap = moved.at - killedAt;
    for (let i = 0; i < 40; i++) {
      most = Math.max(most, pidsRunning(cmd).length);
      samples++;
      await sleep(5);
    }
    console.log(`singleton moved from ${holderName} in ${gap} ms (lease TTL ${TTL_S} s); ${samples} samples, at most ${most} running at once`);
    expect(most).toBe(1);
    expect(gap).toBeLessThanOrEqual(TTL_S * 1000 + 1000);
    expect(isAlive(first.pid)).toBe(false);
    await holder.start();
    expect((await nodes.a.api('DELETE', '/api/fleet/programs/lonely')).status).toBe(200);
    await until(() => pidsRunning(cmd).length === 0, 'lonely gone', 15_000, 25);
  }, 60_000);

  it('fences a singleton whose holder is cut off from etcd: it stops there before it starts elsewhere', async () => {
    const cmd = 'sleep 3451';
    const { holderName, holder, first } = await singleton('fenced', cmd);
    let most = 1;
    let stoppedAt = 0;
    const cutAt = Date.now();
    holder.cutEtcd();
    try {
      const moved = await until(
        () => {
          const pids = pidsRunning(cmd);
          most = Math.max(most, pids.length);
          if (!stoppedAt && !pids.includes(first.pid)) stoppedAt = Date.now();
          const other = pids.find((p) => p !== first.pid);
          return other !== undefined && { pid: other, at: Date.now() };
        },
        'fenced running on another node',
        (TTL_S + 5) * 1000,
        5,
      );
      console.log(
        `fencing: holder ${holderName} stopped its copy ${stoppedAt - cutAt} ms after losing etcd; another node ran it ${moved.at - cutAt} ms after; at most ${most} at once`,
      );
      expect(most).toBe(1);
      expect(stoppedAt).toBeGreaterThan(0);
      expect(stoppedAt).toBeLessThanOrEqual(moved.at);
      expect(await holder.local('fenced')).toBeUndefined();
    } finally {
      holder.restoreEtcd();
    }
    // Back in touch, the old holder does not take it again: the new holder keeps it.
    await sleep(TTL_S * 1000);
    expect(pidsRunning(cmd)).toHaveLength(1);
    expect((await nodes.a.api('DELETE', '/api/fleet/programs/fenced')).status).toBe(200);
    await until(() => pidsRunning(cmd).length === 0, 'fenced gone', 15_000, 25);
  }, 60_000);

  it('runs a singleton again after its holder lost etcd only briefly: somewhere, never twice', async () => {
    const cmd = 'sleep 3461';
    const { holder, first } = await singleton('hiccup', cmd);
    let most = 1;
    holder.cutEtcd();
    // Long enough for the fence (half a TTL without renewal), maybe not for the lease to expire.
    const cutUntil = Date.now() + TTL_S * 700;
    while (Date.now() < cutUntil) {
      most = Math.max(most, pidsRunning(cmd).length);
      await sleep(5);
    }
    holder.restoreEtcd();
    // For a moment its client still skips the members that failed a call just now: the API waits
    // for them to be tried again rather than answering 503 (it did, for ~0.6 s).
    const asked = holder.api('GET', '/api/fleet/programs');
    await until(
      () => {
        const pids = pidsRunning(cmd);
        most = Math.max(most, pids.length);
        return pids.length === 1 && pids[0] !== first.pid;
      },
      'hiccup running again, once',
      (TTL_S + 5) * 1000,
      5,
    );
    expect(most).toBe(1);
    const answer = await asked;
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect((await nodes.a.api('DELETE', '/api/fleet/programs/hiccup')).status).toBe(200);
    await until(() => pidsRunning(cmd).length === 0, 'hiccup gone', 15_000, 25);
  }, 60_000);

  it('runs the fleet programs it ran before when its daemon starts while etcd cannot be reached', async () => {
    const r = await nodes.a.api('POST', '/api/fleet/programs', { name: 'remembered', command: 'sleep 3471', startsecs: 0, placement: { nodes: ['c'] } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const before = await running(nodes.c, 'remembered');
    await nodes.c.stop();
    expect(isAlive(before.pid)).toBe(false);
    nodes.c.cutEtcd();
    try {
      await nodes.c.start();
      const again = await running(nodes.c, 'remembered');
      expect(again.pid).not.toBe(before.pid);
      expect((await nodes.c.api('GET', '/api/fleet')).body.connected).toBe(false);
      nodes.c.restoreEtcd();
      await until(async () => (await nodes.c.api('GET', '/api/fleet')).body.connected === true, 'c connected', 15_000, 50);
      // etcd says the same: nothing restarts.
      await sleep(500);
      expect((await nodes.c.local('remembered'))?.pid).toBe(again.pid);
    } finally {
      nodes.c.restoreEtcd();
    }
    expect((await nodes.a.api('DELETE', '/api/fleet/programs/remembered')).status).toBe(200);
    await until(() => pidsRunning('sleep 3471').length === 0, 'remembered gone', 15_000, 25);
  }, 60_000);

  it('keeps every program with unchanged pids while all of etcd is down, then applies a change made meanwhile', async () => {
    for (const [name, placement] of [
      ['steady', {}],
      ['changing', { nodes: ['a'] }],
    ] as const) {
      const r = await nodes.a.api('POST', '/api/fleet/programs', { name, command: name === 'steady' ? 'sleep 3501' : 'sleep 3502', startsecs: 0, placement });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    for (const n of all()) await running(n, 'steady');
    await running(nodes.a, 'changing');
    const before = await Promise.all(all().map((n) => n.localPids()));

    await cluster.stopAll();
    // The nodes stay cut off from etcd until the change below is written.
    for (const n of all()) n.cutEtcd();
    const outageEnds = Date.now() + (2 * TTL_S + 1) * 1000;
    let checks = 0;
    const down = await nodes.b.api('GET', '/api/fleet/programs');
    expect([down.status, down.body.error.code]).toEqual([503, 'FLEET_UNAVAILABLE']);
    while (Date.now() < outageEnds) {
      expect(await Promise.all(all().map((n) => n.localPids()))).toEqual(before);
      checks++;
      await sleep(200);
    }
    const info = (await nodes.a.api('GET', '/api/fleet')).body as { connected: boolean; lastError?: string };
    expect(info.connected).toBe(false);
    expect(info.lastError).toBeTruthy();
    await cluster.startAll();
    const { Etcd3 } = await import('etcd3');
    const direct = new Etcd3({ hosts: cluster.endpoints });
    try {
      const key = `${prefix}/programs/changing`;
      const rec = JSON.parse((await direct.get(key).string()) as string);
      rec.config.command = 'sleep 3503';
      await direct.put(key).value(JSON.stringify(rec));
    } finally {
      direct.close();
    }
    expect(await Promise.all(all().map((n) => n.localPids()))).toEqual(before);
    for (const n of all()) n.restoreEtcd();
    await until(
      async () => pidsRunning('sleep 3503').length === 1 && (await nodes.a.local('changing'))?.statename === 'RUNNING',
      'the change applied on a',
      20_000,
      25,
    );
    await until(async () => (await nodes.a.api('GET', '/api/fleet')).body.connected === true, 'a connected again', 10_000, 50);
    const after = await Promise.all(all().map((n) => n.localPids()));
    for (const [i, n] of all().entries()) expect(after[i]?.steady, `steady on ${n.name} kept its pid`).toBe(before[i]?.steady);
    console.log(`outage: ${checks} checks of every node's pids over ${2 * TTL_S + 1} s, all unchanged`);
    for (const name of ['steady', 'changing']) expect((await nodes.a.api('DELETE', `/api/fleet/programs/${name}`)).status).toBe(200);
    await until(() => pidsRunning('sleep 3501').length + pidsRunning('sleep 3503').length === 0, 'steady and changing gone', 15_000, 25);
  }, 90_000);
});
