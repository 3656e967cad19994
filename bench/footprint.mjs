// Footprint with many programs: the resident memory (VmRSS) of everything procvisor runs — the
// daemon plus every process it started that is not a program (the orphan watchdog) — as one
// figure, next to the floor (a bare Node process holding the same children with three pipes each).
//
// For each configuration the daemon (`node dist/cli/procvisor.js -n -c FILE`) starts N `sleep`
// programs; once all of them exist the bench waits startsecs plus a settle time, reads /proc (no
// request reaches the daemon before the figure is taken, so the bench's own calls do not inflate
// it), then checks over XML-RPC that all N are RUNNING. V8's heap figures come from a tiny module
// preloaded with --import (fixtures/mem-probe.mjs: answers SIGWINCH with process.memoryUsage()).
// CPU is the daemon's utime+stime from its start to the measurement (startup + fan-out).
//
// Usage: node bench/footprint.mjs [--n 500] [--runs 3] [--settle 5] [--cases auto,none,floor]
//        [--node-flags "--flag ..."]   (extra node flags for the daemon, to compare V8 settings)
// Prints one line per run and a min/median summary per configuration.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { childEnv, childrenOf, cpuMs, descendantsOf, isDead, killQuietly, machine, memory, rpc, sleep, stats, waitFor } from './lib.mjs';

const opts = { n: 500, runs: 3, settle: 5, cases: 'auto,none,floor', 'node-flags': '' };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in opts)) throw new Error(`unknown option ${process.argv[i]}`);
  opts[k] = typeof opts[k] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const here = new URL('.', import.meta.url).pathname;
const BIN = join(here, '../dist/cli/procvisor.js');
const PROBE = join(here, 'fixtures/mem-probe.mjs');
const FLOOR = join(here, 'floors/spawn-many.mjs');
if (!existsSync(BIN)) throw new Error('dist/cli/procvisor.js is missing: run npm run build first');
const nodeFlags = opts['node-flags'].split(/\s+/).filter(Boolean);
const MB = (b) => b / 2 ** 20;
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');

