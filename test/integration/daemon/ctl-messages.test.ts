// Against both daemons: the stock supervisorctl's messages and exit statuses for every
// kind of start/stop/restart/signal/pid/status error, numprocs and heterogeneous groups, `start
// all` with broken programs, and how long `start` blocks for startsecs 0/1/2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAN_DIFF, DaemonPair, PREAMBLE, fixture, marked, type RunResult } from './daemon-pair.js';

const AUTOSTARTED = ['a', 'echoer'];
const isRunning =
  (...names: string[]) =>
  (infos: Record<string, unknown>[]) =>
    names.every((n) => infos.find((i) => i.name === n)?.statename === 'RUNNING');

// Group/all results arrive in completion order (the server's business): compare as sorted lines.
const sorted = (r: RunResult): RunResult => ({ ...r, stdout: r.stdout.split('\n').sort().join('\n') });
// `pid` prints pids; 0 (not running) stays.
const maskPids = (r: RunResult): RunResult => ({ ...r, stdout: r.stdout.replace(/^[1-9]\d*$/gm, '<PID>') });

describe.skipIf(!CAN_DIFF)('supervisorctl against supervisord and procvisor: messages and exit codes', () => {
  const pair = new DaemonPair();

  beforeAll(async () => {
    pair.writeConfig(PREAMBLE + fixture('ctl-messages.conf'));
    await pair.start(isRunning(...AUTOSTARTED));
  }, 15_000);

  afterAll(async () => {
    const left = await pair.stop();
    pair.remove();
    expect(left, 'processes started by the daemons still alive').toEqual([]);
  }, 20_000);

  describe('errors and read-only commands', () => {
    const COMMANDS: string[][] = [
      ['status'],
      ['status', 'nosuch'],
      ['status', 'nog:*'],
      ['status', 'a'],
      ['status', 'w:*'],
      ['status', 'w'],
      ['status', 'grp:', 'a', 'nosuch', 'nog:'],
      ['status', 'all'],
      ['status', 'a', 'echoer'],
      ['start', 'a'],
      ['start', 'nosuch'],
      ['start', 'nofile'],
      ['start', 'notexec'],
      ['start', 'badquote'],
      ['start', 'nog:*'],
      ['start'],
      ['start', 'w'],
      ['start', 'a', 'nosuch', 'nofile', 'notexec', 'badquote', 'w'],
      ['stop', 'w'],
      ['stop', 'nosuch'],
      ['stop', 'nog:*'],
      ['stop', 'nofile'],
      ['stop'],
      ['restart', 'nosuch'],
      ['restart', 'nofile'],
      ['restart', 'notexec', 'badquote'],
      ['restart'],
      ['stop', 'notexec', 'badquote'],
      ['signal', 'FOO', 'a'],
      ['signal', 'HUP', 'nofile'],
      ['signal', 'HUP', 'nosuch'],
      ['signal', 'HUP'],
      ['signal', 'CONT', 'a'],
      ['signal', 'CONT', 'w:*'],
      ['signal', 'CONT', 'nog:*'],
      ['signal', '9999', 'a'],
      ['pid'],
      ['pid', 'a'],
      ['pid', 'nofile'],
      ['pid', 'zz'],
      ['pid', 'all'],
      ['pid', 'w:w0'],
      ['pid', 'w'],
      ['foo'],
      ['version'],
      ['avail'],
      ['clear', 'nosuch'],
      ['clear', 'w'],
      ['tail', '-3', 'echoer', 'stderr'],
      ['tail', 'echoer'],
      ['tail', 'nosuch'],
      ['tail', 'w'],
      ['tail', 'nofile'],
      ['tail', 'echoer', 'stderr'],
      ['fg', 'nosuch'],
      ['fg', 'nofile'],
    ];
    let results: [RunResult, RunResult][] = [];

    beforeAll(async () => {
      results = await pair.ctlBatch(COMMANDS, 3);
    }, 40_000);

    it.each(COMMANDS.map((cmd, i) => [cmd.join(' '), i] as const))('%s', (name, i) => {
      const [real, ours] = results[i]!;
      const norm = name.startsWith('pid') ? maskPids : (r: RunResult) => r;
      expect({ cmd: name, ...norm(ours) }).toEqual({ cmd: name, ...norm(real) });
    });

    it('gives the exit statuses the spec lists', () => {
      const byName = new Map(COMMANDS.map((c, i) => [c.join(' '), results[i]![0]]));
      const expectations: [string, string, number][] = [
        ['start a', 'a: ERROR (already started)\n', 0],
        ['start nosuch', 'nosuch: ERROR (no such process)\n', 1],
        ['start nofile', 'nofile: ERROR (no such file)\n', 1],
        ['start notexec', 'notexec: ERROR (file is not executable)\n', 1],
        ['start badquote', 'badquote: ERROR (file is not executable)\n', 1],
        ['stop w', 'w: ERROR (no such process)\n', 1],
        ['start nog:*', 'nog: ERROR (no such group)\n', 2],
        ['signal FOO a', 'a: ERROR (bad signal name)\n', 1],
        ['signal HUP nofile', 'nofile: ERROR (not running)\n', 7],
        ['pid nofile', '0\n', 7],
        ['pid zz', 'No such process zz\n', 1],
        ['status nosuch', 'nosuch: ERROR (no such process)\n', 4],
        ['status nog:*', 'nog: ERROR (no such group)\n', 4],
        ['foo', '*** Unknown syntax: foo\n', 1],
        ['tail -3 echoer stderr', 'rr\n\n', 0],
      ];
      for (const [cmd, stdout, code] of expectations) expect([cmd, byName.get(cmd)?.stdout, byName.get(cmd)?.code]).toEqual([cmd, stdout, code]);
      expect(byName.get('status')!.code).toBe(3);
    });
  });

  it('start blocks until RUNNING: at least startsecs seconds', async () => {
    const names = ['s0', 's1', 's2'];
    const timed = await Promise.all(
      pair.both.flatMap((d) =>
        names.map(async (n) => {
          const t0 = Date.now();
          const outcome = await d.call('supervisor.startProcess', n);
          return { outcome, ms: Date.now() - t0 };
        }),
      ),
    );
    timed.forEach(({ outcome, ms }, k) => {
      const who = `${k < 3 ? 'supervisord' : 'procvisor'} startProcess('s${k % 3}')`;
      expect(outcome, who).toEqual({ value: true });
      expect(ms, who).toBeGreaterThanOrEqual((k % 3) * 1000);
      // procvisor need not add supervisord's tick of up to 1 s.
      if (k >= 3) expect(ms, who).toBeLessThan((k % 3) * 1000 + 1000);
    });
    const [r, o] = await pair.ctlSequence([
      ['status', 's0', 's1', 's2'],
      ['stop', 's0', 's1', 's2'],
    ]);
    expect(o).toEqual(r);
    expect(r[1]!.stdout).toBe('s0: stopped\ns1: stopped\ns2: stopped\n');
  }, 15_000);

  it('start/stop/restart/signal of processes, numprocs and heterogeneous groups', async () => {
    const cmds = [
      ['start', 'failer'],
      ['status', 'failer'],
      ['start', 'w:*'],
      ['start', 'w:*'],
      ['status', 'w:*'],
      ['stop', 'w'],
      ['signal', 'CONT', 'w:'],
      ['stop', 'w:'],
      ['stop', 'w:*'],
      ['start', 'grp:*'],
      ['status', 'grp:'],
      ['stop', 'grp:ga'],
      ['start', 'grp:ga', 'grp:gb'],
      ['stop', 'grp:'],
      ['restart', 'a'],
      ['stop', 'a'],
      ['stop', 'a'],
      ['signal', 'CONT', 'a'],
      ['start', 'a'],
      ['restart', 'a', 'nosuch', 'nofile'],
      ['status', 'a', 'w:*', 'grp:*', 'failer'],
    ];
    const [real, ours] = await pair.ctlSequence(cmds);
    const isGroupCmd = (cmd: string[]) => cmd.some((a) => a.endsWith(':') || a.endsWith(':*'));
    const norm = (rs: RunResult[]) => rs.map((r, i) => ({ cmd: cmds[i]!.join(' '), ...(isGroupCmd(cmds[i]!) ? sorted(r) : r) }));
    expect(norm(ours)).toEqual(norm(real));
    expect(real[0]).toEqual({ code: 7, stdout: 'failer: ERROR (spawn error)\n', stderr: '' });
    expect(sorted(real[2]!).stdout).toBe('\nw:w0: started\nw:w1: started');
    expect(real[3]).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(real[5]).toEqual({ code: 1, stdout: 'w: ERROR (no such process)\n', stderr: '' });
    expect(real[14]!.stdout).toBe('a: stopped\na: started\n');
    expect(real[16]).toEqual({ code: 0, stdout: 'a: ERROR (not running)\n', stderr: '' });
  }, 30_000);

  // /bin/false may or may not have exited by the time supervisord reaps right after the fork, so
  // where its spawn error lands in `start all` is a race: `failer` sits this one out (and s2, to
  // save the time: s1 is the waited one).
  it('start all with broken programs present: results in process order, waited ones last; stop all', async () => {
    const cmds = [['remove', 'failer', 's2'], ['start', 'all'], ['stop', 'all'], ['add', 'failer', 's2'], ['status']];
    const [real, ours] = await pair.ctlSequence(cmds);
    // `stop all` results come in completion order (sorted here); `start all` lists the results of
    // starts that complete at once in process order, then the waited ones (compared as is).
    const named = (rs: RunResult[]) => rs.map((r, i) => ({ cmd: cmds[i]!.join(' '), ...(i === 2 ? sorted(r) : r) }));
    expect(named(ours)).toEqual(named(real));
    expect(real[1]).toEqual({
      code: 1,
      stdout:
        'badquote: ERROR (file is not executable)\ngrp:gb: started\ngrp:ga: started\nnofile: ERROR (no such file)\n' +
        'notexec: ERROR (file is not executable)\ns0: started\nw:w0: started\nw:w1: started\ns1: started\n',
      stderr: '',
    });
    expect(real[4]!.code).toBe(3);
  }, 30_000);

  it('the in-process supervisorctl driver prints and exits exactly as the supervisorctl executable', async () => {
    const cmds = [['status'], ['start', 'nofile'], ['start', 'nog:*']];
    const d = pair.real;
    const viaDriver = await Promise.all(cmds.map((c) => d.ctl(c)));
    const viaExe = await Promise.all(cmds.map((c) => d.ctlExe(c)));
    cmds.forEach((c, i) => expect({ cmd: c.join(' '), ...d.maskResult(viaDriver[i]!) }).toEqual({ cmd: c.join(' '), ...d.maskResult(viaExe[i]!) }));
  });

  it('every process a daemon started carries the marker the survivor check relies on', async () => {
    await pair.real.value('supervisor.startProcess', 'a');
    await pair.ours.value('supervisor.startProcess', 'a');
    for (const d of pair.both) {
      const pid = (await d.info('a')).pid as number;
      expect(marked([d.dir])).toEqual(expect.arrayContaining([d.pid, pid]));
    }
  });
});
