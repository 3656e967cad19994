// Workload 2 — stop latency. "term": a node child that dies on SIGTERM (PM2 is told to send SIGTERM
// via PM2_KILL_SIGNAL; its default is SIGINT). "stubborn": a child that ignores SIGTERM and SIGINT,
// so only the SIGKILL escalation after stopwaitsecs=1 (PM2: kill_timeout=1000) ends it.
// Per sample: start the program, wait for its "R" line (its signal handling is in place), then
//   call = stop request sent → stop call returned (supervisord/procvisor stopProcess(name, wait=true)
//          over XML-RPC; PM2 pm2.stop(name); floor: child.kill → 'exit' event)
//   dead = stop request sent → pid gone or a zombie in /proc (polled every 1 ms by the bench).
// With the floor, the transport alone: the same stopProcess request to a bare HTTP server on a unix
// socket answering a canned response (floors/rpc-echo.mjs), timed by the same client, each call
// after a pause and an untimed call as a peer's are (the wait for "R", then the pid asked for).
// Floor + transport is the least a supervisor in another process can answer in.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, isDead, now, rpc, sleep, waitFor, watchDeath } from '../lib.mjs';
import { program } from '../peers/conf.mjs';
import { dropDir, fixture, floorScript, live, readText, rotate, tempDir } from './common.mjs';

const STOPPED_TRUE =
  "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><boolean>1</boolean></value>\n</param>\n</params>\n</methodResponse>\n";

export const FIXTURES = [
  { id: 'term', label: 'exits on SIGTERM', args: [] },
  { id: 'stubborn', label: 'ignores SIGTERM (escalation after 1 s)', args: ['--stubborn'] },
];

const readyCount = (path) => (readText(path).match(/^R \d+/gm) ?? []).length;

async function floorSample(fx) {
  const c = spawn(process.execPath, [fixture('hold.mjs'), ...fx.args], { stdio: ['ignore', 'pipe', 'ignore'], env: childEnv() });
  live.add(c);
  await new Promise((resolve) => c.stdout.once('data', resolve));
  const exited = new Promise((r) => c.on('exit', () => r(now())));
  const death = watchDeath(c.pid, 1);
  const t0 = now();
  c.kill('SIGTERM');
  const timer = fx.id === 'stubborn' ? setTimeout(() => c.kill('SIGKILL'), 1000) : undefined;
  const t1 = await exited;
  const td = await death;
  clearTimeout(timer);
  live.delete(c);
  return { call: t1 - t0, dead: Math.min(td, t1) - t0 };
}

async function peerSample(peer, fx, log) {
  const before = readyCount(log);
  await peer.start(`stop_${fx.id}`);
  await waitFor(() => readyCount(log) > before, { every: 5, timeout: 20000, what: 'the R line' });
  const { pid } = await peer.info(`stop_${fx.id}`);
  if (!pid || isDead(pid)) throw new Error(`no live pid for stop_${fx.id}`);
  const death = watchDeath(pid, 1);
  const t0 = now();
  await peer.stop(`stop_${fx.id}`);
  const t1 = now();
  const td = await Promise.race([death, sleep(15000).then(() => NaN)]);
  death.cancel();
  return { call: t1 - t0, dead: td - t0 };
}

/** `count` stopProcess round trips to a bare server's canned answer (see the head of this file). */
async function transportSamples(dir, count) {
  const sock = join(dir, 'echo.sock');
  const body = join(dir, 'stopped.xml');
  writeFileSync(body, STOPPED_TRUE);
  const server = spawn(process.execPath, [floorScript('rpc-echo.mjs'), sock, body], { stdio: ['ignore', 'pipe', 'ignore'], env: childEnv() });
  live.add(server);
  try {
    await new Promise((r) => server.stdout.once('data', r));
    await rpc(sock, 'supervisor.stopProcess', ['stop_term', true]); // warm-up
    const xs = [];
    for (let i = 0; i < count; i++) {
      await sleep(50); // a peer's sample waits for the child's "R" line…
      await rpc(sock, 'supervisor.getProcessInfo', ['stop_term']); // …then asks for its pid
      const t0 = now();
      await rpc(sock, 'supervisor.stopProcess', ['stop_term', true]);
      xs.push(now() - t0);
    }
    return xs;
  } finally {
    server.kill('SIGTERM');
    live.delete(server);
  }
}

export async function run(ctx) {
  const c = ctx.cfg.stop;
  const names = ['floor', ...ctx.peerIds];
  const res = { fixtures: FIXTURES.map(({ id, label }) => ({ id, label })), samples: {}, transport: [] };
  for (const fx of FIXTURES) res.samples[fx.id] = Object.fromEntries(names.map((n) => [n, []]));
  for (let rep = 0; rep < c.reps; rep++) {
    for (const name of rotate(names, rep)) {
      await ctx.quiet(`stop/${name}`);
      const dir = tempDir(ctx);
      try {
        if (name === 'floor') {
          for (const fx of FIXTURES) for (let k = 0; k < c[fx.id]; k++) res.samples[fx.id][name].push(await floorSample(fx));
          res.transport.push(...(await transportSamples(dir, c.term)));
        } else {
          const peer = ctx.peers[name];
          const programs = FIXTURES.map((fx) =>
            program({
              name: `stop_${fx.id}`,
              command: [process.execPath, fixture('hold.mjs'), ...fx.args],
              node: true,
              stopwaitsecs: 1,
              stdout: join(dir, `${fx.id}.log`),
            }),
          );
          await peer.launch(programs, dir);
          try {
            for (const fx of FIXTURES) {
              for (let k = 0; k < c[fx.id]; k++) res.samples[fx.id][name].push(await peerSample(peer, fx, join(dir, `${fx.id}.log`)));
            }
          } finally {
            await peer.close();
          }
        }
      } catch (e) {
        ctx.note(`stop/${name}: ${e.message}`);
      }
      const s = FIXTURES.map((fx) => {
        const xs = res.samples[fx.id][name].map((x) => x.call).sort((a, b) => a - b);
        return `${fx.id} median call ${xs.length ? xs[Math.floor(xs.length / 2)].toFixed(1) : '–'} ms`;
      });
      ctx.progress(`stop rep ${rep + 1}/${c.reps} ${name}: ${s.join(', ')}`);
      dropDir(ctx, dir);
    }
  }
  return res;
}
