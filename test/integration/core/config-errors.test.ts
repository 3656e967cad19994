// Bad configuration objects given to addProcessGroup: a
// ConfigError that names the option and the value, thrown before anything starts, with the
// manager left exactly as it was.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import type { GroupConfig, ProgramConfig } from '../../../src/index.js';
import { fakeTimeManager, SH } from '../../helpers/conformance.js';

type AnyConfig = ProgramConfig | GroupConfig;
const prog = (over: Record<string, unknown>): AnyConfig => ({ name: 'x', command: SH.sleep, ...over });

// [title, config, option named, texts the message must contain]
const CASES: [string, AnyConfig, string, string[]][] = [
  // unknown option names
  ['unknown option', prog({ startsec: 1 }), 'startsec', ['startsec']],
  ['unknown option (case matters)', prog({ autoStart: false }), 'autoStart', ['autoStart']],
  ['unknown group option', { name: 'g', programs: [], prio: 5 } as unknown as AnyConfig, 'prio', ['prio']],
  ['unknown option of a program in a group', { name: 'g', programs: [prog({ stopwait: 3 })] } as unknown as AnyConfig, 'stopwait', ['stopwait']],
  // wrong types
  ['startsecs as a string', prog({ startsecs: '1' }), 'startsecs', ['startsecs', '1']],
  ['stopwaitsecs NaN', prog({ stopwaitsecs: Number.NaN }), 'stopwaitsecs', ['stopwaitsecs', 'NaN']],
  ['autostart as a string', prog({ autostart: 'yes' }), 'autostart', ['autostart', 'yes']],
  ['stopasgroup as a number', prog({ stopasgroup: 1 }), 'stopasgroup', ['stopasgroup', '1']],
  ['numprocs fractional', prog({ numprocs: 1.5, process_name: 'x%(process_num)d' }), 'numprocs', ['numprocs', '1.5']],
  ['startretries fractional', prog({ startretries: 2.5 }), 'startretries', ['startretries', '2.5']],
  ['priority as a string', prog({ priority: 'high' }), 'priority', ['priority', 'high']],
  ['command as a number', prog({ command: 42 }), 'command', ['command', '42']],
  ['command array with a number', prog({ command: ['sleep', 5] }), 'command', ['command']],
  ['environment value not a string', prog({ environment: { A: 1 } }), 'environment', ['environment']],
  ['autorestart not a mode', prog({ autorestart: 'sometimes' }), 'autorestart', ['autorestart', 'sometimes']],
  ['exitcodes not codes', prog({ exitcodes: 'x' }), 'exitcodes', ['exitcodes', "'x'"]],
  ['exitcodes out of range', prog({ exitcodes: [0, 256] }), 'exitcodes', ['exitcodes', '256']],
  ['exitcodes text out of range', prog({ exitcodes: '0,256' }), 'exitcodes', ["not a valid list of exit codes: '0,256'"]],
  ['umask not octal', prog({ umask: '999' }), 'umask', ['999 can not be converted to an octal type']],
  ['process_name not a string', prog({ process_name: 5 }), 'process_name', ['process_name', '5']],
  ['name not a string', { name: 5, command: SH.sleep } as unknown as AnyConfig, 'name', ['name', '5']],
  // numprocs without %(process_num)
  ['numprocs > 1 without %(process_num)', prog({ numprocs: 2 }), 'process_name', ['%(process_num) must be present within process_name when numprocs > 1']],
  // signals
  ['stopsignal name', prog({ stopsignal: 'FOO' }), 'stopsignal', ["value 'FOO' is not a valid signal name"]],
  ['stopsignal SIG-prefixed unknown name', prog({ stopsignal: 'SIGFOO' }), 'stopsignal', ['SIGFOO']],
  ['stopsignal number', prog({ stopsignal: 99 }), 'stopsignal', ["value '99' is not a valid signal number"]],
  ['stopsignal numeric string', prog({ stopsignal: '33' }), 'stopsignal', ["value '33' is not a valid signal number"]],
  // negative numbers
  ['negative startsecs', prog({ startsecs: -1 }), 'startsecs', ['startsecs', '-1']],
  ['negative stopwaitsecs', prog({ stopwaitsecs: -0.5 }), 'stopwaitsecs', ['stopwaitsecs', '-0.5']],
  ['negative startretries', prog({ startretries: -1 }), 'startretries', ['startretries', '-1']],
  ['negative numprocs', prog({ numprocs: -1 }), 'numprocs', ['numprocs', '-1']],
  ['negative numprocs_start', prog({ numprocs_start: -3 }), 'numprocs_start', ['numprocs_start', '-3']],
  ['negative stdout_logfile_backups', prog({ stdout_logfile_backups: -1 }), 'stdout_logfile_backups', ['stdout_logfile_backups', '-1']],
  ['negative stderr_logfile_maxbytes', prog({ stderr_logfile_maxbytes: -1 }), 'stderr_logfile_maxbytes', ['stderr_logfile_maxbytes', '-1']],
  // supervisord's own checks
  ['missing command', { name: 'x' } as unknown as AnyConfig, 'command', ['program section program:x does not specify a command']],
  ['stopasgroup without killasgroup', prog({ stopasgroup: true, killasgroup: false }), 'killasgroup', ['Cannot set stopasgroup=true and killasgroup=false']],
  ['invalid program name', { name: 'my prog', command: SH.sleep }, 'name', ["Invalid name: 'my prog' because of character: ' '"]],
  ['invalid process_name', prog({ process_name: 'a:b' }), 'process_name', ["Invalid name: 'a:b' because of character: ':'"]],
  ['unknown user', prog({ user: 'nosuchuser-xyz' }), 'user', ['Invalid user name nosuchuser-xyz']],
  ['invalid group name', { name: 'my group', programs: [] }, 'name', ["Invalid name: 'my group' because of character: ' '"]],
  ['group priority not an integer', { name: 'g', programs: [], priority: 1.5 }, 'priority', ['priority', '1.5']],
  ['group programs not an array', { name: 'g', programs: 'a,b' } as unknown as AnyConfig, 'programs', ['programs']],
  [
    'a second program in a group is bad',
    { name: 'g', programs: [{ name: 'good', command: SH.sleep }, prog({ name: 'bad', startsecs: -1 })] } as unknown as AnyConfig,
    'startsecs',
    ['startsecs', '-1'],
  ],
  [
    'two processes with the same name in a group',
    {
      name: 'g',
      programs: [
        { name: 'a', command: SH.sleep },
        { name: 'a', command: SH.sleep },
      ],
    },
    'process_name',
    ["'a'"],
  ],
];

