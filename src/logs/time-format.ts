// Timestamps for log lines: ISO 8601 by default, or a strftime-style pattern, in local time or UTC.

/** The strftime directives a time format may use. */
export const TIME_DIRECTIVES = 'YmdHMSLfzs%';

/** The default format: ISO 8601 with milliseconds and the UTC offset (`Z` in UTC). */
export const ISO_FORMAT = 'iso';

/**
 * Checks a time format: `iso`, or text with strftime directives among %Y %m %d %H %M %S, %L
 * (milliseconds), %f (microseconds), %z (+hhmm), %s (epoch seconds) and %%.
 * @returns an error message, or undefined when the format is valid
 */
export function checkTimeFormat(format: string): string | undefined {
  if (format === ISO_FORMAT) return undefined;
  if (format === '') return 'a time format must not be empty';
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    const d = format[i + 1];
    if (d === undefined || !TIME_DIRECTIVES.includes(d)) {
      return `unsupported directive %${d ?? ''} in time format ${JSON.stringify(format)} (supported: iso, or %Y %m %d %H %M %S %L %f %z %s %%)`;
    }
    i++;
  }
  return undefined;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The date's fields in local time or UTC, and the offset from UTC in minutes. */
function fields(d: Date, utc: boolean) {
  return utc
    ? { Y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), H: d.getUTCHours(), M: d.getUTCMinutes(), S: d.getUTCSeconds(), offset: 0 }
    : { Y: d.getFullYear(), m: d.getMonth() + 1, d: d.getDate(), H: d.getHours(), M: d.getMinutes(), S: d.getSeconds(), offset: -d.getTimezoneOffset() };
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.trunc(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

/**
 * Renders `epochMs` with `format` (see {@link checkTimeFormat}); `iso` gives
 * `2026-11-22T01:00:00.000Z` in UTC and `2026-11-22T02:00:00.000+01:00` in local time.
 */
export function formatTime(epochMs: number, format: string, utc: boolean): string {
  const d = new Date(epochMs);
  const f = fields(d, utc);
  const ms = ((epochMs % 1000) + 1000) % 1000;
  if (format === ISO_FORMAT) {
    const zone = utc ? 'Z' : offsetText(f.offset, true);
    return `${pad(f.Y, 4)}-${pad(f.m)}-${pad(f.d)}T${pad(f.H)}:${pad(f.M)}:${pad(f.S)}.${pad(Math.trunc(ms), 3)}${zone}`;
  }
  return format.replace(/%(.)/g, (_, c: string) => {
    switch (c) {
      case 'Y':
        return pad(f.Y, 4);
      case 'm':
        return pad(f.m);
      case 'd':
        return pad(f.d);
      case 'H':
        return pad(f.H);
      case 'M':
        return pad(f.M);
      case 'S':
        return pad(f.S);
      case 'L':
        return pad(Math.trunc(ms), 3);
      case 'f':
        return pad(Math.trunc(ms * 1000), 6);
      case 'z':
        return offsetText(f.offset, false);
      case 's':
        return String(Math.floor(epochMs / 1000));
      default:
        return c; // %% (others are refused by checkTimeFormat)
    }
  });
}
