// [eventlistener:x] against both daemons, with listeners written with supervisord's own helper
// library (supervisor.childutils): the same events reach them in the same order with the same
// headers and payloads (pids masked); a FAIL is answered by the same event again; a listener that
// restarts a program over XML-RPC; a listener that dies while BUSY gets its event again after the
// restart; a pool whose buffer overflows logs the same lines; supervisorctl shows pools as groups;
// TICK alignment, serials across a reload, and the configuration error messages.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAN_DIFF, DaemonPair, PREAMBLE, PROCVISOR_JS, ROOT, fixture, normalize, run, type LiveDaemon } from './daemon-pair.js';
import { until } from '../../helpers/wait-for.js';

function haveChildutils(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import supervisor.childutils'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const CAN_RUN = CAN_DIFF && haveChildutils();
if (CAN_DIFF && !CAN_RUN) console.warn('NOTICE: /usr/bin/python3 with supervisor.childutils not found: event listener differential tests skipped.');

interface Recorded {
  process: string;
  headers: Record<string, string>;
  payload: string;
  /** When the listener read it, epoch seconds. */
  at: number;
  /** The SUPERVISOR_* variables of the listener's environment. */
  env: Record<string, string>;
}

function records(d: LiveDaemon, name: string): Recorded[] {
  const file = join(d.dir, `${name}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Recorded);
}

/** One event as compared: header tokens but `len` (it counts pid digits), payload with pids masked. */
function shape(r: Recorded): string {
  const { len: _len, ...h } = r.headers;
  return `${Object.entries(h)
    .map(([k, v]) => `${k}:${v}`)
    .join(' ')}\n${r.payload.replace(/pid:\d+/g, 'pid:N')}`;
}

const lenOk = (r: Recorded) => Number(r.headers.len) === [...r.payload].length;

describe.skipIf(!CAN_RUN)('event listener pools: procvisor and supervisord 4.2.5 send the same events', () => {
  const pair = new DaemonPair();

  beforeAll(async () => {
    pair.writeConfig(PREAMBLE + fixture('event-listeners.conf', { RECORDER: join(ROOT, 'test/fixtures/listeners/recorder.py') }));
    await pair.start((infos) => infos.filter((i) => i.statename === 'RUNNING').length >= 3, 20_000);
    // Quiet once w ran twice (the second time started by lis over XML-RPC) and lis saw both exits.
    await Promise.all(
      pair.both.map((d) =>
        until(() => records(d, 'lis').filter((r) => r.headers.eventname === 'PROCESS_STATE_EXITED').length >= 2, `${d.kind}: lis saw w exit twice`, 20_000),
      ),
    );
    // Three REMOTE_COMMUNICATION events in one request: dead dies on the first, tiny holds one.
    for (const d of pair.both) {
      await d.value(
        'system.multicall',
        [1, 2, 3].map((n) => ({ methodName: 'supervisor.sendRemoteCommEvent', params: ['note', `number ${n}`] })),
      );
    }
    await Promise.all(
      pair.both.map((d) =>
        until(
          () =>
            records(d, 'dead').length >= 4 &&
            records(d, 'lis').filter((r) => r.payload.startsWith('processname:dead') && r.headers.eventname === 'PROCESS_STATE_RUNNING').length >= 2,
          `${d.kind}: dead got its events after its restart`,
          20_000,
        ),
      ),
    );
  }, 70_000);

  afterAll(async () => {
    const left = await pair.stop();
    pair.remove();
    expect(left, 'processes started by the daemons still alive').toEqual([]);
  }, 30_000);

  it('lis receives the same events, in the same order, with the same serials and payloads', () => {
    const [real, ours] = pair.both.map((d) => records(d, 'lis'));
    expect(real!.length).toBeGreaterThan(20);
    expect(ours!.map(shape)).toEqual(real!.map(shape));
    expect(ours!.every(lenOk) && real!.every(lenOk)).toBe(true);
  });

  it('covers every kind: group, supervisor state, process states, output, capture, remote', () => {
    const names = new Set(records(pair.ours, 'lis').map((r) => r.headers.eventname));
    for (const n of [
      'PROCESS_GROUP_ADDED',
      'SUPERVISOR_STATE_CHANGE_RUNNING',
      'PROCESS_STATE_STARTING',
      'PROCESS_STATE_RUNNING',
      'PROCESS_STATE_EXITED',
      'PROCESS_LOG_STDOUT',
      'PROCESS_COMMUNICATION_STDOUT',
      'REMOTE_COMMUNICATION',
    ]) {
      expect(names, n).toContain(n);
    }
    // lis started w again over XML-RPC after its first exit (startProcess from a listener).
    const wStarts = records(pair.ours, 'lis').filter((r) => r.headers.eventname === 'PROCESS_STATE_STARTING' && r.payload.startsWith('processname:w '));
    expect(wStarts.map((r) => r.payload)).toEqual([
      'processname:w groupname:w from_state:STOPPED tries:0',
      'processname:w groupname:w from_state:EXITED tries:0',
    ]);
    // The first event was answered FAIL, so it came twice.
    const [first, second] = records(pair.ours, 'lis');
    expect(shape(second!)).toBe(shape(first!));
  });

  it('a listener that died while BUSY gets the same event again after its restart', () => {
    const [real, ours] = pair.both.map((d) => records(d, 'dead').map(shape));
    expect(ours).toEqual(real);
    expect(ours![0]).toBe(ours![1]);
  });

  it('the same log lines: rejection, overflow, exits', () => {
    const pick = /event was rejected|overflowed|UNKNOWN state|exited: |stopped: /;
    const [real, ours] = pair.both.map((d) => d.logLines(pick));
    expect(ours).toEqual(real);
    expect(real!.filter((l) => l.includes('overflowed'))).toHaveLength(2);
  });

  it('capture mode keeps the captured text out of the log, and holds back a short tail', async () => {
    const [real, ours] = await Promise.all(pair.both.map((d) => d.value('supervisor.readProcessStdoutLog', 'w', 0, 0)));
    expect(ours).toBe(real);
    expect(real).toBe('xtail long enough to be logged at once\nxtail long enough to be logged at once\n');
  });

  it("a listener's stdout log holds its protocol, byte for byte", () => {
    const [real, ours] = pair.both.map((d) => readFileSync(join(d.dir, 'lis.out'), 'utf8'));
    expect(ours).toBe(real);
    expect(real).toMatch(/^READY\nRESULT 4\nFAILREADY\nRESULT 2\nOKREADY\n/);
  });

  it('getAllConfigInfo describes pools as supervisord does (pool priority -1, process priority 999)', async () => {
    const [real, ours] = await Promise.all(pair.both.map(async (d) => normalize(d, await d.value('supervisor.getAllConfigInfo'))));
    expect(ours).toEqual(real);
    expect(real).toContainEqual(expect.objectContaining({ name: 'lis', group_prio: -1, process_prio: 999 }));
  });

  it('supervisorctl status shows the pools like any group', async () => {
    const [real, ours] = await pair.ctl(['status']);
    expect(ours).toEqual(real);
    expect(real.stdout).toMatch(/^dead +RUNNING/m);
  });
});

describe.skipIf(!CAN_RUN)('TICK events: procvisor and supervisord 4.2.5 align them the same way', () => {
  const pair = new DaemonPair();

  beforeAll(async () => {
    pair.writeConfig(
      `${PREAMBLE}
[eventlistener:ticker]
command=/usr/bin/python3 ${join(ROOT, 'test/fixtures/listeners/recorder.py')}
events=TICK_5
environment=RECORD_FILE="%(here)s/ticker.jsonl"
`,
    );
    await pair.start((infos) => infos[0]?.statename === 'RUNNING', 20_000);
    await Promise.all(pair.both.map((d) => until(() => records(d, 'ticker').length >= 2, `${d.kind}: two TICK_5`, 20_000)));
  }, 40_000);

  afterAll(async () => {
    const left = await pair.stop();
    pair.remove();
    expect(left, 'processes started by the daemons still alive').toEqual([]);
  }, 30_000);

  it('TICK_5 carries the start of the new 5 s period and comes just after that boundary', () => {
    for (const d of pair.both) {
      const ticks = records(d, 'ticker').slice(0, 2);
      const whens = ticks.map((r) => Number(r.payload.replace('when:', '')));
      expect(
        whens.every((w) => w % 5 === 0),
        d.kind,
      ).toBe(true);
      expect(whens[1]! - whens[0]!, d.kind).toBe(5);
      // supervisord notices a boundary at its next 1 s tick; procvisor's timer fires on it.
      for (const [i, r] of ticks.entries()) expect(r.at - whens[i]!, `${d.kind} lateness`).toBeGreaterThanOrEqual(0);
      for (const [i, r] of ticks.entries()) expect(r.at - whens[i]!, `${d.kind} lateness`).toBeLessThan(d.kind === 'supervisord' ? 2.5 : 1.5);
      expect(
        ticks.map((r) => `${r.headers.serial}/${r.headers.poolserial} ${r.headers.eventname}`),
        d.kind,
      ).toEqual(['0/0 TICK_5', '1/1 TICK_5']);
    }
  });

  it('listeners get the same SUPERVISOR_* environment', () => {
    const [real, ours] = pair.both.map((d) => d.mask(JSON.stringify(records(d, 'ticker')[0]?.env)));
    expect(ours).toBe(real);
    expect(JSON.parse(real!)).toEqual({
      SUPERVISOR_ENABLED: '1',
      SUPERVISOR_PROCESS_NAME: 'ticker',
      SUPERVISOR_GROUP_NAME: 'ticker',
      SUPERVISOR_SERVER_URL: 'unix://<DIR>/s.sock',
    });
  });
});

describe.skipIf(!CAN_RUN)('event serials across a reload: procvisor and supervisord 4.2.5', () => {
  const pair = new DaemonPair();

  beforeAll(async () => {
    pair.writeConfig(
      `${PREAMBLE}
[eventlistener:lis]
command=/usr/bin/python3 ${join(ROOT, 'test/fixtures/listeners/recorder.py')}
events=REMOTE_COMMUNICATION
environment=RECORD_FILE="%(here)s/lis.jsonl"
`,
    );
    await pair.start((infos) => infos[0]?.statename === 'RUNNING', 20_000);
  }, 30_000);

  afterAll(async () => {
    const left = await pair.stop();
    pair.remove();
    expect(left, 'processes started by the daemons still alive').toEqual([]);
  }, 30_000);

  it('the global serial goes on after supervisorctl reload; the new pool counts from 0', async () => {
    const send = (d: LiveDaemon, text: string) => d.value('supervisor.sendRemoteCommEvent', 'note', text);
    await Promise.all(pair.both.map(async (d) => (await send(d, 'one'), await send(d, 'two'))));
    await Promise.all(pair.both.map((d) => until(() => records(d, 'lis').length >= 2, `${d.kind}: two events`, 10_000)));
    const [realReload, oursReload] = await pair.ctl(['reload']);
    expect(oursReload).toEqual(realReload);
    await Promise.all(pair.both.map((d) => d.ready((infos) => infos[0]?.statename === 'RUNNING', 20_000)));
    await Promise.all(pair.both.map((d) => send(d, 'three')));
    await Promise.all(pair.both.map((d) => until(() => records(d, 'lis').length >= 3, `${d.kind}: third event`, 10_000)));
    const [real, ours] = pair.both.map((d) => records(d, 'lis').map(shape));
    expect(ours).toEqual(real);
    expect(real!.map((s) => s.split('\n')[0])).toEqual([
      'ver:3.0 server:svtest serial:0 pool:lis poolserial:0 eventname:REMOTE_COMMUNICATION',
      'ver:3.0 server:svtest serial:1 pool:lis poolserial:1 eventname:REMOTE_COMMUNICATION',
      'ver:3.0 server:svtest serial:2 pool:lis poolserial:0 eventname:REMOTE_COMMUNICATION',
    ]);
  }, 60_000);
});

describe.skipIf(!CAN_DIFF)('[eventlistener:x] configuration errors: the same messages as supervisord 4.2.5', () => {
  const cases: Array<[string, string]> = [
    ['no events', 'events='],
    ['unknown type', 'events=PROCESS_STATE,TICK_7'],
    ['buffer_size', 'events=TICK\nbuffer_size=0'],
    ['redirect_stderr', 'events=TICK\nredirect_stderr=true'],
    ['numprocs', 'events=TICK\nnumprocs=2'],
    ['result_handler', 'events=TICK\nresult_handler=foo:bar'],
  ];
  it.each(cases)(
    '%s',
    async (name, lines) => {
      const dir = mkdtempSync(join(tmpdir(), 'pvd-el-'));
      try {
        const conf = join(dir, 'c.conf');
        writeFileSync(conf, `[supervisord]\nlogfile=${dir}/l.log\npidfile=${dir}/p.pid\n[eventlistener:lis]\ncommand=cat\n${lines}\n`);
        const [real, ours] = await Promise.all([
          run('supervisord', ['-n', '-c', conf], { cwd: dir }),
          run(process.execPath, [PROCVISOR_JS, '-n', '-c', conf], { cwd: dir }),
        ]);
        const first = (r: { stderr: string; stdout: string }) => `${r.stderr}${r.stdout}`.split('\n')[0] ?? '';
        expect(real.code).toBe(2);
        expect(ours.code).toBe(real.code);
        // procvisor says why a handler that might resolve in Python cannot run here.
        if (name === 'result_handler')
          expect(first(ours)).toBe(`${first(real)} (procvisor runs only the default handler, supervisor.dispatchers:default_handler)`);
        else expect(first(ours)).toBe(first(real));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );
});