describe('addProcessGroup rejects bad configuration', () => {
  for (const [title, config, option, texts] of CASES) {
    it(`${title} -> ConfigError naming '${option}', manager unchanged`, async () => {
      const { clock, pm, events } = fakeTimeManager();
      const groupEvents: string[] = [];
      pm.on('processGroupAdded', (g) => groupEvents.push(`+${g}`));
      pm.on('processGroupRemoved', (g) => groupEvents.push(`-${g}`));
      pm.addProcessGroup({ name: 'keep', command: SH.sleep });
      await pm.start();
      const before = JSON.stringify(pm.getAllProcessInfo());
      const eventsBefore = events.length;

      let error: unknown;
      try {
        pm.addProcessGroup(config);
      } catch (e) {
        error = e;
      }
      expect(error, 'addProcessGroup should throw').toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(e.option).toBe(option);
      for (const text of texts) expect(e.message).toContain(text);

      clock.flush();
      expect(events.length).toBe(eventsBefore);
      expect(groupEvents).toEqual(['+keep']);
      expect(JSON.stringify(pm.getAllProcessInfo())).toBe(before);
      // the same name can still be added correctly afterwards
      const name = typeof config.name === 'string' && !/[\s:/]/.test(config.name) ? config.name : 'x';
      pm.addProcessGroup({ name, command: SH.sleep, autostart: false });
      expect(pm.getAllProcessInfo().map((p) => p.group)).toEqual(['keep', name].sort());
    });
  }

  it('accepts what is legal: negative priority, zero numprocs, empty exitcodes, zero startsecs and startretries', async () => {
    const { pm } = fakeTimeManager();
    pm.addProcessGroup({ name: 'neg', command: SH.sleep, priority: -5, autostart: false });
    pm.addProcessGroup({ name: 'none', command: SH.sleep, numprocs: 0 });
    pm.addProcessGroup({ name: 'strict', command: SH.sleep, exitcodes: [], startsecs: 0, startretries: 0, autostart: false });
    pm.addProcessGroup({ name: 'empty', programs: [] });
    expect(pm.getAllProcessInfo().map((p) => p.name)).toEqual(['neg', 'strict']);
  });

  it('a non-object configuration is a ConfigError', () => {
    const { pm } = fakeTimeManager();
    expect(() => pm.addProcessGroup(null as unknown as ProgramConfig)).toThrow(ConfigError);
    // A string names a group of the last configuration file read (supervisord's addProcessGroup).
    expect(() => pm.addProcessGroup('x')).toThrow(expect.objectContaining({ code: 'BAD_NAME' }));
    expect(pm.getAllProcessInfo()).toEqual([]);
  });
});
