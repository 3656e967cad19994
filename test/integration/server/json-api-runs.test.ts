// JSON API: quick runs (POST /api/run and its lifecycle: output, timeout, retention), and the
// request hygiene every endpoint shares (malformed or oversized bodies, cross-site requests,
// unknown endpoints and methods), over real HTTP with real children.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../src/server/http-server.js';
import { createJsonApi } from '../../../src/server/json-api.js';
import { createTestManager } from '../../helpers/manager.js';
import { serveRoutes, type Json } from '../../helpers/api-server.js';
import { isAlive } from '../../helpers/processes.js';
import { sleep, until, waitForState } from '../../helpers/wait-for.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A started manager behind the JSON API on 127.0.0.1:random. */
async function startApi(options: { retentionMs?: number } = {}) {
  const pm = createTestManager();
  await pm.start();
  const api = createJsonApi({ manager: () => pm, ...options });
  const { call, raw, close } = await serveRoutes(pm, [api]);
  cleanups.push(async () => {
    api.close();
    await close();
  });
  return { pm, call, raw };
}

/** Polls GET /api/run/:name until it has ended. */
async function waitEnded(call: Awaited<ReturnType<typeof startApi>>['call'], name: string): Promise<Json> {
  let last: Json;
  const deadline = Date.now() + 3000;
  for (;;) {
    last = (await call('GET', `/api/run/${name}`)).body;
    if (last.ended) return last;
    if (Date.now() > deadline) throw new Error(`run ${name} did not end: ${JSON.stringify(last)}`);
    await sleep(20);
  }
}

describe('POST /api/run', () => {
  it('starts at once; reports exitstatus once ended; its logs are read in full (a GET changes nothing); DELETE removes it', async () => {
    const { pm, call } = await startApi();
    const res = await call('POST', '/api/run', { command: ['sh', '-c', 'echo hi; echo err >&2; exit 3'] });
    expect(res.status).toBe(201);
    const name: string = res.body.name;
    expect(name).toMatch(/^run-[0-9a-f]{8}$/);
    expect(res.body).toMatchObject({ namespec: name, ended: false, timedOut: false, exitstatus: null, status: { name, namespec: name } });
    expect(['RUNNING', 'EXITED']).toContain(res.body.status.statename);
    const ended = await waitEnded(call, name);
    expect(ended).toMatchObject({ ended: true, exitstatus: 3, status: { statename: 'EXITED', exitstatus: 3 } });
    const paths = [pm.getProcessInfo(name).stdout_logfile, pm.getProcessInfo(name).stderr_logfile];
    const logs = await call('GET', `/api/run/${name}/logs`);
    expect(logs.body).toMatchObject({ name, ended: true, exitstatus: 3, stdout: 'hi\n', stderr: 'err\n' });
    expect((await call('GET', `/api/run/${name}/logs`)).body).toMatchObject({ name, stdout: 'hi\n' });
    expect(pm.getGroupDetails(name)).toBeDefined();
    expect((await call('DELETE', `/api/run/${name}`)).status).toBe(204);
    expect(pm.getGroupDetails(name)).toBeUndefined();
    expect(paths.filter((p) => existsSync(p))).toEqual([]);
    expect((await call('GET', `/api/run/${name}`)).status).toBe(404);
    expect((await call('GET', `/api/run/${name}/logs`)).status).toBe(404);
  });

  it('reading the logs of a live run keeps it; a name, directory and environment may be given', async () => {
    const { pm, call } = await startApi();
    const res = await call('POST', '/api/run', {
      name: 'job1',
      command: 'sh -c "echo $GREETING from $(pwd); exec sleep 1000"',
      directory: '/tmp',
      environment: { GREETING: 'hello' },
    });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('job1');
    await until(
      () => pm.lastLines('job1', 2).includes('hello from /tmp'),
      () => pm.lastLines('job1', 2).join('|'),
    );
    expect((await call('GET', '/api/run/job1/logs')).body).toMatchObject({ ended: false, stdout: 'hello from /tmp\n' });
    expect((await call('GET', '/api/run')).body.runs.map((r: Json) => r.name)).toEqual(['job1']);
    expect((await call('POST', '/api/run', { name: 'job1', command: 'true' })).body.error.code).toBe('ALREADY_ADDED');
    const pid = pm.getProcessInfo('job1').pid;
    expect((await call('DELETE', '/api/run/job1')).status).toBe(204);
    expect(isAlive(pid)).toBe(false);
    expect(pm.getGroupDetails('job1')).toBeUndefined();
    expect((await call('DELETE', '/api/run/job1')).status).toBe(404);
  });

  it('timeoutSeconds stops it when exceeded', async () => {
    const { call } = await startApi();
    const res = await call('POST', '/api/run', { command: 'sleep 1000', timeoutSeconds: 0.2 });
    const ended = await waitEnded(call, res.body.name);
    expect(ended).toMatchObject({ ended: true, timedOut: true, status: { statename: 'STOPPED' } });
  });

  it('is removed when the retention time has passed after it ended', async () => {
    const { pm, call } = await startApi({ retentionMs: 100 });
    const res = await call('POST', '/api/run', { command: 'true' });
    const name = res.body.name;
    await waitForState(pm, name, 'EXITED');
    await until(
      () => pm.getGroupDetails(name) === undefined,
      () => `${name} still there`,
    );
    expect((await call('GET', `/api/run/${name}`)).status).toBe(404);
  });

  it('a command that cannot be run is 422 NO_FILE and leaves nothing behind', async () => {
    const { pm, call } = await startApi();
    const res = await call('POST', '/api/run', { name: 'ghost', command: '/nonexistent/cmd' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'NO_FILE', faultCode: 20 });
    expect(pm.getAllProcessInfo()).toEqual([]);
  });

  it.each([
    [{}, 'INVALID', 'command'],
    [{ command: '' }, 'INVALID', 'command'],
    [{ command: [] }, 'INVALID', 'command'],
    [{ command: ['sleep', 1] }, 'INVALID', 'command'],
    [{ command: 'true', timeoutSeconds: -1 }, 'INVALID', 'timeoutSeconds'],
    [{ command: 'true', timeoutSeconds: '5' }, 'INVALID', 'timeoutSeconds'],
    [{ command: 'true', environment: { A: 1 } }, 'INVALID', 'environment'],
    [{ command: 'true', directory: 7 }, 'INVALID', 'directory'],
    [{ command: 'true', user: true }, 'INVALID', 'user'],
    [{ command: 'true', user: 'no-such-user-here' }, 'CANT_REREAD', 'user'],
    [{ command: 'true', name: ' x' }, 'INVALID', 'name'],
    [{ command: 'true', autorestart: true }, 'INVALID', 'autorestart'],
  ])('400 for %j (%s, field %s)', async (body, code, field) => {
    const { pm, call } = await startApi();
    const res = await call('POST', '/api/run', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, field });
    expect(pm.getAllProcessInfo()).toEqual([]);
  });
});

