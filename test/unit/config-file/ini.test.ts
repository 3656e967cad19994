// The INI reader (Python 3.11 RawConfigParser as supervisord configures it), table-driven:
// tables/ini.json holds texts and what supervisord's UnhosedConfigParser read from them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { expandHere, getIniEntry, inlineCommentStart, parseIni, splitIniLines } from '../../../src/dialect/ini.js';

type Parsed = { defaults: Record<string, string>; sections: Record<string, Record<string, string>> };
const TABLE = JSON.parse(readFileSync(new URL('./tables/ini.json', import.meta.url), 'utf8')) as Array<[string, { ok?: Parsed; err?: string }]>;

function outcome(text: string): { ok?: Parsed; err?: string } {
  try {
    const doc = parseIni(text, '<test>');
    const values = (m: Map<string, { value: string }>) => Object.fromEntries([...m].map(([k, e]) => [k, e.value]));
    return { ok: { defaults: values(doc.defaults), sections: Object.fromEntries([...doc.sections].map(([n, s]) => [n, values(s)])) } };
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return { err: (e as Error).message };
  }
}

describe('parseIni matches supervisord 4.2.5 (tables/ini.json)', () => {
  it.each(TABLE)('%j', (text, expected) => {
    expect(outcome(text)).toEqual(expected);
  });
});

describe("parseIni: the 4.2.5 reader's grammar", () => {
  const value = (text: string, key = 'command') => getIniEntry(parseIni(`[program:a]\n${text}\n`, 'f'), 'program:a', key)?.value;

  it.each<[string, string, string?]>([
    ["command=bash -c 'foo ; bar'", "bash -c 'foo"],
    ['command=echo alpha ; beta', 'echo alpha'],
    ['command=echo gamma # delta', 'echo gamma'],
    ['command=echo x;y#z', 'echo x;y#z'],
    ['command=echo 100%%', 'echo 100%%'],
    ['command: sleep 1', 'sleep 1'],
    ['command: echo a=b', 'echo a=b'],
    ['command=sleep\n  1000', 'sleep\n1000'],
    ['command=echo\n  one\n# c\n  two', 'echo\none\ntwo'],
    ['COMMAND=sleep 2', 'sleep 2'],
    ['environment=A="x #y"', 'A="x', 'environment'],
  ])('tricky value %j', (text, expected, key) => {
    expect(value(text, key)).toBe(expected);
  });

  it('keeps the line (and file) of every key; continuation lines belong to the key line', () => {
    const doc = parseIni('; c\n[program:a]\ncommand=sleep\n  1000\nautostart=false\n', '/etc/x.conf');
    expect(getIniEntry(doc, 'program:a', 'command')).toEqual({ value: 'sleep\n1000', file: '/etc/x.conf', line: 3 });
    expect(getIniEntry(doc, 'program:a', 'autostart')).toMatchObject({ line: 5 });
    expect(doc.headers.get('program:a')).toEqual({ file: '/etc/x.conf', line: 2 });
  });

  it('a syntax error reports every bad line; the error carries the first line number', () => {
    let error: ConfigError | undefined;
    try {
      parseIni('[program:x]\ncommand=sleep 1\n\n\nbroken line\n', '/etc/sv.conf');
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.message).toBe("Source contains parsing errors: '/etc/sv.conf'\n\t[line  5]: 'broken line\\n'");
    expect(error).toMatchObject({ file: '/etc/sv.conf', line: 5, code: 'CANT_REREAD' });
  });

  it("Python's inline-comment scan goes round by round over ';' and '#'", () => {
    expect(inlineCommentStart('k=a;b ;c #d\n')).toBe(9);
    expect(inlineCommentStart('k=v;x\n')).toBe(-1);
    expect(inlineCommentStart(';x')).toBe(0);
  });

  it('lines end at \\n, \\r\\n or \\r, as Python reads text files', () => {
    expect(splitIniLines('a\r\nb\rc\nd')).toEqual(['a\n', 'b\n', 'c\n', 'd']);
  });

  it('expand_here copies [DEFAULT] values with %(here)s into each section', () => {
    const doc = parseIni('[DEFAULT]\nd=%(here)s/x\n[a]\nk=%(here)s\n', 'f');
    expandHere(doc, '/srv');
    expect(getIniEntry(doc, 'a', 'k')?.value).toBe('/srv');
    expect(getIniEntry(doc, 'a', 'd')?.value).toBe('/srv/x');
    expect(doc.defaults.get('d')?.value).toBe('%(here)s/x');
  });
});
