// Workload 1 — restart latency after a crash. A fixture exits at once under autorestart=true,
// startsecs=0 (PM2: autorestart, restart_delay 0, min_uptime 100 (its minimum), max_restarts 1e9).
// Latency = the next instance's own first-line timestamp ("S") minus the previous instance's own
// last timestamp ("E", written just before it exits): the same clock, taken inside the fixture, for
// every peer, read back from the log file each peer wrote. Floors: a bash `for` loop running the
// fixture back to back, and a bare child_process.spawn respawn loop (the 1.15× goal's floor).
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { restartLatencies } from '../lib.mjs';
import { program } from '../peers/conf.mjs';
import { dropDir, fixture, floorScript, readText, rotate, runBounded, sleep, tempDir } from './common.mjs';

export const FIXTURES = [
  { id: 'sh', label: 'bash crash.sh (echo; exit 1)', command: ['/bin/bash', fixture('crash.sh')], node: false },
  { id: 'node', label: 'node blip.mjs (exit 0)', command: [process.execPath, fixture('blip.mjs')], node: true },
];

async function floorRun(kind, fx, out, target, capMs) {
  const count = String(target + 1);
  if (kind === 'bash-loop') {
    const fd = openSync(out, 'w');
    await runBounded('/bin/bash', ['-c', 'for ((i=0;i<$0;i++)); do "$@"; done', count, ...fx.command], { stdio: ['ignore', fd, 'ignore'] }, capMs);
    closeSync(fd);
  } else {
    await runBounded(process.execPath, [floorScript('spawn-loop.mjs'), count, out, ...fx.command], { stdio: 'ignore' }, capMs);
  }
}

async function peerRun(ctx, peer, fx, dir, out, target, capMs) {
  const p = program({ name: `crash_${fx.id}`, command: fx.command, node: fx.node, autostart: true, autorestart: true, startsecs: 0, stdout: out });
  await peer.launch([p], dir);
  try {
    const t0 = Date.now();
    while (Date.now() - t0 < capMs && restartLatencies(readText(out)).length < target) await sleep(200);
  } finally {
    await peer.close();
  }
}

export async function run(ctx) {
  const c = ctx.cfg.restart;
  const names = ['bash-loop', 'spawn-loop', ...ctx.peerIds];
  const res = { fixtures: FIXTURES.map(({ id, label }) => ({ id, label })), samples: {}, runs: {} };
  for (const fx of FIXTURES) {
    res.samples[fx.id] = Object.fromEntries(names.map((n) => [n, []]));
    res.runs[fx.id] = Object.fromEntries(names.map((n) => [n, []]));
  }
  for (let rep = 0; rep < c.reps; rep++) {
    for (const name of rotate(names, rep)) {
      for (const fx of FIXTURES) {
        const dir = tempDir(ctx);
        const out = join(dir, 'out.log');
        const slow = name === 'supervisord';
        const target = fx.node ? c.nodeTarget : c.target;
        const capMs = (slow ? c.supervisordCapS : c.capS) * 1000;
        await ctx.quiet(`restart/${fx.id}/${name}`);
        const t0 = Date.now();
        try {
          if (name === 'bash-loop' || name === 'spawn-loop') await floorRun(name, fx, out, target, capMs);
          else await peerRun(ctx, ctx.peers[name], fx, dir, out, target, capMs);
        } catch (e) {
          ctx.note(`restart/${fx.id}/${name}: ${e.message}`);
        }
        const lat = restartLatencies(readText(out)).slice(0, target);
        res.samples[fx.id][name].push(...lat);
        res.runs[fx.id][name].push({ n: lat.length, secs: (Date.now() - t0) / 1000 });
        ctx.progress(`restart ${fx.id} rep ${rep + 1}/${c.reps} ${name}: n=${lat.length}${lat.length ? `, median ${median(lat).toFixed(2)} ms` : ''}`);
        dropDir(ctx, dir);
      }
    }
  }
  return res;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
