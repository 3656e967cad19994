// `npm run bench` (after `npm run build`): every workload for procvisor, the real supervisord 4.2.5,
// PM2 and the physical floor, alternating, several repetitions, in one run; prints ratios to the
// floor and writes bench/RESULTS.md with SVG charts next to it. See bench/README.md.
//
//   node bench/run.mjs                 full run (~10 min on 2 cores) → bench/RESULTS.md, bench/*.svg
//   node bench/run.mjs --quick         ~2 min smoke → bench/.work/quick/RESULTS.md (unless --out)
//   options: --only=restart,stop,fanout,logs,control,scale   --peers=procvisor,supervisord,pm2
//            --procvisor=auto|daemon|embedded   --out=DIR   --keep (temp dirs)
//            --report=FILE.json (re-render RESULTS.md and charts from a saved run, no measuring)
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Children must not see these (and PM2's daemon inherits this process's environment). npm, which
// installs PM2 once, still needs the extra CA where the registry is reached through one.
const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS;
delete process.env.NODE_EXTRA_CA_CERTS;
delete process.env.NODE_OPTIONS;
process.env.PM2_KILL_SIGNAL = 'SIGTERM'; // PM2 stops with SIGINT by default; the others with SIGTERM
process.env.PM2_PROGRAMMATIC = 'true'; // keeps the PM2 API from printing to our stdout
process.env.PM2_NO_INTERACTION = 'true';

const { machineInfo, killQuietly, machineBusy, sleep } = await import('./lib.mjs');
const { ConfPeer } = await import('./peers/supervisord.mjs');
const { EmbeddedPeer } = await import('./peers/embedded.mjs');
const { Pm2Peer, ensurePm2 } = await import('./peers/pm2.mjs');
const { program } = await import('./peers/conf.mjs');
const { live } = await import('./workloads/common.mjs');
const { render } = await import('./report.mjs');

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = fileURLToPath(new URL('.', import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.length ? v.join('=') : true];
  }),
);
const quick = !!args.quick;
const outDir = args.out ? String(args.out) : quick ? join(benchDir, '.work/quick') : benchDir;

const CONFIG = {
  full: {
    quiet: { threshold: 0.25, maxWaitS: 20, budgetS: 120 },
    restart: { reps: 3, target: 100, nodeTarget: 40, capS: 6, supervisordCapS: 7 },
    stop: { reps: 3, term: 8, stubborn: 3 },
    fanout: { sizes: [100, 500], reps: 2, idleReps: 1, idleS: 10 },
    logs: { mb: 200, reps: 3 },
    control: { programs: 1000, reps: 1, statusCalls: 30, startStopSeconds: 5, maxCycles: 300, cliSamples: 3 },
    // Time limit for a peer's start of N programs: capBaseS + N × capPerProgramS (5,000 → 180 s).
    scale: { sizes: [100, 500, 2000, 5000], idleS: 10, statusCalls: 5, cliSamples: 1, capBaseS: 30, capPerProgramS: 0.03, stopCapS: 90 },
  },
  quick: {
    quiet: { threshold: 0.25, maxWaitS: 3, budgetS: 15 },
    restart: { reps: 1, target: 40, nodeTarget: 15, capS: 3, supervisordCapS: 4 },
    stop: { reps: 1, term: 4, stubborn: 1 },
    fanout: { sizes: [100], reps: 1, idleS: 3 },
    logs: { mb: 50, reps: 1 },
    control: { programs: 200, reps: 1, statusCalls: 10, startStopSeconds: 2, maxCycles: 100, cliSamples: 2 },
    scale: { sizes: [50, 200], idleS: 3, statusCalls: 3, cliSamples: 1, capBaseS: 20, capPerProgramS: 0.03, stopCapS: 30 },
  },
};

if (args.report) {
  const saved = JSON.parse(readFileSync(String(args.report), 'utf8'));
  mkdirSync(args.out ? String(args.out) : benchDir, { recursive: true });
  render(saved, args.out ? String(args.out) : benchDir);
  console.log(`re-rendered ${join(args.out ? String(args.out) : benchDir, 'RESULTS.md')}`);
  process.exit(0);
}

