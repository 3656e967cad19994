// [fcgi-program:x] against both daemons (issue 13): three Node workers accept HTTP on the one TCP
// socket the supervisor created and gave them as stdin. Connections are spread over the workers;
// the socket outlives one worker's stop, is closed once the last one is reaped (connections are
// then refused) and created again by the next start; the workers have no stdin pipe.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture as programFixture } from '../../helpers/manager.js';
import { freePort } from '../../helpers/concurrency.js';
import { sleep, until } from '../../helpers/wait-for.js';
import { CAN_DIFF, DaemonPair, PREAMBLE, fixture, normalize, rawRequest, type LiveDaemon } from './daemon-pair.js';

const NAMES = ['web_0', 'web_1', 'web_2'];
const running =
  (...names: string[]) =>
  (infos: Record<string, unknown>[]) =>
    names.every((n) => infos.find((i) => i.name === n)?.statename === 'RUNNING');

/** One HTTP GET on the daemon's fcgi port: the answering worker's pid, or the connection error code. */
function get(port: number): Promise<{ pid: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ pid: Number(body) }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

async function pids(d: LiveDaemon): Promise<Record<string, number>> {
  return Object.fromEntries((await d.infos()).map((i) => [i.name as string, i.pid as number]));
}

/** The main log's lines about the group's socket, the port masked. */
function socketLines(d: LiveDaemon): string[] {
  return d
    .logLines(/ socket /)
    .filter((l) => l.endsWith(`:${d.ports[0]}`))
    .map((l) => l.replaceAll(String(d.ports[0]), '<PORT>'));
}

