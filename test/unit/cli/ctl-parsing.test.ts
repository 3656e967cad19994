import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CtlConfigError, expandPercent, parseIni, readCtlConfig } from '../../../src/cli/ctl-config.js';
import { parseLine, splitArgs } from '../../../src/cli/ctl-controller.js';
import { getopt, realizeOptions, UsageError, HelpRequested } from '../../../src/cli/ctl-options.js';
import { ljust, pyRepr } from '../../../src/cli/ctl-python.js';
import { makeNamespec, splitNamespec } from '../../../src/cli/ctl-rpc.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ctl-parsing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConf(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const ctx = { env: { HOME: '/home/u', USER: 'u' }, cwd: dir, progname: '/usr/bin/procvisorctl', searchPaths: [] };

describe('parseLine (Python cmd.Cmd)', () => {
  it.each([
    ['status', 'status', ''],
    ['  start  a b  ', 'start', 'a b'],
    ['start-x', 'start', '-x'],
    ['status;', 'status', ';'],
    ['?start', 'help', 'start'],
    ['?', 'help', ''],
    ['ÿ', '', 'ÿ'],
  ])('%j', (input, cmd, arg) => {
    expect(parseLine(input)).toMatchObject({ cmd, arg });
  });

  it('has no command for empty lines and shell escapes', () => {
    expect(parseLine('   ')).toEqual({ cmd: null, arg: null, line: '' });
    expect(parseLine('!ls')).toEqual({ cmd: null, arg: null, line: '!ls' });
  });

  it('splits arguments on any whitespace', () => {
    expect(splitArgs(' a\tb  c ')).toEqual(['a', 'b', 'c']);
    expect(splitArgs('')).toEqual([]);
  });
});

describe('namespecs', () => {
  it('split and make them as supervisord does', () => {
    expect(splitNamespec('a')).toEqual(['a', 'a']);
    expect(splitNamespec('g:p')).toEqual(['g', 'p']);
    expect(splitNamespec('g:*')).toEqual(['g', null]);
    expect(splitNamespec('g:')).toEqual(['g', null]);
    expect(splitNamespec('g:p:q')).toEqual(['g', 'p:q']);
    expect(makeNamespec('a', 'a')).toBe('a');
    expect(makeNamespec('w', 'w0')).toBe('w:w0');
    expect(makeNamespec('w', null)).toBe('w:None');
  });
});

describe('Python text', () => {
  it.each([
    ['abc', "'abc'"],
    ["it's", '"it\'s"'],
    ['both \' and "', "'both \\' and \"'"],
    ['a\nb\tc\\', "'a\\nb\\tc\\\\'"],
    ['\u0001\u007f', "'\\x01\\x7f'"],
    ['héllo ✓', "'héllo ✓'"],
    ['\u200b', "'\\u200b'"],
  ])('repr(%j)', (s, expected) => {
    expect(pyRepr(s)).toBe(expected);
  });

  it('ljust pads by code points', () => {
    expect(ljust('ab', 4)).toBe('ab  ');
    expect(ljust('🎉', 3)).toBe('🎉  ');
    expect(ljust('abcdef', 3)).toBe('abcdef');
  });
});

describe('getopt (Python getopt.getopt)', () => {
  it('stops at the first non-option', () => {
    expect(getopt(['-c', 'f', 'status', '-c', 'x'])).toEqual({ opts: [['-c', 'f']], args: ['status', '-c', 'x'] });
  });

  it('accepts clustered and attached short options, long prefixes and --', () => {
    expect(getopt(['-icf', '--serv=u:x', '--user', 'bob', '--', '-s'])).toEqual({
      opts: [
        ['-i', ''],
        ['-c', 'f'],
        ['--serverurl', 'u:x'],
        ['--username', 'bob'],
      ],
      args: ['-s'],
    });
  });

  it.each([
    [['-x'], 'option -x not recognized'],
    [['-c'], 'option -c requires argument'],
    [['--nope'], 'option --nope not recognized'],
    [['--help=1'], 'option --help must not have an argument'],
    [['--serverurl'], 'option --serverurl requires argument'],
  ])('%j → %s', (argv, message) => {
    expect(() => getopt(argv)).toThrow(new UsageError(message));
  });
});

