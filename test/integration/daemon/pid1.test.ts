// The daemon as PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc`, as the main
// process of a container): with no extra flag it puts `tini -s` in front, so the orphans that
// programs leave are reaped (0 zombies) while TERM, HUP and USR2 still reach it and its exit status
// still comes out. Without tini it warns and the zombies stay (the control that shows this test
// can fail). Root only, with unshare and tini installed; skipped with a notice elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, type ProcRow } from '../../helpers/processes.js';
import { HAVE_PROCVISOR, PROCVISOR_JS } from './daemon-pair.js';
import { ServiceDaemon, until } from './service-daemon.js';

const CAN_UNSHARE = process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
const HAVE_TINI = existsSync('/usr/bin/tini');
const RUNNABLE = HAVE_PROCVISOR && CAN_UNSHARE && HAVE_TINI;
if (!RUNNABLE)
  console.warn(
    `NOTICE: PID-1 tests skipped (need root, unshare and /usr/bin/tini; root=${process.getuid?.() === 0}, unshare=${CAN_UNSHARE}, tini=${HAVE_TINI})`,
  );

const ORPHANS_PER_PROCESS = 100;
const PROCS = 3;
// Each process leaves ORPHANS_PER_PROCESS background sleeps to its parent's parent, then stays.
const ORPHANING = `[program:orphaner]
command=/bin/sh -c 'i=0; while [ $i -lt ${ORPHANS_PER_PROCESS} ]; do (sleep 0.2 &); i=$((i+1)); done; exec sleep 1000'
process_name=%(program_name)s_%(process_num)s
numprocs=${PROCS}
startsecs=0
`;

function unshared(d: ServiceDaemon): string[] {
  // --kill-child: if the test kills unshare, the namespace goes with it.
  return ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, PROCVISOR_JS, '-c', d.conf, '-n'];
}

/** The namespace's PID 1 (the child of unshare). */
function pid1(d: ServiceDaemon): ProcRow {
  const row = d.descendants().find((r) => r.ppid === d.child?.pid);
  if (!row) throw new Error(`no PID 1 under unshare yet; output:\n${d.output}`);
  return row;
}

const zombies = (d: ServiceDaemon) => d.descendants().filter((r) => r.state === 'Z').length;
const orphansRunning = (d: ServiceDaemon) => d.descendants().filter((r) => r.state !== 'Z' && r.cmd === 'sleep 0.2').length;

describe.skipIf(!RUNNABLE)('procvisor as PID 1 of a PID namespace', () => {
  let d: ServiceDaemon;
  afterEach(async () => {
    const started = d.descendants().filter((r) => r.state !== 'Z');
    await d.cleanup();
    await until("the namespace's processes to end", () => started.every((r) => !isAlive(r.pid)), 10_000).catch(() => undefined);
    expect(
      started.filter((r) => isAlive(r.pid)),
      'processes left',
    ).toEqual([]);
  });

  it(`reaps the ${ORPHANS_PER_PROCESS * PROCS} orphans its programs leave (0 zombies); HUP and USR2 reach the daemon; SIGTERM stops everything and exits 0`, async () => {
    d = new ServiceDaemon();
    d.write(ORPHANING);
    d.start({ command: unshared(d) });
    await until('the orphaners RUNNING', async () => (await d.get('/readyz').catch(() => undefined))?.status === 200, 20_000);
    // The shape: node (PID 1, forwarding signals) -> tini -s -> node (the daemon) -> programs.
    const init = pid1(d);
    const tini = d.descendants().find((r) => r.ppid === init.pid);
    expect(tini?.cmd).toMatch(/^\S*tini -s -- /);
    const daemon = d.descendants().find((r) => r.ppid === tini?.pid);
    expect(daemon?.cmd).toContain(PROCVISOR_JS);
    await until('the programs done orphaning', () => d.descendants().filter((r) => r.cmd === 'sleep 1000' && r.ppid === daemon?.pid).length === PROCS, 20_000);

    await until('every orphan to finish', () => orphansRunning(d) === 0, 20_000);
    await until('no zombie left', () => zombies(d) === 0, 10_000).catch(() => undefined);
    expect(zombies(d)).toBe(0);

    process.kill(init.pid, 'SIGUSR2');
    await until('USR2 reached the daemon', () => /received SIGUSR2 indicating log reopen request/.test(d.output));
    process.kill(init.pid, 'SIGHUP');
    await until('HUP reached the daemon', () => /received SIGHUP indicating restart request/.test(d.output));
    await until('the programs restarted', async () => (await d.get('/readyz').catch(() => undefined))?.status === 200, 20_000);

    process.kill(init.pid, 'SIGTERM');
    expect(await d.waitExit()).toEqual({ code: 0, signal: null });
    expect(d.output).toMatch(/received SIGTERM indicating exit request/);
    expect(d.output).toMatch(/stopped: orphaner_2/);
  }, 90_000);

  it('an exit policy: the daemon exits with the program status, through tini and PID 1', async () => {
    d = new ServiceDaemon();
    d.write(
      `[program:job]\ncommand=/bin/sh -c "sleep 1; exit 9"\nstartsecs=0\nautorestart=false\nshutdown_on_exit=true\n\n[program:side]\ncommand=sleep 1000\nstartsecs=0\n`,
    );
    d.start({ command: unshared(d) });
    expect(await d.waitExit(30_000)).toEqual({ code: 9, signal: null });
    expect(d.output).toMatch(/shutting down with exit status 9/);
  }, 60_000);

  it('without tini: a clear warning, and the orphans stay zombies (what tini prevents)', async () => {
    d = new ServiceDaemon();
    d.write(ORPHANING);
    d.start({ command: unshared(d), env: { PROCVISOR_TINI: '/nonexistent/tini' } });
    await until('the orphaners RUNNING', async () => (await d.get('/readyz').catch(() => undefined))?.status === 200, 20_000);
    expect(d.output).toMatch(/WARNING: running as PID 1 without tini, so orphaned processes will not be reaped/);
    await until('every orphan to finish', () => orphansRunning(d) === 0, 20_000);
    expect(zombies(d)).toBeGreaterThanOrEqual(ORPHANS_PER_PROCESS * PROCS);
    process.kill(pid1(d).pid, 'SIGTERM');
    expect(await d.waitExit()).toEqual({ code: 0, signal: null });
  }, 90_000);
});
