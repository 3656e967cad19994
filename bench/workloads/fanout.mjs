// Workload 3 — fan-out. N programs running `sleep` (startsecs=0; autostart=false, then one
// start-all call: supervisord/procvisor startAllProcesses(wait=true), PM2 pm2.start of the N apps)
// until the supervisor reports all RUNNING/online; then, after 1 s settling, the supervisor
// process's RSS (VmRSS) and CPU (utime+stime from /proc/<pid>/stat, 10 ms ticks) over an idle
// window (in the first `idleReps` repetitions; later ones time the start and read RSS only).
// Floor: a bare Node process that spawns N `sleep`s with three pipes each and holds them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { childEnv, cpuMs, descendantsOf, memory, now, sleep, waitFor } from '../lib.mjs';
import { program } from '../peers/conf.mjs';
import { dropDir, floorScript, live, rotate, STEADY_AFTER_S, tempDir } from './common.mjs';

const SLEEP = ['/bin/sleep', '100000'];

/** RSS of the supervisor's helper processes: descendants that are not the supervised programs. */
function helpers(pid) {
  let rss = 0;
  const names = [];
  for (const d of descendantsOf(pid)) {
    let comm = '';
    try {
      comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
    } catch {}
    if (comm === 'sleep') continue;
    names.push(comm);
    rss += memory(d).rss || 0;
  }
  return { rss, names };
}

/**
 * 1 s settling, then (idleS > 0) the CPU charged over idleS seconds; RSS at the end; then (idleS > 0)
 * the CPU over idleS again from STEADY_AFTER_S after all were RUNNING (past the one-off work that
 * follows the burst).
 */
async function idleWindow(pid, idleS) {
  const running = now();
  await sleep(1000);
  const c0 = cpuMs(pid);
  if (idleS > 0) await sleep(idleS * 1000);
  const c1 = cpuMs(pid);
  const m = memory(pid);
  const out = { idleCpuMs: idleS > 0 ? c1 - c0 : undefined, rss: m.rss, hwm: m.hwm, helpers: helpers(pid) };
  if (idleS > 0) {
    await sleep(Math.max(0, STEADY_AFTER_S * 1000 - (now() - running)));
    const c2 = cpuMs(pid);
    await sleep(idleS * 1000);
    out.steadyCpuMs = cpuMs(pid) - c2;
  }
  return out;
}

async function floor(n, idleS) {
  const c = spawn(process.execPath, [floorScript('spawn-many.mjs'), String(n), ...SLEEP], { stdio: ['ignore', 'pipe', 'ignore'], env: childEnv() });
  live.add(c);
  const exited = new Promise((r) => c.on('exit', r));
  try {
    const line = await new Promise((resolve, reject) => {
      let buf = '';
      c.stdout.on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) resolve(buf);
      });
      c.on('exit', () => reject(new Error('spawn-many exited')));
    });
    const startMs = Number(/^T ([\d.]+)/.exec(line)[1]);
    return { startMs, ...(await idleWindow(c.pid, idleS)) };
  } finally {
    c.kill('SIGTERM');
    await exited;
    live.delete(c);
  }
}

async function peerRun(peer, n, idleS, dir) {
  const programs = Array.from({ length: n }, (_, i) => program({ name: `s${String(i).padStart(4, '0')}`, command: SLEEP }));
  await peer.launch(programs, dir, { minfds: 4 * n + 1024, minprocs: n + 200, startTimeout: 60000 });
  try {
    const rssConfigured = memory(peer.pid).rss;
    const t0 = now();
    await peer.startAll();
    const tCall = now() - t0;
    // The call's return if everything is RUNNING by then; else when a later check first saw it.
    let startMs = tCall;
    await waitFor(
      async () => {
        const t = now() - t0;
        const ok = (await peer.list()).filter((p) => p.state === 'RUNNING').length === n;
        if (ok && t > tCall + 1) startMs = t;
        return ok;
      },
      { timeout: 60000, every: 100, what: `${n} RUNNING` },
    );
    return { startMs, callMs: tCall, rssConfigured, ...(await idleWindow(peer.pid, idleS)) };
  } finally {
    await peer.close();
  }
}

export async function run(ctx) {
  const c = ctx.cfg.fanout;
  const names = ['floor', ...ctx.peerIds];
  const res = { sizes: c.sizes, idleS: c.idleS, runs: {} };
  for (const n of c.sizes) {
    res.runs[n] = Object.fromEntries(names.map((x) => [x, []]));
    for (let rep = 0; rep < c.reps; rep++) {
      for (const name of rotate(names, rep)) {
        await ctx.quiet(`fanout/${n}/${name}`);
        const dir = tempDir(ctx);
        try {
          const idleS = rep < (c.idleReps ?? c.reps) ? c.idleS : 0; // the idle window only in the first idleReps repetitions
          const r = name === 'floor' ? await floor(n, idleS) : await peerRun(ctx.peers[name], n, idleS, dir);
          res.runs[n][name].push(r);
          ctx.progress(
            `fanout ${n} rep ${rep + 1}/${c.reps} ${name}: all RUNNING in ${r.startMs.toFixed(0)} ms, RSS ${(r.rss / 2 ** 20).toFixed(1)} MB, idle CPU ${r.idleCpuMs === undefined ? '(not measured this rep)' : `${r.idleCpuMs} ms / ${idleS} s (steady ${r.steadyCpuMs} ms)`}`,
          );
        } catch (e) {
          ctx.note(`fanout/${n}/${name}: ${e.message}`);
        }
        dropDir(ctx, dir);
      }
    }
  }
  return res;
}
