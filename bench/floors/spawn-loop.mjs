// The restart floor: a bare child_process.spawn respawn loop with no supervision logic. Spawns
// <cmd...> with stdout piped into <outfile> (as a supervisor captures it), respawns it on 'exit',
// and stops after <count> instances. Usage: node spawn-loop.mjs <count> <outfile> <cmd> [args...]
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const [count, outfile, cmd, ...args] = process.argv.slice(2);
const out = createWriteStream(outfile);
let n = 0;
function run() {
  n++;
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  c.stdout.pipe(out, { end: false });
  c.on('exit', () => (n < Number(count) ? run() : c.stdout.on('end', () => out.end())));
}
run();
