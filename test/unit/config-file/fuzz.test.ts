// Whatever the text, reading it either succeeds or throws a ConfigError: never a TypeError, a
// RangeError or any other raw exception (fast-check, seeded).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { parseSupervisordConfig } from '../../../src/config-file/config-file.js';
import { toSupervisordConf } from '../../../src/config-file/emit.js';

const HERE = mkdtempSync(join(tmpdir(), 'pvfz-'));
mkdirSync(join(HERE, 'conf.d'));
writeFileSync(join(HERE, 'conf.d', 'a.conf'), '[program:inc]\ncommand=sleep 1\n');
writeFileSync(join(HERE, 'conf.d', 'bad.conf'), 'no header\n');
afterAll(() => rmSync(HERE, { recursive: true, force: true }));

const ENV = { HOME: '/root', PATH: '/bin', X: '1' };

function readsOrConfigError(text: string): void {
  try {
    const conf = parseSupervisordConfig(text, { file: join(HERE, 'f.conf'), env: ENV });
    // What was read can be written back (or refused with a ConfigError).
    toSupervisordConf(conf);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
}

const FRAGMENTS = [
  '[supervisord]',
  '[program:a]',
  '[program:b c]',
  '[program:]',
  '[group:g]',
  '[include]',
  '[DEFAULT]',
  '[unix_http_server]',
  '[inet_http_server]',
  '[supervisorctl]',
  '[rpcinterface:x]',
  '[eventlistener:e]',
  '[fcgi-program:f]',
  'command=sleep 1',
  'command=',
  'programs=a,b',
  'programs=a',
  'files=conf.d/*.conf',
  'files=*',
  'numprocs=2',
  'numprocs=-1',
  'process_name=%(process_num)d',
  'environment=A="1",B=2',
  'environment=X=a@b',
  'environment=%(ENV_X)s=1',
  'stopsignal=RTMIN',
  'priority=%(ENV_X)s',
  'user=root',
  'stdout_logfile=%(here)s/x.log',
  'stdout_logfile_backups=%(process_num)d',
  'stdout_syslog=%(ENV_X)s',
  'port=9001',
  'port=:',
  'file=%(here)s/s.sock',
  'chmod=777',
  'chown=root:root',
  'username=u',
  'password=p',
  'supervisor.rpcinterface_factory=x:y',
  'socket=tcp://127.0.0.1:9',
  'socket=unix://%(here)s/f.sock',
  'socket=unix://x',
  'socket_mode=0',
  'socket_backlog=9',
  'socket_owner=root',
  'events=TICK,process_state',
  'events=NOPE',
  'buffer_size=0',
  'result_handler=x:y',
  'umask=0o7',
  'exitcodes=1,2',
  'serverurl=AUTO',
  'loglevel=debug',
  'minfds=%(here)s',
  'childlogdir=%(here)s',
  'directory=%(here)s',
  '%',
  '%(',
  '%%',
  '%(nope)s',
  '%(process_num)c',
  '%(here)99999999999s',
  '%(here)*s',
  ';',
  '#',
  ' ;c',
  ' #c',
  '=',
  ':',
  '[',
  ']',
  '\n',
  '\n',
  '\n',
  '\r\n',
  '\r',
  '  ',
  '\t',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\x00',
  'é',
  '😀',
  'x',
  'A',
  '"',
  "'",
  ',',
  '\\',
];

describe('property: reading never throws anything but ConfigError', () => {
  it('on text made of configuration fragments', () => {
    const text = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));
    const withHeader = text.map((t) => `[supervisord]\n${t}`);
    fc.assert(
      fc.property(fc.oneof(text, withHeader), (t) => readsOrConfigError(t)),
      { numRuns: 800, seed: 99 },
    );
  });

  it('on arbitrary strings (any code point)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (t) => readsOrConfigError(t)),
      { numRuns: 250, seed: 7 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (t) => readsOrConfigError(`[supervisord]\n[program:x]\ncommand=${t}\nenvironment=${t}\n`)),
      { numRuns: 250, seed: 8 },
    );
  });
});
