// Prints the reliability figures as one summary block just before vitest's own summary, and writes
// them to test/reliability/RESULTS.md (a full run with every suite) or .tmp/reliability/RESULTS.md
// (a quick or partial run, so it never overwrites the figures of a real run).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { FIGURES_DIR, HERE, QUICK } from './lib.js';

type Figures = Record<string, Record<string, unknown>>;

const SECTIONS = ['soak', 'chaos', 'sigkill', 'disk', 'fuzz', 'load', 'stall'] as const;

function readFigures(): Figures {
  const out: Figures = {};
  if (!existsSync(FIGURES_DIR)) return out;
  for (const f of readdirSync(FIGURES_DIR)) {
    if (!f.endsWith('.json')) continue;
    try {
      out[f.slice(0, -5)] = JSON.parse(readFileSync(join(FIGURES_DIR, f), 'utf8')) as Record<string, unknown>;
    } catch {
      // a suite died while writing
    }
  }
  return out;
}

const n = (v: unknown): string => (typeof v === 'number' ? v.toLocaleString('en-US') : v === undefined || v === null ? '—' : JSON.stringify(v));

/** The summary lines (also the body of RESULTS.md). */
export function summaryLines(f: Figures): string[] {
  const s = f.soak ?? {};
  const c = f.chaos ?? {};
  const k = f.sigkill ?? {};
  const d = f.disk ?? {};
  const z = f.fuzz ?? {};
  const l = f.load ?? {};
  const st = f.stall ?? {};
  type StallPhase = { statusP50?: number; statusMax?: number; restartP50?: number; restartMax?: number };
  const phase = (kind: string, which: 'idle' | 'loaded'): StallPhase => (st[kind] as Record<string, StallPhase> | undefined)?.[which] ?? {};
  const stallLine = (kind: string) => {
    const a = phase(kind, 'idle');
    const b = phase(kind, 'loaded');
    return `         ${kind.padEnd(11)} status p50/max ${n(a.statusP50)}/${n(a.statusMax)} ms idle, ${n(b.statusP50)}/${n(b.statusMax)} ms loaded; autorestart gap p50/max ${n(a.restartP50)}/${n(a.restartMax)} ms idle, ${n(b.restartP50)}/${n(b.restartMax)} ms loaded`;
  };
  const same = s.listenersBefore ? JSON.stringify(s.listenersBefore) === JSON.stringify(s.listenersAfter) : undefined;
  const cases = (z.cases ?? {}) as Record<string, number>;
  const ops = (l.ops ?? {}) as Record<string, { count: number; p50: number; p99: number }>;
  const lost = [c.processesLost, k.processesLost, l.processesLost, d.processesLost, z.processesLost].reduce<number>(
    (a, v) => a + (typeof v === 'number' ? v : 0),
    0,
  );
  return [
    `Soak     ${n(s.cycles)} restart cycles (EXITED transitions) in ${n(s.seconds)} s, ${n(s.cyclesPerSecond)}/s`,
    `         open fds ${n(s.fdBefore)} -> ${n(s.fdAfter)} (tolerance ${n(s.fdTolerance)}); listener counts unchanged: ${n(same)}; zombies ${n(s.zombies)}`,
    `         heap ${n(s.heapBeforeKiB)} -> ${n(s.heapAfterKiB)} KiB, delta ${n(s.heapDeltaKiB)} KiB (tolerance ${n(s.heapToleranceKiB)} KiB, ${s.gc ? 'after global.gc()' : 'no gc'})`,
    `Chaos    seed ${n(c.seed)}: ${n(c.steps)} steps, ${n(c.faultsInjected)} faults injected (${n(c.sigkill)} SIGKILL, ${n(c.sigstop)} SIGSTOP, ${n(c.sigcont)} SIGCONT; ${n(c.grandchildSignals)} to grandchildren)`,
    `         ${n(c.apiCalls)} racing API calls, ${n(c.transitions)} transitions; invariant violations ${n(c.violations)}, unhandled rejections ${n(c.unhandledRejections)}`,
    `         orphans after shutdown ${n(c.orphans)} of ${n(c.pidsSeen)} pids seen (${n(c.escapedOrphans)} had left their session, parent gone)`,
    `SIGKILL  seed ${n(k.seed)}: ${n(k.rounds)} rounds, ${n(k.processesTracked)} descendants and group members tracked`,
    `         survivors ${n(k.survivors)} (in ${n(k.roundsWithSurvivors)} rounds; ${n(k.escapedSurvivors)} in a session of their own, reparented to init)`,
    `         slowest complete cleanup ${n(k.slowestCleanupMs)} ms (limit 2000 ms); everything but those gone within ${n(k.slowestCleanupExceptEscapedMs)} ms`,
    `Disk     ${n(d.scenarios)} scenarios: ${Array.isArray(d.names) ? (d.names as string[]).join('; ') : '—'}${Array.isArray(d.skipped) && d.skipped.length ? ` (skipped: ${(d.skipped as string[]).join(', ')})` : ''}`,
    `         at most ${n(d.reportsPerFile)} activity-log reports per failing file while ${n(d.failedChunks)} chunks failed; healthy log lines lost ${n(d.linesLost)}; restarts during the trouble ${n(d.restartsDuringTrouble)}`,
    `Fuzz     seed ${n(z.seed)}: ${Object.entries(cases)
      .map(([t, v]) => `${t} ${n(v)}`)
      .join(', ')} cases`,
    `         5xx ${n(z.serverErrors)}, hangs ${n(z.hangs)}, other unexpected ${n(z.unexpected)}; daemon up ${n(z.daemonUp)}, protected pids unchanged ${n(z.pidsUnchanged)}`,
    `         accepted: ${n(z.resetsAfter413)} resets after an early 413, ${n(z.resetsOversizedHead)} after a 431, ${n(z.silentLogStreams)} silent tail -f streams of real logs`,
    `Load     ${n(l.clients)} clients x ${n(l.seconds)} s, ${n(l.programs)} programs: ${n(l.requests)} requests, ${n(l.requestsPerSecond)} req/s, p50 ${n(l.p50)} ms, p99 ${n(l.p99)} ms`,
    `         unexpected errors ${n(l.errors)}; CPU: daemon ${n(l.daemonCpuPercent)}%, clients ${n(l.clientCpuPercent)}% of one core`,
    ...Object.entries(ops).map(([op, v]) => `           ${op.padEnd(14)} ${n(v.count).padStart(7)} req   p50 ${n(v.p50)} ms   p99 ${n(v.p99)} ms`),
    `Stall    ${n(st.concurrent)} concurrent ${n(st.bodyBytes)}-byte XML-RPC requests for ${n(st.loadSeconds)} s:`,
    stallLine('supervisord'),
    stallLine('procvisor'),
    `         ${n(st.followers)} stalled log followers: daemon RSS ${n(st.followerRssBeforeMiB)} -> peak ${n(st.followerRssPeakMiB)} MiB, ${n(st.followersDropped)} dropped`,
    `Processes lost: ${lost} (chaos ${n(c.processesLost)}, SIGKILL ${n(k.processesLost)}, disk ${n(d.processesLost)}, fuzz ${n(z.processesLost)}, load ${n(l.processesLost)})`,
  ];
}

