// Differential tests: the same command lines through the real supervisorctl 4.2.5 and through
// procvisorctl's main(), against one live supervisord 4.2.5; stdout, stderr and exit status
// must match byte for byte once pids, uptimes and stop times are masked.
//
// Read-only commands run side by side. Commands that change state run "mirrored": ours on a
// program and the real one, at the same time, on an identical twin with a same-length name
// (a/b, failer/failex, w/v, grp/grq), whose output is then renamed back. The few commands that
// act on everything (start all, update, reload, shutdown) run ours, reset, real, reset.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { XmlRpcValue } from '../../../src/xmlrpc/codec.js';
import { freePort, pool } from '../../helpers/concurrency.js';
import { sha1 } from '../../helpers/hash.js';
import { LiveSupervisord, hasSupervisord, mask, runOurs, runReal, type RunResult } from './live-supervisord.js';

const HAVE_SUPERVISORD = hasSupervisord();
if (!HAVE_SUPERVISORD) {
  process.stdout.write('\nNOTICE: supervisord/supervisorctl not installed: procvisorctl differential tests skipped.\n\n');
}

// Programs with a twin for mirrored runs; the twin differs only in its (same-length) names.
// startsecs=1 for a: supervisord swallows a SIGTERM sent between its fork and the exec, and with
// startsecs=0 'restart a' returns inside that window, so the next 'stop a' would wait stopwaitsecs.
// The same window opens for w*, ga and gb when 'start all' starts them and our in-process CLI
// sends 'stop all' a few milliseconds later: stopwaitsecs=1 keeps such a stop well inside the
// commands' 10 s bound (with the default 10 the bound cut 'stop all' off while supervisord was
// still stopping, and the reset after it found a process not yet stopped).
const TWINNED = (a: string, failer: string, w: string, grp: string, ga: string, gb: string) => `
[program:${a}]
command=sleep 1000
startsecs=1

[program:${failer}]
command=/bin/false
autostart=false
startretries=0

[program:${w}]
numprocs=2
process_name=${w}%(process_num)d
command=sleep 1000
autostart=false
startsecs=0
stopwaitsecs=1

[group:${grp}]
programs=${ga},${gb}

[program:${ga}]
command=sleep 1000
autostart=false
startsecs=0
stopwaitsecs=1

[program:${gb}]
command=sleep 1000
autostart=false
startsecs=0
stopwaitsecs=1
priority=10
`;

const PROGRAMS_V1 = `${TWINNED('a', 'failer', 'w', 'grp', 'ga', 'gb')}${TWINNED('b', 'failex', 'v', 'grq', 'qa', 'qb')}
[program:echoer]
command=sh -c 'echo hello-out; echo hello-err >&2; exec sleep 1000'
startsecs=0

[program:nofile]
command=/nonexistent/bin
autostart=false

[program:notexec]
command=/etc/passwd
autostart=false

[program:badquote]
command=echo "unterminated
autostart=false

[program:chg]
command=sleep 1000
startsecs=0

[program:gone]
command=sleep 1000
startsecs=0
`;

