// Memory sampling cost: 500 processes with max_memory_mb, sampled every second (pidusage over each
// process tree, one timer for the manager); the manager's CPU over an idle period, with and without.
// Usage: node bench/memory-sampling.mjs [N=500] [seconds=10]
import { ProcessManager } from '../dist/index.js';
import { childEnv, machine } from './lib.mjs';

const n = Number(process.argv[2] ?? 500);
const secs = Number(process.argv[3] ?? 10);

async function run(limit) {
  const pm = new ProcessManager({ environment: childEnv(), sampleIntervalMs: 1000 });
  pm.addProcessGroup({
    name: 'pool',
    command: 'sleep 1000',
    numprocs: n,
    process_name: 'p%(process_num)03d',
    startsecs: 0,
    stdout_logfile: 'NONE',
    stderr_logfile: 'NONE',
    ...(limit ? { max_memory_mb: 512 } : {}),
  });
  let running = 0;
  const all = new Promise((r) => pm.on('processState', (e) => e.to === 'RUNNING' && ++running === n && r()));
  await pm.start();
  await all;
  await new Promise((r) => setTimeout(r, 1500));
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, secs * 1000));
  const cpu = process.cpuUsage(cpu0);
  await pm.shutdown();
  return (cpu.user + cpu.system) / 1000;
}

console.log(`memory sampling of ${n} processes, 1 s interval, ${secs} s — ${machine()}`);
const off = await run(false);
const on = await run(true);
const pct = (ms) => ((ms / (secs * 1000)) * 100).toFixed(2);
console.log(`manager CPU without limits: ${off.toFixed(0)} ms (${pct(off)}% of one core)`);
console.log(`manager CPU with max_memory_mb on all ${n}: ${on.toFixed(0)} ms (${pct(on)}% of one core; goal < 2%)`);
