// Disk trouble while supervising: the disk fills up (a 64 KiB tmpfs), the log directory is removed,
// a log file is replaced by a directory, and log paths that can never be written (/proc, /dev/full).
// The manager must keep supervising (transitions continue, autorestart works, other processes keep
// their pids), report each failure once in the activity log rather than once per chunk, and lose
// nothing else (other processes' logs complete, line by line).
//
// Tests run as root, so chmod cannot make anything unwritable: a full tmpfs, a directory where the
// file was, and paths under /proc and /dev/full are used instead. A spawn whose log file cannot be
// opened fails (BACKOFF -> FATAL), as supervisord's does.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { ProcessManager, ProcessStateEvent } from '../../src/index.js';
import { captureLog, type LogCapture } from '../helpers/activity-log.js';
import { createTestManager } from '../helpers/manager.js';
import { sleep, waitUntil } from '../helpers/wait-for.js';
import { recordFigures, say } from './lib.js';

const root = mkdtempSync(join(tmpdir(), 'procvisor-disk-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      // not mounted
    }
  }
  rmSync(root, { recursive: true, force: true });
});

/** Figures accumulated over the scenarios. */
const figures = {
  names: [] as string[],
  skipped: [] as string[],
  /** Most activity-log reports seen for one failing file (write failures, reopen failures). */
  reportsPerFile: 0,
  /** Chunks that failed to reach a file while being reported (proves "not per chunk"). */
  failedChunks: 0,
  linesLost: 0,
  restartsDuringTrouble: 0,
  processesLost: 0,
};

// ---- programs ----
/** Numbered lines `P 1`, `P 2` … every 20 ms. */
const seq = (prefix: string) => `sh -c 'i=0; while :; do i=$((i+1)); echo "${prefix} $i"; sleep 0.02; done'`;
/** 120 lines of 1 KB (fills a small disk), then numbered short lines (`%%`: supervisord's expansion). */
const burst = (prefix: string) =>
  `sh -c 'i=0; while :; do i=$((i+1)); if [ $i -le 120 ]; then printf "${prefix} %%d %%01000d\\n" $i 0; else echo "${prefix} $i"; fi; sleep 0.02; done'`;
/** One line, then exit 1 after 0.3 s (autorestart=true: EXITED -> STARTING …). */
const CRASH = `sh -c 'echo "started $$"; sleep 0.3; exit 1'`;

function program(name: string, command: string, logfile: string, extra: Record<string, unknown> = {}) {
  return { name, command, stdout_logfile: logfile, stdout_logfile_maxbytes: 0, stderr_logfile: 'NONE', startsecs: 0, autorestart: true as const, ...extra };
}

/** Counts EXITED transitions per process. */
function exitCounter(pm: ProcessManager): Map<string, number> {
  const exits = new Map<string, number>();
  pm.on('processState', (e: ProcessStateEvent) => {
    if (e.to === 'EXITED') exits.set(e.name, (exits.get(e.name) ?? 0) + 1);
  });
  return exits;
}

/** The numbers of `prefix N` lines in a log file, in order (complete lines only). */
function numbers(file: string, prefix: string): number[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'latin1');
  const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
  const out: number[] = [];
  for (const l of lines) {
    const m = new RegExp(`^${prefix} (\\d+)`).exec(l);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/** Lines missing from a sequence that should be 1..N without gaps. */
function gaps(nums: readonly number[]): number {
  let missing = 0;
  let expect = 1;
  for (const n of nums) {
    if (n > expect) missing += n - expect;
    expect = Math.max(expect, n + 1);
  }
  return nums[0] === 1 || nums.length === 0 ? missing : missing + 1;
}

/** Activity-log lines about a failing file (reopen and write failures), from readLog and the capture. */
function reportsAbout(pm: ProcessManager, log: LogCapture, needle: RegExp): { readLog: number; captured: number } {
  const text = pm.readLog(0, 0);
  const readLog = text.split('\n').filter((l) => /log write failed|could not reopen/.test(l) && needle.test(l)).length;
  const captured = log.lines.filter((l) => /log write failed|could not reopen/.test(l.message) && needle.test(l.message)).length;
  return { readLog, captured };
}

/**
 * About how many chunks of `name`'s stdout failed to reach its file while `during` ran (the
 * writers' `w 12` lines are ~5 bytes each); counted into the figures and expected to be many.
 */
async function chunksDropped(pm: ProcessManager, name: string, during: () => Promise<unknown>): Promise<number> {
  const before = pm.getProcessDetails(name).droppedBytes.stdout;
  await during();
  const failed = Math.round((pm.getProcessDetails(name).droppedBytes.stdout - before) / 5);
  figures.failedChunks += failed;
  expect(failed).toBeGreaterThan(10);
  return failed;
}

/** logrotate's reopen while the writer's log cannot be reopened: its reports before and after 1 s more of failing writes. */
async function reopenUnwritable(pm: ProcessManager, log: LogCapture) {
  pm.reopenLogs();
  await sleep(500);
  const r1 = reportsAbout(pm, log, /writer\.log/);
  const failedChunks = await chunksDropped(pm, 'writer', () => sleep(1000));
  const r2 = reportsAbout(pm, log, /writer\.log/);
  figures.reportsPerFile = Math.max(figures.reportsPerFile, r2.captured);
  return { r1, r2, failedChunks };
}

function newManager() {
  const log = captureLog();
  const pm = createTestManager({ logger: log });
  return { pm, log, exits: exitCounter(pm) };
}

function tryMountTmpfs(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
    return true;
  } catch {
    return false;
  }
}

