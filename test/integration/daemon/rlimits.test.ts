// supervisord's `minfds` / `minprocs`: a limit below the minimum is raised at start (the hard one too,
// which root may do) and logged as `Increased RLIMIT_NPROC limit to N`; the programs inherit it. A
// limit that cannot be raised (not root, hard limit below the minimum) stops the start with
// supervisord's message and exit status 2. (Node raises its own soft limit of open files to the
// hard one before procvisor runs, so a low soft `nofile` is not compared: see docs/semantics.md.) The daemons are started under prlimit(1) with low limits
// (and setpriv(1) as user `daemon` for the refusal). Compared with the real supervisord where it is
// installed; needs root, prlimit and setpriv.
import { chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookupUser } from '../../../src/dialect/users.js';
import { until } from '../../helpers/wait-for.js';
import { HAVE_PROCVISOR, HAVE_SUPERVISORD, LiveDaemon, PREAMBLE, marked, suiteDaemons, type Kind } from './daemon-pair.js';

const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
const CAN_RUN = HAVE_PROCVISOR && process.getuid?.() === 0 && PRLIMIT !== undefined && SETPRIV !== undefined && lookupUser(1) !== undefined;
if (HAVE_PROCVISOR && !CAN_RUN) process.stdout.write('\nNOTICE: needs root, prlimit, setpriv and a user with uid 1: minfds/minprocs tests skipped.\n\n');
const kinds: Kind[] = HAVE_SUPERVISORD ? ['supervisord', 'procvisor'] : ['procvisor'];
const started = suiteDaemons();

/** [soft, hard] of a /proc/PID/limits row. */
function limit(pid: number, row: string): string[] {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(row));
  return (line ?? '').slice(26).trim().split(/\s+/).slice(0, 2);
}

function daemon(kind: Kind, minfds: number, minprocs: number): LiveDaemon {
  const d = new LiveDaemon(kind);
  d.writeConfig(
    `${PREAMBLE.replace('[supervisord]\n', `[supervisord]\nminfds=${minfds}\nminprocs=${minprocs}\n`)}\n[program:nap]\ncommand=/bin/sleep 1000\nstartsecs=0\n`,
  );
  started.push(d);
  return d;
}

describe.skipIf(!CAN_RUN)('minfds and minprocs', () => {
  it.each(kinds)(
    '%s: raises a soft limit below the minimum, logs it, and the programs inherit it',
    async (kind) => {
      const d = daemon(kind, 1024, 200);
      // Raising a hard limit needs root outside a user namespace, so only the soft one is low here.
      d.start(undefined, [PRLIMIT as string, '--nofile=4096:4096', '--nproc=100:400', '--']);
      await d.ready();
      await until(async () => ((await d.info('nap')).statename as string) === 'RUNNING', `${kind}: nap RUNNING`, 8_000);
      const child = (await d.info('nap')).pid as number;
      const log = readFileSync(d.mainLog, 'utf8');
      expect(log).toContain('INFO Increased RLIMIT_NPROC limit to 200\n');
      expect(log).not.toContain('RLIMIT_NOFILE');
      for (const pid of [d.pid as number, child]) {
        expect(limit(pid, 'Max processes'), `processes of ${pid}`).toEqual(['200', '400']);
        expect(limit(pid, 'Max open files'), `open files of ${pid}`).toEqual(['4096', '4096']);
      }
      expect(await d.stop(), `${kind}: processes left after the daemon stopped`).toEqual([]);
    },
    30_000,
  );

  it.each(kinds)(
    '%s: limits already high enough are left alone, and nothing is logged',
    async (kind) => {
      const d = daemon(kind, 64, 10);
      d.start(undefined, [PRLIMIT as string, '--nofile=512:512', '--nproc=100:100', '--']);
      await d.ready();
      expect(readFileSync(d.mainLog, 'utf8')).not.toContain('Increased');
      expect(limit(d.pid as number, 'Max open files')).toEqual(['512', '512']);
      expect(limit(d.pid as number, 'Max processes')).toEqual(['100', '100']);
      expect(await d.stop()).toEqual([]);
    },
    30_000,
  );

  it.each(kinds)(
    "%s: not root and a hard limit below minfds: supervisord's message, exit status 2, nothing left",
    async (kind) => {
      const d = daemon(kind, 1024, 10);
      // The user `daemon` must be able to use the daemon's directory.
      chownSync(d.dir, 1, 1);
      for (const f of readdirSync(d.dir)) chownSync(join(d.dir, f), 1, 1);
      d.start(undefined, [PRLIMIT as string, '--nofile=512:512', '--', SETPRIV as string, '--reuid=1', '--regid=1', '--clear-groups', '--']);
      const timer = setTimeout(() => void d.stop(), 10_000);
      const { code } = await d.exited;
      clearTimeout(timer);
      expect(code).toBe(2);
      expect(d.stderr.split('\n')[0]).toBe(
        'Error: The minimum number of file descriptors required to run this process is 1024 as per the "minfds" command-line argument or config file setting. The current environment will only allow you to open 1024 file descriptors.  Either raise the number of usable file descriptors in your environment (see README.rst) or lower the minfds setting in the config file to allow the process to start.',
      );
      expect(marked([d.dir])).toEqual([]);
    },
    30_000,
  );
});
