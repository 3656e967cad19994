// The differences issue 13 lists, against the real supervisord 4.2.5: a bad signal for a group or
// all (one BAD_SIGNAL per process), offsets and lengths through Python's int() (and its 500 /
// multicall FAILED when int() refuses), faults for empty names and signals, system.methodHelp's
// texts, 'waiting for X to stop' from the first check after the stop signal, the start-up lines
// logged again after a reload, and a supervisord without [rpcinterface:supervisor].
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { XmlRpcEncodable } from '../../../src/xmlrpc/types.js';
import { until } from '../../helpers/wait-for.js';
import { CAN_DIFF, DaemonPair, PREAMBLE, fixture, methodCall, normalize, rawRequest, type LiveDaemon } from './daemon-pair.js';

const running =
  (...names: string[]) =>
  (infos: Record<string, unknown>[]) =>
    names.every((n) => infos.find((i) => i.name === n)?.statename === 'RUNNING');

/** The same call on both daemons, normalized: [real, ours]. */
async function both(pair: DaemonPair, method: string, ...params: XmlRpcEncodable[]): Promise<[unknown, unknown]> {
  const [r, o] = await Promise.all(pair.both.map(async (d) => normalize(d, await d.call(method, ...params))));
  return [r, o];
}

describe.skipIf(!CAN_DIFF)('parity with supervisord 4.2.5 (issue 13)', () => {
  const pair = new DaemonPair();

  beforeAll(async () => {
    pair.writeConfig(PREAMBLE + fixture('parity.conf'));
    await pair.start(running('g1', 'x', 'slow'));
  }, 20_000);

  afterAll(async () => {
    const left = await pair.stop();
    pair.remove();
    expect(left, 'processes started by the daemons still alive').toEqual([]);
  }, 30_000);

  it('a bad signal for a group or all: one BAD_SIGNAL result per process, and supervisorctl says so per process', async () => {
    const calls: Array<[string, ...XmlRpcEncodable[]]> = [
      ['supervisor.signalProcessGroup', 'grp', 'BADSIG'],
      ['supervisor.signalAllProcesses', 'BADSIG'],
      ['supervisor.signalProcess', 'grp:*', 'BADSIG'],
      ['supervisor.signalProcessGroup', 'grp', 999],
      ['supervisor.signalProcessGroup', 'grp', ''],
      ['supervisor.signalProcess', 'grp:g1', ''],
      ['supervisor.signalProcess', 'grp:g2', 'BADSIG'],
      ['supervisor.signalProcessGroup', 'nosuch', 'BADSIG'],
    ];
    for (const [method, ...params] of calls) {
      const [real, ours] = await both(pair, method, ...params);
      expect(ours, `${method}(${JSON.stringify(params)})`).toEqual(real);
    }
    expect((await both(pair, 'supervisor.signalProcessGroup', 'grp', 'BADSIG'))[0]).toEqual({
      value: [{ name: 'g1', group: 'grp', status: 11, description: 'BAD_SIGNAL: BADSIG' }],
    });
    for (const cmd of [
      ['signal', 'BADSIG', 'grp:*'],
      ['signal', 'BADSIG', 'all'],
    ]) {
      const [real, ours] = await pair.ctl(cmd);
      expect(ours, cmd.join(' ')).toEqual(real);
    }
    expect((await pair.ctl(['signal', 'BADSIG', 'grp:*']))[0]).toEqual({ code: 1, stdout: 'grp:g1: ERROR (bad signal name)\n', stderr: '' });
  }, 20_000);

  it('offsets and lengths go through int(): numeric strings, floats, booleans; refusals as supervisord answers them', async () => {
    const calls: Array<[string, ...XmlRpcEncodable[]]> = [
      ['supervisor.readProcessStdoutLog', 'x', '3', '4'],
      ['supervisor.readProcessStdoutLog', 'x', 1.5, 2.7],
      ['supervisor.readProcessStdoutLog', 'x', ' 2 ', '1_0'],
      ['supervisor.readProcessStdoutLog', 'x', true, 2],
      ['supervisor.readProcessStdoutLog', 'x', -1.9, 0],
      ['supervisor.readProcessLog', 'x', '0', '5'],
      ['supervisor.readProcessStderrLog', 'x', '0', '0'],
      ['supervisor.readLog', 1.5, 2.7],
      ['supervisor.readMainLog', '0', '4'],
      ['supervisor.tailProcessStdoutLog', 'x', '0', '5'],
      ['supervisor.tailProcessStdoutLog', 'x', 1.5, 3],
      ['supervisor.readLog', [1], 2],
      ['supervisor.readProcessStdoutLog', 'nosuch', '1.5', 3],
      ['supervisor.tailProcessStdoutLog', 'nosuch', 'z', 3],
      [
        'system.multicall',
        [
          { methodName: 'supervisor.readLog', params: ['1.5', 2] },
          { methodName: 'supervisor.readProcessStdoutLog', params: ['x', 'z', 2] },
          { methodName: 'supervisor.tailProcessStdoutLog', params: ['x', '1.5', 2] },
          { methodName: 'supervisor.readLog', params: [0, 'nan'] },
        ],
      ],
    ];
    for (const [method, ...params] of calls) {
      const [real, ours] = await both(pair, method, ...params);
      expect(ours, `${method}(${JSON.stringify(params)})`).toEqual(real);
    }
    const [multi] = await both(pair, 'system.multicall', [{ methodName: 'supervisor.readLog', params: ['1.5', 2] }]);
    expect(multi).toEqual({
      value: [
        {
          faultCode: 30,
          faultString: "FAILED: <class 'AttributeError'>:type object 'Faults' has no attribute 'invalid literal for int() with base 10: '1.5''",
        },
      ],
    });
    // Outside multicall, what int() refuses is an HTTP 500 with medusa's page, and a CRIT line.
    const raw = await Promise.all(
      pair.both.map(async (d) => {
        const r = await rawRequest({ socketPath: d.socket }, { body: methodCall('supervisor.readLog', ['1.5', '2']) });
        return { status: r.status, type: r.headers['content-type'], body: r.body, crit: d.logLines(/CRIT Handling XML-RPC request/).length > 0 };
      }),
    );
    expect(raw[1]).toEqual(raw[0]);
    expect(raw[0]).toMatchObject({ status: 500, crit: true });
  }, 20_000);

  it('faults for empty names and signals carry the empty detail', async () => {
    const calls: Array<[string, ...XmlRpcEncodable[]]> = [
      ['supervisor.getProcessInfo', ''],
      ['supervisor.startProcess', ''],
      ['supervisor.stopProcess', ''],
      ['supervisor.signalProcess', '', 'HUP'],
      ['supervisor.signalProcessGroup', '', 'HUP'],
      ['supervisor.startProcessGroup', ''],
      ['supervisor.readProcessStdoutLog', '', 0, 1],
      ['supervisor.clearProcessLogs', ''],
    ];
    for (const [method, ...params] of calls) {
      const [real, ours] = await both(pair, method, ...params);
      expect(ours, `${method}(${JSON.stringify(params)})`).toEqual(real);
    }
    expect((await both(pair, 'supervisor.getProcessInfo', ''))[0]).toEqual({ fault: { code: 10, string: 'BAD_NAME: ' } });
  });

  it('system.methodHelp: the same text for every method', async () => {
    const methods = (await pair.real.value('system.listMethods')) as string[];
    expect(await pair.ours.value('system.listMethods')).toEqual(methods);
    for (const m of methods) {
      const [real, ours] = await both(pair, 'system.methodHelp', m);
      expect(ours, m).toEqual(real);
    }
    expect(((await both(pair, 'system.methodHelp', 'supervisor.readLog'))[1] as { value: string }).value).toContain('@param int offset');
  });

  it("'waiting for X to stop' at the first check after the stop signal, then every 2 s, before SIGKILL", async () => {
    const [real, ours] = await pair.ctl(['stop', 'x', 'slow']);
    expect(ours).toEqual(real);
    const lines = pair.both.map((d: LiveDaemon) =>
      d.logLines(/waiting for (x|slow) to stop|killing 'slow'|stopped: (x|slow)/).map((l) => l.replace(/\(\d+\)/, '(<PID>)')),
    );
    // x exits on SIGTERM at once: whether supervisord's first check still sees it stopping is a
    // race on its side (it sometimes logs no 'waiting for x'), so only slow's lines are compared.
    const slow = lines.map((l) => l.filter((x) => x.includes('slow')));
    expect(slow[1]).toEqual(slow[0]);
    expect(slow[0]).toEqual([
      'INFO waiting for slow to stop',
      'INFO waiting for slow to stop',
      "WARN killing 'slow' (<PID>) with SIGKILL",
      'WARN stopped: slow (terminated by SIGKILL)',
    ]);
    for (const l of lines) expect(l.filter((x) => !x.includes('slow')).at(-1)).toBe('WARN stopped: x (terminated by SIGTERM)');
    // procvisor checks at once after the signal: its 'waiting for x' always comes first.
    expect(lines[1]?.[0]).toBe('INFO waiting for x to stop');
  }, 20_000);

  it('after a reload, the start-up lines are logged again', async () => {
    const [real, ours] = await pair.ctl(['reload']);
    expect(ours).toEqual(real);
    await Promise.all(pair.both.map((d) => until(() => d.logLines(/supervisord started with pid/).length === 2, `${d.kind} started again`, 15_000)));
    await Promise.all(pair.both.map((d) => d.ready(running('g1', 'x', 'slow'), 15_000)));
    const startup = /running as root|RPC interface|authentication checking|supervisord started with pid/;
    const lines = pair.both.map((d) => d.logLines(startup).map((l) => l.replace(/pid \d+/, 'pid <PID>')));
    expect(lines[1]).toEqual(lines[0]);
    const once = [
      "INFO RPC interface 'supervisor' initialized",
      "CRIT Server 'unix_http_server' running without any HTTP authentication checking",
      'INFO supervisord started with pid <PID>',
    ];
    expect(lines[0]!.filter((l) => !l.includes('running as root'))).toEqual([...once, ...once]);
  }, 40_000);
});