describe('realizeOptions', () => {
  it('uses http://localhost:9001 without a config file', () => {
    expect(realizeOptions(['status'], ctx)).toMatchObject({
      configfile: undefined,
      serverurl: 'http://localhost:9001',
      prompt: 'supervisor',
      interactive: false,
      args: ['status'],
    });
  });

  it('reads [supervisorctl], expanding %(here)s and %(ENV_X)s, normalizing unix paths', () => {
    const file = writeConf(
      'a.conf',
      '[supervisorctl]\nserverurl = unix://%(here)s/../x/./s.sock ; comment\nusername=%(ENV_USER)s\npassword = p#not-a-comment\nprompt: hi\n',
    );
    expect(realizeOptions(['-c', file, 'status'], ctx)).toMatchObject({
      serverurl: `unix://${path.resolve(dir, '../x/s.sock')}`,
      username: 'u',
      password: 'p#not-a-comment',
      prompt: 'hi',
    });
  });

  it('lets the command line win over the file', () => {
    const file = writeConf('b.conf', '[supervisorctl]\nserverurl=http://a:1\nusername=x\npassword=y\n');
    expect(realizeOptions(['-c', file, '-s', 'http://b:2', '-u', 'bob', 'status'], ctx)).toMatchObject({
      serverurl: 'http://b:2',
      username: 'bob',
      password: 'y',
    });
  });

  it('does not derive serverurl from [unix_http_server] (supervisorctl 4.2.5 does not either)', () => {
    const file = writeConf('c.conf', '[unix_http_server]\nfile=/tmp/x.sock\n[supervisorctl]\n');
    expect(realizeOptions(['-c', file, 'status'], ctx).serverurl).toBe('http://localhost:9001');
  });

  it('searches the default paths when -c is not given', () => {
    const file = writeConf('found.conf', '[supervisorctl]\nserverurl=unix:///found.sock\n');
    expect(realizeOptions(['status'], { ...ctx, searchPaths: ['missing.conf', file] })).toMatchObject({
      configfile: file,
      serverurl: 'unix:///found.sock',
    });
  });

  it('is interactive without a command', () => {
    expect(realizeOptions([], ctx).interactive).toBe(true);
    expect(realizeOptions(['-i', 'status'], ctx).interactive).toBe(true);
  });

  it.each([
    [['-s', 'foo', 'status'], "invalid value for -s 'foo': value 'foo' is not a URL"],
    [['-s', 'http://', 'status'], "invalid value for -s 'http://': value 'http://' is not a URL"],
    [['-s', 'unix:///a', '-s', 'unix:///b', 'status'], "conflicting command line option '-s'"],
    [['-c', '/nonexistent.conf', 'status'], 'could not find config file /nonexistent.conf'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => realizeOptions(argv, ctx)).toThrow(new UsageError(message));
  });

  it('refuses a file without [supervisorctl]', () => {
    const file = writeConf('d.conf', '[supervisord]\n');
    expect(() => realizeOptions(['-c', file, 'status'], ctx)).toThrow(new UsageError('.ini file does not include supervisorctl section'));
  });

  it('answers -h and -? with the help request', () => {
    expect(() => realizeOptions(['-h'], ctx)).toThrow(HelpRequested);
    expect(() => realizeOptions(['-?', 'status'], ctx)).toThrow(HelpRequested);
  });
});

describe('parseIni (RawConfigParser rules)', () => {
  it('merges repeated sections, continues indented lines, applies DEFAULT, lower-cases keys', () => {
    const ini = parseIni('[DEFAULT]\nprompt=d\n[s]\nKey = a\n  b\n\n  c\n[s]\nother: 1 ;c\n# comment\n; comment\n');
    expect(Object.fromEntries(ini.get('s')!)).toEqual({ key: ['a', 'b', '', 'c'], other: ['1'] });
    expect(ini.get('DEFAULT')!.get('prompt')).toEqual(['d']);
  });

  it('rejects text before the first section and lines without a delimiter', () => {
    expect(() => parseIni('x=1\n')).toThrow(CtlConfigError);
    expect(() => parseIni('[s]\njunk\n')).toThrow(CtlConfigError);
  });

  it('keeps a value that contains ; or # without whitespace before it', () => {
    const file = writeConf('e.conf', '[supervisorctl]\npassword=a;b#c\n');
    expect(readCtlConfig(file, { env: {}, cwd: dir }).password).toBe('a;b#c');
  });
});

describe('expandPercent (Python % with a mapping)', () => {
  it('expands names and %%', () => {
    expect(expandPercent('%(a)s/%(b)s 100%%', { a: 'x', b: 'y' }, 'k')).toBe('x/y 100%');
  });

  it("reports unknown names and bad formats with supervisord's messages", () => {
    expect(() => expandPercent('%(nope)s', { b: '1', a: '2' }, 'supervisorctl.serverurl')).toThrow(
      "Format string '%(nope)s' for 'supervisorctl.serverurl' contains names ('nope') which cannot be expanded. Available names: a, b",
    );
    expect(() => expandPercent('50%', {}, 'k')).toThrow("Format string '50%' for 'k' is badly formatted: incomplete format");
  });
});
