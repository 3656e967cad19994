// Workload 6 — how cost grows with the work. For N = 100, 500, 2,000 and 5,000 programs running
// `sleep` (autostart=false, startsecs=0, logs NONE), each peer in turn:
//   start   one start-all call → the supervisor reports all N RUNNING (the same method as fan-out);
//   memory  VmRSS of the supervisor plus its helper processes (its descendants that are not the
//           programs: procvisor's orphan-guard watchdog), as one figure;
//   idle    utime+stime of the supervisor and its helpers over an idle window (after 1 s settling),
//           and again over a steady window STEADY_AFTER_S after all were RUNNING;
//   status  getAllProcessInfo over XML-RPC (raw bytes, not decoded; PM2: pm2.list()), and the stock
//           CLI's status (`supervisorctl status`, `pm2 jlist`) including its own start-up;
//   stop    a clean shutdown (SIGTERM to the daemon; PM2: killDaemon) → the supervisor and all N
//           programs are gone.
// Floors: spawn-many.mjs (a bare node spawning N `sleep`s with three pipes each; SIGTERM → it
// SIGKILLs them and exits) for start, memory, idle and stop; the same floor stopping its children
// one at a time (SIGUSR2: SIGTERM to one, the next after its exit), which is the work a shutdown of
// N one-program groups has to do; a bare HTTP server answering a canned getAllProcessInfo response
// of N entries for status.
// Every peer has a time limit per N for its start; a peer that fails or exceeds it is recorded
// as such (and cleaned up), and the series goes on.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, cpuMs, descendantsOf, isDead, memory, now, rpc, sleep } from '../lib.mjs';
import { program } from '../peers/conf.mjs';
import { cannedStatus, probeStatus } from './control.mjs';
import { dropDir, floorScript, live, rotate, STEADY_AFTER_S, tempDir } from './common.mjs';

const SLEEP = ['/bin/sleep', '100000'];

/** The fd limit a supervisor may ask for (supervisord refuses to start when minfds exceeds the hard limit). */
function hardNofile() {
  try {
    const m = /^Max open files\s+\d+\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m?.[1] === 'unlimited' ? Infinity : Number(m?.[1] ?? 1024);
  } catch {
    return 1024;
  }
}

const comm = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** The supervisor's own processes: itself and its descendants that are not the programs. */
function ownProcesses(pid) {
  return [pid, ...descendantsOf(pid).filter((d) => comm(d) !== 'sleep')];
}

function footprint(pid) {
  const own = ownProcesses(pid);
  const rss = own.map((p) => memory(p).rss || 0);
  return { rss: rss.reduce((a, b) => a + b, 0), supervisorRss: rss[0], helpers: own.slice(1).map(comm), helperRss: rss.slice(1).reduce((a, b) => a + b, 0) };
}

/** 1 s settling, then CPU of the supervisor and its helpers over idleS (10 ms ticks). */
async function idleCpu(pid, idleS) {
  await sleep(1000);
  return cpuOver(pid, idleS);
}

/** CPU over idleS beginning STEADY_AFTER_S after `since` (all RUNNING). */
async function steadyCpu(pid, idleS, since) {
  await sleep(Math.max(0, STEADY_AFTER_S * 1000 - (now() - since)));
  return cpuOver(pid, idleS);
}

async function cpuOver(pid, idleS) {
  const own = ownProcesses(pid);
  const c0 = own.map(cpuMs);
  await sleep(idleS * 1000);
  return own.reduce((sum, p, i) => sum + ((cpuMs(p) ?? c0[i]) - c0[i]), 0);
}

/** Resolves once `pid` and every pid of `family` are dead (polling only the ones still alive), or rejects after capMs. */
async function allGone(pid, family, capMs) {
  const t0 = now();
  let left = [pid, ...family];
  while (left.length) {
    left = left.filter((p) => !isDead(p));
    if (!left.length) break;
    if (now() - t0 > capMs) throw new Error(`${left.length} process(es) still alive ${capMs} ms after the shutdown began`);
    await sleep(left.length > 100 ? 20 : 5);
  }
  return now();
}

