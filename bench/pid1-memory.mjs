// What running as PID 1 costs in memory: procvisor started as PID 1 of a new PID namespace (as the
// main process of a container) puts `tini -s` in front of itself and stays as a thin parent that
// forwards signals. Measures the resident memory (VmRSS) of that parent, of tini, and of the daemon
// itself, plus the perl helper that sends systemd notifications when NOTIFY_SOCKET is set.
// Needs root and unshare. Usage: node bench/pid1-memory.mjs [programs=20] [settle seconds=5]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, machine } from './lib.mjs';

const n = Number(process.argv[2] ?? 20);
const settle = Number(process.argv[3] ?? 5);
const bin = new URL('../dist/cli/procvisor.js', import.meta.url).pathname;

function table() {
  const rows = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1] ?? 0);
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      rows.push({ pid: Number(name), ppid, rss, cmd });
    } catch {
      // gone
    }
  }
  return rows;
}

async function measure(label, extraEnv) {
  const dir = mkdtempSync(join(tmpdir(), 'pv-pid1-bench-'));
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(
    conf,
    `[supervisord]\nlogfile=${dir}/main.log\npidfile=${dir}/pv.pid\n[program:sleepers]\ncommand=sleep 1000\nnumprocs=${n}\nprocess_name=s%(process_num)02d\nstartsecs=0\nstdout_logfile=NONE\nstderr_logfile=NONE\n`,
  );
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, bin, '-c', conf, '-n', '-s'], {
    env: { ...childEnv(), ...extraEnv },
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, settle * 1000));
  const rows = table();
  const init = rows.find((r) => r.ppid === child.pid);
  const tini = rows.find((r) => r.ppid === init?.pid && /tini/.test(r.cmd));
  const daemon = rows.find((r) => r.ppid === tini?.pid);
  const perl = rows.find((r) => r.ppid === daemon?.pid && /^\S*perl /.test(r.cmd));
  process.kill(init.pid, 'SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { label, init: init?.rss, tini: tini?.rss, daemon: daemon?.rss, perl: perl?.rss };
}

console.log(`PID-1 memory, ${n} programs, after ${settle} s — ${machine()}`);
const plain = await measure('PID 1', {});
const notify = await measure('PID 1 + NOTIFY_SOCKET', { NOTIFY_SOCKET: '/nonexistent/notify.sock' });
for (const m of [plain, notify]) {
  const kb = (v) => (v === undefined ? '—' : `${(v / 1024).toFixed(1)} MB`);
  console.log(`${m.label}: thin PID-1 parent ${kb(m.init)}, tini ${kb(m.tini)}, daemon ${kb(m.daemon)}, notify helper ${kb(m.perl)}`);
}
