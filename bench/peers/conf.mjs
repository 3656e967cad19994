// One program description for every peer, and its supervisord.conf rendering (the same file runs
// the real supervisord 4.2.5 and the procvisor daemon).
//
// Program: { name, command: argv[], node?: bool (argv[0] is node, argv[1] the script: PM2 runs it
// in its node mode), autostart=false, autorestart=false, startsecs=0, stopwaitsecs=1,
// stdout: path|null (null = discard), stderr: path|null, maxbytes=0, backups=0 }

export function program(p) {
  return { autostart: false, autorestart: false, startsecs: 0, stopwaitsecs: 1, stdout: null, stderr: null, maxbytes: 0, backups: 0, node: false, ...p };
}

const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'"'"'`)}'`);

export function supervisordConf(dir, programs, { minfds = 1024, minprocs = 200 } = {}) {
  const lines = [
    '[unix_http_server]',
    `file=${dir}/supervisor.sock`,
    '',
    '[supervisord]',
    `logfile=${dir}/supervisord.log`,
    `pidfile=${dir}/supervisord.pid`,
    `childlogdir=${dir}`,
    'nodaemon=true',
    `minfds=${minfds}`,
    `minprocs=${minprocs}`,
    '',
    '[rpcinterface:supervisor]',
    'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '',
    '[supervisorctl]',
    `serverurl=unix://${dir}/supervisor.sock`,
    '',
  ];
  for (const p of programs) {
    lines.push(
      `[program:${p.name}]`,
      `command=${p.command.map(quote).join(' ')}`,
      `autostart=${p.autostart}`,
      `autorestart=${p.autorestart}`,
      `startsecs=${p.startsecs}`,
      `stopwaitsecs=${p.stopwaitsecs}`,
      `stdout_logfile=${p.stdout ?? 'NONE'}`,
      `stdout_logfile_maxbytes=${p.maxbytes}`,
      `stdout_logfile_backups=${p.backups}`,
      `stderr_logfile=${p.stderr ?? 'NONE'}`,
      'stderr_logfile_maxbytes=0',
      'stderr_logfile_backups=0',
      '',
    );
  }
  return lines.join('\n');
}