// v2 for reread/update: chg changed, gone removed, newone/newmanual added.
const PROGRAMS_V2 = PROGRAMS_V1.replace('[program:chg]\ncommand=sleep 1000', '[program:chg]\ncommand=sleep 2000').replace(/\[program:gone\][^[]*$/, '').concat(`
[program:newone]
command=sleep 1000
startsecs=0

[program:newmanual]
command=sleep 1000
autostart=false
`);

const AUTOSTARTED = ['a', 'b', 'echoer', 'chg', 'gone'];

// Twin names: what the real supervisorctl is asked about, and how its output is renamed back.
const TWIN: Record<string, string> = { a: 'b', failer: 'failex', w: 'v', w0: 'v0', w1: 'v1', grp: 'grq', ga: 'qa', gb: 'qb' };
const UNTWIN: Record<string, string> = Object.fromEntries(Object.entries(TWIN).map(([k, v]) => [v, k]));
const rename = (s: string, map: Record<string, string>): string => s.replace(/[A-Za-z0-9_]+/g, (t) => map[t] ?? t);

function config(live: LiveSupervisord, port: number, programs: string): string {
  return `[unix_http_server]
file=%(here)s/s.sock

[inet_http_server]
port=127.0.0.1:${port}
username=user
password={SHA}${sha1('secret')}

[supervisord]
logfile=%(here)s/supervisord.log
pidfile=%(here)s/supervisord.pid
childlogdir=%(here)s
identifier=pvctl-test

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://%(here)s/s.sock
${programs}`.replaceAll('%(here)s', live.dir);
}

const isRunning =
  (...names: string[]) =>
  (infos: Record<string, XmlRpcValue>[]) =>
    names.every((n) => infos.find((i) => i.name === n)?.statename === 'RUNNING');

// Group/all results come back in completion order, which is the server's business (and varies
// from run to run): compare those outputs as sorted lines (the unit tests pin that we print them
// in the order received).
const sortLines = (r: RunResult): RunResult => ({ ...r, stdout: r.stdout.split('\n').sort().join('\n') });

describe.skipIf(!HAVE_SUPERVISORD)('procvisorctl vs supervisorctl 4.2.5 (live supervisord)', () => {
  const live = new LiveSupervisord();
  let port = 0;
  const args = (cmd: readonly string[]): string[] => ['-c', live.conf, ...cmd];
  const real = (cmd: readonly string[]): Promise<RunResult> => runReal(args(cmd), live.dir);
  const ours = (cmd: readonly string[]): Promise<RunResult> => runOurs(args(cmd), live.dir);
  const writePrograms = (programs: string): void => live.writeConfig(config(live, port, programs));

  async function inTurn(run: (cmd: readonly string[]) => Promise<RunResult>, cmds: readonly string[][]): Promise<RunResult[]> {
    const out: RunResult[] = [];
    for (const c of cmds) out.push(mask(await run(c)));
    return out;
  }

  // Ours on the programs named in `cmds`, the real one on their twins, concurrently.
  async function mirrored(cmds: readonly string[][]): Promise<[RunResult[], RunResult[]]> {
    const twinCmds = cmds.map((c) => c.map((a) => rename(a, TWIN)));
    const [mine, theirs] = await Promise.all([inTurn(ours, cmds), inTurn(real, twinCmds)]);
    const back = theirs.map((r) => ({ ...r, stdout: rename(r.stdout, UNTWIN), stderr: rename(r.stderr, UNTWIN) }));
    return [mine, back];
  }

  // Ours, reset, real, reset: for commands acting on every program.
  async function inSequence(cmds: readonly string[][], reset: () => Promise<void>): Promise<[RunResult[], RunResult[]]> {
    const mine = await inTurn(ours, cmds);
    await reset();
    const theirs = await inTurn(real, cmds);
    await reset();
    return [mine, theirs];
  }

  beforeAll(async () => {
    port = await freePort();
    writePrograms(PROGRAMS_V1);
    live.start();
    await live.waitUntil(isRunning(...AUTOSTARTED));
  }, 20_000);

  afterAll(async () => {
    await live.stop();
  }, 15_000);

  describe('read-only and error commands (side by side)', () => {
    const COMMANDS: string[][] = [
      ['status'],
      ['status', 'nosuch'],
      ['status', 'nog:*'],
      ['status', 'w:*'],
      ['status', 'w'],
      ['status', 'grp:', 'a', 'nosuch', 'nog:'],
      ['status', 'all', 'echoer'],
      ['pid'],
      ['pid', 'a', 'zz', 'nofile', 'w:w0'],
      ['pid', 'all'],
      ['version'],
      ['avail'],
      ['avail', 'x'],
      ['help'],
      ['help', 'maintail'],
      ['help', 'foo'],
      ['?stop'],
      ['foo', 'bar'],
      [''],
      ['start-x'],
      ['status;'],
      ['tail', 'echoer'],
      ['tail', '-3', 'echoer', 'STDERR'],
      ['tail', '-0', 'echoer'],
      ['tail', 'nosuch'],
      ['tail', 'w'],
      ['tail', 'echoer', 'foo'],
      ['tail'],
      ['tail', '-x', 'a'],
      ['tail', '-f', 'nosuch'],
      ['maintail', '-1', '-2'],
      ['signal', 'HUP'],
      ['signal', 'FOO', 'a'],
      ['signal', 'HUP', 'nofile'],
      ['signal', 'CONT', 'a', 'nosuch', 'nog:*'],
      ['signal', 'CONT', 'w:*'],
      ['signal', 'CONT', 'all'],
      ['start'],
      ['start', 'a', 'nosuch', 'nofile', 'notexec', 'badquote', 'w'],
      ['start', 'nog:*'],
      ['stop', 'nosuch', 'w', 'nofile'],
      ['stop', 'nog:*'],
      ['stop', 'grp:*'],
      ['restart'],
      ['clear', 'nosuch', 'w:', 'nofile'],
      ['reread'],
      ['reread', 'x'],
      ['add', 'a', 'zz'],
      ['remove', 'a', 'zz'],
      ['update', 'zz'],
      ['shutdown', 'x'],
      ['fg'],
      ['fg', 'nosuch'],
      ['fg', 'nofile'],
      ['open', 'foo'],
      ['quit'],
      ['-h'],
      ['-x'],
      ['-s', 'foo', 'status'],
    ];
    let results: [RunResult, RunResult][] = [];

    beforeAll(async () => {
      results = await pool(COMMANDS, 3, async (cmd) => {
        const [mine, theirs] = await Promise.all([ours(cmd), real(cmd)]);
        return [mask(mine), mask(theirs)];
      });
    }, 60_000);

    it.each(COMMANDS.map((cmd, i) => [cmd.join(' '), i] as const))('%s', (_name, i) => {
      const [mine, theirs] = results[i]!;
      expect(mine).toEqual(theirs);
    });
  });

  describe('no server, bad serverurl, authentication', () => {
    const missing = (cmd: string[]) => ['-s', `unix://${live.dir}/missing.sock`, ...cmd];
    const tcp = () => `http://127.0.0.1:${port}`;
    const commands = (): string[][] => [
      missing(['status']),
      missing(['stop', 'a']),
      missing(['pid']),
      missing(['tail', '-f', 'a']),
      missing(['reread']),
      missing(['update']),
      missing(['shutdown']),
      ['-s', 'http://127.0.0.1:1', 'status'],
      ['-s', 'http://127.0.0.1:1', 'reread'],
      ['-s', 'http://127.0.0.1:1', 'shutdown'],
      ['-s', 'https://x', 'status'],
      ['-s', 'http://127.0.0.1:99999', 'status'],
      ['-s', 'http://127.0.0.1:x', 'status'],
      ['-s', `unix://${live.conf}`, 'status'],
      ['-s', tcp(), 'status'],
      ['-s', tcp(), 'reread'],
      ['-s', tcp(), '-u', 'user', '-p', 'bad', 'version'],
      ['-s', tcp(), '-u', 'user', '-p', 'secret', 'status', 'a', 'w:*'],
      ['-s', tcp(), '-u', 'user', '-p', 'secret', 'tail', '-f', 'nosuch'],
    ];

    it('matches for every command', async () => {
      const cmds = [...commands().map(args), ['-c', '/nonexistent.conf', 'status']];
      const results = await pool(cmds, 3, (argv) => Promise.all([runOurs(argv, live.dir), runReal(argv, live.dir)]));
      results.forEach(([mine, theirs], i) => {
        expect([cmds[i]!.join(' '), mask(mine)]).toEqual([cmds[i]!.join(' '), mask(theirs)]);
      });
    });
  });

  describe('tail -f', () => {
    it('streams the log and ends with an empty line on Ctrl-C', async () => {
      const interrupt = new AbortController();
      let seen = '';
      const minePromise = runOurs(args(['tail', '-f', 'echoer']), live.dir, interrupt.signal, (s) => {
        seen += s;
        if (seen.includes('hello-out')) interrupt.abort();
      });
      const theirs = await new Promise<RunResult>((resolve) => {
        const child = spawn('supervisorctl', args(['tail', '-f', 'echoer']), { cwd: live.dir });
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        let stdout = '';
        let stderr = '';
        let interrupted = false;
        child.stdout.setEncoding('utf8').on('data', (s: string) => {
          stdout += s;
          if (interrupted || !stdout.includes('hello-out')) return;
          interrupted = true; // once: a second SIGINT would hit Python's atexit handlers
          // Let supervisorctl settle into reading the stream: a SIGINT while it is still
          // connecting makes it print "Cannot connect" instead (a race in the reference itself).
          setTimeout(() => child.kill('SIGINT'), 300);
        });
        child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? -1, stdout, stderr });
        });
      });
      expect(theirs).toEqual({ code: 0, stdout: '==> Press Ctrl-C to exit <==\nhello-out\n\n', stderr: '' });
      expect(await minePromise).toEqual(theirs);
    });
  });

  describe('commands that change state', () => {
    it('start/stop/restart/signal of single processes, numprocs and heterogeneous groups (mirrored)', async () => {
      const cmds = [
        ['start', 'failer'],
        ['status', 'failer'],
        ['start', 'w:*'],
        ['start', 'w:*'],
        ['status', 'w:*'],
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
        ['start', 'a'],
        ['status', 'a', 'w:*', 'grp:*', 'failer'],
      ];
      const [mine, theirs] = await mirrored(cmds);
      // Group results arrive in completion order, which varies: compare those as sorted lines.
      const isGroupCmd = (cmd: string[]) => cmd.some((a) => a.endsWith(':') || a.endsWith(':*'));
      const norm = (cmd: string[], r: RunResult) => (isGroupCmd(cmd) ? sortLines(r) : r);
      cmds.forEach((cmd, i) => expect([cmd.join(' '), norm(cmd, mine[i]!)]).toEqual([cmd.join(' '), norm(cmd, theirs[i]!)]));
      expect(mine[0]).toEqual({ code: 7, stdout: 'failer: ERROR (spawn error)\n', stderr: '' });
      expect(sortLines(mine[2]!).stdout).toBe('\nw:w0: started\nw:w1: started');
      expect(mine[3]!.stdout).toBe('');
      expect(mine[13]!.stdout).toBe('a: stopped\na: started\n');
    }, 30_000);

    it('remove and add a stopped group', async () => {
      const cmds = [
        ['remove', 'nofile'],
        ['remove', 'nofile'],
        ['status', 'nofile'],
        ['add', 'nofile'],
        ['add', 'nofile'],
      ];
      const [mine, theirs] = await inSequence(cmds, async () => {});
      expect(mine).toEqual(theirs);
    });

    it('start all with broken programs present, then stop all', async () => {
      const [mine, theirs] = await inSequence(
        [
          ['start', 'all'],
          ['stop', 'all'],
        ],
        async () => {
          using client = live.client();
          for (const name of AUTOSTARTED) await client.call('supervisor.startProcess', name, false);
          await live.waitUntil(isRunning(...AUTOSTARTED));
        },
      );
      expect(mine.map(sortLines)).toEqual(theirs.map(sortLines));
      expect(mine[0]!.code).toBe(7);
      expect(mine[0]!.stdout).toMatch(/^badquote: ERROR \(file is not executable\)\n/);
      expect(mine[0]!.stdout).toMatch(/\nnofile: ERROR \(no such file\)\n/);
      expect(mine[0]!.stdout).toMatch(/\nfailer: ERROR \(spawn error\)\n/);
    }, 30_000);

    it('clear (clear all is left to the unit tests: supervisord clears one process per tick)', async () => {
      const [mine, theirs] = await inSequence(
        [
          ['clear', 'echoer', 'a'],
          ['tail', 'echoer'],
        ],
        async () => {},
      );
      expect(mine).toEqual(theirs);
      expect(mine[1]!.stdout).toBe('\n');
    });

    it('reload', async () => {
      const [mine, theirs] = await inSequence([['reload']], () => live.waitUntil(isRunning(...AUTOSTARTED)));
      expect(mine).toEqual(theirs);
      expect(mine[0]).toEqual({ code: 0, stdout: 'Restarted supervisord\n', stderr: '' });
    }, 30_000);

    it('reread and update after the config file changed, and a config error', async () => {
      const V2_AUTOSTARTED = ['a', 'b', 'echoer', 'chg', 'newone'];
      const cmds = [['reread'], ['avail'], ['update'], ['reread']];
      writePrograms(PROGRAMS_V2);
      const mine = await inTurn(ours, cmds);
      writePrograms(PROGRAMS_V1);
      await real(['update']);
      await live.waitUntil(isRunning(...AUTOSTARTED));
      writePrograms(PROGRAMS_V2);
      const theirs = await inTurn(real, cmds);
      await live.waitUntil(isRunning(...V2_AUTOSTARTED)); // the daemon now runs v2 (shutdown is next)
      expect(mine).toEqual(theirs);
      expect(mine[0]!.stdout).toBe('chg: changed\ngone: disappeared\nnewmanual: available\nnewone: available\n');
      expect(mine[2]!.stdout).toBe(
        'gone: stopped\ngone: removed process group\nchg: stopped\nchg: updated process group\n' +
          'newmanual: added process group\nnewone: added process group\n',
      );
      expect(mine[3]!.stdout).toBe('No config updates to processes\n');

      writePrograms(PROGRAMS_V1.replace('[program:echoer]\n', '[program:echoer]\nautostart=perhaps\n'));
      const [bad, badReal] = await Promise.all([ours(['reread']), real(['reread'])]);
      expect(bad).toEqual(badReal);
      expect(bad.stdout).toMatch(/^ERROR: CANT_REREAD: not a valid boolean value: 'perhaps' in section 'program:echoer'/);
      expect(bad.code).toBe(1);
    }, 30_000);

    it('shutdown, after which both report the missing socket the same way', async () => {
      {
        // supervisord stops one group per tick while shutting down; stopping all first is faster.
        using client = live.client();
        await client.call('supervisor.stopAllProcesses');
      }
      expect(await ours(['shutdown'])).toEqual({ code: 0, stdout: 'Shut down\n', stderr: '' });
      await live.waitForExit();
      const cmds = [['status'], ['stop', 'a'], ['shutdown'], ['reread']];
      const results = await Promise.all(cmds.map((cmd) => Promise.all([ours(cmd), real(cmd)])));
      results.forEach(([mine, theirs], i) => expect([cmds[i]!.join(' '), mine]).toEqual([cmds[i]!.join(' '), theirs]));
      expect(results[0]![0]).toEqual({ code: 4, stdout: `unix://${path.join(live.dir, 's.sock')} no such file\n`, stderr: '' });
      expect(results[1]![0].code).toBe(7);
    });
  });
});

// Shows up as skipped (with the notice above) when supervisord is missing.
describe.skipIf(HAVE_SUPERVISORD)('procvisorctl differential tests', () => {
  it.skip('need supervisord 4.2.5 and supervisorctl installed', () => {});
});