describe.skipIf(!CAN_DIFF)('fcgi-program: one socket shared by numprocs workers, supervisord and procvisor', () => {
  const pair = new DaemonPair();

  beforeAll(async () => {
    for (const d of pair.both) d.ports = [await freePort()];
    pair.writeConfig((d) => PREAMBLE + fixture('fcgi.conf', { NODE: process.execPath, WORKER: programFixture('fd0-http.mjs'), PORT: d.ports[0] as number }));
    await pair.start(running(...NAMES), 15_000);
  }, 30_000);

  afterAll(async () => {
    const left = await pair.stop();
    pair.remove();
    expect(left, 'processes started by the daemons still alive').toEqual([]);
  }, 30_000);

  it('status shows the group like any other', async () => {
    const [real, ours] = await pair.ctl(['status']);
    expect(ours).toEqual(real);
    expect(
      real.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/).slice(0, 2).join(' ')),
    ).toEqual(['web:web_0 RUNNING', 'web:web_1 RUNNING', 'web:web_2 RUNNING']);
  });

  it("procvisor's JSON API shows the group's processes, and adds and removes fcgi programs", async () => {
    const d = pair.ours;
    const status = JSON.parse((await rawRequest({ socketPath: d.socket }, { method: 'GET', path: '/api/status' })).body) as {
      processes: Array<{ namespec: string; statename: string }>;
    };
    expect(status.processes.map((p) => `${p.namespec} ${p.statename}`)).toEqual(['web:web_0 RUNNING', 'web:web_1 RUNNING', 'web:web_2 RUNNING']);
    // A program with a socket added through the API is an fcgi program too.
    const port = await freePort();
    const config = {
      name: 'api',
      command: [process.execPath, programFixture('fd0-http.mjs')],
      numprocs: 2,
      process_name: '%(program_name)s_%(process_num)d',
      socket: `tcp://127.0.0.1:${port}`,
      startsecs: 0,
    };
    const created = await rawRequest(
      { socketPath: d.socket },
      { method: 'POST', path: '/api/programs', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(config) },
    );
    expect(created.status, created.body).toBe(201);
    await d.ready(running('api_0', 'api_1'));
    const apiPids = (await d.infos()).filter((i) => i.group === 'api').map((i) => i.pid);
    expect(apiPids).toContain(((await get(port)) as { pid: number }).pid);
    const removed = await rawRequest({ socketPath: d.socket }, { method: 'DELETE', path: '/api/programs/api' });
    expect(removed.status, removed.body).toBe(204);
    expect(await get(port)).toEqual({ error: 'ECONNREFUSED' });
  }, 30_000);

  it('connections on the one port are served by several workers of the group', async () => {
    const results = await Promise.all(
      pair.both.map(async (d) => {
        const group = Object.values(await pids(d));
        // Staggered: each request finds the workers that answer earlier ones busy (they do not
        // accept while busy), so another worker must take it.
        const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => sleep(i * 60).then(() => get(d.ports[0] as number))));
        const served = answers.map((a) => ('pid' in a ? a.pid : a.error));
        return { d, group, served };
      }),
    );
    for (const { d, group, served } of results) {
      expect(
        served.every((p) => group.includes(p as number)),
        `${d.kind}: ${JSON.stringify(served)} from ${JSON.stringify(group)}`,
      ).toBe(true);
      expect(new Set(served).size, `${d.kind} spread ${JSON.stringify(served)}`).toBeGreaterThanOrEqual(2);
    }
  }, 30_000);

  it('the workers have no stdin pipe: sendProcessStdin is NO_FILE', async () => {
    const [real, ours] = await Promise.all(pair.both.map(async (d) => normalize(d, await d.call('supervisor.sendProcessStdin', 'web:web_0', 'x'))));
    expect(ours).toEqual(real);
    expect(real).toEqual({ fault: { code: 20, string: 'NO_FILE: web:web_0' } });
  });

  it('the socket stays open while one worker is left, closes after the last stops, and is created again by a start', async () => {
    const [stopOne] = await pair.ctl(['stop', 'web:web_0']);
    expect(stopOne.stdout).toBe('web:web_0: stopped\n');
    const afterOne = await Promise.all(
      pair.both.map(async (d) => {
        const left = await pids(d);
        const a = await get(d.ports[0] as number);
        return 'pid' in a && (a.pid === left.web_1 || a.pid === left.web_2);
      }),
    );
    expect(afterOne).toEqual([true, true]);

    const [real, ours] = await pair.ctl(['stop', 'all']);
    // Waited results come in completion order, which varies from run to run: compare them sorted.
    const sorted = (r: typeof real) => ({ ...r, stdout: r.stdout.split('\n').sort().join('\n') });
    expect(sorted(ours)).toEqual(sorted(real));
    const closed = await Promise.all(
      pair.both.map((d) => until(async () => ('error' in (await get(d.ports[0] as number)) ? 'closed' : false), `${d.kind} socket closed`, 5_000)),
    );
    expect(closed).toEqual(['closed', 'closed']);
    expect(await Promise.all(pair.both.map((d) => get(d.ports[0] as number)))).toEqual([{ error: 'ECONNREFUSED' }, { error: 'ECONNREFUSED' }]);

    const [startReal, startOurs] = await pair.ctl(['start', 'web:web_1']);
    expect(startOurs).toEqual(startReal);
    const again = await Promise.all(
      pair.both.map(async (d) => {
        const a = await get(d.ports[0] as number);
        return 'pid' in a && a.pid === (await pids(d)).web_1;
      }),
    );
    expect(again).toEqual([true, true]);

    const logs = pair.both.map((d) => socketLines(d));
    expect(logs[1]).toEqual(logs[0]);
    // Made once when the group was added (created and closed), then per use.
    expect(logs[0]).toEqual([
      'INFO Creating socket tcp://127.0.0.1:<PORT>',
      'INFO Closing socket tcp://127.0.0.1:<PORT>',
      'INFO Creating socket tcp://127.0.0.1:<PORT>',
      'INFO Closing socket tcp://127.0.0.1:<PORT>',
      'INFO Creating socket tcp://127.0.0.1:<PORT>',
    ]);
    // The socket closes only once the last worker is reaped.
    for (const d of pair.both) {
      const seq = d.logLines(new RegExp(`Closing socket .*:${d.ports[0]}$|stopped: web_`)).map((l) => (l.includes('Closing socket') ? 'close' : 'stopped'));
      expect(seq, d.kind).toEqual(['close', 'stopped', 'stopped', 'stopped', 'close']);
    }
  }, 40_000);
});
