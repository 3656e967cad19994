// Against both daemons: reread, avail, update and status after the configuration file changed
// from v1 to v2, a second reread with nothing to do, add/remove errors, and a configuration error
// at reread (CANT_REREAD, exit 1) that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAN_DIFF, DaemonPair, PREAMBLE, fixture, type LiveDaemon, type RunResult } from './daemon-pair.js';

const running =
  (...names: string[]) =>
  (infos: Record<string, unknown>[]) =>
    names.every((n) => infos.find((i) => i.name === n)?.statename === 'RUNNING');

async function pids(d: LiveDaemon): Promise<Record<string, number>> {
  return Object.fromEntries((await d.infos()).map((i) => [i.name as string, i.pid as number]));
}

const named = (cmds: string[][], rs: RunResult[]) => rs.map((r, i) => ({ cmd: cmds[i]!.join(' '), ...r }));

describe.skipIf(!CAN_DIFF)('reread/update against supervisord and procvisor', () => {
  const pair = new DaemonPair();

  beforeAll(async () => {
    pair.writeConfig(PREAMBLE + fixture('reread-v1.conf'));
    await pair.start(running('keep', 'chg', 'gone'));
  }, 15_000);

  afterAll(async () => {
    const left = await pair.stop();
    pair.remove();
    expect(left, 'processes started by the daemons still alive').toEqual([]);
  }, 20_000);

  it('v1 -> v2: reread, avail, update; keep untouched, chg restarted, newone started, newmanual not', async () => {
    const before = await Promise.all(pair.both.map(pids));
    pair.writeConfig(PREAMBLE + fixture('reread-v2.conf'));
    const first = [['reread'], ['avail'], ['update']];
    const [real1, ours1] = await pair.ctlSequence(first);
    await Promise.all(pair.both.map((d) => d.ready(running('keep', 'chg', 'newone'))));
    const second = [
      ['status'],
      ['reread'],
      ['update'],
      ['remove', 'keep'],
      ['add', 'keep'],
      ['add', 'zz'],
      ['remove', 'zz'],
      ['remove', 'newmanual'],
      ['add', 'newmanual'],
    ];
    const [real2, ours2] = await pair.ctlSequence(second);
    expect(named(first, ours1)).toEqual(named(first, real1));
    expect(named(second, ours2)).toEqual(named(second, real2));

    expect(real1[0]).toEqual({ code: 0, stdout: 'chg: changed\ngone: disappeared\nnewmanual: available\nnewone: available\n', stderr: '' });
    expect(real1[1]!.stdout).toContain('newmanual                        avail     manual    999:999\n');
    expect(real1[2]!.stdout).toBe(
      'gone: stopped\ngone: removed process group\nchg: stopped\nchg: updated process group\n' +
        'newmanual: added process group\nnewone: added process group\n',
    );
    expect(real2[0]!.stdout).toMatch(/^newmanual +STOPPED +Not started$/m);
    expect(real2[1]).toEqual({ code: 0, stdout: 'No config updates to processes\n', stderr: '' });

    const after = await Promise.all(pair.both.map(pids));
    pair.both.forEach((d, k) => {
      expect(after[k]!.keep, `${d.kind}: keep keeps its pid`).toBe(before[k]!.keep);
      expect(after[k]!.chg, `${d.kind}: chg restarted`).not.toBe(before[k]!.chg);
      expect(after[k], `${d.kind}: gone removed`).not.toHaveProperty('gone');
    });
  }, 30_000);

  it('a configuration error at reread: ERROR: CANT_REREAD, exit 1, nothing changes', async () => {
    const before = await Promise.all(pair.both.map(pids));
    const [statusReal, statusOurs] = await pair.ctl(['status']);
    pair.writeConfig(PREAMBLE + fixture('reread-broken.conf'));
    const cmds = [['reread'], ['update'], ['avail'], ['status']];
    const [real, ours] = await pair.ctlSequence(cmds);
    expect(named(cmds, ours)).toEqual(named(cmds, real));
    expect(real[0]!.code).toBe(1);
    expect(real[0]!.stdout).toBe("ERROR: CANT_REREAD: not a valid boolean value: 'perhaps' in section 'program:b' (file: '<DIR>/supervisord.conf')\n");
    expect(real[3]).toEqual(statusReal);
    expect(ours[3]).toEqual(statusOurs);
    expect(await Promise.all(pair.both.map(pids))).toEqual(before);
  }, 20_000);
});
