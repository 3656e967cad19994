// A program's `user` under a root daemon, as supervisord's child takes it: the user's supplementary
// groups (primary gid first, then every group listing the user), gid and uid; then `directory`,
// entered as that user; then exec as that user, argv[0] as configured. Failures on the way are
// supervisord's two lines and exit status 127, in the stderr log (the stdout log with
// redirect_stderr). Perl's own start-up variables reach the program untouched. Compared with the
// real supervisord where it is installed; needs root and groupadd (a group made for the test lists
// the user `daemon`, and is deleted afterwards).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupUser } from '../../../src/dialect/users.js';
import { until } from '../../helpers/wait-for.js';
import { HAVE_PROCVISOR, HAVE_SUPERVISORD, LiveDaemon, PREAMBLE, marked, suiteDaemons, type Kind } from './daemon-pair.js';

const GROUPADD = ['/usr/sbin/groupadd', '/usr/sbin/groupdel', '/usr/sbin/usermod'].every((p) => existsSync(p));
const CAN_RUN = HAVE_PROCVISOR && process.getuid?.() === 0 && GROUPADD && lookupUser(1)?.name === 'daemon';
if (HAVE_PROCVISOR && !CAN_RUN) process.stdout.write('\nNOTICE: not root, no groupadd or no user daemon (uid 1): user= tests skipped.\n\n');
if (CAN_RUN && !HAVE_SUPERVISORD) process.stdout.write('\nNOTICE: supervisord not installed: user= tests run without the comparison.\n\n');
const kinds: Kind[] = HAVE_SUPERVISORD ? ['supervisord', 'procvisor'] : ['procvisor'];

const GROUP = `pvtest${process.pid}`;
/** The groups listing `daemon` (the test's own among them), in /etc/group order. */
let memberOf: number[] = [];
const started = suiteDaemons();

beforeAll(() => {
  if (!CAN_RUN) return;
  execFileSync('/usr/sbin/groupadd', [GROUP]);
  execFileSync('/usr/sbin/usermod', ['-a', '-G', GROUP, 'daemon']);
  const rows = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .map((l) => l.split(':'));
  memberOf = rows.filter((r) => (r[3] ?? '').split(',').includes('daemon')).map((r) => Number(r[2]));
  expect(rows.find((r) => r[0] === GROUP)?.[3]).toBe('daemon');
});

afterAll(() => {
  if (CAN_RUN) execFileSync('/usr/sbin/groupdel', [GROUP]);
});

const once = ['startsecs=0', 'autorestart=false', 'startretries=0'];

function daemon(kind: Kind): LiveDaemon {
  const d = new LiveDaemon(kind);
  // The daemon's directory is root's alone (mode 0700): user daemon can neither enter it nor reach
  // the script inside it.
  writeFileSync(join(d.dir, 'hello.sh'), '#!/bin/sh\necho hello\n');
  chmodSync(join(d.dir, 'hello.sh'), 0o755);
  const program = (name: string, command: string, ...extra: string[]) => [
    `[program:${name}]`,
    `command=${command}`,
    'user=daemon',
    `stdout_logfile=%(here)s/${name}.out`,
    `stderr_logfile=%(here)s/${name}.err`,
    ...extra,
  ];
  d.writeConfig(
    [
      PREAMBLE,
      ...program('ids', `sh -c 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; tr "\\0" " " </proc/$$/cmdline; echo'`, ...once),
      ...program('rootdir', '/bin/pwd', 'directory=%(here)s', ...once),
      ...program('rootexec', '%(here)s/hello.sh', ...once),
      ...program('redirected', '/bin/pwd', 'directory=%(here)s', 'redirect_stderr=true', ...once),
      ...program(
        'perlvars',
        `/bin/sh -c 'echo "$PERL5OPT|$PERL5LIB|\${PERL_BADLANG-unset}"'`,
        'environment=PERL5OPT="-MNo::Such::Module",PERL5LIB="/nowhere"',
        ...once,
      ),
      '',
    ].join('\n'),
  );
  started.push(d);
  return d;
}

describe.skipIf(!CAN_RUN)('user= under a root daemon', () => {
  it.each(kinds)(
    '%s: groups, gid and uid of the user; directory and exec as the user; failures as supervisord reports them',
    async (kind) => {
      const d = daemon(kind);
      d.start();
      await d.ready();
      const names = ['ids', 'rootdir', 'rootexec', 'redirected', 'perlvars'];
      let states = '';
      await until(
        async () => {
          const infos = await d.infos();
          states = infos.map((i) => `${i.name as string}=${i.statename as string}`).join(' ');
          return infos.every((i) => ['EXITED', 'FATAL', 'BACKOFF'].includes(i.statename as string) && !(i.name === 'ids' && i.exitstatus !== 0));
        },
        `${kind}: every program exited (${states})`,
        10_000,
      ).catch((e: unknown) => {
        throw new Error(`${String(e)} [${states}]`);
      });
      const read = (f: string) => (existsSync(join(d.dir, f)) ? readFileSync(join(d.dir, f), 'utf8') : '');
      const logs = Object.fromEntries(names.map((n) => [n, { out: read(`${n}.out`), err: read(`${n}.err`).trim() }]));
      const notSpawned = (what: string) => `supervisor: ${what}\nsupervisor: child process was not spawned\n`;
      expect(logs).toEqual({
        ids: {
          out: `Uid:\t1\t1\t1\t1\nGid:\t1\t1\t1\t1\nGroups:\t${[1, ...memberOf].join(' ')} \nsh -c grep -E "^(Uid|Gid|Groups):" /proc/self/status; tr "\\0" " " </proc/$$/cmdline; echo \n`,
          err: '',
        },
        rootdir: { out: '', err: notSpawned(`couldn't chdir to ${d.dir}: EACCES`).trim() },
        rootexec: { out: '', err: notSpawned(`couldn't exec ${join(d.dir, 'hello.sh')}: EACCES`).trim() },
        redirected: { out: notSpawned(`couldn't chdir to ${d.dir}: EACCES`), err: '' },
        perlvars: { out: '-MNo::Such::Module|/nowhere|unset\n', err: '' },
      });
      const exits = Object.fromEntries((await d.infos()).map((i) => [i.name as string, i.exitstatus]));
      expect(exits).toEqual({ ids: 0, rootdir: 127, rootexec: 127, redirected: 127, perlvars: 0 });
      expect(await d.stop(), `${kind}: processes left after the daemon stopped`).toEqual([]);
      expect(marked([d.dir])).toEqual([]);
    },
    30_000,
  );
});
