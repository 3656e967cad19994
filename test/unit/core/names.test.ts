// Namespecs: `name`, `group:process`, `group:*` / `group:`.
import { describe, expect, it } from 'vitest';
import { makeNamespec, parseNamespec } from '../../../src/supervisor/names.js';

describe('parseNamespec', () => {
  const rows: [string, { group: string; process: string | null }][] = [
    ['a', { group: 'a', process: 'a' }],
    ['grp:inner_a', { group: 'grp', process: 'inner_a' }],
    ['w:*', { group: 'w', process: null }],
    ['w:', { group: 'w', process: null }],
    ['m:m_10', { group: 'm', process: 'm_10' }],
    // a plain numprocs group name means group w, process w (which does not exist -> BAD_NAME later)
    ['w', { group: 'w', process: 'w' }],
  ];
  for (const [spec, want] of rows) it(`'${spec}'`, () => expect(parseNamespec(spec)).toEqual(want));
});

describe('makeNamespec', () => {
  it('is the bare name when group and process agree, else group:process', () => {
    expect(makeNamespec('a', 'a')).toBe('a');
    expect(makeNamespec('grp', 'inner_a')).toBe('grp:inner_a');
    expect(makeNamespec('x', 'x_08')).toBe('x:x_08');
  });
  it('round-trips through parseNamespec', () => {
    for (const [g, p] of [
      ['a', 'a'],
      ['g', 'p'],
    ] as const) {
      expect(parseNamespec(makeNamespec(g, p))).toEqual({ group: g, process: p });
    }
  });
});