describe.skipIf(!CAN_DIFF)('without [rpcinterface:supervisor]: only system.* (issue 13)', () => {
  const pair = new DaemonPair();
  const preamble = PREAMBLE.replace(/\[rpcinterface:supervisor\][^[]*/, '');

  beforeAll(async () => {
    pair.writeConfig(`${preamble}\n[program:p]\ncommand=sleep 1000\nstartsecs=0\n`);
    for (const d of pair.both) d.start();
    await Promise.all(pair.both.map((d) => until(async () => 'value' in (await d.call('system.listMethods')), `${d.kind} answers`, 15_000)));
  }, 20_000);

  afterAll(async () => {
    const left = await pair.stop();
    pair.remove();
    expect(left, 'processes started by the daemons still alive').toEqual([]);
  }, 30_000);

  it('serves only system.* and logs no RPC interface line', async () => {
    const calls: Array<[string, ...XmlRpcEncodable[]]> = [
      ['system.listMethods'],
      ['supervisor.getState'],
      ['system.methodHelp', 'supervisor.getState'],
      ['system.methodSignature', 'supervisor.getState'],
      ['system.multicall', [{ methodName: 'supervisor.getState' }]],
    ];
    for (const [method, ...params] of calls) {
      const [real, ours] = await both(pair, method, ...params);
      expect(ours, method).toEqual(real);
    }
    expect((await both(pair, 'supervisor.getState'))[0]).toEqual({ fault: { code: 1, string: 'UNKNOWN_METHOD' } });
    const logs = pair.both.map((d) => d.logLines(/RPC interface|authentication checking/));
    expect(logs[1]).toEqual(logs[0]);
    expect(logs[0]).toEqual(["CRIT Server 'unix_http_server' running without any HTTP authentication checking"]);
  });

  it('supervisorctl: "Sorry, supervisord responded but did not recognize the supervisor namespace commands"', async () => {
    for (const cmd of [['status'], ['version'], ['stop', 'all']]) {
      const [real, ours] = await pair.ctl(cmd);
      expect(ours, cmd.join(' ')).toEqual(real);
    }
    const [status] = await pair.ctl(['status']);
    expect(status.code).toBe(4);
    expect(status.stdout).toMatch(/^Sorry, supervisord responded but did not recognize the supervisor namespace commands/);
  });
});
