// toSupervisordConf: every fixture round-trips (parse → emit → parse gives the same configuration,
// option by option), and configurations built in code with awkward values come back with the same
// meaning (same processes, commands, environments).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { parseSupervisordConfig, type ReadConfigResult } from '../../../src/config-file/config-file.js';
import { environmentText, quoteWord, toSupervisordConf } from '../../../src/config-file/emit.js';
import { splitCommand } from '../../../src/supervisor/command.js';
import { type GroupConfig, type ProgramConfig, resolveGroup } from '../../../src/supervisor/config.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/conf');
const ENV = { HOME: '/root', PATH: '/usr/bin:/bin', LC_CTYPE: 'C.UTF-8', PV_FIXTURE: 'fixture-value', PV_NUMBER: '12' };
// Every fixture supervisord accepts (error-* fixtures are read errors by design).
const FILES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.conf') && !f.startsWith('error-'))
  .map((f) => f.slice(0, -'.conf'.length));

function readFixture(name: string): ReadConfigResult {
  const file = join(FIXTURES, `${name}.conf`);
  return parseSupervisordConfig(`${readFileSync(file, 'utf8')}\n[supervisord]\n`, { file, env: ENV });
}

function reparse(text: string): ReadConfigResult {
  return parseSupervisordConfig(text, { file: join(FIXTURES, 'emitted.conf'), env: ENV });
}

const configOf = (c: ReadConfigResult) => ({
  supervisord: c.supervisord,
  groups: c.groups,
  unix_http_server: c.unix_http_server,
  inet_http_server: c.inet_http_server,
  supervisorctl: c.supervisorctl,
  rpcinterface: c.rpcinterface,
});

describe('every fixture round-trips: parse(emit(c)) equals c', () => {
  it.each(FILES)('%s', (name) => {
    const first = readFixture(name);
    const second = reparse(toSupervisordConf(first));
    expect(configOf(second)).toEqual(configOf(first));
    expect(second.specs).toEqual(first.specs);
    // Warnings come in section order, and emit writes sections in group order.
    expect([...second.warnings].sort()).toEqual(first.warnings.filter((w) => !w.startsWith('No file matches via include')).sort());
  });
});

