// Reading whole configurations as supervisord 4.2.5 does: sections, groups,
// includes, warnings, and errors that say where. The differential suite checks the same against
// the real supervisord; these run without it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { checkRpcInterfaces, parseSupervisordConfig, readSupervisordConfig } from '../../../src/config-file/config-file.js';

const ENV = { HOME: '/home/u', PATH: '/usr/bin:/bin', APP: 'shop' };
const DIR = mkdtempSync(join(tmpdir(), 'pvcf-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

function parse(text: string, file = join(DIR, 'supervisord.conf')) {
  return parseSupervisordConfig(`[supervisord]\n${text}`, { file, env: ENV });
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const processNames = (c: ReturnType<typeof parse>) => c.specs.flatMap((g) => g.processes.map((p) => `${g.name}:${p.name}`));

describe('programs and groups', () => {
  it('a program becomes a typed ProgramConfig; per-process options stay templates', () => {
    const c = parse(
      '[program:web]\ncommand=run %(process_num)d\nprocess_name=web_%(process_num)02d\nnumprocs=2\nautostart=no\nexitcodes=0,3\nstopsignal=sigint\nstdout_logfile_maxbytes=1KB\numask=027\nuser=0\n',
    );
    expect(c.groups).toEqual([
      {
        name: 'web',
        command: 'run %(process_num)d',
        process_name: 'web_%(process_num)02d',
        numprocs: 2,
        autostart: false,
        exitcodes: [0, 3],
        stopsignal: 'INT',
        stdout_logfile_maxbytes: 1024,
        umask: 0o27,
        user: 0,
      },
    ]);
    expect(c.specs[0]?.processes.map((p) => [p.name, p.command])).toEqual([
      ['web_00', 'run 0'],
      ['web_01', 'run 1'],
    ]);
  });

  it('numprocs naming, string order of names', () => {
    const c = parse(
      '[program:m]\ncommand=sleep 1000\nnumprocs=11\nprocess_name=m_%(process_num)d\npriority=70\n[program:x]\ncommand=sleep 1\nnumprocs=3\nnumprocs_start=8\nprocess_name=%(program_name)s_%(process_num)02d\n',
    );
    expect(processNames(c)).toEqual(['m:m_0', 'm:m_1', 'm:m_10', ...[2, 3, 4, 5, 6, 7, 8, 9].map((n) => `m:m_${n}`), 'x:x_08', 'x:x_09', 'x:x_10']);
  });

  it('groups sorted by (priority, name); [group:x] members in programs= order; %(group_name)s', () => {
    const c = parse(
      '[program:high]\ncommand=x\npriority=100\n[group:grp]\nprograms=inner_a,inner_b\npriority=60\n[program:inner_a]\ncommand=x\npriority=20\n[program:inner_b]\ncommand=x\npriority=10\n[program:zlow]\ncommand=x\npriority=1\n[group:g]\nprograms=a\n[program:a]\ncommand=echo %(group_name)s %(program_name)s\n',
    );
    expect(c.specs.map((g) => [g.name, g.priority])).toEqual([
      ['zlow', 1],
      ['grp', 60],
      ['high', 100],
      ['g', 999],
    ]);
    expect(processNames(c)).toEqual(['zlow:zlow', 'grp:inner_a', 'grp:inner_b', 'high:high', 'g:a']);
    expect(c.specs[3]?.processes[0]?.command).toBe('echo g a');
    expect(c.groups[1]).toMatchObject({ name: 'grp', priority: 60, programs: [{ name: 'inner_a' }, { name: 'inner_b' }] });
  });

  it('a Laravel Forge daemon: [program:daemon-123] with numprocs=2 and %(process_num)02d', () => {
    const c = parse(
      `[program:daemon-123]\ncommand=php /home/forge/app/artisan queue:work --sleep=3\nprocess_name=%(program_name)s_%(process_num)02d\nautostart=true\nautorestart=true\nuser=root\nnumprocs=2\nredirect_stderr=true\nstdout_logfile=${DIR}/daemon-123.log\nstopwaitsecs=3600\nstopsignal=SIGTERM\n`,
    );
    expect(processNames(c)).toEqual(['daemon-123:daemon-123_00', 'daemon-123:daemon-123_01']);
    expect(c.specs[0]?.processes[0]).toMatchObject({
      stopwaitsecs: 3600,
      stopsignal: 15,
      user: 'root',
      redirect_stderr: true,
      stdout: { logfile: `${DIR}/daemon-123.log` },
      stderr: { logfile: null },
    });
  });

  it('[DEFAULT] applies everywhere, [Program:x] is ignored, duplicate sections merge', () => {
    const c = parse('[DEFAULT]\nautostart=false\n[Program:x]\ncommand=no\n[program:a]\ncommand=sleep 1\npriority=1\n[program:a]\ncommand=sleep 2\n');
    expect(c.groups).toEqual([{ name: 'a', command: 'sleep 2', priority: 1, autostart: false }]);
  });

  it('[supervisord] environment is merged under program environments and exposed as ENV_ names', () => {
    const c = parse('environment=GLOBALX=gx,SHARED=s\n[program:a]\ncommand=echo %(ENV_GLOBALX)s %(ENV_APP)s\nenvironment=SHARED=prog\n');
    expect(c.supervisord.environment).toEqual({ GLOBALX: 'gx', SHARED: 's' });
    expect(c.specs[0]?.processes[0]).toMatchObject({ command: 'echo gx shop', environment: { GLOBALX: 'gx', SHARED: 'prog' } });
  });

  it('[supervisord] gets supervisord defaults', () => {
    const c = parse('');
    expect(c.supervisord).toMatchObject({
      logfile: 'supervisord.log',
      logfile_maxbytes: 50 * 1024 * 1024,
      loglevel: 'info',
      identifier: 'supervisor',
      umask: 0o22,
      minfds: 1024,
      user: null,
      environment: {},
    });
    expect(c.groups).toEqual([]);
  });

  it('HTTP sections, serverurl for AUTO, and [supervisorctl] from the main file', () => {
    const c = parse(
      `[unix_http_server]\nfile=%(here)s/s.sock\nchmod=0770\n[inet_http_server]\nport=*:9001\nusername=u\npassword=p\n[supervisorctl]\nserverurl=unix://%(here)s/s.sock\nprompt=hi\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n`,
    );
    expect(c.unix_http_server).toEqual({ file: join(DIR, 's.sock'), chmod: 0o770 });
    expect(c.inet_http_server).toEqual({ host: '', port: 9001, username: 'u', password: 'p' });
    expect(c.supervisorctl).toEqual({ serverurl: `unix://${join(DIR, 's.sock')}`, prompt: 'hi' });
    expect(c.rpcinterface).toEqual([{ name: 'supervisor', factory: 'supervisor.rpcinterface:make_main_rpcinterface', options: {} }]);
    expect(c.serverurl).toBe(`unix://${join(DIR, 's.sock')}`);
  });
});

describe('warnings (supervisord logs them at startup)', () => {
  it('AUTO log without rollover, deprecated syslog file name, redirect_stderr with a stderr file', () => {
    const c = parse(
      `[program:a]\ncommand=x\nstdout_logfile_maxbytes=0\n[program:b]\ncommand=x\nstdout_logfile=syslog\n[program:c]\ncommand=x\nredirect_stderr=true\nstderr_logfile=${DIR}/c.err\n`,
    );
    expect(c.warnings).toEqual([
      'For [program:a], AUTO logging used for stdout_logfile without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally',
      'For [program:b], stdout_logfile=syslog but this is deprecated and will be removed.  Use stdout_syslog=true to enable syslog instead.',
      'For [program:c], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored',
    ]);
    expect(c.specs[1]?.processes[0]?.stdout).toMatchObject({ logfile: null, syslog: true });
  });
});

describe('includes', () => {
  const root = join(DIR, 'inc');
  mkdirSync(join(root, 'conf.d'), { recursive: true });
  writeFileSync(join(root, 'conf.d', 'b.conf'), '[program:b]\ncommand=cat %(here)s/data\n[program:main]\npriority=5\n');
  writeFileSync(join(root, 'conf.d', 'a.conf'), '[program:a]\ncommand=sleep 1\nautostart=maybe\n');
  writeFileSync(join(root, 'conf.d', 'c.conf'), '[program:c]\ncommand=sleep 1\n');
  const main = join(root, 'supervisord.conf');

  it('reads matches in sorted order, substitutes %(here)s per file, merges sections, warns on no match', () => {
    writeFileSync(main, '[supervisord]\n[include]\nfiles=conf.d/[bc].conf nothing/*.conf\n[program:main]\ncommand=echo %(here)s\n');
    const c = readSupervisordConfig(main, { env: ENV });
    expect(c.files).toEqual([main, join(root, 'conf.d/b.conf'), join(root, 'conf.d/c.conf')]);
    expect(c.warnings).toEqual([`No file matches via include "${root}/nothing/*.conf"`]);
    const byName = Object.fromEntries(c.specs.flatMap((g) => g.processes).map((p) => [p.name, p]));
    expect(byName.b?.command).toBe(`cat ${join(root, 'conf.d')}/data`);
    expect(byName.main).toMatchObject({ command: `echo ${root}`, priority: 5 });
  });

  it('an error in an included file names that file, and its line', () => {
    writeFileSync(main, '[supervisord]\n[include]\nfiles=conf.d/*.conf\n');
    const e = configError(() => readSupervisordConfig(main, { env: ENV }));
    expect(e.message).toBe(`not a valid boolean value: 'maybe' in section 'program:a' (file: '${join(root, 'conf.d/a.conf')}')`);
    expect(e).toMatchObject({ file: join(root, 'conf.d/a.conf'), line: 3, section: 'program:a', option: 'autostart' });
  });

  it('[include] without files is an error', () => {
    expect(configError(() => parse('[include]\n')).message).toBe('.ini file has [include] section, but no files setting');
  });
});

describe('errors: supervisord messages, located', () => {
  const file = join(DIR, 'e.conf');
  const suffix = (section = 'program:x') => ` in section '${section}' (file: '${file}')`;
  it.each([
    ['autorestart=sometimes', "invalid 'autorestart' value 'sometimes'", 'autorestart'],
    ['autostart=y', "not a valid boolean value: 'y'", 'autostart'],
    ['stdout_logfile_maxbytes=1K', "invalid literal for int() with base 10: '1k'", 'stdout_logfile_maxbytes'],
    ['stopsignal=FOO', "value 'FOO' is not a valid signal name", 'stopsignal'],
    ['stopsignal=99', "value '99' is not a valid signal number", 'stopsignal'],
    ['exitcodes=0,256', "not a valid list of exit codes: '0,256'", 'exitcodes'],
    ['startsecs=1.5', "invalid literal for int() with base 10: '1.5'", 'startsecs'],
    ['umask=999', '999 can not be converted to an octal type', 'umask'],
    ['user=nosuchuser', 'Invalid user name nosuchuser', 'user'],
    ['stdout_logfile=/nonexistent/dir/x.log', 'The directory named as part of the path /nonexistent/dir/x.log does not exist', 'stdout_logfile'],
    ['stopasgroup=true\nkillasgroup=false', 'Cannot set stopasgroup=true and killasgroup=false', 'killasgroup'],
    ['numprocs=2', '%(process_num) must be present within process_name when numprocs > 1', 'numprocs'],
    [
      'startsecs=%(process_num)d',
      "Format string '%(process_num)d' for 'program:x.startsecs' contains names ('process_num') which cannot be expanded. Available names: ENV_APP, ENV_HOME, ENV_PATH, group_name, here, host_node_name, program_name",
      'startsecs',
    ],
  ])('%s', (line, message, option) => {
    const e = configError(() => parseSupervisordConfig(`[supervisord]\n[program:x]\ncommand=sleep 1\n${line}\n`, { file, env: ENV }));
    expect(e.message).toBe(message + suffix());
    expect(e).toMatchObject({ file, section: 'program:x', option, line: 3 + line.split('\n').length });
  });

  it('a missing command points at the section header', () => {
    const e = configError(() => parseSupervisordConfig('[supervisord]\n\n[program:x]\nautostart=false\n', { file, env: ENV }));
    expect(e).toMatchObject({ message: `program section program:x does not specify a command${suffix()}`, line: 3, option: 'command' });
  });

  it('names and group-level priorities have no section suffix', () => {
    expect(configError(() => parse('[program:my prog]\ncommand=x\n')).message).toBe("Invalid name: 'my prog' because of character: ' '");
    expect(configError(() => parse('[program:x]\ncommand=x\npriority=abc\n')).message).toBe("invalid literal for int() with base 10: 'abc'");
  });

  it('4.2.5 names the previous program of a group when a later one is unknown', () => {
    expect(configError(() => parse('[group:g]\nprograms=a,zz\n[program:a]\ncommand=x\n')).message).toBe('[program:a] names unknown program or fcgi-program zz');
    expect(configError(() => parse('[group:g]\nprograms=zz\n')).message).toBe('[group:g] names unknown program or fcgi-program zz');
  });

  it('a syntax error keeps its line; the main file must have [supervisord]', () => {
    const e = configError(() => parseSupervisordConfig('[supervisord]\n[program:x]\ncommand=x\nbroken line\n', { file, env: ENV }));
    expect(e).toMatchObject({ message: `Source contains parsing errors: '${file}'\n\t[line  4]: 'broken line\\n'`, line: 4, file });
    expect(configError(() => parseSupervisordConfig('[program:x]\ncommand=x\n', { file, env: ENV })).message).toBe(
      '.ini file does not include supervisord section',
    );
  });

  it('a missing file', () => {
    expect(configError(() => readSupervisordConfig(join(DIR, 'nope.conf'))).message).toBe(`could not find config file ${join(DIR, 'nope.conf')}`);
  });

  it('[eventlistener:x] is read as a pool', () => {
    expect(parse('[eventlistener:ev]\ncommand=x\nevents=TICK_5\n').specs[0]).toMatchObject({
      name: 'ev',
      priority: -1,
      listener: { events: ['TICK_5'], bufferSize: 10 },
    });
    expect(configError(() => parse('[eventlistener:ev]\ncommand=x\nevents=TICK_7\n'))).toMatchObject({
      section: 'eventlistener:ev',
      option: 'events',
      message: 'Unknown event type TICK_7 in [eventlistener:ev] events',
    });
  });

  it('[fcgi-program:x] is a group of its own with a socket; its errors name the section, option and line', () => {
    const c = parse('[fcgi-program:f]\ncommand=x\nsocket=TCP://localhost:9\n'.replace('TCP', 'tcp'));
    expect(c.specs[0]).toMatchObject({ name: 'f', socket: { kind: 'tcp', url: 'tcp://localhost:9', host: 'localhost', port: 9, backlog: null } });
    expect(c.groups[0]).toMatchObject({ name: 'f', socket: 'tcp://localhost:9' });
    expect(configError(() => parse('[fcgi-program:f]\ncommand=x\n\nsocket=tcp://h:9\nsocket_backlog=0\n'))).toMatchObject({
      message: 'Invalid socket_backlog value 0',
      section: 'fcgi-program:f',
      option: 'socket_backlog',
      line: 6,
    });
    expect(configError(() => parse('[fcgi-program:f]\ncommand=x\nsocket=tcp://h\n'))).toMatchObject({
      message: "('Bad socket format %s', 'tcp://h') in [fcgi-program:f] socket",
      option: 'socket',
      line: 4,
    });
  });

  it('procvisor refuses two groups of the same name (supervisord would silently keep the first)', () => {
    expect(configError(() => parse('[program:a]\ncommand=x\n[program: a]\ncommand=y\n')).message).toBe("procvisor cannot have two process groups named 'a'");
  });

  it('checkRpcInterfaces: the main factory takes no options (so [DEFAULT] keys break it in 4.2.5)', () => {
    const c = parse(
      '[DEFAULT]\nautostart=false\n[unix_http_server]\nfile=/tmp/x.sock\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n',
    );
    expect(configError(() => checkRpcInterfaces(c)).message).toBe('Could not make supervisor rpc interface');
  });
});
