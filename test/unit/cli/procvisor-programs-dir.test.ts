// `procvisor --programs-dir DIR`: the JSON API's programs kept as files in DIR (an absolute path).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../../src/cli/procvisor.js';

describe('procvisor --programs-dir', () => {
  it('takes a directory, made absolute; supervisord flags still parse beside it', () => {
    expect(parseArgs(['-c', 'x.conf', '--programs-dir', 'programs.d'])).toMatchObject({
      configuration: 'x.conf',
      programsDir: resolve('programs.d'),
      overrides: {},
    });
    expect(parseArgs(['--programs-dir=/srv/p', '-n']).programsDir).toBe('/srv/p');
    expect(parseArgs(['-n']).programsDir).toBeUndefined();
  });

  it('needs its argument', () => {
    expect(() => parseArgs(['--programs-dir'])).toThrow(UsageError);
  });
});
