// The daemon for orchestrators: GET /healthz and /readyz (and `procvisorctl health` / `ready`)
// through start, a FATAL program, its recovery and shutdown; credentials unless
// health_without_auth; and the exit policies, whose status becomes the daemon's.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../../helpers/processes.js';
import { HAVE_PROCVISOR, ROOT } from './daemon-pair.js';
import { daemonEnv, ServiceDaemon, until } from './service-daemon.js';

const CTL_JS = join(ROOT, 'dist/cli/procvisorctl.js');
const AUTH = { username: 'u', password: 'p' };

function ctl(d: ServiceDaemon, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CTL_JS, '-c', d.conf, '-u', 'u', '-p', 'p', ...args], { env: daemonEnv(), timeout: 15_000 }, (err, stdout) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout });
    });
  });
}

describe.skipIf(!HAVE_PROCVISOR)('health endpoints and exit policies of the daemon', () => {
  let d: ServiceDaemon;
  afterEach(async () => {
    // What the daemon had started must end with it (its orphan guard included).
    const started = d.descendants().filter((r) => r.state !== 'Z');
    await d.cleanup();
    await until("the daemon's processes to end", () => started.every((r) => !isAlive(r.pid)), 10_000).catch(() => undefined);
    expect(
      started.filter((r) => isAlive(r.pid)),
      'processes left by the daemon',
    ).toEqual([]);
  });

  it('/healthz and /readyz through start, FATAL, recovery and stop; procvisorctl health/ready agree', async () => {
    d = new ServiceDaemon();
    const ok = join(d.dir, 'ok');
    d.write(
      `[program:web]\ncommand=${process.execPath} -e "setInterval(()=>{},1000); process.on('SIGTERM',()=>setTimeout(()=>process.exit(0),1500))"\nstartsecs=1\nstopwaitsecs=10\n\n` +
        `[program:flaky]\ncommand=/bin/sh -c "test -e ${ok} || exit 3; exec sleep 1000"\nstartsecs=1\nstartretries=0\n\n` +
        `[program:manual]\ncommand=sleep 1000\nautostart=false\n`,
      'health_without_auth=true',
      'username=u\npassword=p',
    );
    d.start();
    // Start: up, not ready while web is STARTING.
    const starting = await until('the first /readyz answer', () => d.get('/readyz').catch(() => undefined));
    expect(starting.status).toBe(503);
    expect(starting.json.ready).toBe(false);
    // Without credentials the health routes answer (health_without_auth) but RPC does not.
    expect((await d.get('/RPC2')).status).toBe(401);
    expect((await d.get('/api/processes')).status).toBe(401);
    const health = await d.get('/healthz');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ healthy: true, state: 'RUNNING' });

    // FATAL: flaky is named, with its state; manual (autostart=false) is not waited for.
    const fatal = await until('web RUNNING, flaky FATAL', async () => {
      const r = await d.get('/readyz');
      return r.json.notReady?.length === 1 && r.json.notReady[0].state === 'FATAL' ? r : undefined;
    });
    expect(fatal.status).toBe(503);
    expect(fatal.json).toMatchObject({ ready: false, state: 'RUNNING', notReady: [{ name: 'flaky', state: 'FATAL' }] });
    const notReady = await ctl(d, ['ready']);
    expect(notReady.code).toBe(1);
    expect(JSON.parse(notReady.stdout)).toMatchObject({ ready: false, notReady: [{ name: 'flaky', state: 'FATAL' }] });
    expect((await ctl(d, ['health'])).code).toBe(0);

    // Recovery: flaky can start now.
    writeFileSync(ok, '');
    expect((await ctl(d, ['start', 'flaky'])).stdout).toMatch(/flaky: started/);
    const ready = await d.get('/readyz');
    expect(ready).toEqual({ status: 200, json: { ready: true, state: 'RUNNING', notReady: [] } });
    expect((await ctl(d, ['ready'])).code).toBe(0);

    // Stop: while web takes its time to stop, both answer 503 (SHUTDOWN).
    d.child!.kill('SIGTERM');
    const stopping = await until('a 503 while shutting down', async () => {
      const r = await d.get('/readyz').catch(() => undefined);
      return r?.status === 503 ? r : undefined;
    });
    expect(stopping.json).toMatchObject({ ready: false, state: 'SHUTDOWN' });
    expect((await d.get('/healthz')).json).toMatchObject({ healthy: false, state: 'SHUTDOWN' });
    expect(await d.waitExit()).toEqual({ code: 0, signal: null });
    // Gone: procvisorctl says so and fails.
    const gone = await ctl(d, ['health']);
    expect(gone.code).toBe(1);
  }, 60_000);

  it('without health_without_auth the health routes need the credentials too; health_ready_programs narrows /readyz', async () => {
    d = new ServiceDaemon();
    d.write(
      `[program:a]\ncommand=sleep 1000\nstartsecs=0\n\n[program:broken]\ncommand=/bin/sh -c "exit 1"\nstartsecs=0\nstartretries=0\n`,
      'health_ready_programs=a',
      'username=u\npassword=p',
    );
    d.start();
    const denied = await until('an answer', () => d.get('/healthz').catch(() => undefined));
    expect(denied.status).toBe(401);
    const ready = await until('a ready', async () => {
      const r = await d.get('/readyz', AUTH);
      return r.status === 200 ? r : undefined;
    });
    expect(ready.json).toEqual({ ready: true, state: 'RUNNING', notReady: [] });
    d.child!.kill('SIGTERM');
    expect(await d.waitExit()).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('shutdown_on_exit: the program exits 7 on its own, the daemon stops the others and exits 7', async () => {
    d = new ServiceDaemon();
    d.write(
      `[program:main]\ncommand=/bin/sh -c "sleep 1; exit 7"\nstartsecs=0\nautorestart=false\nshutdown_on_exit=true\n\n[program:side]\ncommand=sleep 1000\nstartsecs=0\n`,
    );
    d.start();
    expect(await d.waitExit()).toEqual({ code: 7, signal: null });
    expect(d.output).toMatch(/main exited \(exit status 7\) and has shutdown_on_exit=true: shutting down with exit status 7/);
    expect(d.output).toMatch(/stopped: side/);
  }, 30_000);

  it('shutdown_on_exit=unexpected ignores an expected exit; a signal death gives 128 + the signal', async () => {
    d = new ServiceDaemon();
    d.write(
      `[program:fine]\ncommand=/bin/sh -c "exit 0"\nstartsecs=0\nautorestart=false\nshutdown_on_exit=unexpected\n\n` +
        `[program:killed]\ncommand=/bin/sh -c "sleep 2; kill -TERM $$"\nstartsecs=0\nautorestart=false\nshutdown_on_exit=unexpected\n`,
    );
    d.start();
    expect(await d.waitExit()).toEqual({ code: 128 + 15, signal: null });
    expect(d.output).toMatch(/exited: fine \(exit status 0; expected\)/);
    expect(d.output).toMatch(/killed exited \(terminated by SIGTERM\)/);
  }, 30_000);

  it('shutdown_on_fatal on the program: FATAL ends the daemon with the last exit status', async () => {
    d = new ServiceDaemon();
    d.write(
      `[program:db]\ncommand=/bin/sh -c "exit 5"\nstartsecs=1\nstartretries=1\nshutdown_on_fatal=true\n\n[program:side]\ncommand=sleep 1000\nstartsecs=0\n`,
    );
    d.start();
    expect(await d.waitExit()).toEqual({ code: 5, signal: null });
    expect(d.output).toMatch(/gave up: db entered FATAL state/);
    expect(d.output).toMatch(/db entered FATAL state and has shutdown_on_fatal=true/);
  }, 30_000);

  it('[supervisord] shutdown_on_fatal: any FATAL program ends the daemon non-zero (1 when it had no exit status)', async () => {
    d = new ServiceDaemon();
    d.write(`[program:missing]\ncommand=/nonexistent/program\nstartretries=0\n\n[program:side]\ncommand=sleep 1000\nstartsecs=0\n`, 'shutdown_on_fatal=true');
    d.start();
    const exit = await d.waitExit();
    expect(exit).toEqual({ code: 1, signal: null });
    expect(d.output).toMatch(/\[supervisord\] has shutdown_on_fatal=true/);
  }, 30_000);

  it('without a policy a FATAL program leaves the daemon running', async () => {
    d = new ServiceDaemon();
    d.write(`[program:bad]\ncommand=/bin/sh -c "exit 5"\nstartsecs=1\nstartretries=0\n`);
    d.start();
    await until('bad FATAL', () => /gave up: bad/.test(d.output));
    expect((await d.get('/readyz')).json).toMatchObject({ ready: false, notReady: [{ name: 'bad', state: 'FATAL' }] });
    expect(d.exit).toBeUndefined();
    d.child!.kill('SIGTERM');
    expect(await d.waitExit()).toEqual({ code: 0, signal: null });
  }, 30_000);
});
