// Workload 5 — control plane with many programs configured (autostart=false; PM2 has no
// autostart=false, so its apps are started and then stopped before measuring).
//   status: supervisor.getAllProcessInfo over XML-RPC on the unix socket (a new connection per
//           call; the whole response is received and its entries counted, not decoded, so the
//           number is the server's cost plus transport); PM2: pm2.list() over its RPC socket
//           (decoded JSON — PM2's client cannot skip that).
//   start/stop: startProcess(name, wait=true) then stopProcess(name, wait=true), back to back, for a
//           fixed time; PM2: pm2.start(name) then pm2.stop(name).
//   CLI: the stock client as a user types it: `supervisorctl -c conf status` (same for procvisor),
//        `pm2 jlist`; wall time including the client's own startup.
// Floors: status → a bare HTTP server answering with a canned response of the same size; start/stop
// → a bare spawn('sleep') → 'spawn' → kill → 'exit' round trip.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, now, sleep, stats } from '../lib.mjs';
import { program } from '../peers/conf.mjs';
import { dropDir, floorScript, live, rotate, tempDir } from './common.mjs';

const SLEEP = ['/bin/sleep', '100000'];

/** A getAllProcessInfo response for n stopped programs, in Python xmlrpc.client's layout. */
export function cannedStatus(n) {
  const member = (k, v) => `<member>\n<name>${k}</name>\n<value>${v}</value>\n</member>\n`;
  let s = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n";
  for (let i = 0; i < n; i++) {
    const name = `p${String(i).padStart(4, '0')}`;
    s += `<value><struct>\n${member('name', `<string>${name}</string>`)}${member('group', `<string>${name}</string>`)}${member('description', '<string>Not started</string>')}${member('start', '<int>0</int>')}${member('stop', '<int>0</int>')}${member('now', '<int>1700000000</int>')}${member('state', '<int>0</int>')}${member('statename', '<string>STOPPED</string>')}${member('spawnerr', '<string></string>')}${member('exitstatus', '<int>0</int>')}${member('logfile', '<string></string>')}${member('stdout_logfile', '<string></string>')}${member('stderr_logfile', '<string></string>')}${member('pid', '<int>0</int>')}</struct></value>\n`;
  }
  return s + '</data></array></value>\n</param>\n</params>\n</methodResponse>\n';
}

/**
 * getAllProcessInfo timed by status-probe.mjs, a fresh process (see there why): `warm` calls, then
 * `calls` timed ones. Resolves to { ms: [per call], bytes, count }.
 */
