// The fan-out floor: a bare Node process that spawns <n> copies of <cmd...> with three pipes each
// (as a supervisor does), prints "T <ms>" once every child has emitted 'spawn', then idles holding
// them so its RSS and idle CPU can be read like a supervisor's. SIGTERM kills the children, all at
// once (SIGKILL), and exits. SIGUSR2 stops them one at a time instead, SIGTERM to one and the next
// only after its 'exit' — the work of a supervisor's shutdown of N one-program groups, each fully
// stopped before the next — and exits.
// Usage: node spawn-many.mjs <n> <cmd> [args...]
import { spawn } from 'node:child_process';

const [n, cmd, ...args] = process.argv.slice(2);
const kids = [];
const t0 = performance.now();
let spawned = 0;
for (let i = 0; i < Number(n); i++) {
  const c = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  c.stdout.resume();
  c.stderr.resume();
  kids.push(c);
  c.on('spawn', () => {
    if (++spawned === Number(n)) process.stdout.write(`T ${(performance.now() - t0).toFixed(3)}\n`);
  });
}
process.on('SIGTERM', () => {
  let left = kids.length;
  for (const c of kids) {
    if (c.exitCode !== null || c.signalCode !== null) left--;
    else c.on('exit', () => --left === 0 && process.exit(0));
    c.kill('SIGKILL');
  }
  if (left === 0) process.exit(0);
});
process.on('SIGUSR2', async () => {
  for (const c of kids) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await gone;
  }
  process.exit(0);
});
