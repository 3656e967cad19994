// Config parsing: a 1,000-program supervisord.conf split over 10 included files (the shape
// hosting platforms generate: one file per daemon group, with environment, expansions and logs),
// read by procvisor's reader (readSupervisordConfig) and resolved into a ProcessManager
// (fromConfigFile), first run and warm, next to the real supervisord's own reader when installed.
// Usage: node bench/config-parse.mjs [programs=1000] [files=10] [runs=20]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessManager, readSupervisordConfig } from '../dist/index.js';
import { machine, stats } from './lib.mjs';

const programs = Number(process.argv[2] ?? 1000);
const files = Number(process.argv[3] ?? 10);
const runs = Number(process.argv[4] ?? 20);

const dir = mkdtempSync(join(tmpdir(), 'procvisor-parse-'));
mkdirSync(join(dir, 'conf.d'));
mkdirSync(join(dir, 'logs'));
writeFileSync(
  join(dir, 'supervisord.conf'),
  `[supervisord]\nlogfile=%(here)s/logs/supervisord.log\npidfile=%(here)s/supervisord.pid\nchildlogdir=%(here)s/logs\n\n` +
    `[unix_http_server]\nfile=%(here)s/supervisor.sock\n\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n` +
    `[include]\nfiles = conf.d/*.conf\n`,
);
for (let f = 0; f < files; f++) {
  let text = '';
  for (let i = f; i < programs; i += files) {
    text +=
      `[program:app${i}]\n` +
      `command=/usr/bin/env php /srv/site${i}/artisan queue:work --sleep=3 --tries=3 --queue=q${i}\n` +
      `process_name=%(program_name)s_%(process_num)02d\nnumprocs=1\nautostart=true\nautorestart=true\n` +
      `startsecs=1\nstopwaitsecs=3600\nstopasgroup=true\nkillasgroup=true\nuser=${process.env.USER ?? 'root'}\n` +
      `directory=/tmp\nenvironment=APP_ENV="production",QUEUE="q${i}",HOME="%(ENV_HOME)s"\n` +
      `stdout_logfile=%(here)s/../logs/%(program_name)s.log\nstdout_logfile_maxbytes=10MB\nredirect_stderr=true\npriority=${900 + (i % 50)}\n\n`;
  }
  writeFileSync(join(dir, 'conf.d', `site${f}.conf`), text);
}
const conf = join(dir, 'supervisord.conf');

const time = (fn) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
const first = { read: time(() => readSupervisordConfig(conf)), manager: time(() => ProcessManager.fromConfigFile(conf)) };
const read = [];
const manager = [];
for (let r = 0; r < runs; r++) {
  read.push(time(() => readSupervisordConfig(conf)));
  manager.push(time(() => ProcessManager.fromConfigFile(conf)));
}

let supervisord;
try {
  const py = `import time,sys\nfrom supervisor.options import ServerOptions\nt=time.perf_counter()\no=ServerOptions()\no.realize(args=['-c',sys.argv[1]])\nprint((time.perf_counter()-t)*1000)`;
  supervisord = Number(execFileSync('/usr/bin/python3', ['-c', py, conf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
} catch {
  supervisord = undefined;
}

console.log(`config parsing, ${programs} programs in ${files} included files — ${machine()}`);
const ms = (x) => x.toFixed(1);
const line = (label, xs, f) => {
  const s = stats(xs);
  console.log(`${label.padEnd(30)} first ${ms(f)} ms, warm median ${ms(s.median)} ms, p90 ${ms(s.p90)} ms (n=${xs.length})`);
};
line('readSupervisordConfig', read, first.read);
line('ProcessManager.fromConfigFile', manager, first.manager);
console.log(`supervisord 4.2.5 (ServerOptions.realize): ${supervisord === undefined ? 'not installed' : `${ms(supervisord)} ms`}`);
console.log(`goal: well under 100 ms — ${stats(manager).median < 100 ? 'met' : 'missed'} (warm median of fromConfigFile)`);
rmSync(dir, { recursive: true, force: true });
