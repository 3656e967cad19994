// JSON API: programs as resources (create, read, edit rule, delete, enable/disable, start/stop/
// restart), over real HTTP with real children.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createJsonApi, MemoryProgramStore } from '../../../src/server/json-api.js';
import { createTestManager } from '../../helpers/manager.js';
import { serveRoutes, type Json } from '../../helpers/api-server.js';
import { isAlive } from '../../helpers/processes.js';
import { waitForState } from '../../helpers/wait-for.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A started manager behind the JSON API on 127.0.0.1:random. */
async function startApi() {
  const pm = createTestManager();
  await pm.start();
  const store = new MemoryProgramStore();
  const api = createJsonApi({ manager: () => pm, store });
  const { call, close } = await serveRoutes(pm, [api]);
  cleanups.push(async () => {
    api.close();
    await close();
  });
  return { pm, store, api, call };
}

const SLEEP = { command: 'sleep 1000', startsecs: 0, stopwaitsecs: 1 };

/** A live process's command line. */
function cmdline(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
}

describe('POST /api/programs', () => {
  it('validates, stores, adds and autostarts; 201 with the program', async () => {
    const { pm, call } = await startApi();
    const res = await call('POST', '/api/programs', { name: 'web', ...SLEEP, environment: { A: '1' } });
    expect(res.status).toBe(201);
    expect(res.body.program).toMatchObject({ name: 'web', enabled: true, pending: false, config: { name: 'web', command: 'sleep 1000' } });
    expect(res.body.program.processes).toHaveLength(1);
    await waitForState(pm, 'web', 'RUNNING');
    const got = await call('GET', '/api/programs/web');
    expect(got.status).toBe(200);
    const p = got.body.program.processes[0];
    expect(p).toMatchObject({ name: 'web', group: 'web', namespec: 'web', statename: 'RUNNING', state: 20, spawnerr: '' });
    expect(p.pid).toBeGreaterThan(0);
    expect(typeof p.uptime).toBe('number');
    const list = await call('GET', '/api/programs');
    expect(list.body.programs.map((x: Json) => x.name)).toEqual(['web']);
  });

  it('autostart=false adds it STOPPED; numprocs expands into processes', async () => {
    const { call } = await startApi();
    const res = await call('POST', '/api/programs', { name: 'w', ...SLEEP, autostart: false, numprocs: 2, process_name: '%(program_name)s_%(process_num)d' });
    expect(res.status).toBe(201);
    expect(res.body.program.processes.map((p: Json) => [p.namespec, p.statename, p.uptime])).toEqual([
      ['w:w_0', 'STOPPED', null],
      ['w:w_1', 'STOPPED', null],
    ]);
  });

  it('409 ALREADY_ADDED for a stored name and for a group the manager already has', async () => {
    const { pm, call } = await startApi();
    expect((await call('POST', '/api/programs', { name: 'a', ...SLEEP, autostart: false })).status).toBe(201);
    const dup = await call('POST', '/api/programs', { name: 'a', ...SLEEP });
    expect(dup).toEqual({ status: 409, body: { error: { code: 'ALREADY_ADDED', faultCode: 90, message: 'ALREADY_ADDED: a' } } });
    pm.addProcessGroup({ name: 'fromconf', command: 'sleep 1000', autostart: false });
    expect((await call('POST', '/api/programs', { name: 'fromconf', ...SLEEP })).body.error.code).toBe('ALREADY_ADDED');
  });

  it.each([
    [{ name: 'x', command: 'sleep 1', startsecs: 'soon' }, 'CANT_REREAD', 'startsecs'],
    [{ name: 'x', command: 'sleep 1', autorestart: 'sometimes' }, 'CANT_REREAD', 'autorestart'],
    [{ name: 'x', command: 'sleep 1', numprocs: 2 }, 'CANT_REREAD', 'process_name'],
    [{ name: 'x', command: 'sleep 1', stopsignal: 'NOPE' }, 'CANT_REREAD', 'stopsignal'],
    [{ name: 'x', command: 'sleep 1', stdout_logfile: '/nonexistent-dir/x.log' }, 'CANT_REREAD', 'stdout_logfile'],
    [{ name: 'x', command: 'sleep 1', environment: { A: 1 } }, 'CANT_REREAD', 'environment'],
    [{ name: 'x', command: 'sleep 1', environment: ['A=1'] }, 'INVALID', 'environment'],
    [{ name: 'x', command: 42 }, 'CANT_REREAD', 'command'],
    [{ name: 'x', command: 'sleep 1', colour: 'red' }, 'INVALID', 'colour'],
    [{ name: 'x', programs: [] }, 'INVALID', 'programs'],
    [{ name: 'x' }, 'INVALID', 'command'],
    [{ command: 'sleep 1' }, 'INVALID', 'name'],
    [{ name: '', command: 'sleep 1' }, 'INVALID', 'name'],
    [{ name: '..', command: 'sleep 1' }, 'INVALID', 'name'],
  ])('400 for %j (%s, field %s); nothing is added', async (body, code, field) => {
    const { pm, store, call } = await startApi();
    const res = await call('POST', '/api/programs', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, field });
    expect(res.body.error.faultCode).toBe(code === 'CANT_REREAD' ? 92 : null);
    expect(typeof res.body.error.message).toBe('string');
    expect(store.list()).toEqual([]);
    expect(pm.getAllProcessInfo()).toEqual([]);
  });
});

