// JSON API: processes by namespec (status, start/stop/restart/signal, fault → HTTP mapping) and
// their logs (JSON ranges and the server-sent-events stream), over real HTTP with real children.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createJsonApi } from '../../../src/server/json-api.js';
import { createTestManager } from '../../helpers/manager.js';
import { AUTHORIZATION, serveRoutes, type Json } from '../../helpers/api-server.js';
import { isAlive } from '../../helpers/processes.js';
import { until, waitForState } from '../../helpers/wait-for.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A started manager behind the JSON API on 127.0.0.1:random. */
async function startApi() {
  const pm = createTestManager();
  await pm.start();
  const api = createJsonApi({ manager: () => pm });
  const { base, call, close } = await serveRoutes(pm, [api]);
  cleanups.push(async () => {
    api.close();
    await close();
  });
  return { pm, base, call };
}

const SLEEP = { command: 'sleep 1000', startsecs: 0, stopwaitsecs: 1 };

describe('status', () => {
  it('GET /api/status and /api/processes/:namespec report getProcessInfo fields plus namespec and uptime', async () => {
    const { pm, call } = await startApi();
    pm.addProcessGroup({ name: 'a', ...SLEEP });
    pm.addProcessGroup({ name: 'b', ...SLEEP, autostart: false, numprocs: 2, process_name: 'b%(process_num)d' });
    await waitForState(pm, 'a', 'RUNNING');
    const all = await call('GET', '/api/status');
    expect(all.status).toBe(200);
    expect(all.body.supervisor).toEqual({ statecode: 1, statename: 'RUNNING' });
    expect(all.body.processes.map((p: Json) => [p.namespec, p.statename])).toEqual([
      ['a', 'RUNNING'],
      ['b:b0', 'STOPPED'],
      ['b:b1', 'STOPPED'],
    ]);
    const one = await call('GET', '/api/processes/a');
    expect(Object.keys(one.body).sort()).toEqual(
      [
        'name',
        'group',
        'namespec',
        'state',
        'statename',
        'pid',
        'uptime',
        'start',
        'stop',
        'exitstatus',
        'spawnerr',
        'description',
        'nextRetryAt',
        'restarts',
        'usage',
      ].sort(),
    );
    expect(one.body).toMatchObject({ name: 'a', state: 20, pid: pm.getProcessInfo('a').pid, exitstatus: 0 });
    expect(one.body.uptime).toBeGreaterThanOrEqual(0);
    expect(one.body.uptime).toBeLessThanOrEqual(2);
    expect(one.body.description).toMatch(/^pid \d+, uptime 0:00:0\d$/);
    expect((await call('GET', '/api/processes/b%3Ab1')).body).toMatchObject({ namespec: 'b:b1', uptime: null, description: 'Not started' });
    expect((await call('GET', '/api/processes/b')).body.error).toEqual({ code: 'BAD_NAME', faultCode: 10, message: 'BAD_NAME: b' });
    expect((await call('GET', '/api/processes/nope')).status).toBe(404);
  });
});

