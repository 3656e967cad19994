// `procvisorctl fleet ...` against a real HTTP server on 127.0.0.1 that answers with fixed JSON
// shaped as the fleet API's contract (the real endpoints live with the fleet core): argument
// parsing, the requests sent, the tables printed, error messages and exit statuses.
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Controller } from '../../../src/cli/ctl-controller.js';
import { COMMANDS, main } from '../../../src/cli/procvisorctl.js';
import { createBody, parseProgramArgs, patchBody, splitWords } from '../../../src/cli/ctl-fleet-args.js';
import { ago, formatProcesses, placementText, table } from '../../../src/cli/ctl-fleet-format.js';
import { captureIo } from './fake-supervisord.js';

interface Seen {
  method: string;
  url: string;
  body: unknown;
  auth: string | undefined;
  type: string | undefined;
}

const NOW_S = Math.floor(Date.now() / 1000);
// Shaped as the fleet branch's answers: epoch ms timestamps (0: never), FleetProgram records.
const NODES = {
  nodes: [
    { name: 'web-1', labels: { role: 'web', zone: 'a' }, alive: true, self: true, joinedAt: Date.now(), statusAt: Date.now() - 3000, processes: 2, errors: {} },
    { name: 'db-1', labels: {}, alive: false, self: false, joinedAt: Date.now(), statusAt: Date.now() - 600_000, processes: 0, errors: {} },
    { name: 'new-1', labels: {}, alive: true, self: false, joinedAt: Date.now(), statusAt: 0, processes: 0, errors: {} },
  ],
};
const PROGRAMS = {
  programs: [
    {
      name: 'web',
      placement: { labels: { role: 'web' } },
      config: { name: 'web', command: 'node app.js' },
      updatedAt: 1767225600000,
      nodes: ['web-1', 'web-2'],
    },
    {
      name: 'cron',
      placement: { nodes: ['web-1', 'db-1'], singleton: true },
      config: { name: 'cron', command: 'cron' },
      updatedAt: 1767225600000,
      nodes: ['web-1'],
      holder: 'web-1',
    },
  ],
};
const proc = (node: string, program: string, name: string, statename: string, extra: object = {}) => ({
  node,
  alive: true,
  stale: false,
  program,
  group: program,
  name,
  namespec: name === program ? name : `${program}:${name}`,
  state: statename === 'RUNNING' ? 20 : 0,
  statename,
  pid: statename === 'RUNNING' ? 4242 : 0,
  start: NOW_S - 3725,
  uptime: statename === 'RUNNING' ? 3725 : null,
  restarts: 0,
  rss: null,
  fleet: true,
  ...extra,
});
const PROCESSES = {
  processes: [
    proc('web-1', 'web', 'web', 'RUNNING'),
    proc('web-2', 'web', 'web', 'RUNNING', { restarts: 2, stale: true }),
    proc('web-1', 'cron', 'cron_00', 'STOPPED', { fleet: false }),
    proc('db-1', 'cron', 'cron_01', 'RUNNING', { alive: false }),
  ],
};

// The fixture server: answers by "METHOD path", records every request.
const routes = new Map<string, [number, unknown]>();
const seen: Seen[] = [];
let server: http.Server;
let serverurl: string;
let dir: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: text ? (JSON.parse(text) as unknown) : undefined,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
      });
      const [status, body] = routes.get(`${req.method} ${req.url}`) ?? [404, { error: { code: 'NOT_FOUND', faultCode: null, message: `no route ${req.url}` } }];
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverurl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = mkdtempSync(join(tmpdir(), 'fleet-ctl-'));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  routes.clear();
  seen.length = 0;
});

async function run(...args: string[]) {
  const out = captureIo();
  const code = await main(['-s', serverurl, ...args], { ...out.io, cwd: dir });
  return { code, stdout: out.stdout, stderr: out.stderr };
}