export async function probeStatus(sock, warm, calls) {
  const probe = spawn(process.execPath, [fileURLToPath(new URL('./status-probe.mjs', import.meta.url)), sock, String(warm), String(calls)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(),
  });
  live.add(probe);
  let out = '';
  let err = '';
  probe.stdout.on('data', (d) => (out += d));
  probe.stderr.on('data', (d) => (err += d));
  const timer = setTimeout(() => probe.kill('SIGKILL'), 120000);
  const [code, sig] = await new Promise((r) => probe.on('close', (...a) => r(a)));
  clearTimeout(timer);
  live.delete(probe);
  if (code !== 0) throw new Error(`status probe failed (${sig ?? `exit ${code}`}): ${err.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(out);
}

async function measureStatus(fn, calls) {
  for (let i = 0; i < 2; i++) await fn(); // warm-up
  const xs = [];
  let bytes = 0;
  let count = 0;
  for (let i = 0; i < calls; i++) {
    const t0 = now();
    const r = await fn();
    xs.push(r.ms ?? now() - t0);
    bytes = r.bytes;
    count = r.count;
  }
  return { ms: xs, bytes, count };
}

async function measureStartStop(start, stop, seconds, maxCycles) {
  const xs = [];
  const starts = [];
  const stops = [];
  const t0 = now();
  while (now() - t0 < seconds * 1000 && xs.length < maxCycles) {
    const t = now();
    await start();
    const t1 = now();
    await stop();
    const t2 = now();
    xs.push(t2 - t);
    starts.push(t1 - t);
    stops.push(t2 - t1);
  }
  return { ms: xs, startMs: starts, stopMs: stops, perSecond: xs.length / ((now() - t0) / 1000) };
}

function measureCli(cmd, args, samples, env) {
  const xs = [];
  for (let i = 0; i < samples; i++) {
    const t0 = now();
    const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
    xs.push(now() - t0);
    if (r.error) throw r.error;
  }
  return xs;
}

async function floorRun(c, dir) {
  const sock = join(dir, 'echo.sock');
  const body = join(dir, 'body.xml');
  writeFileSync(body, cannedStatus(c.programs));
  const server = spawn(process.execPath, [floorScript('rpc-echo.mjs'), sock, body], { stdio: ['ignore', 'pipe', 'ignore'], env: childEnv() });
  live.add(server);
  try {
    await new Promise((r) => server.stdout.once('data', r));
    const status = await probeStatus(sock, 2, c.statusCalls);
    let kid;
    const startstop = await measureStartStop(
      () =>
        new Promise((resolve, reject) => {
          kid = spawn(SLEEP[0], SLEEP.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv() });
          kid.stdout.resume();
          kid.stderr.resume();
          kid.once('spawn', resolve);
          kid.once('error', reject);
        }),
      () =>
        new Promise((resolve) => {
          kid.once('exit', resolve);
          kid.kill('SIGTERM');
        }),
      c.startStopSeconds,
      c.maxCycles,
    );
    return { status, startstop };
  } finally {
    server.kill('SIGTERM');
    live.delete(server);
  }
}

async function peerRun(ctx, peer, c, dir) {
  const programs = Array.from({ length: c.programs }, (_, i) => program({ name: `p${String(i).padStart(4, '0')}`, command: SLEEP }));
  const t0 = now();
  await peer.launch(programs, dir, { minfds: 4096, startTimeout: 120000 });
  try {
    if (peer.id === 'pm2') await peer.registerStopped(programs.map((p) => p.name));
    const setupMs = now() - t0;
    const status = peer.kind === 'xmlrpc' ? await probeStatus(peer.sock, 2, c.statusCalls) : await measureStatus(() => peer.status(), c.statusCalls);
    const name = programs[0].name;
    const startstop = await measureStartStop(
      () => peer.start(name),
      () => peer.stop(name),
      c.startStopSeconds,
      c.maxCycles,
    );
    const [cmd, args] = peer.cliStatus();
    const env = peer.id === 'pm2' ? { ...childEnv(), PM2_HOME: peer.home } : childEnv();
    const cli = measureCli(cmd, args, c.cliSamples, env);
    return { setupMs, status, startstop, cli };
  } finally {
    await peer.close();
  }
}

export async function run(ctx) {
  const c = ctx.cfg.control;
  const ids = ctx.peerIds.filter((id) => ctx.peers[id].kind !== 'ipc');
  for (const id of ctx.peerIds) {
    if (ctx.peers[id].kind === 'ipc')
      ctx.note(
        `control plane: ${id} skipped — the procvisor daemon (dist/cli/procvisor.js) is not available, and the embedded manager has no XML-RPC server to compare.`,
      );
  }
  const names = ['floor', ...ids];
  const res = { programs: c.programs, runs: Object.fromEntries(names.map((n) => [n, []])) };
  for (let rep = 0; rep < c.reps; rep++) {
    for (const name of rotate(names, rep)) {
      await ctx.quiet(`control/${name}`);
      const dir = tempDir(ctx);
      try {
        const r = name === 'floor' ? await floorRun(c, dir) : await peerRun(ctx, ctx.peers[name], c, dir);
        res.runs[name].push(r);
        const st = stats(r.status.ms);
        ctx.progress(
          `control rep ${rep + 1}/${c.reps} ${name}: status median ${st.median.toFixed(2)} ms (${r.status.count} entries, ${(r.status.bytes / 1024).toFixed(0)} KiB), start/stop ${r.startstop.perSecond.toFixed(1)}/s${r.cli ? `, CLI median ${stats(r.cli).median.toFixed(0)} ms` : ''}`,
        );
      } catch (e) {
        ctx.note(`control/${name}: ${e.message}`);
      }
      dropDir(ctx, dir);
      await sleep(200);
    }
  }
  return res;
}