describe('GET /api/programs/:name', () => {
  it('404 BAD_NAME for an unknown program', async () => {
    const { call } = await startApi();
    expect(await call('GET', '/api/programs/nope')).toEqual({ status: 404, body: { error: { code: 'BAD_NAME', faultCode: 10, message: 'BAD_NAME: nope' } } });
  });
});

describe('editing (PUT replaces, PATCH merges)', () => {
  it('a stopped program takes the new definition at once and stays stopped', async () => {
    const { pm, call } = await startApi();
    await call('POST', '/api/programs', { name: 'e', ...SLEEP, autostart: false });
    const res = await call('PUT', '/api/programs/e', { ...SLEEP, numprocs: 2, process_name: 'e%(process_num)d' });
    expect(res.status).toBe(200);
    expect(res.body.applied).toBe('now');
    expect(res.body.program.pending).toBe(false);
    expect(res.body.program.config).toEqual({ name: 'e', ...SLEEP, numprocs: 2, process_name: 'e%(process_num)d' });
    expect(res.body.program.processes.map((p: Json) => [p.namespec, p.statename])).toEqual([
      ['e:e0', 'STOPPED'],
      ['e:e1', 'STOPPED'],
    ]);
    expect(pm.getAllProcessInfo().map((p) => p.name)).toEqual(['e0', 'e1']);
  });

  it('a running program keeps running; the change applies at its next start', async () => {
    const { pm, call } = await startApi();
    await call('POST', '/api/programs', { name: 'r', ...SLEEP });
    await waitForState(pm, 'r', 'RUNNING');
    const pid = pm.getProcessInfo('r').pid;
    const res = await call('PATCH', '/api/programs/r', { numprocs: 2, process_name: 'r%(process_num)d' });
    expect(res.body).toMatchObject({ applied: 'next-start', program: { pending: true } });
    expect(res.body.program.config).toMatchObject({ command: 'sleep 1000', numprocs: 2 });
    expect(pm.getProcessInfo('r')).toMatchObject({ pid, statename: 'RUNNING' });
    const restarted = await call('POST', '/api/programs/r/restart');
    expect(restarted.status).toBe(200);
    expect(restarted.body.results.map((r: Json) => [r.namespec, r.code])).toEqual([
      ['r:r0', 'SUCCESS'],
      ['r:r1', 'SUCCESS'],
    ]);
    expect(restarted.body.program.pending).toBe(false);
    expect(isAlive(pid)).toBe(false);
  });

  it('?restart=true stops, swaps and starts what was running; PATCH null removes a key', async () => {
    const { pm, call } = await startApi();
    await call('POST', '/api/programs', { name: 'z', ...SLEEP, environment: { A: '1', B: '2' } });
    await waitForState(pm, 'z', 'RUNNING');
    const pid = pm.getProcessInfo('z').pid;
    const res = await call('PATCH', '/api/programs/z?restart=true', { environment: { B: null, C: '3' } });
    expect(res.status).toBe(200);
    expect(res.body.applied).toBe('restarted');
    expect(res.body.results).toEqual([{ name: 'z', group: 'z', namespec: 'z', status: 80, code: 'SUCCESS', description: 'OK' }]);
    expect(res.body.program.config.environment).toEqual({ A: '1', C: '3' });
    expect(res.body.program.pending).toBe(false);
    const info = pm.getProcessInfo('z');
    expect(info.statename).toBe('RUNNING');
    expect(info.pid).not.toBe(pid);
  });

  it('an invalid edit changes nothing: 400, same pid, same stored definition', async () => {
    const { pm, store, call } = await startApi();
    await call('POST', '/api/programs', { name: 'k', ...SLEEP });
    await waitForState(pm, 'k', 'RUNNING');
    const pid = pm.getProcessInfo('k').pid;
    for (const [method, body, field] of [
      ['PUT', { startsecs: 1 }, 'command'],
      ['PUT', { ...SLEEP, name: 'other' }, 'name'],
      ['PATCH', { startretries: -1 }, 'startretries'],
      ['PATCH', { bogus: 1 }, 'bogus'],
    ] as const) {
      const res = await call(method, '/api/programs/k?restart=true', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
    expect(pm.getProcessInfo('k')).toMatchObject({ pid, statename: 'RUNNING' });
    expect(store.get('k')?.config).toEqual({ name: 'k', ...SLEEP });
    expect((await call('PUT', '/api/programs/none', SLEEP)).status).toBe(404);
  });
});

describe('editing: the pending definition', () => {
  it('applies when the program is next started through the processes API', async () => {
    const { pm, call } = await startApi();
    await call('POST', '/api/programs', { name: 'n', ...SLEEP });
    await waitForState(pm, 'n', 'RUNNING');
    expect((await call('PUT', '/api/programs/n', { ...SLEEP, command: 'sleep 999' })).body.applied).toBe('next-start');
    expect(cmdline(pm.getProcessInfo('n').pid)).toBe('sleep 1000');
    await call('POST', '/api/processes/n/stop');
    expect((await call('GET', '/api/programs/n')).body.program.pending).toBe(true);
    const started = await call('POST', '/api/processes/n/start');
    expect(started.status).toBe(200);
    expect(cmdline(started.body.process.pid)).toBe('sleep 999');
    expect((await call('GET', '/api/programs/n')).body.program.pending).toBe(false);
  });

  it('a "__proto__" key is refused, never merged into a prototype', async () => {
    const { store, call } = await startApi();
    await call('POST', '/api/programs', { name: 'p', ...SLEEP, autostart: false });
    const res = await call('PATCH', '/api/programs/p', JSON.parse('{"__proto__": {"user": "root"}}'));
    expect(res.body.error).toMatchObject({ code: 'INVALID', field: '__proto__' });
    const env = await call('PATCH', '/api/programs/p', JSON.parse('{"environment": {"__proto__": "x"}}'));
    expect(env.body.program.config.environment).toEqual(JSON.parse('{"__proto__": "x"}'));
    expect(Object.getPrototypeOf(store.get('p')?.config)).toBe(Object.prototype);
  });

  it('concurrent changes to one program are applied one after another, never interleaved', async () => {
    const { pm, call } = await startApi();
    await call('POST', '/api/programs', { name: 'c', ...SLEEP });
    await waitForState(pm, 'c', 'RUNNING');
    const [a, b, c] = await Promise.all([
      call('PATCH', '/api/programs/c?restart=true', { stopwaitsecs: 2 }),
      call('POST', '/api/programs/c/restart'),
      call('DELETE', '/api/programs/c'),
    ]);
    // Arrival order over three connections is not fixed; whatever ran after the DELETE found nothing.
    expect([200, 404]).toContain(a.status);
    expect([200, 404]).toContain(b.status);
    expect(c.status).toBe(204);
    expect(pm.getGroupDetails('c')).toBeUndefined();
    expect((await call('GET', '/api/programs/c')).status).toBe(404);
  });
});

describe('DELETE /api/programs/:name', () => {
  it('stops its processes, removes it, 204; then 404', async () => {
    const { pm, store, call } = await startApi();
    await call('POST', '/api/programs', { name: 'd', ...SLEEP });
    await waitForState(pm, 'd', 'RUNNING');
    const pid = pm.getProcessInfo('d').pid;
    const res = await call('DELETE', '/api/programs/d');
    expect(res).toEqual({ status: 204, body: undefined });
    expect(isAlive(pid)).toBe(false);
    expect(pm.getGroupDetails('d')).toBeUndefined();
    expect(store.get('d')).toBeUndefined();
    expect((await call('DELETE', '/api/programs/d')).status).toBe(404);
    expect((await call('GET', '/api/programs/d')).status).toBe(404);
  });
});

describe('enable / disable', () => {
  it('disable stops and removes the group but keeps the definition; start is refused; enable re-adds and autostarts', async () => {
    const { pm, call } = await startApi();
    await call('POST', '/api/programs', { name: 'q', ...SLEEP });
    await waitForState(pm, 'q', 'RUNNING');
    const pid = pm.getProcessInfo('q').pid;
    const off = await call('POST', '/api/programs/q/disable');
    expect(off.body.program).toMatchObject({ name: 'q', enabled: false, processes: [] });
    expect(isAlive(pid)).toBe(false);
    expect(pm.getGroupDetails('q')).toBeUndefined();
    expect((await call('POST', '/api/programs/q/disable')).status).toBe(200);
    const refused = await call('POST', '/api/programs/q/start');
    expect(refused).toEqual({ status: 409, body: { error: { code: 'DISABLED', faultCode: null, message: 'program q is disabled' } } });
    expect((await call('POST', '/api/processes/q/start')).body.error.code).toBe('DISABLED');
    // Edits to a disabled program apply at once and start nothing.
    expect((await call('PATCH', '/api/programs/q', { stopwaitsecs: 2 })).body.applied).toBe('now');
    expect(pm.getGroupDetails('q')).toBeUndefined();
    const on = await call('POST', '/api/programs/q/enable');
    expect(on.body.program.enabled).toBe(true);
    await waitForState(pm, 'q', 'RUNNING');
    expect((await call('GET', '/api/programs')).body.programs[0].config.stopwaitsecs).toBe(2);
  });
});

describe('POST /api/programs/:name/start|stop|restart', () => {
  it('returns per-process results; ?wait=false does not wait', async () => {
    const { pm, call } = await startApi();
    await call('POST', '/api/programs', { name: 'g', ...SLEEP, autostart: false, numprocs: 2, process_name: 'g%(process_num)d' });
    const started = await call('POST', '/api/programs/g/start');
    expect(started.body.results.map((r: Json) => r.code)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(started.body.program.processes.map((p: Json) => p.statename)).toEqual(['RUNNING', 'RUNNING']);
    const again = await call('POST', '/api/programs/g/start');
    expect(again.body.results).toEqual([]);
    const stopped = await call('POST', '/api/programs/g/stop?wait=false');
    expect(stopped.body.results.map((r: Json) => r.code)).toEqual(['SUCCESS', 'SUCCESS']);
    await waitForState(pm, 'g:g0', 'STOPPED');
    await waitForState(pm, 'g:g1', 'STOPPED');
    const restarted = await call('POST', '/api/programs/g/restart');
    expect(restarted.body.results.map((r: Json) => r.code)).toEqual(['SUCCESS', 'SUCCESS']);
    expect((await call('POST', '/api/programs/nope/start')).status).toBe(404);
    expect((await call('POST', '/api/programs/g/start', { extra: 1 })).body.error).toMatchObject({ code: 'INVALID', field: 'extra' });
    expect((await call('POST', '/api/programs/g/start?wait=maybe')).body.error).toMatchObject({ code: 'INVALID', field: 'wait' });
  });

  it('sync() re-adds enabled programs missing from a new manager', async () => {
    const { pm, api, call } = await startApi();
    await call('POST', '/api/programs', { name: 's', ...SLEEP, autostart: false });
    await call('POST', '/api/programs', { name: 't', ...SLEEP, autostart: false });
    await call('POST', '/api/programs/t/disable');
    pm.removeProcessGroup('s');
    expect(await api.sync()).toEqual(['s']);
    expect(pm.getGroupDetails('s')).toBeDefined();
    expect(pm.getGroupDetails('t')).toBeUndefined();
  });
});
