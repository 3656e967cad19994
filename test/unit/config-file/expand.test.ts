// supervisord's %-expansion (Python's `str % dict` plus supervisord's error texts), table-driven:
// tables/expand.json holds format strings and what supervisor.options.expand() returned.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expand, mergeExpansions, percentFormat } from '../../../src/dialect/expand.js';

interface Table {
  names: Record<string, string | number>;
  cases: Array<[string, { ok?: string; err?: string }]>;
}
const TABLE = JSON.parse(readFileSync(new URL('./tables/expand.json', import.meta.url), 'utf8')) as Table;

function outcome(format: string): { ok?: string; err?: string } {
  try {
    return { ok: expand(format, TABLE.names, 'program:x.command') };
  } catch (e) {
    return { err: (e as Error).message };
  }
}

describe('expand matches supervisord 4.2.5 (tables/expand.json)', () => {
  it.each(TABLE.cases)('%j', (format, expected) => {
    expect(outcome(format)).toEqual(expected);
  });
});

describe('expand: %(name)s expansion and its tricky cases', () => {
  const names = { program_name: 'a', process_num: 0, here: '/etc' };

  it('%% is a literal %; %(process_num)02d pads', () => {
    expect(percentFormat('echo 100%%', names)).toBe('echo 100%');
    expect(percentFormat('printf "%%s|%%d\\n" %(program_name)s %(process_num)d', names)).toBe('printf "%s|%d\\n" a 0');
    expect(percentFormat('%(program_name)s_%(process_num)02d', { ...names, process_num: 8 })).toBe('a_08');
  });

  it('date +%Y is badly formatted; the message names the option', () => {
    expect(() => expand('date +%Y', names, 'program:a.command')).toThrow(
      "Format string 'date +%Y' for 'program:a.command' is badly formatted: unsupported format character 'Y' (0x59) at index 7",
    );
  });

  it('an unknown name lists every available name, sorted', () => {
    expect(() => expand('%(nope)s', names, 'program:a.command')).toThrow(
      "Format string '%(nope)s' for 'program:a.command' contains names ('nope') which cannot be expanded. Available names: here, process_num, program_name",
    );
  });

  it('a lone %s pastes the whole dictionary (supervisord quirk, reproduced)', () => {
    expect(percentFormat('date +%s', { here: '/etc', process_num: 1 })).toBe("date +{'here': '/etc', 'process_num': 1}");
  });

  // Python 3.11's own answers (`t % {'a': v, 'b': 'B'}`): the fast path for %(name)s and
  // %(name)0Nd must agree with them, signs and padding included.
  const PYTHON_D: Array<[string, number, string]> = [
    ['%(a)d', 0, '0'],
    ['%(a)d', -5, '-5'],
    ['%(a)d', 42, '42'],
    ['%(a)d', -123456, '-123456'],
    ['%(a)02d', 0, '00'],
    ['%(a)02d', -5, '-5'],
    ['%(a)02d', 42, '42'],
    ['%(a)02d', -123456, '-123456'],
    ['%(a)5d', 0, '    0'],
    ['%(a)5d', -5, '   -5'],
    ['%(a)5d', 42, '   42'],
    ['%(a)5d', -123456, '-123456'],
    ['%(a)05d', 0, '00000'],
    ['%(a)05d', -5, '-0005'],
    ['%(a)05d', 42, '00042'],
    ['%(a)05d', -123456, '-123456'],
    ['%(a)0d', 0, '0'],
    ['%(a)0d', -5, '-5'],
    ['%(a)0d', 42, '42'],
    ['%(a)0d', -123456, '-123456'],
    ['x%(a)3d-%(b)s%%', 0, 'x  0-B%'],
    ['x%(a)3d-%(b)s%%', -5, 'x -5-B%'],
    ['x%(a)3d-%(b)s%%', 42, 'x 42-B%'],
    ['x%(a)3d-%(b)s%%', -123456, 'x-123456-B%'],
    ['%(a)1d', 0, '0'],
    ['%(a)1d', -5, '-5'],
    ['%(a)1d', 42, '42'],
    ['%(a)1d', -123456, '-123456'],
    ['%(a)09d', 0, '000000000'],
    ['%(a)09d', -5, '-00000005'],
    ['%(a)09d', 42, '000000042'],
    ['%(a)09d', -123456, '-00123456'],
  ];
  it.each(PYTHON_D)('%s with a=%d is %j, as in Python', (template, a, want) => {
    expect(percentFormat(template, { a, b: 'B' })).toBe(want);
  });

  it('merged dictionaries: later layers win, keys keep their first position, errors list all names', () => {
    const merged = mergeExpansions({ ENV_A: 'env', x: 1 }, { x: 2, y: 'y' }, { ENV_A: 'own' });
    expect(percentFormat('%(ENV_A)s %(x)d %(y)s', merged)).toBe('own 2 y');
    expect(percentFormat('%s', merged)).toBe("{'ENV_A': 'own', 'x': 2, 'y': 'y'}");
    expect(() => expand('%(z)s', merged, 'w')).toThrow('Available names: ENV_A, x, y');
  });

  it('text without % is returned as is', () => {
    expect(percentFormat('no percent here', {})).toBe('no percent here');
  });
});
