// The Prometheus text format: HELP/TYPE lines, label escaping, special values.
import { describe, expect, it } from 'vitest';
import { renderFamilies } from '../../../src/server/metrics.js';

describe('renderFamilies', () => {
  it('writes HELP and TYPE, then one sample per line with escaped label values', () => {
    const text = renderFamilies([
      { name: 'x_total', type: 'counter', help: 'Things.\nCounted \\ here.', samples: [[{ name: 'a"b', group: 'c\\d\ne' }, 3]] },
      {
        name: 'y',
        type: 'gauge',
        help: 'Y.',
        samples: [
          [{}, Infinity],
          [{ k: 'v' }, NaN],
          [{ k: 'w' }, -Infinity],
          [{ k: 'z' }, 0.25],
        ],
      },
    ]);
    expect(text).toBe(
      [
        '# HELP x_total Things.\\nCounted \\\\ here.',
        '# TYPE x_total counter',
        'x_total{name="a\\"b",group="c\\\\d\\ne"} 3',
        '# HELP y Y.',
        '# TYPE y gauge',
        'y +Inf',
        'y{k="v"} NaN',
        'y{k="w"} -Inf',
        'y{k="z"} 0.25',
        '',
      ].join('\n'),
    );
  });
});
