// Without -n (and with nodaemon=false) the daemon goes into the background as supervisord's does:
// the command exits 0 once the daemon is up; the daemon leads a session of its own, has /dev/null
// as stdio, works in `directory` with `umask`, and logs what supervisord logs of it. Errors found
// before that point still reach the terminal with exit status 2, from the configuration (read by
// the launcher) or from a server that cannot listen (reported by the daemon through its status
// pipe). With nodaemon=true it stays in the foreground. Compared with the real supervisord where
// it is installed.
import { mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../../helpers/wait-for.js';
import { freePort } from '../../helpers/concurrency.js';
import { HAVE_PROCVISOR, HAVE_SUPERVISORD, LiveDaemon, suiteDaemons, marked, type Kind } from './daemon-pair.js';

const started = suiteDaemons();
const kinds: Kind[] = HAVE_SUPERVISORD ? ['supervisord', 'procvisor'] : ['procvisor'];
if (HAVE_PROCVISOR && !HAVE_SUPERVISORD) process.stdout.write('\nNOTICE: supervisord not installed: daemonize tests run without the comparison.\n\n');

function daemon(kind: Kind, extra: string, program = true): LiveDaemon {
  const d = new LiveDaemon(kind);
  d.writeConfig(
    [
      '[unix_http_server]',
      `file=${d.socket}`,
      '[supervisord]',
      `logfile=${d.mainLog}`,
      `pidfile=${d.pidfile}`,
      extra,
      '[rpcinterface:supervisor]',
      'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
      ...(program ? ['[program:nap]', 'command=/bin/sleep 1000', 'startsecs=0'] : []),
      '',
    ].join('\n'),
  );
  started.push(d);
  return d;
}

/** Fields of /proc/PID/stat after the command name: state, ppid, pgrp, session. */
function stat(pid: number): { state: string; pgrp: number; sid: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0] as string, pgrp: Number(f[2]), sid: Number(f[3]) };
  } catch {
    return undefined;
  }
}

const gone = (pid: number): boolean => {
  const s = stat(pid);
  return s === undefined || s.state === 'Z';
};

/** Starts `d` with `args`, waits for the command to exit and bounds the wait. */
async function launch(d: LiveDaemon, args: string[]): Promise<number | null> {
  d.start(args);
  const timer = setTimeout(() => void d.stop(), 10_000);
  const { code } = await d.exited;
  clearTimeout(timer);
  return code;
}

describe.skipIf(!HAVE_PROCVISOR)('going into the background (no -n, nodaemon=false)', () => {
  it.each(kinds)(
    '%s: exits 0, and the daemon runs on in its own session, directory and umask',
    async (kind) => {
      const d = daemon(kind, 'directory=%(here)s/work\numask=027');
      mkdirSync(join(d.dir, 'work'));
      const code = await launch(d, ['-c', d.conf]);
      expect({ code, stderr: d.stderr, stdout: d.stdout }).toEqual({ code: 0, stderr: '', stdout: '' });
      let pid = 0;
      await until(() => (pid = Number(readFileSync(d.pidfile, 'utf8').trim() || 0)) > 0, `${kind}: pidfile written`, 5_000).catch(() => undefined);
      expect(pid, 'pid in the pidfile').toBeGreaterThan(0);
      expect(stat(pid)).toMatchObject({ state: expect.stringMatching(/^[RSD]$/), pgrp: pid, sid: pid });
      expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(join(d.dir, 'work'));
      expect(readFileSync(`/proc/${pid}/status`, 'latin1')).toMatch(/^Umask:\s+0027$/m);
      for (const fd of [0, 1, 2]) expect(readlinkSync(`/proc/${pid}/fd/${fd}`), `fd ${fd}`).toBe('/dev/null');
      await until(async () => ((await d.info('nap')).statename as string) === 'RUNNING', `${kind}: nap RUNNING`, 8_000);
      const child = (await d.info('nap')).pid as number;
      expect(readFileSync(`/proc/${child}/environ`, 'latin1')).not.toContain('PROCVISOR_LAUNCH');
      expect(readlinkSync(`/proc/${child}/cwd`)).toBe(join(d.dir, 'work'));
      const log = readFileSync(d.mainLog, 'utf8');
      expect(log).toContain('INFO daemonizing the supervisord process\n');
      expect(log).toContain(`INFO set current directory: '${join(d.dir, 'work')}'\n`);
      expect(log.indexOf('daemonizing')).toBeLessThan(log.indexOf(`supervisord started with pid ${pid}`));
      await d.call('supervisor.shutdown');
      await until(() => gone(pid) && gone(child), `${kind}: daemon ${pid} and program ${child} gone after shutdown`, 10_000);
      expect(marked([d.dir])).toEqual([]);
    },
    30_000,
  );

  it.each(kinds)(
    '%s: a configuration error is reported by the command itself, exit 2',
    async (kind) => {
      const d = daemon(kind, 'nodaemon=perhaps', false);
      const code = await launch(d, ['-c', d.conf]);
      expect(code).toBe(2);
      expect(d.stderr.split('\n')[0]).toBe("Error: not a valid boolean value: 'perhaps'"); // supervisord names no section here
      expect(marked([d.dir])).toEqual([]);
    },
    15_000,
  );

  it.each(kinds)(
    '%s: a port another program holds is reported by the command, exit 2, nothing left',
    async (kind) => {
      const port = await freePort();
      const holder: Server = createServer();
      await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
      try {
        const d = daemon(kind, `[inet_http_server]\nport=127.0.0.1:${port}`, false);
        const code = await launch(d, ['-c', d.conf]);
        expect(code).toBe(2);
        expect(d.stderr.split('\n')[0]).toBe(
          'Error: Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord.',
        );
        expect(marked([d.dir])).toEqual([]);
      } finally {
        holder.close();
      }
    },
    15_000,
  );

  it('nodaemon=true keeps it in the foreground, without -n', async () => {
    const d = daemon('procvisor', 'nodaemon=true', false);
    d.start(['-c', d.conf]);
    await d.ready();
    expect(d.pid).toBeGreaterThan(0);
    expect(Number(readFileSync(d.pidfile, 'utf8').trim())).toBe(d.pid);
  }, 15_000);
});