describe('fleet reads', () => {
  it('fleet: this node and the etcd connection; exit 1 when disconnected', async () => {
    const info = {
      node: 'web-1',
      labels: { role: 'web' },
      prefix: '/procvisor',
      endpoints: ['http://127.0.0.1:2379'],
      connected: true,
      running: ['cron', 'web'],
      statusWrites: 3,
      statusQueued: false,
    };
    routes.set('GET /api/fleet', [200, info]);
    expect(await run('fleet')).toEqual({
      code: 0,
      stdout: 'node web-1 (role=web), prefix /procvisor, etcd connected\nfleet programs running here: cron, web\n',
      stderr: '',
    });
    routes.set('GET /api/fleet', [
      200,
      { ...info, labels: {}, prefix: '/p', connected: false, lastError: 'connect ECONNREFUSED', running: [], statusQueued: true },
    ]);
    expect(await run('fleet', 'info')).toMatchObject({
      code: 1,
      stdout: 'node web-1, prefix /p, etcd NOT connected (connect ECONNREFUSED)\nfleet programs running here: none\nstatus changes queued until etcd answers\n',
    });
  });

  it('fleet nodes: one aligned row per node, this node starred, DOWN for a dead one', async () => {
    routes.set('GET /api/fleet/nodes', [200, NODES]);
    const r = await run('fleet', 'nodes');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'NODE     ALIVE  PROCS  STATUS   LABELS',
        'web-1 *  up     2      3s ago   role=web,zone=a',
        'db-1     DOWN   0      10m ago  -',
        'new-1    up     0      -        -',
        '',
      ].join('\n'),
    );
  });

  it('fleet programs: placement in words, where each runs, the singleton holder', async () => {
    routes.set('GET /api/fleet/programs', [200, PROGRAMS]);
    expect((await run('fleet', 'programs')).stdout).toBe(
      [
        'PROGRAM  PLACEMENT                      RUNNING ON',
        'web      labels role=web                web-1,web-2',
        'cron     singleton on nodes web-1,db-1  web-1 (holder web-1)',
        '',
      ].join('\n'),
    );
    routes.set('GET /api/fleet/programs', [200, { programs: [] }]);
    expect((await run('fleet', 'programs')).stdout).toBe('No fleet programs.\n');
  });

  it('fleet status: node, name, state, pid and uptime like supervisorctl status; exit 3 when one is not running', async () => {
    routes.set('GET /api/fleet/processes', [200, PROCESSES]);
    const r = await run('fleet', 'status');
    expect(r.stdout).toBe(
      [
        'web-1  web           RUNNING  pid 4242, uptime 1:02:05',
        'web-2  web           RUNNING  pid 4242, uptime 1:02:05, restarts 2, stale',
        'web-1  cron:cron_00  STOPPED  local',
        'db-1   cron:cron_01  RUNNING  pid 4242, uptime 1:02:05, node down',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(3);
  });

  it('fleet status PROGRAM: only its processes; exit 0 when all run; exit 4 naming an unknown one', async () => {
    routes.set('GET /api/fleet/processes', [200, PROCESSES]);
    const web = await run('fleet', 'status', 'web');
    expect(
      web.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/).slice(0, 3).join(' ')),
    ).toEqual(['web-1 web RUNNING', 'web-2 web RUNNING']);
    expect(web.code).toBe(0);
    const nope = await run('fleet', 'status', 'nope');
    expect(nope).toMatchObject({ code: 4, stdout: 'nope: no process reported by any node\n' });
  });

  it('fleet show NAME: the program as JSON (from {program} or bare), the name URL-encoded', async () => {
    routes.set('GET /api/fleet/programs/a%20b', [200, { program: { name: 'a b', placement: {}, config: {} } }]);
    expect(JSON.parse((await run('fleet', 'show', 'a b')).stdout)).toEqual({ name: 'a b', placement: {}, config: {} });
    routes.set('GET /api/fleet/programs/c', [200, { name: 'c', placement: {}, config: {} }]);
    expect(JSON.parse((await run('fleet', 'show', 'c')).stdout)).toEqual({ name: 'c', placement: {}, config: {} });
  });

  it('sends Basic auth when -u and -p are given', async () => {
    routes.set('GET /api/fleet/nodes', [200, { nodes: [] }]);
    expect((await run('-u', 'ann', '-p', 'pw', 'fleet', 'nodes')).stdout).toBe('No nodes in the fleet.\n');
    expect(seen[0]?.auth).toBe(`Basic ${Buffer.from('ann:pw').toString('base64')}`);
  });
});

