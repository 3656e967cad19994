// Restart latency: a program that exits at once under autorestart=true, startsecs=0. Latency is the
// time from one instance's exit (its own last timestamp) to the next instance's first line, next
// to a bare child_process.spawn respawn loop measured the same way, alternating, in one run.
// Usage: node bench/restart-latency.mjs [cycles=200] [rounds=3]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ProcessManager } from '../dist/index.js';
import { childEnv, fmt, machine, stats } from './lib.mjs';

const cycles = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const blip = fileURLToPath(new URL('fixtures/blip.mjs', import.meta.url));
const env = childEnv();

/** Parses "S t"/"E t" lines into latencies: next S minus previous E. */
function collector(done) {
  const lat = [];
  let lastEnd;
  let buf = '';
  return (chunk) => {
    buf += chunk.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const [kind, t] = buf.slice(0, i).split(' ');
      buf = buf.slice(i + 1);
      if (kind === 'S' && lastEnd !== undefined) lat.push(Number(t) - lastEnd);
      if (kind === 'E') lastEnd = Number(t);
      if (lat.length >= cycles) return done(lat);
    }
  };
}

function floor() {
  return new Promise((resolve) => {
    let stop = false;
    const onData = collector((lat) => ((stop = true), resolve(lat)));
    const run = () => {
      const c = spawn(process.execPath, [blip], { stdio: ['ignore', 'pipe', 'ignore'], env });
      c.stdout.on('data', onData);
      c.on('exit', () => !stop && run());
    };
    run();
  });
}

async function procvisor() {
  const pm = new ProcessManager({ environment: env });
  const lat = await new Promise((resolve) => {
    const onData = collector(resolve);
    pm.on('processLog', (e) => onData(e.data));
    pm.addProcessGroup({
      name: 'blip',
      command: [process.execPath, blip],
      autorestart: true,
      startsecs: 0,
      stdout_events_enabled: true,
      stdout_logfile: 'NONE',
      stderr_logfile: 'NONE',
    });
    void pm.start();
  });
  await pm.shutdown();
  return lat;
}

console.log(`restart latency, ${cycles} cycles × ${rounds} rounds — ${machine()}`);
const all = { floor: [], procvisor: [] };
for (let r = 0; r < rounds; r++) {
  all.floor.push(...(await floor()));
  all.procvisor.push(...(await procvisor()));
}
const f = stats(all.floor);
const p = stats(all.procvisor);
console.log(`floor (bare spawn loop): ${fmt(f)}`);
console.log(`procvisor:               ${fmt(p)}`);
console.log(`ratio to floor: median ${(p.median / f.median).toFixed(3)}×, p90 ${(p.p90 / f.p90).toFixed(3)}×, p99 ${(p.p99 / f.p99).toFixed(3)}×`);