export default class SummaryReporter implements Reporter {
  #started = 0;

  onTestRunStart(): void {
    this.#started = performance.now();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const figures = readFigures();
    const seconds = (performance.now() - this.#started) / 1000;
    const failed = modules.filter((m) => m.state() === 'failed').length;
    const lines = summaryLines(figures);
    const bar = '='.repeat(100);
    process.stdout.write(`\n${bar}\nRELIABILITY SUMMARY${QUICK ? ' (RELIABILITY_QUICK=1: shortened run)' : ''}\n${bar}\n${lines.join('\n')}\n`);
    process.stdout.write(`Total: ${seconds.toFixed(0)} s; suites failed: ${failed}\n${bar}\n`);
    const complete = SECTIONS.every((s) => figures[s] !== undefined);
    const md = [
      '# Reliability results',
      '',
      `Run: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}${QUICK ? ', RELIABILITY_QUICK=1' : ''}; ` +
        `total ${seconds.toFixed(0)} s; suites failed: ${failed}.`,
      '',
      '```',
      ...lines,
      '```',
      '',
      'Produced by `npm run test:reliability` (test/reliability/). Replay a chaos, SIGKILL or fuzz run with',
      'the seeds above: `CHAOS_SEED=… KILL_SEED=… FUZZ_SEED=… npm run test:reliability`.',
      '',
      '```json',
      JSON.stringify(figures, null, 2),
      '```',
      '',
    ].join('\n');
    const target = !QUICK && complete ? join(HERE, 'RESULTS.md') : join(FIGURES_DIR, 'RESULTS.md');
    mkdirSync(FIGURES_DIR, { recursive: true });
    writeFileSync(target, md);
    process.stdout.write(`Figures written to ${target}\n`);
  }
}
