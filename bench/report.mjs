// Turns a saved run (bench/.work/results-*.json) into RESULTS.md + SVG charts and a console summary.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stats } from './lib.mjs';
import { distributionChart, fanoutChart, ratioChart, scaleChart } from './svg.mjs';
import { STEADY_AFTER_S } from './workloads/common.mjs';

const GOALS = { restart: 1.15, fanout: 1.2, rssMB: 55, stopCall: 1.5, logs: 0.8, logCpuPerMB: 1, scaleStatusMs: 50, scaleStatusN: 5000 };
/** Median over repetitions (the mean of the two middle values for an even count). */
const med = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f = (x, d = 2) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(d)) : '–');
const r = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×` : '–');
const mb = (b) => (Number.isFinite(b) ? (b / 2 ** 20).toFixed(1) : '–');

function table(head, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function analyze(saved) {
  const L = { 'bash-loop': 'floor: bash loop', 'spawn-loop': 'floor: bare spawn loop', floor: 'floor', ...saved.labels };
  const out = { labels: L, goals: [], ratios: [] };
  const R = saved.results;
  const peerIds = Object.keys(saved.labels);

  if (R.restart) {
    out.restart = R.restart.fixtures.map((fx) => {
      const rows = Object.entries(R.restart.samples[fx.id]).map(([id, xs]) => ({ id, st: stats(xs), samples: xs }));
      const floor = rows.find((x) => x.id === 'spawn-loop')?.st;
      for (const row of rows) {
        row.ratio = floor ? { median: row.st.median / floor.median, p90: row.st.p90 / floor.p90, p99: row.st.p99 / floor.p99 } : {};
      }
      return { ...fx, rows };
    });
    for (const fx of out.restart) {
      out.ratios.push({
        label: `restart latency, ${fx.id} fixture (median)`,
        bars: peerIds.map((id) => ({ id, label: L[id], ratio: fx.rows.find((x) => x.id === id)?.ratio.median })),
      });
      const pv = fx.rows.find((x) => x.id === 'procvisor');
      if (pv) {
        out.goals.push({
          goal: `restart latency within ${GOALS.restart}× of the bare spawn floor — ${fx.label}`,
          value: `median ${r(pv.ratio.median)}, p90 ${r(pv.ratio.p90)}, p99 ${r(pv.ratio.p99)} (${f(pv.st.median)} vs ${f(fx.rows.find((x) => x.id === 'spawn-loop')?.st.median)} ms)`,
          met: pv.ratio.median <= GOALS.restart,
          detail: pv.ratio.p90 <= GOALS.restart ? 'median and p90 within' : 'median only',
        });
      }
    }
  }

  if (R.stop) {
    out.stop = R.stop.fixtures.map((fx) => {
      const rows = Object.entries(R.stop.samples[fx.id]).map(([id, xs]) => ({
        id,
        call: stats(xs.map((x) => x.call)),
        dead: stats(xs.map((x) => x.dead).filter(Number.isFinite)),
      }));
      const floor = rows.find((x) => x.id === 'floor');
      for (const row of rows) {
        row.ratioCall = floor ? row.call.median / floor.call.median : NaN;
        row.ratioDead = floor ? row.dead.median / floor.dead.median : NaN;
      }
      return { ...fx, rows };
    });
    const term = out.stop.find((x) => x.id === 'term');
    const stub = out.stop.find((x) => x.id === 'stubborn');
    if (term)
      out.ratios.push({
        label: 'stop, child exits on SIGTERM (call, median)',
        bars: peerIds.map((id) => ({ id, label: L[id], ratio: term.rows.find((x) => x.id === id)?.ratioCall })),
      });
    if (stub)
      out.ratios.push({
        label: 'stop, child ignores SIGTERM (until dead, median)',
        bars: peerIds.map((id) => ({ id, label: L[id], ratio: stub.rows.find((x) => x.id === id)?.ratioDead })),
      });
    const pv = term?.rows.find((x) => x.id === 'procvisor');
    const floor = term?.rows.find((x) => x.id === 'floor');
    out.stopTransport = R.stop.transport?.length ? stats(R.stop.transport) : undefined;
    const least = out.stopTransport && floor ? (floor.call.median + out.stopTransport.median) / floor.call.median : NaN;
    const transportNote = Number.isFinite(least)
      ? `; the transport alone (a bare server's canned answer, same client and socket) takes ${f(out.stopTransport.median)} ms, so a supervisor in another process answers at best in ${r(least)}`
      : '';
    out.goals.push({
      goal: `stop call within ${GOALS.stopCall}× of the floor (XML-RPC stopProcess(name, wait=true) of a child that exits on SIGTERM; floor: kill → exit event)`,
      value: pv && floor ? `${r(pv.ratioCall)} (${f(pv.call.median)} vs ${f(floor.call.median)} ms, medians)${transportNote}` : 'not measured',
      met: pv && floor ? pv.ratioCall <= GOALS.stopCall : undefined,
    });
  }

  if (R.fanout) {
    out.fanout = R.fanout.sizes.map((n) => {
      const rows = Object.entries(R.fanout.runs[n] ?? {}).map(([id, runs]) => ({
        id,
        runs: runs.length,
        startMs: med(runs.map((x) => x.startMs)),
        rss: med(runs.map((x) => x.rss)),
        rssRuns: runs.map((x) => x.rss),
        idleCpuMs: med(runs.map((x) => x.idleCpuMs ?? NaN)),
        steadyCpuMs: med(runs.map((x) => x.steadyCpuMs ?? NaN)),
        helperRss: med(runs.map((x) => x.helpers?.rss ?? 0)),
        helperNames: [...new Set(runs.flatMap((x) => x.helpers?.names ?? []))],
      }));
      const floor = rows.find((x) => x.id === 'floor');
      for (const row of rows) row.ratio = floor ? row.startMs / floor.startMs : NaN;
      return { n, rows };
    });
    for (const g of out.fanout) {
      out.ratios.push({
        label: `fan-out ${g.n} programs to RUNNING (time)`,
        bars: peerIds.map((id) => ({ id, label: L[id], ratio: g.rows.find((x) => x.id === id)?.ratio })),
      });
    }
    const g500 = out.fanout.find((g) => g.n === 500);
    const pv = g500?.rows.find((x) => x.id === 'procvisor');
    const what = saved.procvisorMode === 'daemon' ? 'procvisor daemon process' : 'embedded manager host process';
    out.goals.push({
      goal: `start of 500 programs within ${GOALS.fanout}× of the floor (a bare node spawning 500)`,
      value: pv ? `${r(pv.ratio)} (${f(pv.startMs, 0)} vs ${f(g500.rows.find((x) => x.id === 'floor')?.startMs, 0)} ms)` : 'not measured (no 500-program run)',
      met: pv ? pv.ratio <= GOALS.fanout : undefined,
    });
    out.goals.push({
      goal: 'idle CPU 0 with 500 programs, once the start is over (no timer armed while nothing happens)',
      value: pv
        ? `${f(pv.steadyCpuMs, 0)} ms CPU in ${saved.results.fanout.idleS} s from ${STEADY_AFTER_S} s after all were RUNNING; ${f(pv.idleCpuMs, 0)} ms in the ${saved.results.fanout.idleS} s from 1 s after (the post-start compaction and V8's memory reducer) (${what}; /proc resolution 10 ms)`
        : 'not measured (no 500-program run)',
      met: pv ? pv.steadyCpuMs === 0 : undefined,
    });
    out.goals.push({
      goal: `everything procvisor runs under ${GOALS.rssMB} MB with 500 programs (supervisor + helper processes)`,
      value: pv
        ? `${mb(pv.rss + pv.helperRss)} MB: ${mb(pv.rss)} MB ${what} (per run: ${pv.rssRuns.map(mb).join(' / ')} MB)${pv.helperRss ? ` + ${mb(pv.helperRss)} MB helper process(es): ${pv.helperNames.join(', ')}` : ''}`
        : 'not measured (no 500-program run)',
      met: pv ? (pv.rss + pv.helperRss) / 2 ** 20 <= GOALS.rssMB : undefined,
    });
  }

  if (R.logs) {
    const rows = Object.entries(R.logs.runs).map(([id, runs]) => ({
      id,
      runs: runs.length,
      childMs: med(runs.map((x) => x.childMs)),
      wallMs: med(runs.map((x) => x.wallMs)),
      cpuPerMB: med(runs.map((x) => x.supervisorCpuMs / R.logs.mb)),
      kept: runs.at(-1)?.kept,
      intact: runs.every((x) => x.kept.intact),
      rotation: runs[0]?.rotation,
    }));
    const floor = rows.find((x) => x.id === 'floor');
    for (const row of rows) {
      row.mbps = R.logs.mb / (row.childMs / 1000);
      row.ratio = floor ? floor.childMs / row.childMs : NaN;
    }
    out.logs = rows;
    out.ratios.push({
      label: `log throughput ${R.logs.mb} MB with rotation (time)`,
      bars: peerIds.map((id) => ({ id, label: L[id], ratio: 1 / rows.find((x) => x.id === id)?.ratio })),
    });
    const pv = rows.find((x) => x.id === 'procvisor');
    out.goals.push({
      goal: `log throughput ≥ ${GOALS.logs}× of writing straight to a file`,
      value: pv ? `${r(pv.ratio)} (${f(pv.mbps, 0)} vs ${f(floor?.mbps, 0)} MB/s, ${R.logs.mb} MB, 10 MB × 5 rotation)` : 'not measured',
      met: pv ? pv.ratio >= GOALS.logs : undefined,
    });
    out.goals.push({
      goal: `log capture at most ${GOALS.logCpuPerMB} ms of supervisor CPU per MB`,
      value: pv ? `${f(pv.cpuPerMB)} ms/MB (supervisord ${f(rows.find((x) => x.id === 'supervisord')?.cpuPerMB)})` : 'not measured',
      met: pv ? pv.cpuPerMB <= GOALS.logCpuPerMB : undefined,
    });
  }

  if (R.control) {
    const rows = Object.entries(R.control.runs)
      .filter(([, runs]) => runs.length)
      .map(([id, runs]) => ({
        id,
        status: stats(runs.flatMap((x) => x.status.ms)),
        bytes: runs[0].status.bytes,
        count: runs[0].status.count,
        rt: stats(runs.flatMap((x) => x.startstop.ms)),
        startMs: stats(runs.flatMap((x) => x.startstop.startMs ?? [])),
        stopMs: stats(runs.flatMap((x) => x.startstop.stopMs ?? [])),
        perSecond: med(runs.map((x) => x.startstop.perSecond)),
        cli: runs[0].cli ? stats(runs.flatMap((x) => x.cli)) : undefined,
        setupMs: med(runs.map((x) => x.setupMs ?? NaN)),
      }));
    const floor = rows.find((x) => x.id === 'floor');
    for (const row of rows) {
      row.ratioStatus = floor ? row.status.median / floor.status.median : NaN;
      row.ratioRt = floor ? floor.perSecond / row.perSecond : NaN;
    }
    out.control = rows;
    const missing = (id) => (saved.procvisorMode !== 'daemon' && id === 'procvisor' ? 'skipped: no daemon yet' : undefined);
    out.ratios.push({
      label: `status with ${R.control.programs} programs (latency)`,
      bars: peerIds.map((id) => ({ id, label: L[id], ratio: rows.find((x) => x.id === id)?.ratioStatus, note: missing(id) })),
    });
    out.ratios.push({
      label: 'start/stop round trips (time per round trip)',
      bars: peerIds.map((id) => ({ id, label: L[id], ratio: rows.find((x) => x.id === id)?.ratioRt, note: missing(id) })),
    });
  }
  if (R.scale) {
    const ids = ['floor', ...peerIds];
    out.scale = R.scale.sizes.map((n) => {
      const runs = R.scale.runs[n] ?? {};
      const floor = runs.floor;
      const rows = ids.map((id) => {
        const x = runs[id];
        if (!x) return { id, failed: R.scale.failures?.[n]?.[id] ?? 'not run' };
        return {
          id,
          ...x,
          startRatio: floor ? x.startMs / floor.startMs : NaN,
          statusMs: x.status?.ms,
          statusRatio: floor?.status && x.status ? x.status.ms / floor.status.ms : NaN,
          stopRatio: floor ? x.stopMs / floor.stopMs : NaN,
          seqStopRatio: floor?.seqStopMs ? x.stopMs / floor.seqStopMs : NaN,
        };
      });
      return { n, rows };
    });
    const pvAt = (n) => out.scale.find((g) => g.n === n)?.rows.find((x) => x.id === 'procvisor');
    const sizes = R.scale.sizes;
    const pvRows = sizes.map(pvAt).filter((x) => x && !x.failed);
    out.goals.push({
      goal: 'idle CPU 0 at every N of the scale series, once the start is over (no timer armed while nothing happens)',
      value: pvRows.length
        ? `from ${STEADY_AFTER_S} s after all were RUNNING: ` +
          sizes.map((n) => `${n}: ${f(pvAt(n)?.steadyCpuMs, 0)} ms`).join(', ') +
          `; from 1 s after: ` +
          sizes.map((n) => `${n}: ${f(pvAt(n)?.idleCpuMs, 0)} ms`).join(', ') +
          ` (per ${R.scale.idleS} s, daemon + helpers; 10 ms ticks)`
        : 'not measured',
      met: pvRows.length ? pvRows.every((x) => x.steadyCpuMs === 0) : undefined,
    });
    const big = pvAt(GOALS.scaleStatusN);
    out.goals.push({
      goal: `getAllProcessInfo of ${GOALS.scaleStatusN} processes under ${GOALS.scaleStatusMs} ms`,
      value:
        big?.statusMs !== undefined
          ? `${f(big.statusMs, 1)} ms median over ${R.scale.statusCalls} calls (floor: canned response ${f(out.scale.find((g) => g.n === GOALS.scaleStatusN)?.rows.find((x) => x.id === 'floor')?.statusMs, 1)} ms)`
          : `not measured (no ${GOALS.scaleStatusN}-program run)`,
      met: big?.statusMs !== undefined ? big.statusMs < GOALS.scaleStatusMs : undefined,
    });
    if (pvRows.length >= 2) {
      const lo = pvRows[0];
      const hi = pvRows.at(-1);
      const loN = sizes.find((n) => pvAt(n) === lo);
      const hiN = sizes.find((n) => pvAt(n) === hi);
      const growth = (k, a = hi, b = lo) => a[k] / hiN / (b[k] / loN);
      const floorAt = (n) => out.scale.find((g) => g.n === n)?.rows.find((x) => x.id === 'floor');
      const [fHi, fLo] = [floorAt(hiN), floorAt(loN)];
      const floorGrowth =
        fHi && fLo && !fHi.failed && !fLo.failed
          ? `; the floor's own growth: start ${r(growth('startMs', fHi, fLo))}, shutdown all at once ${r(growth('stopMs', fHi, fLo))}, one at a time ${r(growth('seqStopMs', fHi, fLo))}`
          : '';
      out.goals.push({
        goal: `linear growth from ${loN} to ${hiN} programs (time per program at ${hiN} ÷ at ${loN}; 1 = linear)`,
        value: `start ${r(growth('startMs'))}, shutdown ${r(growth('stopMs'))}, status ${r(hi.statusMs / hiN / (lo.statusMs / loN))}${floorGrowth}; × floor at ${hiN}: start ${r(hi.startRatio)}, shutdown ${r(hi.stopRatio)} (all at once) / ${r(hi.seqStopRatio)} (one at a time)`,
        met: growth('startMs') <= 1.5 && growth('stopMs') <= 1.5,
        detail: 'within 1.5× of linear',
      });
    }
  }
  return out;
}