if (!existsSync(join(root, 'dist/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}

const started = Date.now();
const notes = [];
const ctx = {
  cfg: quick ? CONFIG.quick : CONFIG.full,
  dirs: [],
  keep: !!args.keep,
  note(msg) {
    notes.push(msg);
    console.log(`  ! ${msg}`);
  },
  load: [],
  quietWaited: 0,
  /**
   * Before each measured run: waits (bounded) until the rest of the machine is quiet — the CPU
   * share busy while nothing of this bench runs stays under the threshold — and records it.
   */
  async quiet(what) {
    const q = ctx.cfg.quiet;
    const t0 = Date.now();
    // Bounded per run (maxWaitS) and over the whole run (budgetS), so a busy machine cannot stretch it.
    const limit = Math.min(q.maxWaitS, Math.max(0, q.budgetS - ctx.quietWaited)) * 1000;
    let busy = await machineBusy(300);
    while (busy > q.threshold && Date.now() - t0 < limit) {
      await sleep(700);
      busy = await machineBusy(300);
    }
    const waitedS = (Date.now() - t0) / 1000;
    ctx.quietWaited += waitedS;
    ctx.load.push({ what, busy, waitedS });
    if (busy > q.threshold) ctx.progress(`(machine still ${(busy * 100).toFixed(0)}% busy after waiting ${waitedS.toFixed(0)} s: measuring ${what} anyway)`);
    return busy;
  },
  progress(msg) {
    console.log(`  [${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
  },
};

// ---- cleanup: whatever this run started, by pid --------------------------------------------------
let cleaned = false;
function cleanupNow() {
  if (cleaned) return;
  cleaned = true;
  for (const reg of [ConfPeer.registry, EmbeddedPeer.registry, Pm2Peer.registry]) for (const p of reg) p.killNow();
  for (const c of live) killQuietly(c.pid, 'SIGKILL');
  if (!ctx.keep) for (const d of ctx.dirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', cleanupNow);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\n${sig}: cleaning up`);
    cleanupNow();
    process.exit(130);
  });
}

// ---- peers ---------------------------------------------------------------------------------------
console.log(`procvisor bench — ${quick ? 'QUICK smoke run' : 'full run'}`);
const wanted = new Set(String(args.peers ?? 'procvisor,supervisord,pm2').split(','));
const peers = {};
const peerNotes = {};

if (wanted.has('procvisor')) {
  const mode = String(args.procvisor ?? 'auto');
  const cli = join(root, 'dist/cli/procvisor.js');
  let daemonOk = false;
  if (mode !== 'embedded') {
    if (!existsSync(cli)) {
      ctx.note(
        'procvisor daemon: dist/cli/procvisor.js does not exist (yet) — procvisor runs as the embedded ProcessManager in its own host process, and is skipped in the control-plane workload.',
      );
    } else {
      const d = new ConfPeer({
        id: 'procvisor',
        label: 'procvisor (daemon)',
        argv: [process.execPath, cli],
        ctl: ['/usr/bin/supervisorctl'],
        supervisorNote: 'procvisor daemon (node dist/cli/procvisor.js -n -c supervisord.conf)',
      });
      const { mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const dir = mkdtempSync(join(tmpdir(), 'procvisor-bench-'));
      try {
        await d.launch([program({ name: 'probe', command: ['/bin/sleep', '100'], autostart: true })], dir, { startTimeout: 15000 });
        await d.close();
        daemonOk = true;
        peers.procvisor = d;
      } catch (e) {
        await d.close().catch(() => {});
        ctx.note(`procvisor daemon did not start (${e.message.split('\n')[0]}) — using the embedded ProcessManager; control plane skipped for procvisor.`);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!daemonOk) peers.procvisor = new EmbeddedPeer();
  peerNotes.procvisor = peers.procvisor.supervisorNote;
}
if (wanted.has('supervisord')) {
  if (existsSync('/usr/bin/supervisord')) {
    peers.supervisord = new ConfPeer({
      id: 'supervisord',
      label: 'supervisord 4.2.5',
      argv: ['/usr/bin/supervisord'],
      ctl: ['/usr/bin/supervisorctl'],
      supervisorNote: 'supervisord python process (/usr/bin/supervisord -n -c supervisord.conf)',
    });
    peerNotes.supervisord = peers.supervisord.supervisorNote;
  } else ctx.note('supervisord: /usr/bin/supervisord not found — skipped.');
}
let pm2Version;
if (wanted.has('pm2')) {
  pm2Version = ensurePm2({ extraCaCerts });
  if (pm2Version) {
    peers.pm2 = new Pm2Peer();
    peers.pm2.label = `PM2 ${pm2Version}`;
    peerNotes.pm2 = peers.pm2.supervisorNote;
  } else ctx.note('PM2: could not be installed into bench/.work/pm2 — skipped.');
}
ctx.peers = peers;
ctx.peerIds = Object.keys(peers);

const info = machineInfo(pm2Version);
console.log(`${info.cpu} × ${info.cores}, ${info.ramGiB} GiB, ${info.kernel}, Node ${info.node}, supervisord ${info.supervisord}, PM2 ${info.pm2}`);
console.log(`peers: ${ctx.peerIds.map((id) => peers[id].label).join(', ')}`);

// ---- workloads -----------------------------------------------------------------------------------
const only = args.only ? new Set(String(args.only).split(',')) : undefined;
const results = {};
const timings = {};
for (const w of ['restart', 'stop', 'fanout', 'logs', 'control', 'scale']) {
  if (only && !only.has(w)) continue;
  console.log(`\n== ${w} ==`);
  const t0 = Date.now();
  const mod = await import(`./workloads/${w}.mjs`);
  try {
    results[w] = await mod.run(ctx);
  } catch (e) {
    ctx.note(`${w}: aborted — ${e.stack ?? e}`);
  }
  timings[w] = (Date.now() - t0) / 1000;
}

const saved = {
  quick,
  config: ctx.cfg,
  info,
  labels: Object.fromEntries(ctx.peerIds.map((id) => [id, peers[id].label])),
  peerNotes,
  procvisorMode: peers.procvisor ? (peers.procvisor.kind === 'ipc' ? 'embedded' : 'daemon') : 'absent',
  notes,
  load: ctx.load,
  timings,
  totalSeconds: (Date.now() - started) / 1000,
  results,
};
mkdirSync(join(benchDir, '.work'), { recursive: true });
// A partial run (--only) keeps its own file, so it never replaces a whole run's samples.
const jsonPath = join(benchDir, '.work', `results-${quick ? 'quick' : 'full'}${args.only ? `-${String(args.only).replace(/,/g, '+')}` : ''}.json`);
writeFileSync(jsonPath, JSON.stringify(saved, null, 1));
mkdirSync(outDir, { recursive: true });
const summary = render(saved, outDir);
console.log(`\n${summary}`);
console.log(`\nraw results: ${jsonPath}\nreport: ${join(outDir, 'RESULTS.md')} (+ SVG charts)\ntotal ${saved.totalSeconds.toFixed(0)} s`);
cleanupNow();
process.exit(0);
