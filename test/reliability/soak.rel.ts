// Soak: 10,000 restart cycles of a crashing program (startsecs=0, autorestart=true: STARTING ->
// RUNNING -> EXITED -> STARTING … forever, as in supervisord), then the manager's open file
// descriptors, EventEmitter listener counts and heap must be back at their level before the run,
// and no zombie child may remain.
//
// The manager runs in its own plain Node process (fixtures/soak-host.mjs, dist/, --expose-gc):
// fork() cost grows with the parent's memory, and a vitest worker is three times the size of a
// small host, so the cycles run much faster there; the measurements are of that process alone.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait-for.js';
import { HERE, markedProcs, recordFigures, say, scale } from './lib.js';

const CYCLES = scale(10_000, 1_000);
const WARMUP = scale(300, 100);
const PROGRAMS = 2;
/** Allowed heap growth over the whole soak, after a full GC (--expose-gc). */
const HEAP_TOLERANCE = 1024 * 1024;
/** Descriptors may differ by this much (0: exactly the same count). */
const FD_TOLERANCE = 0;

const dir = mkdtempSync(join(tmpdir(), 'procvisor-soak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface SoakResult {
  pid: number;
  gc: boolean;
  warmupOk: boolean;
  runOk: boolean;
  seconds: number;
  cycles: number;
  events: number;
  fdBefore: number;
  fdAfter: number;
  listenersBefore: Record<string, number>;
  listenersAfter: Record<string, number>;
  heapBefore: number;
  heapAfter: number;
  zombies: number[];
  zombiesAfterShutdown: number[];
  chainErrors: string[];
  chainErrorCount: number;
}

it(`${CYCLES} restart cycles of a crashing program leave no descriptor, listener, heap or zombie behind`, async () => {
  const mark = randomUUID();
  const env: Record<string, string | undefined> = { ...process.env, PROCVISOR_RELIABILITY_MARK: mark };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--expose-gc', join(HERE, 'fixtures/soak-host.mjs'), String(CYCLES), String(WARMUP), String(PROGRAMS), dir], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, stdout).toBe(0);
  const r = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as SoakResult;

  const heapDelta = r.heapAfter - r.heapBefore;
  say('soak', `${r.cycles} restart cycles (EXITED transitions) in ${r.seconds.toFixed(1)} s (${Math.round(r.cycles / r.seconds)}/s), ${r.events} state events`);
  say(
    'soak',
    `open fds ${r.fdBefore} -> ${r.fdAfter} (tolerance ${FD_TOLERANCE}); listeners ${JSON.stringify(r.listenersBefore)} -> ${JSON.stringify(r.listenersAfter)}`,
  );
  say(
    'soak',
    `heap ${(r.heapBefore / 1048576).toFixed(2)} MiB -> ${(r.heapAfter / 1048576).toFixed(2)} MiB (delta ${(heapDelta / 1024).toFixed(0)} KiB, ` +
      `tolerance ${HEAP_TOLERANCE / 1024} KiB after global.gc()); zombie children ${r.zombies.length}, after shutdown ${r.zombiesAfterShutdown.length}`,
  );
  // Nothing the host started survives it (its watchdog ends on its own once the host is gone).
  const clean = await waitUntil(() => markedProcs('PROCVISOR_RELIABILITY_MARK', mark).length === 0, 3000, 50);
  recordFigures('soak', {
    cycles: r.cycles,
    seconds: Number(r.seconds.toFixed(1)),
    cyclesPerSecond: Math.round(r.cycles / r.seconds),
    events: r.events,
    fdBefore: r.fdBefore,
    fdAfter: r.fdAfter,
    fdTolerance: FD_TOLERANCE,
    listenersBefore: r.listenersBefore,
    listenersAfter: r.listenersAfter,
    heapBeforeKiB: Math.round(r.heapBefore / 1024),
    heapAfterKiB: Math.round(r.heapAfter / 1024),
    heapDeltaKiB: Math.round(heapDelta / 1024),
    heapToleranceKiB: HEAP_TOLERANCE / 1024,
    gc: r.gc,
    zombies: r.zombies.length + r.zombiesAfterShutdown.length,
    chainErrors: r.chainErrorCount,
  });

  expect(r.gc).toBe(true);
  expect(r.warmupOk && r.runOk, `only ${r.cycles} of ${CYCLES} cycles`).toBe(true);
  expect(r.chainErrors).toEqual([]);
  expect(r.cycles).toBeGreaterThanOrEqual(CYCLES);
  expect(Math.abs(r.fdAfter - r.fdBefore)).toBeLessThanOrEqual(FD_TOLERANCE);
  expect(r.listenersAfter).toEqual(r.listenersBefore);
  expect(heapDelta).toBeLessThanOrEqual(HEAP_TOLERANCE);
  expect(r.zombies).toEqual([]);
  expect(r.zombiesAfterShutdown).toEqual([]);
  expect(clean, 'processes started by the soak host survived it').toBe(true);
}, 300_000);