describe('POST /api/processes/:namespec/start|stop|restart|signal', () => {
  it('start, stop and restart one process; faults map to 409', async () => {
    const { pm, call } = await startApi();
    pm.addProcessGroup({ name: 'p', ...SLEEP, autostart: false });
    const started = await call('POST', '/api/processes/p/start');
    expect(started.status).toBe(200);
    expect(started.body.process).toMatchObject({ namespec: 'p', statename: 'RUNNING' });
    const pid = started.body.process.pid;
    expect(await call('POST', '/api/processes/p/start')).toEqual({
      status: 409,
      body: { error: { code: 'ALREADY_STARTED', faultCode: 60, message: 'ALREADY_STARTED: p' } },
    });
    const restarted = await call('POST', '/api/processes/p/restart');
    expect(restarted.body.process.statename).toBe('RUNNING');
    expect(restarted.body.process.pid).not.toBe(pid);
    expect(isAlive(pid)).toBe(false);
    const stopped = await call('POST', '/api/processes/p/stop');
    expect(stopped.body.process).toMatchObject({ statename: 'STOPPED', pid: 0 });
    expect((await call('POST', '/api/processes/p/stop')).body.error).toMatchObject({ code: 'NOT_RUNNING', faultCode: 70 });
    expect((await call('POST', '/api/processes/p/restart')).body.process.statename).toBe('RUNNING');
  });

  it('?wait=false returns before RUNNING', async () => {
    const { pm, call } = await startApi();
    pm.addProcessGroup({ name: 'slow', ...SLEEP, startsecs: 5, autostart: false });
    const res = await call('POST', '/api/processes/slow/start?wait=false');
    expect(res.body.process.statename).toBe('STARTING');
    const stop = await call('POST', '/api/processes/slow/stop?wait=false');
    expect(stop.status).toBe(200);
    await waitForState(pm, 'slow', 'STOPPED');
  });

  it('group namespecs (g:*) give per-process results', async () => {
    const { pm, call } = await startApi();
    pm.addProcessGroup({ name: 'g', ...SLEEP, autostart: false, numprocs: 2, process_name: 'g%(process_num)d' });
    const start = await call('POST', '/api/processes/g:*/start');
    expect(start.body.results.map((r: Json) => [r.namespec, r.code, r.status])).toEqual([
      ['g:g0', 'SUCCESS', 80],
      ['g:g1', 'SUCCESS', 80],
    ]);
    const sig = await call('POST', '/api/processes/g:*/signal', { signal: 'CONT' });
    expect(sig.body.results.map((r: Json) => r.code)).toEqual(['SUCCESS', 'SUCCESS']);
    const restart = await call('POST', '/api/processes/g:/restart');
    expect(restart.body.results.map((r: Json) => r.code)).toEqual(['SUCCESS', 'SUCCESS']);
    const stop = await call('POST', '/api/processes/g:*/stop');
    expect(stop.body.results.map((r: Json) => r.code)).toEqual(['SUCCESS', 'SUCCESS']);
    expect((await call('POST', '/api/processes/none:*/start')).status).toBe(404);
  });

  it('signal: delivered by name or number; BAD_SIGNAL 400; missing signal 400; not running 409', async () => {
    const { pm, call } = await startApi();
    const script = 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.05; done';
    pm.addProcessGroup({ name: 'trap', command: ['sh', '-c', script], startsecs: 0, stopwaitsecs: 1 });
    await until(
      () => pm.lastLines('trap', 5).includes('ready'),
      () => `output: ${pm.lastLines('trap', 5).join('|')}`,
    );
    const res = await call('POST', '/api/processes/trap/signal', { signal: 'USR1' });
    expect(res.status).toBe(200);
    expect(res.body.process.statename).toBe('RUNNING');
    await until(
      () => pm.lastLines('trap', 5).includes('got-usr1'),
      () => `output: ${pm.lastLines('trap', 5).join('|')}`,
    );
    expect((await call('POST', '/api/processes/trap/signal', { signal: 10 })).status).toBe(200);
    expect((await call('POST', '/api/processes/trap/signal', { signal: 'NOPE' })).body.error).toMatchObject({ code: 'BAD_SIGNAL', faultCode: 11 });
    expect((await call('POST', '/api/processes/trap/signal', {})).body.error).toMatchObject({ code: 'INVALID', field: 'signal' });
    expect((await call('POST', '/api/processes/trap/signal', { signal: 1.5 })).body.error).toMatchObject({ code: 'INVALID', field: 'signal' });
    expect((await call('POST', '/api/processes/trap/signal')).status).toBe(400);
    expect((await call('POST', '/api/processes/trap/signal', { signal: 'HUP', x: 1 })).body.error).toMatchObject({ field: 'x' });
    await call('POST', '/api/processes/trap/stop');
    expect((await call('POST', '/api/processes/trap/signal', { signal: 'HUP' })).status).toBe(409);
  });

  it('SPAWN_ERROR is 422 with the last output lines', async () => {
    const { pm, call } = await startApi();
    const script = 'echo boom; echo oops >&2; exit 1';
    pm.addProcessGroup({ name: 'bad', command: ['sh', '-c', script], startsecs: 0.5, startretries: 0, autostart: false });
    const res = await call('POST', '/api/processes/bad/start');
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'SPAWN_ERROR', faultCode: 50, message: 'SPAWN_ERROR: bad', logs: { stdout: ['boom'], stderr: ['oops'] } });
    await waitForState(pm, 'bad', 'FATAL');
    pm.addProcessGroup({ name: 'nofile', command: '/nonexistent/cmd', autostart: false });
    expect((await call('POST', '/api/processes/nofile/start')).body.error).toMatchObject({ code: 'NO_FILE', faultCode: 20 });
  });

  it('SHUTDOWN_STATE is 503', async () => {
    const { pm, call } = await startApi();
    pm.addProcessGroup({ name: 'x', ...SLEEP, autostart: false });
    await pm.shutdown();
    expect((await call('POST', '/api/processes/x/start')).body.error).toMatchObject({ code: 'SHUTDOWN_STATE', faultCode: 6 });
    expect((await call('POST', '/api/programs', { name: 'y', ...SLEEP })).status).toBe(503);
  });
});

