// The `logging` extension of a program: how its log files are written beyond supervisord's
// byte-exact, size-rotated files. Timestamped or JSON lines, rotation by time, gzip-compressed
// backups, retention by age. All opt-in; without it the files are exactly supervisord's. In INI
// files the options are flat keys (`log_format=json`, `log_rotate=daily` …).
import { parseBoolean, parseInteger } from '../dialect/datatypes.js';
import type { LogFormat } from '../logs/line-format.js';
import { checkTimeFormat, ISO_FORMAT } from '../logs/time-format.js';

/** `logging` of a ProgramConfig (applies to the stdout and stderr log files). */
export interface LoggingConfig {
  /** 'raw' (default: the bytes as written), 'timestamped' (a time before each line) or 'json' (`{"time","process","stream","line"}` per line). */
  format?: LogFormat;
  /** 'iso' (default, ISO 8601 with milliseconds and offset) or a strftime pattern: %Y %m %d %H %M %S %L %f %z %s %%. */
  time_format?: string;
  /** Times and rotation boundaries in UTC instead of local time. Default false. */
  utc?: boolean;
  /** Also rotate 'hourly' or 'daily' (default 'size': only `*_logfile_maxbytes`). */
  rotate?: 'size' | 'hourly' | 'daily';
  /** Hour (0-23) of the daily rotation. Default 0 (midnight). */
  rotate_hour?: number;
  /** gzip rotated backups (`path.1.gz` …) in the background. Default false. */
  compress?: boolean;
  /** Delete backups older than this: seconds, or a number with s, m, h or d. Default: kept by count only. */
  max_age?: number | string;
}

/** The resolved `logging` options. */
export interface LoggingOptions {
  format: LogFormat;
  time_format: string;
  utc: boolean;
  rotate: 'size' | 'hourly' | 'daily';
  rotate_hour: number;
  compress: boolean;
  /** Seconds; null when backups are kept by count only. */
  max_age: number | null;
}

/** The error type extensions.ts turns into a ConfigError naming the option. */
type Fail = (option: string, message: string) => never;

const FORMATS: readonly string[] = ['raw', 'timestamped', 'json'];
const ROTATIONS: readonly string[] = ['size', 'hourly', 'daily'];
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `7d`, `12h`, `30m`, `45s` or a number of seconds; undefined when malformed. */
export function parseDuration(v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]) * (UNIT_SECONDS[(m[2] || 's').toLowerCase()] ?? 1);
  return n > 0 ? n : undefined;
}

/** Validates and defaults `logging`; null when absent. */
export function resolveLogging(l: unknown, fail: Fail): LoggingOptions | null {
  if (l === undefined) return null;
  if (typeof l !== 'object' || l === null || Array.isArray(l))
    return fail('logging', `option 'logging' must be an object {format, time_format, utc, rotate, rotate_hour, compress, max_age}`);
  const c = l as Record<string, unknown>;
  for (const k of Object.keys(c)) {
    if (!['format', 'time_format', 'utc', 'rotate', 'rotate_hour', 'compress', 'max_age'].includes(k)) fail(`logging.${k}`, `unknown option 'logging.${k}'`);
  }
  const format = c.format ?? 'raw';
  if (typeof format !== 'string' || !FORMATS.includes(format))
    fail('logging.format', `option 'logging.format' must be raw, timestamped or json, got ${JSON.stringify(format)}`);
  const timeFormat = c.time_format ?? ISO_FORMAT;
  if (typeof timeFormat !== 'string') return fail('logging.time_format', `option 'logging.time_format' must be a string`);
  const bad = checkTimeFormat(timeFormat);
  if (bad !== undefined) fail('logging.time_format', `option 'logging.time_format': ${bad}`);
  for (const k of ['utc', 'compress'] as const)
    if (c[k] !== undefined && typeof c[k] !== 'boolean') fail(`logging.${k}`, `option 'logging.${k}' must be true or false`);
  const rotate = c.rotate ?? 'size';
  if (typeof rotate !== 'string' || !ROTATIONS.includes(rotate))
    fail('logging.rotate', `option 'logging.rotate' must be size, hourly or daily, got ${JSON.stringify(rotate)}`);
  const hour = c.rotate_hour ?? 0;
  if (!(typeof hour === 'number' && Number.isInteger(hour) && hour >= 0 && hour <= 23))
    fail('logging.rotate_hour', `option 'logging.rotate_hour' must be an hour from 0 to 23, got ${JSON.stringify(hour)}`);
  let maxAge: number | null = null;
  if (c.max_age !== undefined) {
    const d = typeof c.max_age === 'number' || typeof c.max_age === 'string' ? parseDuration(c.max_age) : undefined;
    if (d === undefined)
      fail(
        'logging.max_age',
        `option 'logging.max_age' must be a positive number of seconds or a duration like 7d, 12h, 30m, got ${JSON.stringify(c.max_age)}`,
      );
    maxAge = d ?? null;
  }
  return {
    format: format as LogFormat,
    time_format: timeFormat,
    utc: c.utc === true,
    rotate: rotate as LoggingOptions['rotate'],
    rotate_hour: hour,
    compress: c.compress === true,
    max_age: maxAge,
  };
}

/** The INI keys of `logging`, in `[program:x]`. */
export const LOGGING_INI_KEYS = ['log_format', 'log_time_format', 'log_utc', 'log_rotate', 'log_rotate_hour', 'log_compress', 'log_max_age'] as const;
type LoggingIniKey = (typeof LOGGING_INI_KEYS)[number];

/** `logging` from the flat INI keys; undefined when none is set. Values are checked by resolveLogging. */
export function loggingFromIni(get: (key: LoggingIniKey) => string | undefined, fail: Fail): LoggingConfig | undefined {
  const out: Record<string, unknown> = {};
  const at = <T>(key: LoggingIniKey, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      return fail(key, `${key}: ${(e as Error).message}`);
    }
  };
  for (const key of LOGGING_INI_KEYS) {
    const v = get(key);
    if (v === undefined) continue;
    const name = key.slice('log_'.length);
    if (key === 'log_utc' || key === 'log_compress') out[name] = at(key, () => parseBoolean(v));
    else if (key === 'log_rotate_hour') out[name] = at(key, () => parseInteger(v));
    else if (key === 'log_time_format') out[name] = v;
    else out[name] = v.trim();
  }
  if (Object.keys(out).length === 0) return undefined;
  // Checked here so that errors name the INI keys.
  resolveLogging(out, (option, message) => fail(option.replace('logging.', 'log_'), message.replace(/'logging\.(\w+)'/g, "'log_$1'")));
  return out;
}

/** The flat INI keys for `logging` (values unescaped). */
export function loggingToIni(l: LoggingConfig | undefined): Array<[string, string]> {
  if (!l) return [];
  const out: Array<[string, string]> = [];
  for (const key of LOGGING_INI_KEYS) {
    const v = (l as Record<string, unknown>)[key.slice('log_'.length)];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push([key, String(v)]);
  }
  return out;
}
