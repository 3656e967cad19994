import { describe, expect, it } from 'vitest';
import { parseSupervisordConfig } from '../../../src/config-file/config-file.js';
import { daemonUnit, systemdQuote, toSystemdUnits } from '../../../src/config-file/systemd.js';

describe('systemd units from the same program definitions', () => {
  const conf = parseSupervisordConfig(
    [
      '[supervisord]',
      '[program:daemon-42-queue]',
      'command=sh -c "exec sleep 100"',
      'numprocs=2',
      'process_name=%(program_name)s_%(process_num)02d',
      'autorestart=true',
      'stopsignal=QUIT',
      'stopwaitsecs=30',
      'directory=/tmp',
      'environment=APP_ENV="production",QUEUE="mail"',
      'stdout_logfile=/tmp/q.log',
      '[program:once]',
      'command=/bin/true',
      'autorestart=false',
      'exitcodes=0,2',
    ].join('\n'),
    { file: '/etc/supervisor/conf.d/x.conf' },
  );
  const units = toSystemdUnits(conf.specs);

  it('one unit per process, with the supervisord options mapped', () => {
    expect(Object.keys(units).sort()).toEqual([
      'procvisor-daemon-42-queue-daemon-42-queue_00.service',
      'procvisor-daemon-42-queue-daemon-42-queue_01.service',
      'procvisor-once.service',
    ]);
    const q = units['procvisor-daemon-42-queue-daemon-42-queue_00.service'] as string;
    expect(q).toMatch(/^ExecStart=\/\S*\/sh -c "exec sleep 100"$/m);
    expect(q).toContain('Restart=always');
    expect(q).toContain('KillSignal=SIGQUIT');
    expect(q).toContain('TimeoutStopSec=30');
    expect(q).toContain('WorkingDirectory=/tmp');
    expect(q).toContain('Environment=APP_ENV=production');
    expect(q).toContain('Environment=SUPERVISOR_PROCESS_NAME=daemon-42-queue_00');
    expect(q).toContain('StandardOutput=append:/tmp/q.log');
    const once = units['procvisor-once.service'] as string;
    expect(once).toContain('Restart=no');
    expect(once).toContain('SuccessExitStatus=0 2');
  });

  it('quotes like systemd parses ExecStart and writes a daemon unit', () => {
    expect(systemdQuote('plain')).toBe('plain');
    expect(systemdQuote('a b')).toBe('"a b"');
    expect(systemdQuote('50%')).toBe('50%%');
    expect(systemdQuote('$HOME')).toBe('"$$HOME"');
    const d = daemonUnit({
      configPath: '/etc/supervisor/supervisord.conf',
      procvisorBin: '/usr/lib/node_modules/procvisor/dist/cli/procvisor.js',
      execPath: '/usr/bin/node',
    });
    expect(d).toContain('ExecStart=/usr/bin/node /usr/lib/node_modules/procvisor/dist/cli/procvisor.js -n -c /etc/supervisor/supervisord.conf');
    expect(d).toContain('ExecReload=/bin/kill -HUP $MAINPID');
    // procvisor tells systemd when it is ready, through a helper process of its own.
    expect(d).toMatch(/^Type=notify\nNotifyAccess=all\n/m);
  });
});