/** The healthy pair every scenario runs beside the trouble: a sequence writer and a crasher. */
function addHealthy(pm: ProcessManager, dir: string): void {
  pm.addProcessGroup(program('healthy', seq('h'), join(dir, 'healthy.log')));
  pm.addProcessGroup(program('hcrasher', CRASH, join(dir, 'hcrasher.log')));
}

/** Checks the healthy pair after the trouble: same pid, complete log, restarts continued. */
function checkHealthy(pm: ProcessManager, dir: string, healthyPid: number, exitsBefore: number, exits: Map<string, number>, label: string): void {
  const nums = numbers(join(dir, 'healthy.log'), 'h');
  const lost = gaps(nums);
  const restarts = (exits.get('hcrasher') ?? 0) - exitsBefore;
  figures.linesLost += lost;
  figures.restartsDuringTrouble += restarts;
  if (pm.getProcessInfo('healthy').pid !== healthyPid) figures.processesLost++;
  say(
    'disk',
    `${label}: healthy log ${nums.length} lines, ${lost} missing; healthy pid ${healthyPid === pm.getProcessInfo('healthy').pid ? 'unchanged' : 'CHANGED'}; healthy crasher restarted ${restarts} times during the trouble`,
  );
  expect(pm.getProcessInfo('healthy')).toMatchObject({ statename: 'RUNNING', pid: healthyPid });
  expect(nums.length).toBeGreaterThan(20);
  expect(lost).toBe(0);
  expect(restarts).toBeGreaterThan(0);
}

