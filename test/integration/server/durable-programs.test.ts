// Programs created over the JSON API survive: the daemon keeps them as files in a directory its
// configuration includes (ProgramDirStore), so `supervisorctl reread && update` keeps them, a
// restart brings them back (disabled ones stay disabled), and the rest of the configuration is
// listed read-only.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgramDirStore } from '../../../src/config-file/program-dir-store.js';
import { Daemon } from '../../../src/server/daemon.js';
import { programDirStoreFor } from '../../../src/server/daemon-program-store.js';
import type { Json } from '../../helpers/api-server.js';

const HAVE_CTL = ['/usr/bin/supervisorctl', '/usr/local/bin/supervisorctl'].some((p) => existsSync(p));
if (!HAVE_CTL) console.warn('NOTICE: supervisorctl is not installed: the durable-programs test is skipped');

function api(socketPath: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function ctl(conf: string, ...args: string[]): Promise<string> {
  return new Promise((r) => execFile('supervisorctl', ['-c', conf, ...args], { timeout: 30_000 }, (_err, stdout) => r(stdout)));
}

describe.skipIf(!HAVE_CTL)('API programs are supervisord configuration', () => {
  let dir = '';
  let daemon: Daemon | undefined;
  afterEach(async () => {
    if (daemon) {
      daemon.shutdown();
      await daemon.done;
    }
    daemon = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(conf: string): Promise<Daemon> {
    const programs = join(dir, 'programs.d');
    const d: Daemon = new Daemon({
      configPath: conf,
      handleSignals: false,
      echo: { write: () => true },
      programStore: (self) => programDirStoreFor(self, programs),
    });
    await d.start();
    return d;
  }

  it('survive reread/update and a restart; disabled stays disabled; the rest is read-only', async () => {
    dir = mkdtempSync(join(tmpdir(), 'durable-programs-'));
    const conf = join(dir, 'supervisord.conf');
    const socket = join(dir, 's.sock');
    writeFileSync(
      conf,
      `[supervisord]\nlogfile=%(here)s/main.log\nchildlogdir=%(here)s\nuser=root\n\n[unix_http_server]\nfile=%(here)s/s.sock\n\n` +
        `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n[supervisorctl]\nserverurl=unix://%(here)s/s.sock\n\n` +
        `[include]\nfiles = programs.d/*.conf\n\n[program:static]\ncommand=sleep 1000\nstartsecs=0\n`,
    );
    daemon = await start(conf);
    const created = await api(socket, 'POST', '/api/programs', { name: 'web', command: ['sleep', '1000'], startsecs: 0, environment: { PORT: '8080' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await api(socket, 'POST', '/api/programs', { name: 'off', command: 'sleep 1000', startsecs: 0 })).status).toBe(201);
    expect((await api(socket, 'POST', '/api/programs/off/disable')).status).toBe(200);
    expect(existsSync(join(dir, 'programs.d/web.conf'))).toBe(true);

    const listed = (await api(socket, 'GET', '/api/programs')).body.programs.map((p: Json) => [p.name, p.enabled, p.readOnly ?? false]);
    expect(listed).toEqual([
      ['off', false, false],
      ['static', true, true],
      ['web', true, false],
    ]);
    const edit = await api(socket, 'PATCH', '/api/programs/static', { startsecs: 3 });
    expect([edit.status, edit.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(edit.body.error.message).toMatch(/program static is defined in .*supervisord.conf, not through the API/);

    // The stock supervisorctl: reread sees the files, update keeps web and does not add off.
    for (let i = 0; i < 100 && !/^web\s+RUNNING/m.test(await ctl(conf, 'status')); i++) await new Promise((r) => setTimeout(r, 100));
    const webPid = daemon.pm.getProcessInfo('web').pid;
    // What runs is what the files say: nothing to update.
    expect(await ctl(conf, 'reread')).toBe('No config updates to processes\n');
    const update = await ctl(conf, 'update');
    expect(update).not.toMatch(/web/);
    expect(update).not.toMatch(/off/);
    const status = await ctl(conf, 'status');
    expect(status).toMatch(/^web\s+RUNNING/m);
    expect(status).not.toMatch(/^off/m);
    expect(daemon.pm.getProcessInfo('web').pid).toBe(webPid);

    // A restart (a new daemon on the same files): web is back and runs, off stays disabled. A
    // torn temporary file, as a kill -9 during a write leaves it, is ignored and removed.
    daemon.shutdown();
    await daemon.done;
    const torn = join(dir, 'programs.d', '.web.conf.tmp-0123456789ab');
    writeFileSync(torn, '[program:web]\ncommand=sle');
    daemon = await start(conf);
    expect(existsSync(torn)).toBe(false);
    for (let i = 0; i < 100 && daemon.pm.getGroupDetails('web')?.processes[0]?.statename !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(daemon.pm.getProcessInfo('web').statename).toBe('RUNNING');
    expect(daemon.pm.getGroupDetails('off')).toBeUndefined();
    const after = (await api(socket, 'GET', '/api/programs')).body.programs.map((p: Json) => [p.name, p.enabled, p.readOnly ?? false]);
    expect(after).toEqual(listed);
    expect((await api(socket, 'GET', '/api/programs/web')).body.program.config).toMatchObject({
      name: 'web',
      command: 'sleep 1000',
      environment: 'PORT="8080"',
    });
    // Enabling off again starts it, and that too is kept in its file.
    expect((await api(socket, 'POST', '/api/programs/off/enable')).status).toBe(200);
    expect(new ProgramDirStore({ dir: join(dir, 'programs.d') }).get('off')?.enabled).toBe(true);
  }, 90_000);
});