describe('configurations built in code', () => {
  const here = FIXTURES;
  const ctx = { origin: 'ini' as const, env: ENV, here };
  const roundTrip = (groups: Array<ProgramConfig | GroupConfig>) => reparse(toSupervisordConf({ groups }));

  it('argv commands are quoted for supervisord’s POSIX splitting, even with ; # and newlines', () => {
    const argv = ['printf', '%%s\\n', "it's", 'a ;b', 'x #y', 'tab\t;z', '', 'line1\n  line2 ', ' lead', 'trail '];
    const c = roundTrip([{ name: 'q', command: argv, autostart: false }]);
    const expected = argv.map((w) => w.replace(/%%/g, '%'));
    expect(splitCommand(c.specs[0]?.processes[0]?.command as string)).toEqual(expected);
  });

  it('values the INI reader would cut or strip keep their meaning', () => {
    const p: ProgramConfig = {
      name: 'odd',
      command: 'echo  a ;b #c\n  indented\n;semi',
      directory: '/tmp/ x',
      environment: 'A="x ;y",B="z #w"',
      serverurl: 'http://h:1/ ;x',
      autostart: false,
    };
    const c = roundTrip([p]);
    const want = resolveGroup(p, ctx).processes;
    expect(c.specs[0]?.processes).toEqual(want);
  });

  it('a value the reader returns unchanged is written unchanged (also the quirky comment scan)', () => {
    const c = roundTrip([{ name: 'r', command: 'echo a;b ;c', autostart: false }]);
    expect(c.groups[0]).toMatchObject({ command: 'echo a;b ;c' });
    expect(toSupervisordConf({ groups: [{ name: 'r', command: 'echo a;b ;c' }] })).toContain('command=echo a;b ;c #');
  });

  it('environment objects become supervisord 4.2.5 syntax', () => {
    expect(environmentText({ A: 'x,y', B: "it's", C: '' }, 'test')).toBe(`A="x,y",B="it's",C=""`);
    const c = roundTrip([{ name: 'e', command: 'true', environment: { A: 'x,y', B: 'say "hi" now', PATH: '/usr/bin:/bin' } }]);
    expect(c.specs[0]?.processes[0]?.environment).toEqual({ A: 'x,y', B: 'say "hi" now', PATH: '/usr/bin:/bin' });
  });

  it('groups keep their program order and priority', () => {
    const c = roundTrip([
      {
        name: 'g',
        priority: 5,
        programs: [
          { name: 'b', command: 'x' },
          { name: 'a', command: 'y' },
        ],
      },
      { name: 'solo', command: 'z', priority: 1 },
    ]);
    expect(c.specs.map((g) => [g.name, g.priority, g.processes.map((p) => p.name)])).toEqual([
      ['solo', 1, ['solo']],
      ['g', 5, ['b', 'a']],
    ]);
  });

  it('refuses what supervisord cannot spell', () => {
    const refuse = (groups: Array<ProgramConfig | GroupConfig>) => expect(() => toSupervisordConf({ groups })).toThrow(ConfigError);
    refuse([{ name: 'f', command: 'x', startsecs: 0.5 }]);
    refuse([{ name: 'e', command: 'x', environment: { A: `both ' and "` } }]);
    refuse([{ name: 'e', command: 'x', environment: { A: '"edge' } }]);
    refuse([{ name: 'e', command: 'x', environment: { 'A B': 'v' } }]);
    refuse([{ name: 'c', command: 'x\ry' }]);
    refuse([{ name: 'g', programs: [{ name: 'a,b', command: 'x' }] }]);
  });

  it('quoteWord leaves plain words alone', () => {
    expect(['sleep', '1000', '--opt=a,b', '/usr/bin/x', '%(program_name)s'].map(quoteWord)).toEqual([
      'sleep',
      '1000',
      '--opt=a,b',
      '/usr/bin/x',
      '%(program_name)s',
    ]);
    expect(quoteWord("it's")).toBe(`'it'\\''s'`);
  });
});

describe('property: whatever emit writes reads back with the same meaning', () => {
  const text = fc
    .array(fc.constantFrom('a', 'b', ' ', '  ', '\t', ';', '#', '\n', '%%', '%(program_name)s', '"', "'", '=', ',', '[x]', ':', '\\', 'é', '\u00a0'), {
      maxLength: 12,
    })
    .map((parts) => parts.join(''));
  const word = fc.array(fc.constantFrom('a', 'Z', '_', '1'), { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
  const program = fc.record(
    {
      command: fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 4 })),
      directory: text,
      environment: fc.dictionary(word, text, { maxKeys: 3 }),
      serverurl: text,
      priority: fc.integer({ min: -5, max: 2000 }),
      autostart: fc.boolean(),
      stopsignal: fc.constantFrom('TERM', 'INT', 9),
      exitcodes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 }),
    },
    { requiredKeys: ['command'] },
  );

  it('parse(emit(c)) resolves to the same processes as c (or emit refuses with a ConfigError)', () => {
    let written = 0;
    fc.assert(
      fc.property(program, (fields) => {
        const cfg = { name: 'p', ...fields } as ProgramConfig;
        let conf: string;
        try {
          conf = toSupervisordConf({ groups: [cfg] });
        } catch (e) {
          if (e instanceof ConfigError) return;
          throw e;
        }
        written++;
        const back = reparse(conf).specs[0]?.processes;
        const want = resolveGroup(cfg, { origin: 'ini', env: ENV, here: FIXTURES }).processes.map((p) => ({
          ...p,
          command: typeof p.command === 'string' ? p.command : p.command,
        }));
        expect(back?.map((p) => ({ ...p, command: Array.isArray(want[0]?.command) ? splitCommand(p.command as string) : p.command }))).toEqual(want);
      }),
      { numRuns: 300, seed: 4242 },
    );
    expect(written).toBeGreaterThan(150);
  });
});