describe('GET /api/processes/:namespec/logs', () => {
  async function withOutput() {
    const ctx = await startApi();
    ctx.pm.addProcessGroup({ name: 'o', command: ['sh', '-c', 'printf "0123456789"; printf "err" >&2; exec sleep 1000'], startsecs: 0, stopwaitsecs: 1 });
    await until(
      () => ctx.pm.tailProcessStdoutLog('o', 0, 100)[1] === 10 && ctx.pm.tailProcessStderrLog('o', 0, 100)[1] === 3,
      () => 'no output',
    );
    return ctx;
  }

  it('tail (no offset), read from an offset, the last |offset| bytes, stderr', async () => {
    const { call } = await withOutput();
    expect((await call('GET', '/api/processes/o/logs')).body).toEqual({ data: '0123456789', offset: 10, overflow: false });
    expect((await call('GET', '/api/processes/o/logs?length=4')).body).toEqual({ data: '6789', offset: 10, overflow: true });
    expect((await call('GET', '/api/processes/o/logs?offset=2&length=3')).body).toEqual({ data: '234', offset: 5, overflow: true });
    expect((await call('GET', '/api/processes/o/logs?offset=5')).body).toEqual({ data: '56789', offset: 10, overflow: false });
    expect((await call('GET', '/api/processes/o/logs?offset=10')).body).toEqual({ data: '', offset: 10, overflow: false });
    expect((await call('GET', '/api/processes/o/logs?offset=50')).body).toEqual({ data: '', offset: 10, overflow: false });
    expect((await call('GET', '/api/processes/o/logs?offset=-3')).body).toEqual({ data: '789', offset: 10, overflow: false });
    expect((await call('GET', '/api/processes/o/logs?stream=stderr')).body).toEqual({ data: 'err', offset: 3, overflow: false });
  });

  it('bad parameters are 400 naming them; unknown process 404', async () => {
    const { call } = await withOutput();
    expect((await call('GET', '/api/processes/o/logs?offset=-3&length=2')).body.error).toMatchObject({ code: 'BAD_ARGUMENTS', faultCode: 3 });
    expect((await call('GET', '/api/processes/o/logs?offset=0&length=-2')).body.error).toMatchObject({ code: 'BAD_ARGUMENTS' });
    expect((await call('GET', '/api/processes/o/logs?length=-2')).body.error).toMatchObject({ code: 'INVALID', field: 'length' });
    expect((await call('GET', '/api/processes/o/logs?offset=abc')).body.error).toMatchObject({ code: 'INVALID', field: 'offset' });
    expect((await call('GET', '/api/processes/o/logs?stream=both')).body.error).toMatchObject({ code: 'INVALID', field: 'stream' });
    expect((await call('GET', '/api/processes/o/logs?follow=yes')).body.error).toMatchObject({ code: 'INVALID', field: 'follow' });
    expect((await call('GET', '/api/processes/nope/logs')).status).toBe(404);
    expect((await call('GET', '/api/processes/nope/logs?follow=true')).status).toBe(404);
  });

  it('follow=true streams lines as server-sent events until the client leaves', async () => {
    const { pm, base } = await startApi();
    pm.addProcessGroup({ name: 'f', command: ['sh', '-c', 'echo one; read x; echo "$x"; exec sleep 1000'], startsecs: 0, stopwaitsecs: 1 });
    await until(
      () => pm.lastLines('f', 5).includes('one'),
      () => 'no output',
    );
    let followEnded = false;
    const logLines = pm.logLines.bind(pm);
    vi.spyOn(pm, 'logLines').mockImplementation((ns, options) => {
      const lines = logLines(ns, options);
      return (async function* () {
        try {
          yield* lines;
        } finally {
          followEnded = true;
        }
      })();
    });
    const ac = new AbortController();
    const res = await fetch(`${base}/api/processes/f/logs?follow=true`, { signal: ac.signal, headers: { authorization: AUTHORIZATION } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 3000;
      while (!text.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(needle)} in ${JSON.stringify(text)}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += Buffer.from(value).toString('utf8');
      }
    };
    await readUntil('data: one\n\n');
    pm.sendProcessStdin('f', 'two\n');
    await readUntil('data: two\n\n');
    ac.abort();
    await reader.cancel().catch(() => undefined);
    // The server side has let go of the follower.
    await until(
      () => followEnded,
      () => 'the server still follows the log',
    );
    await pm.stopProcess('f');
    pm.removeProcessGroup('f');
  });

  it('the stream ends with an `end` event when the process is removed', async () => {
    const { pm, base } = await startApi();
    pm.addProcessGroup({ name: 'r', command: ['sh', '-c', 'echo hello; exec sleep 1000'], startsecs: 0, stopwaitsecs: 1 });
    await until(
      () => pm.lastLines('r', 5).includes('hello'),
      () => 'no output',
    );
    const res = await fetch(`${base}/api/processes/r/logs?follow=true&stream=stdout`, { headers: { authorization: AUTHORIZATION } });
    const reader = res.body!.getReader();
    const first = await reader.read();
    let text = Buffer.from(first.value!).toString();
    expect(text).toContain(': stdout of r');
    await pm.stopProcess('r');
    pm.removeProcessGroup('r');
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    expect(text).toContain('data: hello\n\n');
    expect(text.endsWith('event: end\ndata: \n\n')).toBe(true);
  });
});