it('a full disk: writes fail and are reported once per file, supervision and autorestart go on, space coming back resumes the log', async () => {
  const trouble = join(root, 'full');
  const healthyDir = join(root, 'full-healthy');
  mkdirSync(trouble);
  mkdirSync(healthyDir);
  const tmpfs = tryMountTmpfs(trouble);
  if (!tmpfs) {
    say('disk', 'NOTICE: mount -t tmpfs is not permitted here: the full-disk scenario uses /dev/full instead (no recovery step)');
    figures.skipped.push('tmpfs (mount not permitted; /dev/full used)');
  }
  const { pm, log, exits } = newManager();
  const writerLog = tmpfs ? join(trouble, 'writer.log') : '/dev/full';
  const crasherLog = tmpfs ? join(trouble, 'crasher.log') : '/dev/full';
  if (tmpfs) writeFileSync(join(trouble, 'filler'), Buffer.alloc(24 * 1024, 0x66));
  pm.addProcessGroup(program('writer', burst('w'), writerLog));
  pm.addProcessGroup(program('crasher', CRASH, crasherLog));
  addHealthy(pm, healthyDir);
  await pm.start();
  const dropped = (name: string) => pm.getProcessDetails(name).droppedBytes.stdout;
  expect(await waitUntil(() => dropped('writer') > 0, 10_000)).toBe(true);
  const writerPid = pm.getProcessInfo('writer').pid;
  const healthyPid = pm.getProcessInfo('healthy').pid;
  const exits0 = { crasher: exits.get('crasher') ?? 0, hcrasher: exits.get('hcrasher') ?? 0 };
  const ringLast = () => Number(/w (\d+)/.exec(pm.lastLines('writer', 1)[0] ?? '')?.[1] ?? 0);
  const fileMax = tmpfs ? Math.max(0, ...numbers(writerLog, 'w')) : 0;
  const seq0 = ringLast();
  const reports0 = log.matching(/log write failed/).length;
  // Stay full for a while (past the 1 KB burst): dozens of chunks fail.
  await sleep(1500);
  await waitUntil(() => ringLast() > 130, 5000);
  const reports1 = log.matching(/log write failed/).length;
  const failingFiles = ['writer', 'crasher'].filter((name) => dropped(name) > 0).length;
  const failedChunks = ringLast() - seq0; // one echo per line, each its own write
  const crasherRestarts = (exits.get('crasher') ?? 0) - exits0.crasher;
  const activity = pm.readLog(0, 0);
  say(
    'disk',
    `full disk: ${failingFiles} failing files, ${reports1} 'log write failed' reports (${reports0} when it filled up) while ${failedChunks} more lines failed to reach the file; crasher on the full disk restarted ${crasherRestarts} times`,
  );
  figures.reportsPerFile = Math.max(figures.reportsPerFile, reports1 - (failingFiles - 1));
  figures.failedChunks += failedChunks;
  figures.restartsDuringTrouble += crasherRestarts;
  expect(reports1).toBe(reports0);
  expect(reports1).toBe(failingFiles);
  expect(activity.match(/log write failed for '[^']*': ENOSPC/g)?.length ?? 0).toBe(failingFiles);
  expect(failedChunks).toBeGreaterThan(10);
  expect(crasherRestarts).toBeGreaterThan(0);
  expect(pm.getProcessInfo('writer')).toMatchObject({ statename: 'RUNNING', pid: writerPid });
  // The memory ring has the newest lines, which the file could not take.
  const lastInRing = ringLast();
  if (tmpfs) {
    expect(lastInRing).toBeGreaterThan(fileMax + 10);
    expect(Math.max(0, ...numbers(writerLog, 'w'))).toBeLessThan(lastInRing);
    // Space comes back: the writer's next lines land in its file again, the crasher's too.
    const crasherLines = readFileSync(crasherLog, 'latin1').split('\n').length;
    rmSync(join(trouble, 'filler'));
    expect(await waitUntil(() => numbers(writerLog, 'w').some((n) => n > lastInRing), 5000)).toBe(true);
    expect(await waitUntil(() => readFileSync(crasherLog, 'latin1').split('\n').length > crasherLines, 5000)).toBe(true);
  }
  checkHealthy(pm, healthyDir, healthyPid, exits0.hcrasher, exits, 'full disk');
  figures.names.push(tmpfs ? 'disk full (64 KiB tmpfs)' : 'disk full (/dev/full)');
  await pm.shutdown();
});

it('the log directory removed mid-run: running writers go on, a restart fails as supervisord does (BACKOFF/FATAL), a reopen is reported once, the directory coming back resumes logging', async () => {
  const trouble = join(root, 'removed');
  const healthyDir = join(root, 'removed-healthy');
  mkdirSync(trouble);
  mkdirSync(healthyDir);
  const { pm, log, exits } = newManager();
  pm.addProcessGroup(program('writer', seq('w'), join(trouble, 'writer.log')));
  pm.addProcessGroup(program('crasher', CRASH, join(trouble, 'crasher.log'), { startretries: 1 }));
  addHealthy(pm, healthyDir);
  await pm.start();
  await sleep(500);
  const writerPid = pm.getProcessInfo('writer').pid;
  const healthyPid = pm.getProcessInfo('healthy').pid;
  const hExits = exits.get('hcrasher') ?? 0;
  rmSync(trouble, { recursive: true, force: true });
  // The crasher's next spawn cannot open its log: spawn error -> BACKOFF -> FATAL (startretries=1).
  expect(await waitUntil(() => pm.getProcessInfo('crasher').statename === 'FATAL', 8000)).toBe(true);
  expect(pm.getProcessInfo('crasher').spawnerr).toBe("unknown error making dispatchers for 'crasher': ENOENT");
  // logrotate's reopen (SIGUSR2): the writer's file cannot be reopened; every later chunk fails.
  const { r1, r2, failedChunks } = await reopenUnwritable(pm, log);
  say(
    'disk',
    `directory removed: crasher FATAL (${pm.getProcessInfo('crasher').spawnerr}); writer reports ${r1.captured} -> ${r2.captured} while ~${failedChunks} chunks failed (readLog shows ${r2.readLog})`,
  );
  expect(r2.captured).toBe(r1.captured);
  expect(r2.captured).toBeLessThanOrEqual(2); // the failed reopen, then the failing writes
  expect(r2.readLog).toBe(r2.captured);
  // The directory comes back: writes resume in a new file, and the crasher can be started again.
  mkdirSync(trouble);
  expect(await waitUntil(() => numbers(join(trouble, 'writer.log'), 'w').length > 3, 3000)).toBe(true);
  await pm.startProcess('crasher', { wait: false });
  const cExits = exits.get('crasher') ?? 0;
  expect(await waitUntil(() => (exits.get('crasher') ?? 0) > cExits, 3000)).toBe(true);
  expect(pm.getProcessInfo('writer')).toMatchObject({ statename: 'RUNNING', pid: writerPid });
  checkHealthy(pm, healthyDir, healthyPid, hExits, exits, 'directory removed');
  figures.names.push('log directory removed');
  await pm.shutdown();
});

it('a log file replaced by a directory: the reopen fails (reported once), a restart fails with EISDIR, the others are untouched', async () => {
  const trouble = join(root, 'replaced');
  const healthyDir = join(root, 'replaced-healthy');
  mkdirSync(trouble);
  mkdirSync(healthyDir);
  const { pm, log, exits } = newManager();
  const writerLog = join(trouble, 'writer.log');
  const crasherLog = join(trouble, 'crasher.log');
  pm.addProcessGroup(program('writer', seq('w'), writerLog));
  pm.addProcessGroup(program('crasher', CRASH, crasherLog, { startretries: 1 }));
  addHealthy(pm, healthyDir);
  await pm.start();
  await sleep(500);
  const writerPid = pm.getProcessInfo('writer').pid;
  const healthyPid = pm.getProcessInfo('healthy').pid;
  const hExits = exits.get('hcrasher') ?? 0;
  for (const f of [writerLog, crasherLog]) {
    rmSync(f);
    mkdirSync(f);
  }
  expect(await waitUntil(() => pm.getProcessInfo('crasher').statename === 'FATAL', 8000)).toBe(true);
  expect(pm.getProcessInfo('crasher').spawnerr).toBe("unknown error making dispatchers for 'crasher': EISDIR");
  const { r1, r2, failedChunks } = await reopenUnwritable(pm, log);
  say(
    'disk',
    `file replaced by a directory: crasher FATAL (${pm.getProcessInfo('crasher').spawnerr}); writer reports ${r1.captured} -> ${r2.captured} while ~${failedChunks} chunks failed`,
  );
  expect(r2.captured).toBe(r1.captured);
  expect(r2.captured).toBeLessThanOrEqual(2);
  // Put the file back: logging resumes.
  rmSync(writerLog, { recursive: true });
  expect(await waitUntil(() => numbers(writerLog, 'w').length > 3, 3000)).toBe(true);
  expect(pm.getProcessInfo('writer')).toMatchObject({ statename: 'RUNNING', pid: writerPid });
  checkHealthy(pm, healthyDir, healthyPid, hExits, exits, 'file replaced by a directory');
  figures.names.push('log file replaced by a directory');
  await pm.shutdown();
});

it('log paths that can never be written (/proc, /dev/full): the spawn fails or every write fails, reported once; supervision goes on', async () => {
  const healthyDir = join(root, 'never-healthy');
  mkdirSync(healthyDir);
  const { pm, log, exits } = newManager();
  pm.addProcessGroup(program('procpath', seq('p'), '/proc/self/procvisor-reliability.log', { startretries: 0 }));
  pm.addProcessGroup(program('devfull', seq('d'), '/dev/full'));
  pm.addProcessGroup(program('devfull_crasher', CRASH, '/dev/full'));
  addHealthy(pm, healthyDir);
  await pm.start();
  const healthyPid = pm.getProcessInfo('healthy').pid;
  const hExits = exits.get('hcrasher') ?? 0;
  expect(await waitUntil(() => pm.getProcessInfo('procpath').statename === 'FATAL', 5000)).toBe(true);
  expect(pm.getProcessInfo('procpath').spawnerr).toBe("unknown error making dispatchers for 'procpath': ENOENT");
  await sleep(300);
  const devfullPid = pm.getProcessInfo('devfull').pid;
  const r1 = log.matching(/log write failed for '[^']*': ENOSPC/).length;
  const cExits = exits.get('devfull_crasher') ?? 0;
  const failedChunks = await chunksDropped(pm, 'devfull', () => sleep(1500));
  const r2 = log.matching(/log write failed for '[^']*': ENOSPC/).length;
  const restarts = (exits.get('devfull_crasher') ?? 0) - cExits;
  say(
    'disk',
    `unwritable paths: /proc path -> FATAL (${pm.getProcessInfo('procpath').spawnerr}); /dev/full: ${r2} ENOSPC reports for 2 files while ~${failedChunks} chunks failed; its crasher restarted ${restarts} times`,
  );
  figures.reportsPerFile = Math.max(figures.reportsPerFile, r2 - 1);
  figures.restartsDuringTrouble += restarts;
  expect(r2).toBe(r1);
  expect(r2).toBe(2); // devfull and devfull_crasher: one report each
  expect(pm.readLog(0, 0).match(/log write failed for '[^']*': ENOSPC/g)?.length).toBe(2);
  expect(restarts).toBeGreaterThan(0);
  expect(pm.getProcessInfo('devfull')).toMatchObject({ statename: 'RUNNING', pid: devfullPid });
  expect(pm.lastLines('devfull', 1)[0]).toMatch(/^d \d+$/);
  checkHealthy(pm, healthyDir, healthyPid, hExits, exits, 'unwritable paths');
  figures.names.push('unwritable paths (/proc, /dev/full)');
  await pm.shutdown();
});

afterAll(() => {
  recordFigures('disk', { ...figures, scenarios: figures.names.length });
});
