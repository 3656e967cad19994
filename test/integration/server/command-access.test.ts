// Who may define a command over HTTP: the escalation attempt of a local user against a root
// daemon whose [inet_http_server] has no credentials (refused with 403 and how to enable them),
// the owner-only unix socket (trusted), real credentials (accepted), `password=` (empty: not
// credentials), and the daemon's one startup notice.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../../src/server/daemon.js';
import { freePort } from '../../helpers/concurrency.js';
import { until } from '../../helpers/wait-for.js';

const IS_ROOT = process.getuid?.() === 0;
const HAVE_SETPRIV = existsSync('/usr/bin/setpriv') || existsSync('/bin/setpriv');
if (!IS_ROOT || !HAVE_SETPRIV) {
  console.warn(
    `NOTICE: command-access escalation tests skipped: they need root and setpriv (uid ${process.getuid?.()}, setpriv ${HAVE_SETPRIV ? 'found' : 'missing'})`,
  );
}

const NOBODY = 65534;

/** The attacker: a node client running as uid/gid 65534 with no groups, POSTing a JSON body. */
function asNobody(url: string, body: unknown, authorization?: string): Promise<{ status: number; text: string }> {
  const script = `
    const headers = { 'content-type': 'application/json' };
    if (process.env.AUTH) headers.authorization = process.env.AUTH;
    fetch(process.env.URL, { method: 'POST', headers, body: process.env.BODY })
      .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, text: await r.text(), uid: process.getuid() })))
      .catch((e) => { process.stdout.write(JSON.stringify({ status: 0, text: String(e), uid: process.getuid() })); });`;
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', URL: url, BODY: JSON.stringify(body) };
  if (authorization) env.AUTH = authorization;
  return new Promise((resolve, reject) => {
    execFile(
      'setpriv',
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', script],
      { env, timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`attacker client failed: ${err.message}\n${stderr}`));
        const out = JSON.parse(stdout) as { status: number; text: string; uid: number };
        if (out.uid !== NOBODY) return reject(new Error(`the client ran as uid ${out.uid}, not ${NOBODY}`));
        resolve(out);
      },
    );
  });
}

/** A POST over the daemon's unix socket (as this test's own uid). */
function overSocket(socketPath: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe.skipIf(!IS_ROOT || !HAVE_SETPRIV)('defining commands needs credentials on TCP (a root daemon, a uid 65534 client)', () => {
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

  async function startDaemon(inetExtra: string): Promise<{ port: number; socket: string; owned: string; log: () => string }> {
    dir = mkdtempSync(join(tmpdir(), 'command-access-'));
    chmodSync(dir, 0o755);
    const port = await freePort();
    const socket = join(dir, 's.sock');
    const conf = join(dir, 'supervisord.conf');
    writeFileSync(
      conf,
      `[supervisord]\nlogfile=%(here)s/main.log\nchildlogdir=%(here)s\nuser=root\n\n[unix_http_server]\nfile=%(here)s/s.sock\n\n` +
        `[inet_http_server]\nport=127.0.0.1:${port}\n${inetExtra}\n\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n`,
    );
    daemon = new Daemon({ configPath: conf, handleSignals: false, echo: { write: () => true } });
    await daemon.start();
    return { port, socket, owned: join(dir, 'owned'), log: () => readFileSync(join(dir, 'main.log'), 'utf8') };
  }

  const escalation = (owned: string) => ({ command: ['sh', '-c', `id -u > ${owned}`], directory: '/' });
  const program = (owned: string) => ({ name: 'evil', command: ['sh', '-c', `id -u > ${owned}; sleep 30`], startsecs: 0 });

  it('without credentials: POST /api/run and /api/programs answer 403 saying how to enable credentials; nothing runs', async () => {
    const { port, owned, log } = await startDaemon('');
    const base = `http://127.0.0.1:${port}`;
    const run = await asNobody(`${base}/api/run`, escalation(owned));
    expect(run.status).toBe(403);
    expect(JSON.parse(run.text).error).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('set username and a non-empty password in [inet_http_server]'),
    });
    const create = await asNobody(`${base}/api/programs`, program(owned));
    expect(create.status).toBe(403);
    const edit = await asNobody(`${base}/api/programs/evil`, program(owned));
    expect(edit.status).toBe(405); // PUT/PATCH only; POST is not an edit
    expect(existsSync(owned)).toBe(false);
    expect(daemon!.pm.getGroupDetails('evil')).toBeUndefined();
    // Reading stays open, as in supervisord.
    const status = await fetch(`${base}/api/status`);
    expect(status.status).toBe(200);
    // The startup notice, once.
    expect(log().match(/JSON API: defining or changing a command/g)).toHaveLength(1);
  }, 60_000);

  it('PUT/PATCH of a program are refused too, while the owner-only unix socket may define and edit', async () => {
    const { port, socket, owned } = await startDaemon('');
    const made = await overSocket(socket, '/api/run', escalation(owned));
    expect(made.status, made.text).toBe(201);
    // The run's shell creates the file before it writes to it: wait for the content.
    await until(
      () => existsSync(owned) && readFileSync(owned, 'utf8').trim() !== '',
      () => `${owned}: nothing written`,
      5000,
    );
    expect(readFileSync(owned, 'utf8').trim()).toBe('0');
    rmSync(owned);
    const created = await overSocket(socket, '/api/programs', { name: 'p', command: 'sleep 30', autostart: false });
    expect(created.status, created.text).toBe(201);
    for (const method of ['PUT', 'PATCH']) {
      const res = await fetch(`http://127.0.0.1:${port}/api/programs/p`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ command: ['sh', '-c', `id -u > ${owned}`], autostart: true }),
      });
      expect([method, res.status]).toEqual([method, 403]);
    }
    expect((daemon!.pm.getGroupDetails('p')?.config as { command?: unknown } | undefined)?.command).toBe('sleep 30');
  }, 60_000);

  it('with credentials: the attacker gets 401, the authenticated client defines the command, no startup notice', async () => {
    const { port, owned, log } = await startDaemon('username=admin\npassword=s3cret');
    const base = `http://127.0.0.1:${port}`;
    expect((await asNobody(`${base}/api/run`, escalation(owned))).status).toBe(401);
    expect(existsSync(owned)).toBe(false);
    const ok = await asNobody(`${base}/api/run`, escalation(owned), basic('admin', 's3cret'));
    expect(ok.status, ok.text).toBe(201);
    expect(log()).not.toMatch(/JSON API: defining or changing a command/);
  }, 60_000);

  it('password= (empty) is not credentials: the request authenticates but may not define a command', async () => {
    const { port, owned, log } = await startDaemon('username=admin\npassword=');
    const res = await asNobody(`http://127.0.0.1:${port}/api/run`, escalation(owned), basic('admin', ''));
    expect(res.status).toBe(403);
    expect(existsSync(owned)).toBe(false);
    expect(log()).toMatch(/JSON API: defining or changing a command/);
  }, 60_000);
});
