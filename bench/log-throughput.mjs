// Log throughput: a child writing 200 MB as fast as it can, through procvisor's capture and
// rotation (maxbytes 10 MB × 5 backups), as a ratio to the same child writing straight to a file
// (`child > file`), alternating, in one run. Also the manager's CPU per MB and the bytes kept.
// Usage: node bench/log-throughput.mjs [MB=200] [rounds=3]
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessManager } from '../dist/index.js';
import { childEnv, machine } from './lib.mjs';

const mb = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const bytes = mb * 2 ** 20;
const spew = fileURLToPath(new URL('fixtures/spew.mjs', import.meta.url));
const env = childEnv();

async function floor(dir) {
  const fd = openSync(join(dir, 'direct.log'), 'w');
  const t0 = performance.now();
  await new Promise((resolve) => spawn(process.execPath, [spew, String(bytes)], { stdio: ['ignore', fd, 'ignore'], env }).on('exit', resolve));
  closeSync(fd);
  return performance.now() - t0;
}

async function procvisor(dir) {
  const pm = new ProcessManager({ environment: env, childlogdir: dir });
  pm.addProcessGroup({
    name: 'spew',
    command: [process.execPath, spew, String(bytes)],
    autostart: false,
    autorestart: false,
    startsecs: 0,
    stdout_logfile: join(dir, 'spew.log'),
    stdout_logfile_maxbytes: '10MB',
    stdout_logfile_backups: 5,
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const exited = new Promise((resolve) => pm.on('processState', (e) => e.to === 'EXITED' && resolve()));
  await pm.startProcess('spew', { wait: false });
  await exited;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const kept = readdirSync(dir)
    .filter((f) => f.startsWith('spew.log'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  await pm.shutdown();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, kept };
}

console.log(`log throughput, ${mb} MB × ${rounds} rounds — ${machine()}`);
const res = { floor: [], pv: [] };
for (let r = 0; r < rounds; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'procvisor-bench-'));
  res.floor.push(await floor(dir));
  res.pv.push(await procvisor(dir));
  rmSync(dir, { recursive: true, force: true });
}
const best = (xs) => Math.min(...xs);
const f = best(res.floor);
const p = best(res.pv.map((x) => x.ms));
const rate = (ms) => `${(mb / (ms / 1000)).toFixed(0)} MB/s`;
console.log(`child > file:            ${f.toFixed(0)} ms (${rate(f)})`);
console.log(`through procvisor:       ${p.toFixed(0)} ms (${rate(p)})`);
console.log(`throughput ratio:        ${(f / p).toFixed(2)} (goal ≥ 0.8)`);
const cpuPerMb = res.pv.map((x) => x.cpuMs / mb);
console.log(`manager CPU per MB:      ${Math.min(...cpuPerMb).toFixed(2)} ms`);
console.log(`bytes kept on disk:      ${res.pv[0].kept} (policy keeps at most ${6 * 10 * 2 ** 20} + one chunk)`);