async function timed(fn, ms, what) {
  let timer;
  try {
    return await Promise.race([
      fn(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: exceeded the ${ms / 1000} s limit`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function statusSeries(fn, calls) {
  await fn(); // warm-up
  const xs = [];
  let bytes = 0;
  for (let i = 0; i < calls; i++) {
    const t0 = now();
    const r = await fn();
    xs.push(r.ms ?? now() - t0);
    bytes = r.bytes;
  }
  return { ms: median(xs), samples: xs, bytes };
}

/** statusSeries for an XML-RPC socket, timed by the status probe (a fresh process). */
async function probedSeries(sock, calls) {
  const r = await probeStatus(sock, 1, calls);
  return { ms: median(r.ms), samples: r.ms, bytes: r.bytes };
}

/** Starts the floor holding N `sleep`s; resolves once all have spawned. `end()` kills it. */
async function launchFloor(n, c) {
  const kid = spawn(process.execPath, [floorScript('spawn-many.mjs'), String(n), ...SLEEP], { stdio: ['ignore', 'pipe', 'ignore'], env: childEnv() });
  live.add(kid);
  const exited = new Promise((r) => kid.on('exit', r));
  const end = async () => {
    kid.kill('SIGKILL');
    await exited;
    live.delete(kid);
  };
  try {
    const line = await timed(
      () =>
        new Promise((resolve, reject) => {
          let buf = '';
          kid.stdout.on('data', (d) => {
            buf += d;
            if (buf.includes('\n')) resolve(buf);
          });
          kid.on('exit', () => reject(new Error('spawn-many exited')));
        }),
      c.capS(n) * 1000,
      'floor start',
    );
    return { kid, end, startMs: Number(/^T ([\d.]+)/.exec(line)[1]) };
  } catch (e) {
    await end();
    throw e;
  }
}

async function floorRun(n, c, dir) {
  const out = {};
  // start, memory, idle, stop (all at once): N bare children
  let floor = await launchFloor(n, c);
  try {
    out.startMs = floor.startMs;
    const running = now();
    out.idleCpuMs = await idleCpu(floor.kid.pid, c.idleS);
    Object.assign(out, footprint(floor.kid.pid));
    out.steadyCpuMs = await steadyCpu(floor.kid.pid, c.idleS, running);
    const family = descendantsOf(floor.kid.pid);
    const t0 = now();
    floor.kid.kill('SIGTERM');
    out.stopMs = (await allGone(floor.kid.pid, family, 60000)) - t0;
  } finally {
    await floor.end();
  }
  // stop one at a time (what a shutdown of N one-program groups must do): N bare children again
  floor = await launchFloor(n, c);
  try {
    const family = descendantsOf(floor.kid.pid);
    const t0 = now();
    floor.kid.kill('SIGUSR2');
    out.seqStopMs = (await allGone(floor.kid.pid, family, c.stopCapS * 1000)) - t0;
  } finally {
    await floor.end();
  }
  // status: a canned response of n entries
  const sock = join(dir, 'echo.sock');
  const body = join(dir, 'body.xml');
  writeFileSync(body, cannedStatus(n));
  const server = spawn(process.execPath, [floorScript('rpc-echo.mjs'), sock, body], { stdio: ['ignore', 'pipe', 'ignore'], env: childEnv() });
  live.add(server);
  try {
    await new Promise((r) => server.stdout.once('data', r));
    out.status = await probedSeries(sock, c.statusCalls);
  } finally {
    server.kill('SIGTERM');
    live.delete(server);
  }
  return out;
}

const RUNNING_XML = Buffer.from('<string>RUNNING</string>');

/** How many of the peer's programs are RUNNING (for XML-RPC peers counted in the raw response). */
async function runningCount(peer) {
  if (peer.kind === 'xmlrpc') {
    const r = await rpc(peer.sock, 'supervisor.getAllProcessInfo', [], { decode: false });
    // Counted in the bytes: no 5 MB string and split list per poll for the runner to collect while
    // the supervisor starts thousands of programs on the other core.
    let k = 0;
    for (let i = r.raw.indexOf(RUNNING_XML); i !== -1; i = r.raw.indexOf(RUNNING_XML, i + RUNNING_XML.length)) k++;
    return k;
  }
  return (await peer.list()).filter((p) => p.state === 'RUNNING').length;
}

async function peerRun(peer, n, c, dir) {
  const programs = Array.from({ length: n }, (_, i) => program({ name: `s${String(i).padStart(4, '0')}`, command: SLEEP }));
  const out = {};
  const capMs = c.capS(n) * 1000;
  await peer.launch(programs, dir, { minfds: Math.min(4 * n + 1024, hardNofile()), minprocs: n + 200, startTimeout: capMs });
  let closed = false;
  try {
    const t0 = now();
    let tCall;
    await timed(
      async () => {
        await peer.startAll();
        tCall = now() - t0;
        out.startMs = tCall;
        for (;;) {
          const k = await runningCount(peer);
          if (k === n) return;
          await sleep(Math.max(100, n / 20));
          out.startMs = now() - t0; // a later check saw it
        }
      },
      capMs,
      `start of ${n}`,
    );
    out.callMs = tCall;
    const running = now();
    out.idleCpuMs = await idleCpu(peer.pid, c.idleS);
    Object.assign(out, footprint(peer.pid));
    out.steadyCpuMs = await steadyCpu(peer.pid, c.idleS, running);
    if (peer.kind === 'xmlrpc') out.status = await probedSeries(peer.sock, c.statusCalls);
    else if (peer.id === 'pm2') out.status = await statusSeries(() => peer.status(), c.statusCalls);
    if (peer.cliStatus) {
      const [cmd, args] = peer.cliStatus();
      const env = peer.id === 'pm2' ? { ...childEnv(), PM2_HOME: peer.home } : childEnv();
      const { spawnSync } = await import('node:child_process');
      const xs = [];
      for (let i = 0; i < c.cliSamples; i++) {
        const t = now();
        const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28, timeout: 120000 });
        xs.push(now() - t);
        if (r.error) throw r.error;
      }
      out.cliMs = median(xs);
    }
    // Shutdown: the supervisor and all N programs gone.
    const family = descendantsOf(peer.pid);
    const pid = peer.pid;
    const t1 = now();
    closed = true;
    // The daemons get their SIGTERM here, before close() (which first lists the family, a /proc
    // scan of N processes, and would delay the request); PM2 and the embedded host through close().
    if (peer.kind === 'xmlrpc') process.kill(pid, 'SIGTERM');
    const closing = peer.kind === 'xmlrpc' ? peer.exited.then(() => peer.close()) : peer.close();
    try {
      out.stopMs = (await allGone(pid, family, c.stopCapS * 1000)) - t1;
    } catch (e) {
      out.stopMs = NaN; // close() below ends what is left
      out.stopNote = e.message;
    }
    await closing;
  } finally {
    if (!closed) await peer.close();
  }
  return out;
}

export async function run(ctx) {
  const c = ctx.cfg.scale;
  const sizes = process.env.SCALE_SIZES ? process.env.SCALE_SIZES.split(',').map(Number) : c.sizes;
  const cfg = { ...c, capS: (n) => c.capBaseS + n * c.capPerProgramS };
  const names = ['floor', ...ctx.peerIds];
  const res = { sizes, idleS: c.idleS, statusCalls: c.statusCalls, caps: Object.fromEntries(sizes.map((n) => [n, cfg.capS(n)])), runs: {}, failures: {} };
  let rep = 0;
  for (const n of sizes) {
    res.runs[n] = {};
    res.failures[n] = {};
    for (const name of rotate(names, rep++)) {
      await ctx.quiet(`scale/${n}/${name}`);
      const dir = tempDir(ctx);
      try {
        const r = name === 'floor' ? await floorRun(n, cfg, dir) : await peerRun(ctx.peers[name], n, cfg, dir);
        res.runs[n][name] = r;
        ctx.progress(
          `scale ${n} ${name}: all RUNNING in ${r.startMs.toFixed(0)} ms, RSS ${(r.rss / 2 ** 20).toFixed(1)} MB${r.helpers?.length ? ` (incl. ${r.helpers.join(', ')})` : ''}, idle CPU ${r.idleCpuMs} ms / ${c.idleS} s (steady ${r.steadyCpuMs} ms), status ${r.status ? `${r.status.ms.toFixed(1)} ms` : '–'}${r.cliMs ? `, CLI ${r.cliMs.toFixed(0)} ms` : ''}, shutdown ${r.stopNote ?? `${r.stopMs.toFixed(0)} ms`}`,
        );
      } catch (e) {
        res.failures[n][name] = e.message.split('\n')[0];
        ctx.note(`scale/${n}/${name}: ${e.message.split('\n')[0]}`);
        if (name !== 'floor') await ctx.peers[name].close().catch(() => {});
      }
      dropDir(ctx, dir);
      await sleep(500);
    }
  }
  return res;
}
