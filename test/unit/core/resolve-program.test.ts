// Expanding one program into its processes: defaults, numprocs naming, %(...)s expansions,
// option conversions, and supervisord's configuration error texts.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { PROGRAM_DEFAULTS, resolveGroup, resolveProgram, type ProgramConfig, type ResolveContext } from '../../../src/supervisor/config.js';

const api: ResolveContext = { env: { HOME: '/home/u', PATH: '/usr/bin:/bin' }, origin: 'api' };
const ini: ResolveContext = { ...api, origin: 'ini', file: '/etc/sv.conf' };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('defaults', () => {
  it("a minimal program gets supervisord's defaults", () => {
    const [p, ...rest] = resolveProgram({ name: 'a', command: 'sleep 1000' }, 'a', api);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({
      name: 'a',
      group: 'a',
      program: 'a',
      processNum: 0,
      command: 'sleep 1000',
      priority: 999,
      autostart: true,
      startsecs: 1,
      startretries: 3,
      autorestart: 'unexpected',
      exitcodes: [0],
      stopsignal: 15,
      stopwaitsecs: 10,
      stopasgroup: false,
      killasgroup: false,
      user: null,
      redirect_stderr: false,
      environment: {},
      directory: null,
      umask: null,
    });
    expect(p?.stdout).toMatchObject({ logfile: 'AUTO', maxbytes: 50 * 1024 * 1024, backups: 10, capture_maxbytes: 0, events_enabled: false });
    expect(PROGRAM_DEFAULTS).toMatchObject({ numprocs: 1, numprocs_start: 0, priority: 999, startsecs: 1, startretries: 3, stopwaitsecs: 10 });
  });

  it('killasgroup defaults to stopasgroup', () => {
    expect(resolveProgram({ name: 'a', command: 'x', stopasgroup: true }, 'a', api)[0]).toMatchObject({ stopasgroup: true, killasgroup: true });
    expect(resolveProgram({ name: 'a', command: 'x', killasgroup: true }, 'a', api)[0]).toMatchObject({ stopasgroup: false, killasgroup: true });
  });

  it('seconds may be fractional', () => {
    expect(resolveProgram({ name: 'a', command: 'x', startsecs: 0.2, stopwaitsecs: 0.25 }, 'a', api)[0]).toMatchObject({ startsecs: 0.2, stopwaitsecs: 0.25 });
  });
});

describe('option conversions', () => {
  const one = (over: Partial<ProgramConfig>) => resolveProgram({ name: 'a', command: 'x', ...over }, 'a', api)[0];

  it('stopsignal: names with or without SIG, any case, surrounding space, aliases, numbers', () => {
    expect(one({ stopsignal: 'INT' })?.stopsignal).toBe(2);
    expect(one({ stopsignal: 'sigterm' })?.stopsignal).toBe(15);
    expect(one({ stopsignal: ' usr1 ' })?.stopsignal).toBe(10);
    expect(one({ stopsignal: 'IOT' })?.stopsignal).toBe(6);
    expect(one({ stopsignal: 'RTMIN' })?.stopsignal).toBe(34);
    expect(one({ stopsignal: 9 })?.stopsignal).toBe(9);
    expect(one({ stopsignal: '64' })?.stopsignal).toBe(64);
  });

  it('exitcodes: list or supervisord text, empty = every exit unexpected', () => {
    expect(one({ exitcodes: [0, 2] })?.exitcodes).toEqual([0, 2]);
    expect(one({ exitcodes: '0, 2' })?.exitcodes).toEqual([0, 2]);
    expect(one({ exitcodes: '' })?.exitcodes).toEqual([]);
  });

  it('umask is octal', () => {
    expect(one({ umask: '022' })?.umask).toBe(0o22);
    expect(one({ umask: '0o27' })?.umask).toBe(0o27);
    expect(one({ umask: 0o77 })?.umask).toBe(0o77);
  });

  it('environment: object or supervisord text', () => {
    expect(one({ environment: { A: '1' } })?.environment).toEqual({ A: '1' });
    expect(one({ environment: `K1="a,b",K2=plain,K3='single q',K4="with=eq", K5 = "spaced"` })?.environment).toEqual({
      K1: 'a,b',
      K2: 'plain',
      K3: 'single q',
      K4: 'with=eq',
      K5: 'spaced',
    });
  });
});