const KEEP_MARKER = '<!-- Everything above is generated by bench/run.mjs; sections below this line are kept when it re-renders. -->';

/**
 * Hand-written sections appended to an existing RESULTS.md (e.g. the reliability figures) survive
 * a re-render: everything after KEEP_MARKER, or — in a file without the marker — every `## `
 * section after the generated "## Run configuration" one.
 */
function keptTail(path) {
  if (!existsSync(path)) return '';
  const old = readFileSync(path, 'utf8');
  const i = old.indexOf(KEEP_MARKER);
  if (i >= 0) return old.slice(i + KEEP_MARKER.length).replace(/^\n+/, '\n');
  const run = old.indexOf('\n## Run configuration');
  if (run < 0) return '';
  const next = old.indexOf('\n## ', run + 1);
  return next < 0 ? '' : `\n${old.slice(next + 1)}`;
}

const metText = (m) => (m === true ? '**met**' : m === false ? '**missed**' : 'not measured');

export function render(saved, outDir) {
  const A = analyze(saved);
  const L = A.labels;
  const i = saved.info;
  const peerIds = Object.keys(saved.labels);
  const md = [];
  const charts = [];
  md.push('# Benchmarks: procvisor next to supervisord 4.2.5 and PM2');
  md.push('');
  md.push(
    `Generated by \`npm run bench\` (bench/run.mjs${saved.quick ? ' --quick: a **smoke run**, too few samples to compare' : ''}) on ${i.date.slice(0, 16).replace('T', ' ')} UTC; the whole run took ${(saved.totalSeconds / 60).toFixed(1)} min. Every number below comes from this one run on this one machine — compare peers within it, never with numbers from another machine. How each number is taken: [README.md](README.md).`,
  );
  md.push('');
  md.push(
    table(
      ['machine', ''],
      [
        ['CPU', `${i.cpu}`],
        ['cores', `${i.cores}`],
        ['RAM', `${i.ramGiB} GiB`],
        ['kernel', i.kernel],
        ['Node', i.node],
        ['supervisord', `${i.supervisord} (Python ${i.python})`],
        ['PM2', i.pm2],
        ['bash', i.bash],
      ],
    ),
  );
  md.push('');
  md.push('Which process is "the supervisor" whose CPU and memory are read from `/proc`:');
  md.push('');
  for (const id of peerIds) md.push(`- **${L[id]}**: ${saved.peerNotes[id]}`);
  md.push('');
  if (saved.procvisorMode !== 'daemon') {
    md.push(
      '> **procvisor ran embedded.** `dist/cli/procvisor.js` was not available when this ran, so procvisor is the `ProcessManager` from `dist/index.js` in its own host process (`bench/peers/embedded-host.mjs`, driven over IPC), and the control-plane workload has no procvisor row. Re-run `npm run bench` once the daemon is built: the same `supervisord.conf` then drives it over XML-RPC exactly like supervisord.',
    );
    md.push('');
  }

  // ---- background load ----
  const load = saved.load ?? [];
  const thr = saved.config.quiet?.threshold ?? 0.25;
  const busyRuns = load.filter((x) => x.busy > thr);
  const loadStats = stats(load.map((x) => x.busy * 100));
  if (load.length) {
    const line = `Background load (the machine's CPU share busy, measured for 0.3 s just before each of the ${load.length} measured runs, waiting up to ${saved.config.quiet.maxWaitS} s per run and ${saved.config.quiet.budgetS ?? '∞'} s in all for it to drop under ${thr * 100}%): median ${loadStats.median.toFixed(0)}%, p90 ${loadStats.p90.toFixed(0)}%, max ${loadStats.max.toFixed(0)}%; ${busyRuns.length} run(s) started above ${thr * 100}%.`;
    if (busyRuns.length > load.length * 0.1) {
      md.push(
        `> **The machine was not idle during this run** — other work shared its ${i.cores} cores. ${line} Runs that started busy: ${busyRuns
          .map((x) => x.what)
          .slice(0, 12)
          .join(', ')}${busyRuns.length > 12 ? ', …' : ''}. Treat the numbers, and especially the tails, as noisy; re-run on a quiet machine to confirm.`,
      );
    } else md.push(line);
    md.push('');
  }

  // ---- goals ----
  md.push('## Published goals');
  md.push('');
  md.push(
    table(
      ['goal', 'measured (procvisor)', 'result'],
      A.goals.map((g) => [g.goal, g.value, `${metText(g.met)}${g.detail && g.met ? ` (${g.detail})` : ''}`]),
    ),
  );
  md.push('');

  // ---- ratios ----
  if (A.ratios.length) {
    writeFileSync(
      join(outDir, 'ratios.svg'),
      ratioChart(A.ratios, {
        title: 'Slowdown versus the physical floor, per workload',
        subtitle: 'peer time ÷ floor time (median; throughput and round trips inverted so that lower is better everywhere); log scale',
        goals: [{ ratio: GOALS.restart, label: `${GOALS.restart}× (restart goal)` }],
      }),
    );
    charts.push('ratios.svg');
    md.push('## Ratios to the floor');
    md.push('');
    md.push('![Slowdown versus the floor per workload](ratios.svg)');
    md.push('');
  }

  // ---- restart ----
  if (A.restart) {
    const panels = A.restart.map((fx) => ({ title: fx.label, rows: fx.rows.map((x) => ({ id: x.id, label: L[x.id], samples: x.samples })) }));
    writeFileSync(
      join(outDir, 'restart-latency.svg'),
      distributionChart(panels, {
        title: 'Restart latency after a crash (autorestart=true, startsecs=0)',
        subtitle: "previous instance's last timestamp (just before exit) → next instance's first line, both taken inside the fixture",
      }),
    );
    charts.push('restart-latency.svg');
    md.push('## 1. Restart latency after a crash');
    md.push('');
    md.push('![Restart-latency distribution per peer](restart-latency.svg)');
    md.push('');
    for (const fx of A.restart) {
      md.push(`**${fx.label}**`);
      md.push('');
      md.push(
        table(
          ['peer', 'n', 'median ms', 'p90 ms', 'p99 ms', '× floor (median)', '× floor (p90)', '× floor (p99)'],
          fx.rows.map((x) => [L[x.id], x.st.n, f(x.st.median), f(x.st.p90), f(x.st.p99), r(x.ratio.median), r(x.ratio.p90), r(x.ratio.p99)]),
        ),
      );
      md.push('');
    }
    const runs = saved.results.restart.runs;
    const sv = Object.values(runs)
      .map((x) => x.supervisord)
      .filter(Boolean)
      .flat();
    if (sv.length) {
      md.push(
        `supervisord restarts a program at its next main-loop tick (poll timeout 1 s) unless other I/O wakes the loop, so it was sampled for at most ${saved.config.restart.supervisordCapS} s per run (${sv.map((x) => x.n).join(', ')} samples per run); its p99 is the max of few samples. The floor for the ratios is the bare \`child_process.spawn\` loop; the bash loop is the fork+exec minimum for reference.`,
      );
      md.push('');
    }
  }

  // ---- stop ----
  if (A.stop) {
    md.push('## 2. Stop latency');
    md.push('');
    for (const fx of A.stop) {
      md.push(`**${fx.label}**`);
      md.push('');
      md.push(
        table(
          [
            'peer',
            'n',
            'stop call median ms',
            'p90',
            'p99',
            'until dead median ms',
            'p90',
            'p99',
            '× floor (call)',
            ...(fx.id === 'stubborn' ? ['SIGKILL overshoot past 1 s (median / max)'] : []),
          ],
          fx.rows.map((x) => [
            L[x.id],
            x.call.n,
            f(x.call.median),
            f(x.call.p90),
            f(x.call.p99),
            f(x.dead.median),
            f(x.dead.p90),
            f(x.dead.p99),
            r(x.ratioCall),
            ...(fx.id === 'stubborn' ? [`${f(x.dead.median - 1000)} / ${f(x.dead.max - 1000)} ms`] : []),
          ]),
        ),
      );
      md.push('');
    }
    md.push(
      '"stop call" is what a caller waits for (XML-RPC `stopProcess(name, wait=true)`, `pm2.stop(name)`, or the floor\'s `kill` → `exit` event); "until dead" is when the bench, polling `/proc/<pid>/stat` every 1 ms, first saw the child gone or a zombie. For the stubborn child the escalation accuracy is the overshoot of "until dead" past stopwaitsecs=1 / kill_timeout=1000.',
    );
    if (A.stopTransport) {
      const t = A.stopTransport;
      md.push('');
      md.push(
        `Transport alone: the same \`stopProcess\` request answered by a bare Node HTTP server with a canned response on a unix socket, same client, each call after a 50 ms pause and an untimed call as a peer's stop calls are: median ${f(t.median)} ms, p90 ${f(t.p90)} (n ${t.n}). A supervisor in another process pays it on top of the floor's kill → exit.`,
      );
    }
    md.push('');
  }

  // ---- fanout ----
  if (A.fanout) {
    const fpeers = ['floor', ...peerIds].map((id) => ({ id, label: id === 'floor' ? 'floor: bare node holding N children' : L[id] }));
    const rss = {};
    const cpu = {};
    for (const g of A.fanout) {
      rss[g.n] = Object.fromEntries(g.rows.map((x) => [x.id, x.rss / 2 ** 20]));
      cpu[g.n] = Object.fromEntries(g.rows.map((x) => [x.id, x.idleCpuMs]));
    }
    writeFileSync(
      join(outDir, 'fanout.svg'),
      fanoutChart(
        { sizes: saved.results.fanout.sizes, idleS: saved.results.fanout.idleS, peers: fpeers, rss, cpu, goalMB: GOALS.rssMB },
        {
          title: 'Fan-out: the supervisor process with N programs RUNNING',
          subtitle: `VmRSS at the end of each run (median over repetitions), and utime+stime over a ${saved.results.fanout.idleS} s idle window (/proc/<pid>/stat, 10 ms ticks)`,
        },
      ),
    );
    charts.push('fanout.svg');
    md.push('## 3. Fan-out');
    md.push('');
    md.push('![Supervisor RSS and idle CPU with N programs](fanout.svg)');
    md.push('');
    for (const g of A.fanout) {
      md.push(`**${g.n} programs** (\`sleep\`, startsecs=0)`);
      md.push('');
      md.push(
        table(
          [
            'peer',
            'runs',
            'start all → all RUNNING ms',
            '× floor',
            'supervisor RSS MB',
            `idle CPU ms / ${saved.results.fanout.idleS} s: from 1 s / from ${STEADY_AFTER_S} s`,
            'helper processes',
          ],
          g.rows.map((x) => [
            x.id === 'floor' ? 'floor: bare node spawning N' : L[x.id],
            x.runs,
            f(x.startMs, 0),
            r(x.ratio),
            mb(x.rss),
            `${f(x.idleCpuMs, 0)} / ${f(x.steadyCpuMs, 0)}`,
            x.helperNames.length ? `${x.helperNames.join(', ')}: ${mb(x.helperRss)} MB` : '—',
          ]),
        ),
      );
      md.push('');
    }
  }

  // ---- logs ----
  if (A.logs) {
    const lg = saved.results.logs;
    md.push(`## 4. Log throughput (${lg.mb} MB, rotation 10 MB × 5 backups)`);
    md.push('');
    md.push(
      table(
        [
          'peer',
          'runs',
          'child-side MB/s',
          '× `child > file`',
          'start → exited ms',
          'supervisor CPU ms/MB',
          'rotation',
          'bytes kept',
          'kept = exact tail of the stream',
        ],
        A.logs.map((x) => [
          x.id === 'floor' ? 'floor: `child > file`' : L[x.id],
          x.runs,
          f(x.mbps, 0),
          r(x.ratio),
          f(x.wallMs, 0),
          f(x.cpuPerMB, 2),
          x.rotation,
          x.kept ? `${x.kept.bytes} (${mb(x.kept.bytes)} MB, ${x.kept.files} file${x.kept.files === 1 ? '' : 's'})` : '–',
          x.intact ? 'yes' : '**no**',
        ]),
      ),
    );
    md.push('');
    const pvK = A.logs.find((x) => x.id === 'procvisor')?.kept;
    const svK = A.logs.find((x) => x.id === 'supervisord')?.kept;
    if (pvK && svK && pvK.bytes !== svK.bytes) {
      md.push(
        `procvisor kept ${pvK.bytes} bytes in ${pvK.files} files where supervisord kept ${svK.bytes} in ${svK.files} from the same stream and the same settings: the rotation points differ.`,
      );
      md.push('');
    }
    md.push(
      `Expected with rotation: the newest ≤ 6 × 10 MB (current file + 5 backups; each file may overshoot 10 MB by one read) as one contiguous, byte-exact tail of the ${lg.mb} MB stream; without rotation all ${lg.mb * 2 ** 20} bytes. Medians over runs.`,
    );
    md.push('');
  }

  // ---- control ----
  if (A.control) {
    const c = saved.results.control;
    md.push(`## 5. Control plane (${c.programs} programs configured)`);
    md.push('');
    md.push(
      table(
        [
          'peer',
          'status median ms',
          'p90',
          'p99',
          'response',
          '× floor',
          'start+stop round trips/s',
          'round trip median ms (start + stop)',
          'p90',
          '× floor',
          'stock CLI status (median ms)',
        ],
        A.control.map((x) => [
          x.id === 'floor' ? 'floor (see below)' : L[x.id],
          f(x.status.median),
          f(x.status.p90),
          f(x.status.p99),
          `${x.count} entries, ${(x.bytes / 1024).toFixed(0)} KiB`,
          r(x.ratioStatus),
          f(x.perSecond, 1),
          `${f(x.rt.median)} (${f(x.startMs.median)} + ${f(x.stopMs.median)})`,
          f(x.rt.p90),
          r(x.ratioRt),
          x.cli ? `${f(x.cli.median, 0)} (n=${x.cli.n})` : '—',
        ]),
      ),
    );
    md.push('');
    md.push(
      "status = `supervisor.getAllProcessInfo` over XML-RPC on the unix socket, a new connection per call, by a fresh client process for each series (nothing an earlier workload left in the runner slows it), timed until the response's last byte arrived (the bench counts its entries afterwards, untimed; nothing is decoded), so the figure is the server's work plus transport (PM2: `pm2.list()` over its RPC socket, which also runs pidusage for every process, decoded as JSON by PM2's client). Round trip = `startProcess(name, wait=true)` + `stopProcess(name, wait=true)` (PM2: `pm2.start(name)` + `pm2.stop(name)`). Floors: a bare Node HTTP server on a unix socket answering with a canned response of the same size (transport only), and a bare spawn(`sleep`) → kill → exit round trip. The stock CLI column is `supervisorctl -c <conf> status` (for procvisor too) and `pm2 jlist`, including the client's own start-up.",
    );
    const pm2 = A.control.find((x) => x.id === 'pm2');
    if (pm2) md.push(`PM2 has no autostart=false: its ${c.programs} apps were started and then stopped before measuring (${f(pm2.setupMs / 1000, 1)} s).`);
    md.push('');
  }

  // ---- scale ----
  if (A.scale) {
    const sc = saved.results.scale;
    const ids = ['floor', ...peerIds];
    const lab = (id) => (id === 'floor' ? 'floor' : L[id]);
    const series = (k) =>
      Object.fromEntries(
        ids.map((id) => [id, Object.fromEntries(A.scale.map((g) => [g.n, g.rows.find((x) => x.id === id)?.[k]]).filter(([, v]) => Number.isFinite(v)))]),
      );
    writeFileSync(
      join(outDir, 'scale.svg'),
      scaleChart(
        {
          sizes: sc.sizes,
          peers: ids.map((id) => ({ id, label: id === 'floor' ? 'floor (bare spawn / canned response)' : L[id] })),
          panels: [
            { label: 'start all → all RUNNING (ms)', values: series('startMs') },
            {
              label: 'supervisor + helpers RSS (MB)',
              values: Object.fromEntries(
                Object.entries(series('rss')).map(([id, v]) => [id, Object.fromEntries(Object.entries(v).map(([n, b]) => [n, b / 2 ** 20]))]),
              ),
            },
            { label: 'getAllProcessInfo / pm2.list (ms)', values: series('statusMs'), goal: { n: GOALS.scaleStatusN, v: GOALS.scaleStatusMs } },
            { label: 'shutdown → all gone (ms; floor: one at a time)', values: { ...series('stopMs'), floor: series('seqStopMs').floor } },
          ],
        },
        {
          title: 'Scale: cost against the number of programs',
          subtitle: 'log–log; a line parallel to the dotted one grows linearly; missing points: the peer failed or exceeded its time limit (see the table)',
        },
      ),
    );
    charts.push('scale.svg');
    md.push(`## 6. Scale (${sc.sizes.join(', ')} programs)`);
    md.push('');
    md.push('![Cost against the number of programs](scale.svg)');
    md.push('');
    md.push(
      table(
        [
          'N',
          'peer',
          'start → all RUNNING ms',
          '× floor',
          'RSS MB (supervisor + helpers)',
          `idle CPU ms / ${sc.idleS} s: from 1 s / from ${STEADY_AFTER_S} s`,
          'status ms',
          '× floor',
          'stock CLI status ms',
          'shutdown ms',
          '× floor (all at once)',
          '× floor (one at a time)',
        ],
        A.scale.flatMap((g) =>
          g.rows.map((x) =>
            x.failed
              ? [g.n, lab(x.id), `**${x.failed}**`, '', '', '', '', '', '', '', '', '']
              : [
                  g.n,
                  lab(x.id),
                  f(x.startMs, 0),
                  x.id === 'floor' ? '' : r(x.startRatio),
                  `${mb(x.rss)}${x.helpers?.length ? ` (${mb(x.supervisorRss)} + ${x.helpers.join(', ')} ${mb(x.helperRss)})` : ''}`,
                  `${f(x.idleCpuMs, 0)} / ${f(x.steadyCpuMs, 0)}`,
                  f(x.statusMs, 1),
                  x.id === 'floor' ? '' : r(x.statusRatio),
                  f(x.cliMs, 0),
                  x.stopNote
                    ? `**${x.stopNote}**`
                    : x.id === 'floor' && x.seqStopMs !== undefined
                      ? `${f(x.stopMs, 0)} all at once, ${f(x.seqStopMs, 0)} one at a time`
                      : f(x.stopMs, 0),
                  x.id === 'floor' ? '' : r(x.stopRatio),
                  x.id === 'floor' ? '' : r(x.seqStopRatio),
                ],
          ),
        ),
      ),
    );
    md.push('');
    md.push(
      `One run per peer and N (the order rotates with N), programs \`sleep\` with autostart=false, startsecs=0, logs NONE. Start = one start-all call until the supervisor reports all N RUNNING; RSS = VmRSS of the supervisor plus its helper processes (its descendants that are not the programs); idle CPU = their utime+stime over ${sc.idleS} s after 1 s settling, and over ${sc.idleS} s from ${STEADY_AFTER_S} s after all were RUNNING (past the one-off work a burst of starts leaves); status = median of ${sc.statusCalls} calls by a fresh client process, timed until the response's last byte arrived, not decoded (PM2: \`pm2.list()\`, decoded); CLI = \`supervisorctl status\` / \`pm2 jlist\` including the client's start-up; shutdown = SIGTERM to the daemon (PM2: \`killDaemon\`) until the supervisor and all N programs are gone. Floors: a bare node spawning N \`sleep\`s with three pipes each, whose shutdown is measured twice (SIGKILL to all at once, reaped; and one at a time, SIGTERM to one and the next after its exit, which is what a shutdown of N one-program groups must do: supervisord's rule is that a group is stopped only once the one before it has fully stopped), and a bare HTTP server answering a canned response of N entries. Time limit for a start: ${
        sc.caps
          ? Object.entries(sc.caps)
              .map(([n, cap]) => `${n} → ${cap} s`)
              .join(', ')
          : '–'
      }. On a 2-core machine shared with other work these are single runs, so read the trend more than any one figure. Idle CPU soon after starting hundreds of programs can include V8's memory reducer: a few compacting garbage collections some 8 s after the burst of allocations, which shrink the heap and then stop (no timer of the supervisor's; the floor shows them too).`,
    );
    md.push('');
  }

  // ---- notes ----
  md.push('## Notes, and what was not measured');
  md.push('');
  const notes = [...saved.notes];
  notes.push(
    "PM2 is told to stop with SIGTERM (`PM2_KILL_SIGNAL=SIGTERM`; its default is SIGINT) so that every peer sends the same signal; node fixtures run in PM2's normal node mode (its ProcessContainerFork wrapper), `sleep`/bash fixtures with `interpreter: none`.",
  );
  notes.push(
    'PM2 has no built-in log rotation (pm2-logrotate is a separate module that rotates on a 30 s timer), so its log-throughput row writes one file and is not a like-for-like rotation comparison.',
  );
  notes.push('CPU figures come from /proc/<pid>/stat in 10 ms clock ticks: "0 ms" means fewer than one tick was charged over the window.');
  for (const n of notes) md.push(`- ${n}`);
  md.push('');
  md.push('## Run configuration');
  md.push('');
  md.push('```json');
  md.push(JSON.stringify(saved.config, null, 1).replace(/\n\s*/g, ' ').replace(/ \}, /g, ' },\n'));
  md.push('```');
  md.push('');
  md.push(
    `Seconds per workload: ${Object.entries(saved.timings)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')}; total ${saved.totalSeconds.toFixed(0)} s.`,
  );
  md.push('');
  md.push(KEEP_MARKER);
  md.push('');
  writeFileSync(join(outDir, 'RESULTS.md'), md.join('\n') + keptTail(join(outDir, 'RESULTS.md')));

  // ---- console summary ----
  const s = [];
  s.push('== summary: ratios to the floor ==');
  for (const g of A.ratios) s.push(`${g.label}: ${g.bars.map((b) => `${b.label} ${r(b.ratio)}`).join(', ')}`);
  s.push('== goals (procvisor) ==');
  for (const g of A.goals) s.push(`${metText(g.met).replace(/\*/g, '').padEnd(12)} ${g.goal}: ${g.value}`);
  if (A.restart) {
    s.push('== restart latency ==');
    for (const fx of A.restart)
      for (const x of fx.rows)
        s.push(
          `${fx.id.padEnd(5)} ${L[x.id].padEnd(26)} median ${f(x.st.median)} ms, p90 ${f(x.st.p90)}, p99 ${f(x.st.p99)} (n=${x.st.n})  ${r(x.ratio.median)} / ${r(x.ratio.p90)} / ${r(x.ratio.p99)}`,
        );
  }
  s.push(`charts: ${charts.join(', ')}`);
  return s.join('\n');
}