describe('fleet writes', () => {
  const created = { name: 'web', placement: { nodes: ['b'], singleton: true }, config: {}, updatedAt: 1767225600000, nodes: [] };
  const wrap = (program: object) => ({ program });

  it('fleet add NAME key=value --nodes --labels --singleton: one POST with typed values', async () => {
    routes.set('POST /api/fleet/programs', [201, wrap(created)]);
    const r = await run(
      'fleet',
      'add',
      'web',
      'command=node app.js --port=3',
      'numprocs=2',
      'autostart=false',
      '--nodes',
      'b,c',
      '--labels=role=web',
      '--singleton',
    );
    expect(r).toEqual({ code: 0, stdout: 'web: added (singleton on nodes b)\n', stderr: '' });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/fleet/programs',
      type: 'application/json',
      body: {
        name: 'web',
        command: 'node app.js --port=3',
        numprocs: 2,
        autostart: false,
        placement: { nodes: ['b', 'c'], labels: { role: 'web' }, singleton: true },
      },
    });
  });

  it('fleet add FILE.json: the file as the body', async () => {
    const def = { name: 'web', command: 'node app.js', placement: { labels: { role: 'web' } } };
    writeFileSync(join(dir, 'web.json'), JSON.stringify(def));
    routes.set('POST /api/fleet/programs', [201, wrap({ ...created, placement: def.placement })]);
    expect((await run('fleet', 'add', 'web.json')).stdout).toBe('web: added (labels role=web)\n');
    expect(seen[0]?.body).toEqual(def);
  });

  it('fleet edit NAME key=value: a PATCH with only what was given; null and empty --nodes clear', async () => {
    routes.set('PATCH /api/fleet/programs/web', [200, wrap({ ...created, placement: {} })]);
    expect((await run('fleet', 'edit', 'web', 'startsecs=5', 'user=null', '--nodes=', '--no-singleton')).stdout).toBe('web: updated (every node)\n');
    expect(seen[0]).toMatchObject({ method: 'PATCH', body: { startsecs: 5, user: null, placement: { nodes: null, singleton: false } } });
  });

  it('fleet edit FILE.json: a PUT of the file to its name', async () => {
    writeFileSync(join(dir, 'w2.json'), JSON.stringify({ name: 'w2', command: 'x' }));
    routes.set('PUT /api/fleet/programs/w2', [200, wrap({ ...created, name: 'w2', placement: {} })]);
    expect((await run('fleet', 'edit', 'w2.json')).stdout).toBe('w2: updated (every node)\n');
    expect(seen[0]).toMatchObject({ method: 'PUT', body: { name: 'w2', command: 'x' } });
  });

  it('fleet remove NAME: DELETE', async () => {
    routes.set('DELETE /api/fleet/programs/web', [200, { deleted: 'web' }]);
    expect(await run('fleet', 'remove', 'web')).toEqual({ code: 0, stdout: 'web: removed\n', stderr: '' });
  });

  it('fleet start|stop|restart NAME: one line per process per node; exit 1 when a node failed', async () => {
    routes.set('POST /api/fleet/programs/web/restart', [
      200,
      {
        results: [
          // A restart answers with the stop's results, then the start's.
          {
            id: 'a',
            node: 'web-1',
            ok: true,
            results: [
              { name: 'web', group: 'web', status: 80, description: 'OK' },
              { name: 'web', group: 'web', status: 80, description: 'OK' },
            ],
          },
          {
            id: 'b',
            node: 'web-2',
            ok: true,
            results: [
              { name: 'web', group: 'web', status: 80, description: 'OK' },
              { name: 'web', group: 'web', status: 50, description: 'SPAWN_ERROR: web' },
            ],
          },
          { id: 'c', node: 'db-1', ok: false, error: 'no answer from node db-1 within 30s' },
        ],
      },
    ]);
    expect(await run('fleet', 'restart', 'web')).toEqual({
      code: 1,
      stdout: 'web-1: web: restarted\nweb-2: web: ERROR (SPAWN_ERROR: web)\ndb-1: ERROR (no answer from node db-1 within 30s)\n',
      stderr: '',
    });
    routes.set('POST /api/fleet/programs/web/stop', [
      200,
      {
        results: [
          { node: 'web-1', ok: true },
          { node: 'web-2', ok: true, results: [{ name: 'w_0', group: 'web', status: 80, description: 'OK' }] },
        ],
      },
    ]);
    expect(await run('fleet', 'stop', 'web')).toMatchObject({ code: 0, stdout: 'web-1: stopped\nweb-2: web:w_0: stopped\n' });
  });
});