describe('numprocs and naming', () => {
  it('numprocs=3, numprocs_start=8, %(program_name)s_%(process_num)02d -> x_08, x_09, x_10', () => {
    const ps = resolveProgram(
      { name: 'x', command: 'sleep 1000', numprocs: 3, numprocs_start: 8, process_name: '%(program_name)s_%(process_num)02d' },
      'x',
      api,
    );
    expect(ps.map((p) => p.name)).toEqual(['x_08', 'x_09', 'x_10']);
    expect(ps.map((p) => p.processNum)).toEqual([8, 9, 10]);
    expect(ps.every((p) => p.group === 'x')).toBe(true);
  });

  it('processes are ordered by name in plain string order (m_10 before m_2)', () => {
    const ps = resolveProgram({ name: 'm', command: 'sleep 1000', numprocs: 11, process_name: 'm_%(process_num)d', priority: 70 }, 'm', api);
    expect(ps.map((p) => p.name)).toEqual(['m_0', 'm_1', 'm_10', 'm_2', 'm_3', 'm_4', 'm_5', 'm_6', 'm_7', 'm_8', 'm_9']);
    expect(ps.every((p) => p.priority === 70)).toBe(true);
  });

  it('per-process expansions reach command, directory and environment', () => {
    const ps = resolveProgram(
      {
        name: 'w',
        command: 'echo %(process_num)d/%(numprocs)d %(program_name)s %(group_name)s %(ENV_HOME)s',
        numprocs: 2,
        process_name: 'w%(process_num)d',
        directory: '/tmp/%(process_num)d',
        environment: { N: '%(process_num)d' },
      },
      'w',
      api,
    );
    expect(ps.map((p) => p.command)).toEqual(['echo 0/2 w w /home/u', 'echo 1/2 w w /home/u']);
    expect(ps.map((p) => p.directory)).toEqual(['/tmp/0', '/tmp/1']);
    expect(ps.map((p) => p.environment)).toEqual([{ N: '0' }, { N: '1' }]);
  });

  it('numprocs=0 yields no process, without error', () => {
    expect(resolveProgram({ name: 'none', command: 'x', numprocs: 0 }, 'none', api)).toEqual([]);
  });

  it('numprocs > 1 without %(process_num) in process_name is an error', () => {
    const e = configError(() => resolveProgram({ name: 'x', command: 'sleep 1', numprocs: 2 }, 'x', api));
    expect(e.message).toContain('%(process_num) must be present within process_name when numprocs > 1');
    expect(e.option).toBe('process_name');
    const f = configError(() => resolveProgram({ name: 'x', command: 'sleep 1', numprocs: 2 }, 'x', ini));
    expect(f.message).toBe("%(process_num) must be present within process_name when numprocs > 1 in section 'program:x' (file: '/etc/sv.conf')");
  });
});

describe('heterogeneous groups', () => {
  it('programs listed in a group live in it and see %(group_name)s = the group', () => {
    const g = resolveGroup(
      {
        name: 'g',
        priority: 60,
        programs: [
          { name: 'inner_a', command: 'sleep 1000', priority: 20 },
          { name: 'inner_b', command: 'sleep 1000', priority: 10 },
          { name: 'a', command: 'echo %(group_name)s %(program_name)s' },
        ],
      },
      api,
    );
    expect(g.name).toBe('g');
    expect(g.priority).toBe(60);
    // stored order: programs as listed, not sorted by priority
    expect(g.processes.map((p) => `${p.group}:${p.name}`)).toEqual(['g:inner_a', 'g:inner_b', 'g:a']);
    expect(g.processes[2]?.command).toBe('echo g a');
  });

  it('a program section is its own group with the program priority', () => {
    const g = resolveGroup({ name: 'amid', command: 'sleep 1000', priority: 50 }, api);
    expect(g).toMatchObject({ name: 'amid', priority: 50 });
    expect(g.processes.map((p) => p.name)).toEqual(['amid']);
  });

  it('a group without programs is empty, and its priority defaults to 999', () => {
    expect(resolveGroup({ name: 'empty', programs: [] }, api)).toEqual({ name: 'empty', priority: 999, processes: [] });
  });
});

describe("errors carry supervisord's texts", () => {
  const rows: [Partial<ProgramConfig>, string, string][] = [
    [{ stopsignal: 'FOO' }, 'stopsignal', "value 'FOO' is not a valid signal name"],
    [{ stopsignal: '99' }, 'stopsignal', "value '99' is not a valid signal number"],
    [{ stopsignal: 33 }, 'stopsignal', "value '33' is not a valid signal number"],
    [{ exitcodes: '0,256' }, 'exitcodes', "not a valid list of exit codes: '0,256'"],
    [{ exitcodes: '0,,1' }, 'exitcodes', "not a valid list of exit codes: '0,,1'"],
    [{ umask: '999' }, 'umask', '999 can not be converted to an octal type'],
    [{ stopasgroup: true, killasgroup: false }, 'killasgroup', 'Cannot set stopasgroup=true and killasgroup=false'],
    [{ process_name: 'my prog' }, 'process_name', "Invalid name: 'my prog' because of character: ' '"],
  ];
  for (const [over, option, text] of rows) {
    it(`${JSON.stringify(over)} -> ${text}`, () => {
      const e = configError(() => resolveProgram({ name: 'x', command: 'sleep 1', ...over }, 'x', ini));
      expect(e.message).toBe(`${text} in section 'program:x' (file: '/etc/sv.conf')`);
      expect(e.option).toBe(option);
      expect(e.section).toBe('program:x');
      expect(e.code).toBe('CANT_REREAD');
    });
  }

  it('a name with a colon or slash is invalid', () => {
    expect(configError(() => resolveProgram({ name: 'a:b', command: 'x' }, 'a:b', api)).message).toContain("Invalid name: 'a:b' because of character: ':'");
    expect(configError(() => resolveProgram({ name: 'a/b', command: 'x' }, 'a/b', api)).message).toContain("Invalid name: 'a/b' because of character: '/'");
  });

  it('a missing command', () => {
    const e = configError(() => resolveProgram({ name: 'x' } as ProgramConfig, 'x', ini));
    expect(e.message).toBe("program section program:x does not specify a command in section 'program:x' (file: '/etc/sv.conf')");
  });

  it('INI origin accepts what supervisord accepts silently: negative startsecs', () => {
    expect(resolveProgram({ name: 'x', command: 'x', startsecs: -1 }, 'x', ini)[0]?.startsecs).toBe(-1);
  });
});
