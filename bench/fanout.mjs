// Fan-out: N `sleep`-like programs (numprocs) with startsecs=0 until all RUNNING, as a ratio to
// spawning N children bare; then the manager's RSS and CPU over an idle period.
// Usage: node bench/fanout.mjs [N=500] [idleSeconds=10]
import { spawn } from 'node:child_process';
import { ProcessManager } from '../dist/index.js';
import { childEnv, machine } from './lib.mjs';

const n = Number(process.argv[2] ?? 500);
const idle = Number(process.argv[3] ?? 10);
const env = childEnv();

async function floor() {
  const t0 = performance.now();
  const kids = [];
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve) => {
          const c = spawn('sleep', ['1000'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env });
          kids.push(c);
          c.on('spawn', resolve);
        }),
    ),
  );
  const ms = performance.now() - t0;
  for (const c of kids) c.kill('SIGKILL');
  await Promise.all(kids.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.on('exit', r)))));
  return ms;
}

async function procvisor() {
  const pm = new ProcessManager({ environment: env });
  pm.addProcessGroup({
    name: 'pool',
    command: 'sleep 1000',
    numprocs: n,
    process_name: '%(program_name)s_%(process_num)03d',
    startsecs: 0,
    stdout_logfile: 'NONE',
    stderr_logfile: 'NONE',
  });
  let running = 0;
  const t0 = performance.now();
  const all = new Promise((resolve) => pm.on('processState', (e) => e.to === 'RUNNING' && ++running === n && resolve()));
  await pm.start();
  await all;
  const ms = performance.now() - t0;
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, idle * 1000));
  const cpu = process.cpuUsage(cpu0);
  const rss = process.memoryUsage().rss;
  await pm.shutdown();
  return { ms, rss0, rss, cpuMs: (cpu.user + cpu.system) / 1000 };
}

console.log(`fan-out of ${n} programs — ${machine()}`);
const f = await floor();
const p = await procvisor();
console.log(`floor (bare spawn of ${n}): ${f.toFixed(0)} ms`);
console.log(`procvisor to all RUNNING:   ${p.ms.toFixed(0)} ms (${(p.ms / f).toFixed(2)}× floor)`);
console.log(`manager RSS with ${n} RUNNING: ${(p.rss0 / 2 ** 20).toFixed(1)} MB → ${(p.rss / 2 ** 20).toFixed(1)} MB after ${idle} s idle`);
console.log(`manager CPU over ${idle} s idle: ${p.cpuMs.toFixed(1)} ms (${((p.cpuMs / (idle * 1000)) * 100).toFixed(3)}% of one core)`);