/** Every started process still alive, so an interrupted run leaves nothing behind. */
const live = new Set();
process.on('exit', () => {
  for (const pid of live) for (const p of [pid, ...descendantsOf(pid)]) killQuietly(p, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

function conf(dir, kind) {
  const logs = kind === 'none' ? 'stdout_logfile=NONE\nstderr_logfile=NONE\n' : '';
  return (
    `[supervisord]\nlogfile=${dir}/main.log\npidfile=${dir}/pv.pid\nchildlogdir=${dir}\n` +
    `[unix_http_server]\nfile=${dir}/pv.sock\n` +
    `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n` +
    `[program:s]\ncommand=sleep 1000\nnumprocs=${opts.n}\nprocess_name=s%(process_num)04d\nstartsecs=1\n${logs}`
  );
}

/** The daemon's RSS split into anonymous memory (heap, buffers, stacks) and file pages (the node binary, shared libraries). */
function rssSplit(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile') };
}

async function stop(child, exited) {
  const family = descendantsOf(child.pid);
  if (child.exitCode === null && child.signalCode === null) {
    killQuietly(child.pid, 'SIGTERM');
    if ((await Promise.race([exited, sleep(30000).then(() => 'timeout')])) === 'timeout') {
      killQuietly(child.pid, 'SIGKILL');
      await exited;
    }
  }
  for (const pid of family) if (!isDead(pid)) killQuietly(pid, 'SIGKILL');
  await waitFor(() => family.every(isDead), { timeout: 30000, what: 'the family to end' });
  live.delete(child.pid);
}

async function runDaemon(kind) {
  const dir = mkdtempSync(join(tmpdir(), 'pv-footprint-'));
  const out = join(dir, 'probe.json');
  writeFileSync(join(dir, 'supervisord.conf'), conf(dir, kind));
  const probe = `${pathToFileURL(PROBE).href}?out=${encodeURIComponent(out)}`;
  const child = spawn(process.execPath, [...nodeFlags, '--import', probe, BIN, '-n', '-s', '-c', join(dir, 'supervisord.conf')], {
    env: childEnv(),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  live.add(child.pid);
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const isProgram = (pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep\0');
      } catch {
        return false;
      }
    };
    const t0 = performance.now();
    await waitFor(() => childrenOf(child.pid).filter(isProgram).length === opts.n, { timeout: 120000, every: 100, what: `${opts.n} programs` });
    const spawnMs = performance.now() - t0;
    await sleep(1000 + opts.settle * 1000); // startsecs, then settle
    const cpu = cpuMs(child.pid);
    const daemonRss = memory(child.pid).rss;
    const split = rssSplit(child.pid);
    const helpers = descendantsOf(child.pid).filter((p) => !isProgram(p));
    const helperRss = helpers.reduce((a, p) => a + memory(p).rss, 0);
    const helperNames = helpers.map((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim());
    killQuietly(child.pid, 'SIGWINCH');
    await waitFor(() => existsSync(out), { timeout: 10000, what: 'the memory probe' });
    await sleep(50);
    const probe = JSON.parse(readFileSync(out, 'utf8'));
    const { value: info } = await rpc(join(dir, 'pv.sock'), 'supervisor.getAllProcessInfo');
    const running = info.filter((p) => p.statename === 'RUNNING').length;
    if (running !== opts.n) throw new Error(`${kind}: ${running}/${opts.n} RUNNING`);
    return {
      total: daemonRss + helperRss,
      daemon: daemonRss,
      ...split,
      helpers: helperRss,
      helperNames,
      heapUsed: probe.memory.heapUsed,
      heapTotal: probe.memory.heapTotal,
      external: probe.memory.external,
      arrayBuffers: probe.memory.arrayBuffers,
      spaces: probe.spaces,
      cpu,
      spawnMs,
    };
  } finally {
    await stop(child, exited);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runFloor() {
  const child = spawn(process.execPath, [FLOOR, String(opts.n), 'sleep', '1000'], { env: childEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  live.add(child.pid);
  const exited = new Promise((r) => child.once('exit', r));
  try {
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    await waitFor(() => /^T /m.test(text), { timeout: 120000, every: 100, what: 'the floor to spawn' });
    await sleep(1000 + opts.settle * 1000);
    const rss = memory(child.pid).rss;
    return { total: rss, daemon: rss, ...rssSplit(child.pid), helpers: 0, helperNames: [], cpu: cpuMs(child.pid) };
  } finally {
    await stop(child, exited);
  }
}

console.log(
  `footprint: ${opts.n} × sleep 1000, settle ${opts.settle} s, ${opts.runs} runs${nodeFlags.length ? `, daemon node flags: ${nodeFlags.join(' ')}` : ''} — ${machine()}`,
);
const cases = opts.cases.split(',');
const results = Object.fromEntries(cases.map((c) => [c, []]));
for (let run = 1; run <= opts.runs; run++) {
  for (const kind of cases) {
    const r = kind === 'floor' ? await runFloor() : await runDaemon(kind);
    results[kind].push(r);
    const label = kind === 'floor' ? 'floor (bare node, 500 pipes)' : `daemon logs=${kind === 'none' ? 'NONE' : 'AUTO'}`;
    const heap =
      r.heapUsed === undefined
        ? ''
        : ` | heap used ${f1(MB(r.heapUsed))} / total ${f1(MB(r.heapTotal))} MB, external ${f1(MB(r.external))} MB (arrayBuffers ${f1(MB(r.arrayBuffers))})` +
          ` | spaces used/size MB: ${Object.entries(r.spaces)
            .filter(([, v]) => v.size >= 2 ** 19)
            .map(([k, v]) => `${k.replace(/_space$/, '')} ${f1(MB(v.used))}/${f1(MB(v.size))}`)
            .join(', ')}`;
    console.log(
      `run ${run} ${label}: total ${f1(MB(r.total))} MB = daemon ${f1(MB(r.daemon))} (anon ${f1(MB(r.anon))}, file ${f1(MB(r.file))}) + helpers ${f1(MB(r.helpers))} (${r.helperNames.join(',') || '-'})${heap} | cpu ${r.cpu} ms`,
    );
  }
}
console.log('summary (MB, min / median):');
for (const kind of cases) {
  const s = (k) => stats(results[kind].map((r) => r[k]));
  const line = (k) => `${f1(MB(s(k).min))} / ${f1(MB(s(k).median))}`;
  const cpu = s('cpu');
  console.log(
    `  ${kind.padEnd(5)} total ${line('total')}  daemon ${line('daemon')}  helpers ${line('helpers')}` +
      (kind === 'floor' ? '' : `  heapUsed ${line('heapUsed')}  heapTotal ${line('heapTotal')}`) +
      `  cpu ms ${cpu.min} / ${cpu.median}`,
  );
}