describe('fleet errors', () => {
  it("prints the API's error message and code, exit 1", async () => {
    routes.set('POST /api/fleet/programs', [400, { error: { code: 'INVALID', faultCode: null, message: "field 'command' is required", field: 'command' } }]);
    expect(await run('fleet', 'add', 'web', 'command=x')).toEqual({ code: 1, stdout: "Error: field 'command' is required (INVALID)\n", stderr: '' });
    routes.set('GET /api/fleet/nodes', [
      503,
      { error: { code: 'FLEET_UNAVAILABLE', faultCode: null, message: 'fleet: etcd cannot be reached: deadline exceeded' } },
    ]);
    expect(await run('fleet', 'nodes')).toMatchObject({ code: 1, stdout: 'Error: fleet: etcd cannot be reached: deadline exceeded (FLEET_UNAVAILABLE)\n' });
  });

  it('a daemon without [fleet] (404) and an unreachable daemon: the message, exit 1', async () => {
    expect(await run('fleet', 'nodes')).toMatchObject({ code: 1, stdout: 'Error: no route /api/fleet/nodes (NOT_FOUND)\n' });
    const out = captureIo();
    const code = await main(['-s', 'http://127.0.0.1:1', 'fleet', 'nodes'], out.io);
    expect(code).toBe(1);
    expect(out.stdout).toMatch(/^Error: http:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/);
  });

  it.each([
    [['fleet', 'frob'], 'unknown fleet command "frob"'],
    [['fleet', 'add', 'web', 'numprocs=2'], 'command=... is required to add a program'],
    [['fleet', 'add', 'web', 'command=x', '--zone', 'a'], 'unknown option --zone (options: --nodes, --labels, --singleton, --no-singleton)'],
    [['fleet', 'add', 'web', 'command=x', '--nodes'], '--nodes requires a value'],
    [['fleet', 'add', 'web', 'command=x', '--labels', 'role'], '--labels: expected key=value, got "role"'],
    [['fleet', 'add', 'web', 'oops'], 'expected key=value, got "oops"'],
    [['fleet', 'edit', 'web'], 'nothing to change for web: give key=value or placement options'],
    [['fleet', 'start'], 'fleet start takes one program name'],
    [['fleet', 'add', 'missing.json'], /^missing\.json: ENOENT/],
  ])('%j: "Error: ..." and the fleet help, exit 2, nothing sent', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    const first = r.stdout.split('\n')[0]!;
    if (typeof message === 'string') expect(first).toBe(`Error: ${message}`);
    else expect(first.slice('Error: '.length)).toMatch(message);
    expect(r.stdout).toContain('fleet status [<program> ...]');
    expect(seen).toEqual([]);
  });

  it("help fleet documents the syntax; plain help stays supervisorctl's list", async () => {
    expect((await run('help', 'fleet')).stdout).toMatch(/^fleet\t+This node/);
    expect((await run('help')).stdout).not.toContain('fleet');
  });
});

describe('fleet argument parsing (the interactive shell splits the line itself)', () => {
  it('splits with quotes and backslashes', () => {
    expect(splitWords(`add web command="node app.js" 'x=a b' y=c\\ d  --singleton`)).toEqual([
      'add',
      'web',
      'command=node app.js',
      'x=a b',
      'y=c d',
      '--singleton',
    ]);
    expect(splitWords(`a "q\\"x"`)).toEqual(['a', 'q"x']);
    expect(() => splitWords(`add "web`)).toThrow('unterminated " quote');
  });

  it('types values as JSON when they parse, else as text', () => {
    const args = parseProgramArgs(['w', 'command=echo 1', 'numprocs=3', 'environment={"A":"1"}', 'startsecs=0.5', 'stopsignal=TERM', 'v="12"']);
    expect(createBody(args)).toEqual({ name: 'w', command: 'echo 1', numprocs: 3, environment: { A: '1' }, startsecs: 0.5, stopsignal: 'TERM', v: '12' });
    expect(patchBody(parseProgramArgs(['w', '--labels', 'a=1,b=2']))).toEqual({ placement: { labels: { a: '1', b: '2' } } });
  });

  it('a typed shell line reaches the API split by its quotes', async () => {
    routes.set('POST /api/fleet/programs', [201, { program: { name: 'w', placement: {}, config: {}, updatedAt: 0, nodes: [] } }]);
    const out = captureIo();
    const options = {
      configfile: undefined,
      serverurl,
      username: undefined,
      password: undefined,
      prompt: 'x',
      history_file: undefined,
      interactive: true,
      args: [],
    };
    const ctl = new Controller(options, out.io, COMMANDS);
    await ctl.onecmd(`fleet add w command="node app.js" --labels 'role=web server'`);
    expect(out.stdout).toBe('w: added (every node)\n');
    expect(seen[0]?.body).toEqual({ name: 'w', command: 'node app.js', placement: { labels: { role: 'web server' } } });
  });
});

describe('fleet formatting', () => {
  it('aligns columns without trailing blanks', () => {
    expect(
      table([
        ['a', 'bb', ''],
        ['ccc', 'd', 'e'],
      ]),
    ).toEqual(['a    bb', 'ccc  d   e']);
  });

  it('reads timestamps as ISO text, epoch ms or epoch s', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(ago('2026-01-01T11:59:55Z', now)).toBe('5s ago');
    expect(ago(now - 3 * 3600_000, now)).toBe('3h ago');
    expect(ago(now / 1000 - 3 * 86400, now)).toBe('3d ago');
    expect(ago(null, now)).toBe('-');
    expect(ago(0, now)).toBe('-');
  });

  it('describes placements', () => {
    expect(placementText(undefined)).toBe('every node');
    expect(placementText({ singleton: true })).toBe('singleton on every node');
    expect(placementText({ nodes: ['a'], labels: { r: 'w' } })).toBe('nodes a + labels r=w');
  });

  it('names a process group:name only when they differ', () => {
    const lines = formatProcesses([
      { node: 'n', group: 'g', name: 'g', statename: 'FATAL' },
      { node: 'n', group: 'g', name: 'g_1', statename: 'BACKOFF' },
    ]);
    expect(lines).toEqual(['n  g      FATAL', 'n  g:g_1  BACKOFF']);
  });
});
