// The manager's host killed with SIGKILL at random (seeded) moments while its programs fork
// grandchildren and restart constantly: within 2 s of each kill nothing it started may be left —
// no child, no member of a child's group or session, no descendant seen while it ran. Every
// process the host starts carries a marker in its environment, so even one that escaped (setsid,
// reparented to init) is found. Replay with KILL_SEED=<seed>.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { sleep } from '../helpers/wait-for.js';
import { cmdline, HERE, markedProcs, readProc, recordFigures, Rng, say, scale, SeenProcesses, seedFrom, type Proc } from './lib.js';

const ROUNDS = scale(8, 2);
const LIMIT_MS = 2000;
const MARK_KEY = 'PROCVISOR_KILL_MARK';

interface Round {
  round: number;
  aliveMs: number;
  tracked: number;
  survivors: string[];
  /** Survivors that lead their own session (setsid) and had been reparented to init. */
  escaped: number;
  cleanupMs: number;
  /** When everything but those escaped grandchildren was gone. */
  cleanupMsExceptEscaped: number;
}

async function oneRound(round: number, rng: Rng): Promise<Round> {
  const mark = randomUUID();
  const env: Record<string, string | undefined> = { ...process.env, [MARK_KEY]: mark };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  const host = spawn(process.execPath, [join(HERE, 'fixtures/kill-host.mjs')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const hostPid = host.pid as number;
  const exited = new Promise<void>((r) => host.on('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    host.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      if (buf.includes('ready\n')) resolve();
    });
    host.on('exit', (code, sig) => reject(new Error(`host exited before ready: ${code ?? sig}`)));
  });
  // Let it run a random while, recording everything it started (descendants and group members).
  const seen = new SeenProcesses();
  const how = new Map<number, string>();
  const aliveMs = rng.int(150, 2500);
  const end = performance.now() + aliveMs;
  while (performance.now() < end) {
    for (const p of markedProcs(MARK_KEY, mark)) {
      seen.add(p);
      if (!how.has(p.pid)) how.set(p.pid, cmdline(p.pid));
    }
    await sleep(rng.int(5, 30));
  }
  host.kill('SIGKILL');
  const killedAt = performance.now();
  await exited;
  // Zero survivors within LIMIT_MS: every marked process (seen or not) and every seen one.
  const isEscaped = (p: Proc) => p.sid === p.pid && p.ppid === 1;
  let left: Proc[];
  let cleanupMsExceptEscaped = -1;
  for (;;) {
    const byPid = new Map<number, Proc>();
    for (const p of markedProcs(MARK_KEY, mark)) if (p.pid !== hostPid) byPid.set(p.pid, p);
    for (const p of seen.alive()) if (p.pid !== hostPid) byPid.set(p.pid, p);
    left = [...byPid.values()];
    if (cleanupMsExceptEscaped < 0 && left.every(isEscaped)) cleanupMsExceptEscaped = Math.round(performance.now() - killedAt);
    if (left.length === 0 || performance.now() - killedAt > LIMIT_MS) break;
    await sleep(20);
  }
  const cleanupMs = Math.round(performance.now() - killedAt);
  const survivors = left.map((p) => `${p.pid} [${how.get(p.pid) ?? cmdline(p.pid)}] ppid ${p.ppid} pgrp ${p.pgrp} sid ${p.sid} state ${p.state}`);
  const escaped = left.filter(isEscaped).length;
  // Clean up after a failed round so the next one starts clean (only our marked processes).
  for (const p of left) {
    const now = readProc(p.pid);
    if (now && now.start === p.start) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  return { round, aliveMs, tracked: seen.size, survivors, escaped, cleanupMs, cleanupMsExceptEscaped };
}

it(`SIGKILL of the host at ${ROUNDS} random moments leaves no survivor after ${LIMIT_MS} ms`, async () => {
  const seed = seedFrom('KILL_SEED', 'sigkill');
  const rng = new Rng(seed);
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await oneRound(i, rng);
    rounds.push(r);
    say(
      'sigkill',
      `round ${i}: killed after ${r.aliveMs} ms, ${r.tracked} processes tracked, ${r.survivors.length} survivors` +
        (r.survivors.length
          ? ` (${r.escaped} in a session of their own, reparented to init) still there after ${r.cleanupMs} ms; everything else gone in ${r.cleanupMsExceptEscaped < 0 ? '—' : r.cleanupMsExceptEscaped} ms`
          : `, all gone in ${r.cleanupMs} ms`),
    );
    for (const s of r.survivors) say('sigkill', `  SURVIVOR ${s}`);
  }
  const survivors = rounds.reduce((a, r) => a + r.survivors.length, 0);
  const clean = rounds.filter((r) => r.survivors.length === 0);
  recordFigures('sigkill', {
    seed,
    rounds: ROUNDS,
    processesTracked: rounds.reduce((a, r) => a + r.tracked, 0),
    survivors,
    roundsWithSurvivors: ROUNDS - clean.length,
    escapedSurvivors: rounds.reduce((a, r) => a + r.escaped, 0),
    slowestCleanupMs: clean.length ? Math.max(...clean.map((r) => r.cleanupMs)) : null,
    slowestCleanupExceptEscapedMs: Math.max(...rounds.map((r) => (r.cleanupMsExceptEscaped < 0 ? LIMIT_MS : r.cleanupMsExceptEscaped))),
    perRound: rounds.map((r) => ({
      aliveMs: r.aliveMs,
      tracked: r.tracked,
      survivors: r.survivors.length,
      escaped: r.escaped,
      cleanupMs: r.cleanupMs,
      cleanupMsExceptEscaped: r.cleanupMsExceptEscaped,
    })),
    processesLost: survivors,
  });
  expect(rounds.flatMap((r) => r.survivors.map((s) => `round ${r.round}: ${s}`))).toEqual([]);
});
