// The `logging` extension: validation with errors naming the option, defaults, and the round trip
// through supervisord.conf (flat log_* keys).
import { describe, expect, it } from 'vitest';
import { parseSupervisordConfig } from '../../../src/config-file/config-file.js';
import { toSupervisordConf } from '../../../src/config-file/emit.js';
import { resolveExtensions } from '../../../src/supervisor/extensions.js';
import { parseDuration } from '../../../src/supervisor/log-options.js';

describe('logging options', () => {
  it('default to nothing (supervisord files); filled in when given', () => {
    expect(resolveExtensions({}).logging).toBeNull();
    expect(resolveExtensions({ logging: { format: 'json' } }).logging).toEqual({
      format: 'json',
      time_format: 'iso',
      utc: false,
      rotate: 'size',
      rotate_hour: 0,
      compress: false,
      max_age: null,
    });
    expect(resolveExtensions({ logging: { rotate: 'daily', rotate_hour: 4, utc: true, compress: true, max_age: '14d' } }).logging).toMatchObject({
      rotate: 'daily',
      rotate_hour: 4,
      max_age: 14 * 86400,
    });
  });

  it.each([
    [{ format: 'xml' }, 'logging.format', /raw, timestamped or json/],
    [{ time_format: '%Y %q' }, 'logging.time_format', /unsupported directive %q/],
    [{ rotate: 'weekly' }, 'logging.rotate', /size, hourly or daily/],
    [{ rotate_hour: 24 }, 'logging.rotate_hour', /0 to 23/],
    [{ compress: 'yes' }, 'logging.compress', /true or false/],
    [{ max_age: '3 weeks' }, 'logging.max_age', /duration like 7d/],
    [{ colour: true }, 'logging.colour', /unknown option/],
  ])('refuses %j naming %s', (logging, option, message) => {
    let err: (Error & { option?: string }) | undefined;
    try {
      resolveExtensions({ logging: logging as never });
    } catch (e) {
      err = e as Error & { option?: string };
    }
    expect(err?.message).toMatch(message);
    expect(err?.option).toBe(option);
  });

  it('durations', () => {
    expect([parseDuration('90'), parseDuration('30m'), parseDuration('12h'), parseDuration('7d'), parseDuration(5)]).toEqual([90, 1800, 43200, 604800, 5]);
    expect([parseDuration('0'), parseDuration('-1'), parseDuration('1w'), parseDuration(-3)]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('round-trip through supervisord.conf as log_* keys (a % in the time format is escaped)', () => {
    const logging = {
      format: 'timestamped' as const,
      time_format: '%Y-%m-%d %H:%M:%S',
      utc: true,
      rotate: 'daily' as const,
      rotate_hour: 3,
      compress: true,
      max_age: '7d',
    };
    const text = toSupervisordConf({ groups: [{ name: 'web', command: 'node server.js', logging }] });
    expect(text).toContain('log_format=timestamped');
    expect(text).toContain('log_time_format=%%Y-%%m-%%d %%H:%%M:%%S');
    expect(text).toContain('log_rotate=daily');
    const back = parseSupervisordConfig(text);
    expect((back.groups[0] as { logging?: unknown }).logging).toEqual(logging);
    expect(back.specs[0]?.processes[0]?.ext.logging).toMatchObject({ format: 'timestamped', rotate_hour: 3, max_age: 604800 });
  });

  it('an INI error names the file key', () => {
    expect(() => parseSupervisordConfig('[supervisord]\n[program:x]\ncommand=x\nlog_rotate_hour=25\n')).toThrow(/log_rotate_hour/);
    expect(() => parseSupervisordConfig('[supervisord]\n[program:x]\ncommand=x\nlog_format=yaml\n')).toThrow(/'log_format' must be raw, timestamped or json/);
  });
});
