// The daemon under systemd: a fake NOTIFY_SOCKET (a unix datagram socket bound by a small Python
// receiver, standing in for systemd) gets READY=1 once autostart has settled, RELOADING=1 then
// READY=1 around a SIGHUP restart, WATCHDOG=1 pings at half of WATCHDOG_USEC, and STOPPING=1 at
// shutdown, in that order; the programs do not inherit the variables.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../../helpers/processes.js';
import { fixture } from '../../helpers/manager.js';
import { HAVE_PROCVISOR } from './daemon-pair.js';
import { ServiceDaemon, until } from './service-daemon.js';

const PYTHON = '/usr/bin/python3';
const HAVE_PERL = existsSync('/usr/bin/perl');
const RUNNABLE = HAVE_PROCVISOR && existsSync(PYTHON) && HAVE_PERL;
if (!RUNNABLE) console.warn('NOTICE: systemd notification tests skipped (need /usr/bin/python3 for the fake systemd and perl)');

/** The fake systemd: messages received, in order. */
function receiver(path: string): { child: ChildProcess; messages: string[]; bound: Promise<void> } {
  const child = spawn(PYTHON, [fixture('notify-receiver.py'), path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  let rest = '';
  let markBound!: () => void;
  const bound = new Promise<void>((r) => (markBound = r));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'bound') markBound();
      else messages.push(JSON.parse(line) as string);
    }
  });
  return { child, messages, bound };
}

describe.skipIf(!RUNNABLE)('systemd notifications from the daemon', () => {
  let d: ServiceDaemon;
  let fake: ReturnType<typeof receiver> | undefined;
  afterEach(async () => {
    const started = d.descendants().filter((r) => r.state !== 'Z');
    await d.cleanup();
    fake?.child.kill('SIGKILL');
    await until(
      'the processes to end',
      () => started.every((r) => !isAlive(r.pid)) && (fake?.child.exitCode !== null || fake.child.signalCode !== null),
      10_000,
    ).catch(() => undefined);
    expect(
      started.filter((r) => isAlive(r.pid)),
      'processes left',
    ).toEqual([]);
  });

  it('READY=1 after autostart settled, RELOADING=1/READY=1 around SIGHUP, WATCHDOG=1, STOPPING=1 at shutdown', async () => {
    d = new ServiceDaemon();
    const envFile = join(d.dir, 'env.txt');
    d.write(`[program:slow]\ncommand=/bin/sh -c "env > ${envFile}; exec sleep 1000"\nstartsecs=2\n`);
    fake = receiver(join(d.dir, 'notify.sock'));
    await fake.bound;
    const t0 = Date.now();
    d.start({ env: { NOTIFY_SOCKET: join(d.dir, 'notify.sock'), WATCHDOG_USEC: '400000' } });
    const kinds = () => fake!.messages.map((m) => m.split('\n')[0]);
    await until('READY=1', () => kinds().includes('READY=1'), 20_000);
    // Not before slow went RUNNING (startsecs=2).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    await until('the RUNNING line', () => /success: slow entered RUNNING state/.test(d.output), 5_000);
    await until('WATCHDOG=1 pings', () => kinds().filter((k) => k === 'WATCHDOG=1').length >= 3, 10_000);
    const env = readFileSync(envFile, 'utf8');
    expect(env).not.toMatch(/^(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)=/m);

    d.child!.kill('SIGHUP');
    await until('READY=1 again', () => kinds().filter((k) => k === 'READY=1').length === 2, 20_000);
    d.child!.kill('SIGTERM');
    expect(await d.waitExit()).toEqual({ code: 0, signal: null });
    await until('STOPPING=1', () => kinds().includes('STOPPING=1'), 5_000);

    const lifecycle = kinds().filter((k) => k !== 'WATCHDOG=1');
    expect(lifecycle).toEqual(['READY=1', 'RELOADING=1', 'READY=1', 'STOPPING=1']);
    // The pings came while running, none after STOPPING=1.
    const all = kinds();
    expect(all.indexOf('WATCHDOG=1')).toBeGreaterThan(all.indexOf('READY=1'));
    expect(all.slice(all.indexOf('STOPPING=1') + 1)).toEqual([]);
    const reloading = fake.messages.find((m) => m.startsWith('RELOADING=1'));
    expect(reloading).toMatch(/\nMONOTONIC_USEC=\d+/);
  }, 60_000);

  it('WATCHDOG_PID naming another process: no pings, READY=1 still', async () => {
    d = new ServiceDaemon();
    d.write(`[program:a]\ncommand=sleep 1000\nstartsecs=0\n`);
    fake = receiver(join(d.dir, 'notify.sock'));
    await fake.bound;
    d.start({ env: { NOTIFY_SOCKET: join(d.dir, 'notify.sock'), WATCHDOG_USEC: '200000', WATCHDOG_PID: '1' } });
    await until('READY=1', () => fake!.messages.some((m) => m.startsWith('READY=1')), 20_000);
    await new Promise((r) => setTimeout(r, 600));
    expect(fake.messages.filter((m) => m.startsWith('WATCHDOG=1'))).toEqual([]);
    d.child!.kill('SIGTERM');
    expect(await d.waitExit()).toEqual({ code: 0, signal: null });
  }, 60_000);
});
