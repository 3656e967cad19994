// A restart (`supervisorctl reload`, SIGHUP) starts over with the file as it now reads, as
// supervisord's does: the activity log is made again (another `logfile`, another `loglevel`), the
// pidfile is written where `pidfile` now says, and a server whose settings changed (here a password
// added to the unix socket) is opened again with them. Compared with the real supervisord where it
// is installed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../../helpers/wait-for.js';
import { HAVE_PROCVISOR, HAVE_SUPERVISORD, LiveDaemon, suiteDaemons, marked, type Kind } from './daemon-pair.js';

const kinds: Kind[] = HAVE_SUPERVISORD ? ['supervisord', 'procvisor'] : ['procvisor'];
if (HAVE_PROCVISOR && !HAVE_SUPERVISORD) process.stdout.write('\nNOTICE: supervisord not installed: reload tests run without the comparison.\n\n');
const started = suiteDaemons();

function config(d: LiveDaemon, o: { log: string; level: string; pidfile: string; auth: boolean }): string {
  return [
    '[unix_http_server]',
    `file=${d.socket}`,
    ...(o.auth ? ['username=admin', 'password=s3cret'] : []),
    '[supervisord]',
    `logfile=%(here)s/${o.log}`,
    `loglevel=${o.level}`,
    `pidfile=%(here)s/${o.pidfile}`,
    '[rpcinterface:supervisor]',
    'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '[program:talk]',
    `command=/bin/sh -c 'echo hello; exec /bin/sleep 1000'`,
    'startsecs=0',
    '',
  ].join('\n');
}

describe.skipIf(!HAVE_PROCVISOR)('a restart applies the new [supervisord] and server settings', () => {
  it.each(kinds)(
    '%s: logfile, loglevel, pidfile and a new password take effect at reload',
    async (kind) => {
      const d = new LiveDaemon(kind);
      started.push(d);
      d.writeConfig(config(d, { log: 'one.log', level: 'info', pidfile: 'one.pid', auth: false }));
      d.start();
      await d.ready();
      const first = (await d.info('talk')).pid as number;
      writeFileSync(d.conf, config(d, { log: 'two.log', level: 'debug', pidfile: 'two.pid', auth: true }));
      expect(await d.call('supervisor.restart')).toEqual({ value: true });
      using authed = d.client({ username: 'admin', password: 's3cret' });
      let pid = 0;
      await until(
        async () => {
          const info = (await authed.call('supervisor.getProcessInfo', 'talk').catch(() => undefined)) as { pid: number; statename: string } | undefined;
          pid = info?.statename === 'RUNNING' ? info.pid : 0;
          return pid !== 0 && pid !== first;
        },
        `${kind}: talk running again after the reload, through the new credentials`,
        10_000,
      );
      // The socket now asks for the password.
      const anonymous = await d.call('supervisor.getState').then(
        () => 'answered',
        (e: unknown) => String(e),
      );
      expect(anonymous).toMatch(/401/);
      const one = readFileSync(join(d.dir, 'one.log'), 'utf8');
      await until(
        () => existsSync(join(d.dir, 'two.log')) && readFileSync(join(d.dir, 'two.log'), 'utf8').includes("DEBG 'talk' stdout output:"),
        `${kind}: debug lines in two.log`,
        5_000,
      );
      const two = readFileSync(join(d.dir, 'two.log'), 'utf8');
      expect(one).not.toContain('DEBG');
      expect(one).not.toContain(`spawned: 'talk' with pid ${pid}`);
      expect(two).toContain(`INFO spawned: 'talk' with pid ${pid}`);
      expect(two).toMatch(/INFO supervisord started with pid \d+\n/);
      expect(readFileSync(join(d.dir, 'two.pid'), 'utf8').trim()).toBe(String(d.pid));
      expect(existsSync(join(d.dir, 'one.pid')), 'the previous pidfile').toBe(false);
      await authed.call('supervisor.shutdown');
      const left = await d.stop();
      expect(left).toEqual([]);
      expect(marked([d.dir])).toEqual([]);
    },
    30_000,
  );
});