describe('request hygiene', () => {
  it('malformed JSON, non-object bodies, non-JSON content types, oversized bodies', async () => {
    const { pm, raw } = await startApi();
    const json = { 'content-type': 'application/json' };
    const bad = await raw('POST', '/api/programs', { headers: json, body: '{"name": "x",' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID', faultCode: null });
    expect(bad.body.error.message).toMatch(/^malformed JSON body/);
    for (const body of ['[]', 'null', '"x"', '42']) {
      expect((await raw('POST', '/api/programs', { headers: json, body })).body.error.code).toBe('INVALID');
    }
    const text = await raw('POST', '/api/run', { headers: { 'content-type': 'text/plain' }, body: '{"command":"true"}' });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await raw('POST', '/api/programs', { headers: json, body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20) });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'TOO_LARGE', faultCode: null });
    expect(pm.getAllProcessInfo()).toEqual([]);
  });

  it('refuses cross-site browser requests', async () => {
    const { pm, raw } = await startApi();
    const body = JSON.stringify({ command: 'true' });
    const variants: Record<string, string>[] = [{ origin: 'http://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of variants) {
      const res = await raw('POST', '/api/run', { headers: { ...headers, 'content-type': 'application/json' }, body });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    const ok = await raw('GET', '/api/status', { headers: { origin: 'http://evil.example' } });
    expect(ok.status).toBe(200);
    expect(pm.getAllProcessInfo()).toEqual([]);
  });

  it('unknown endpoints are 404 NOT_FOUND; wrong methods 405 with Allow; other paths are not ours', async () => {
    const { raw } = await startApi();
    for (const path of ['/api', '/api/', '/api/nothing', '/api/programs/a/b/c', '/api/processes/x/explode']) {
      const res = await raw('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', faultCode: null });
    }
    const wrong = await raw('DELETE', '/api/programs');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    expect(wrong.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect((await raw('GET', '/api/processes/%E0%A4%A/logs')).body.error.code).toBe('INVALID');
    const other = await raw('GET', '/apiary');
    expect(other.status).toBe(404);
    expect(other.body).toBeUndefined(); // the server's plain-text 404, not the API's
  });

  it('never answers bad input with a 500', async () => {
    const { pm, call } = await startApi();
    expect((await call('POST', '/api/programs', { name: 'live', command: 'sleep 1000', startsecs: 0, stopwaitsecs: 1 })).status).toBe(201);
    await waitForState(pm, 'live', 'RUNNING');
    const pid = pm.getProcessInfo('live').pid;
    const bodies: unknown[] = [
      null,
      [],
      'x',
      0,
      true,
      { name: null },
      { name: 5, command: {} },
      { name: 'live', command: 'x', numprocs: 1e9, process_name: '%(process_num)d' },
      { command: 'x', priority: 'high' },
      { command: 'x', environment: 'A="unterminated' },
      { command: 'x', exitcodes: 'a,b' },
      { command: 'x', umask: 'zz' },
      { command: 'x', stdout_logfile_maxbytes: '10XB' },
      { command: 'x', directory: '%(ENV_NOPE_NOT_SET)s' },
    ];
    const targets: [string, string][] = [
      ['POST', '/api/programs'],
      ['PUT', '/api/programs/live'],
      ['PATCH', '/api/programs/live'],
      ['POST', '/api/processes/live/signal'],
      ['POST', '/api/processes/live/stop'],
      ['POST', '/api/run'],
    ];
    for (const [method, path] of targets) {
      for (const body of bodies) {
        const res = await call(method, path, body);
        const what = `${method} ${path} ${JSON.stringify(body)}`;
        expect(res.status, what).toBeLessThan(500);
        // PATCH {"name": null} is a valid no-op merge; everything else is refused.
        if (!(method === 'PATCH' && JSON.stringify(body) === '{"name":null}')) expect(res.body.error.code, what).toMatch(/^[A-Z_]+$/);
      }
    }
    expect(pm.getProcessInfo('live')).toMatchObject({ pid, statename: 'RUNNING' });
    expect(pm.getAllProcessInfo()).toHaveLength(1);
  });
});
