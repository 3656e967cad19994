// supervisord's %-expansion (Python's `str % dict` plus supervisord's error texts), table-driven:
// tables/expand.json holds format strings and what supervisor.options.expand() returned.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expand, percentFormat } from '../../../src/compat/expand.js';

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

describe('expand: SUPERVISORD.md §2.3 and §4.6', () => {
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

  it('text without % is returned as is', () => {
    expect(percentFormat('no percent here', {})).toBe('no percent here');
  });
});
