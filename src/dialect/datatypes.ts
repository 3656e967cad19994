// One converter per supervisord datatype (supervisor/datatypes.py, 4.2.5). Each throws an Error
// whose message is supervisord's text for that value (without the ` in section …` suffix, which
// the caller adds).
import { constants } from 'node:os';
import { pyInt, pyRepr, pyStrip, tryPyInt } from './python.js';
import { shlexNonPosix } from './shlex.js';

export { parseExistingDirectory, parseExistingDirpath, parseLogfileName, parseUserGroup, parseUserToUid } from './datatypes-host.js';

const TRUTHY = new Set(['yes', 'true', 'on', '1']);
const FALSY = new Set(['no', 'false', 'off', '0']);

/** `str(s).lower()` against yes/true/on/1 and no/false/off/0; no trimming. */
export function parseBoolean(value: string | boolean): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.toLowerCase();
  if (TRUTHY.has(v)) return true;
  if (FALSY.has(v)) return false;
  throw new Error(`not a valid boolean value: ${pyRepr(value)}`);
}

/** Python's int(): optional sign, digits with single underscores between them, outer whitespace. */
export function parseInteger(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value;
    throw new Error(`invalid literal for int() with base 10: ${pyRepr(String(value))}`);
  }
  return pyInt(value, 10);
}

const SIZE_SUFFIXES: ReadonlyArray<[string, number]> = [
  ['kb', 1024],
  ['mb', 1024 ** 2],
  ['gb', 1024 ** 3],
];

/**
 * Byte sizes: `1024`, `10KB`, `50MB`, `1GB`. The value is lower-cased, the last two characters
 * are compared with kb/mb/gb, and the rest goes through int() (so `10 MB` works, ` 10MB ` not).
 */
export function parseByteSize(value: string | number): number {
  if (typeof value === 'number') return parseInteger(value);
  const v = value.toLowerCase();
  for (const [suffix, mult] of SIZE_SUFFIXES) {
    if (v.slice(-2) === suffix) return pyInt(v.slice(0, -2)) * mult;
  }
  return pyInt(v);
}

/** Comma-separated exit codes, each 0-255; '' is the empty list. */
export function parseExitCodes(value: string | readonly number[]): number[] {
  const fail = () => new Error(`not a valid list of exit codes: ${pyRepr(String(value))}`);
  if (typeof value !== 'string') {
    if (!value.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)) throw fail();
    return [...value];
  }
  if (!value) return [];
  return value.split(',').map((item) => {
    let n: number;
    try {
      n = pyInt(item);
    } catch {
      throw fail();
    }
    if (n < 0 || n > 255) throw fail();
    return n;
  });
}

/** Python's int(value, 8): `022`, `22`, `0o22`, `-022`; supervisord's message otherwise. */
export function parseOctal(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value;
    throw new Error(`${value} can not be converted to an octal type`);
  }
  try {
    return pyInt(value, 8);
  } catch {
    throw new Error(`${value} can not be converted to an octal type`);
  }
}

export type Autorestart = boolean | 'unexpected';

/** `true`/`false` spellings or `unexpected`; the message shows the value lower-cased. */
export function parseAutorestart(value: string | boolean): Autorestart {
  if (typeof value === 'boolean') return value;
  const v = value.toLowerCase();
  if (v === 'unexpected') return 'unexpected';
  if (TRUTHY.has(v)) return true;
  if (FALSY.has(v)) return false;
  throw new Error(`invalid 'autorestart' value ${pyRepr(v)}`);
}

/** Names of programs, groups and processes: no space, ':' or '/'. Returns the stripped name. */
export function parseProcessOrGroupName(value: string): string {
  const v = pyStrip(value);
  for (const ch of [' ', ':', '/']) {
    if (v.includes(ch)) throw new Error(`Invalid name: ${pyRepr(value)} because of character: ${pyRepr(ch)}`);
  }
  return v;
}

/** `a, b ,c` → ['a', 'b', 'c']; '' → []. */
export function parseListOfStrings(value: string): string[] {
  if (!value) return [];
  return value.split(',').map(pyStrip);
}

/**
 * `environment=KEY=val,KEY2="v 2"` as supervisord 4.2.5 tokenizes it: Python's non-POSIX shlex,
 * consumed as KEY, '=', VALUE, separator; quotes are stripped from both ends of VALUE.
 */
export function parseEnvironment(value: string): Record<string, string> {
  const tokens = shlexNonPosix(value);
  const out: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i += 4) {
    const [key, eq, val] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (key === undefined || eq !== '=' || val === undefined) {
      throw new Error(`Unexpected end of key/value pairs in value '${value}'`);
    }
    out[key] = val.replace(/^['"]+|['"]+$/g, '');
  }
  return out;
}

const PY_SIGNALS: Record<string, number> = (() => {
  const table: Record<string, number> = { ...(constants.signals as Record<string, number>) };
  if (table.SIGCHLD !== undefined) table.SIGCLD = table.SIGCHLD;
  if (table.SIGIO !== undefined) table.SIGPOLL = table.SIGIO;
  if (process.platform === 'linux') Object.assign(table, { SIGRTMIN: 34, SIGRTMAX: 64 });
  // Python's signal module also has these SIG-prefixed handler and sigprocmask constants.
  Object.assign(table, { SIG_DFL: 0, SIG_IGN: 1, SIG_BLOCK: 0, SIG_UNBLOCK: 1, SIG_SETMASK: 2 });
  return table;
})();
const SIGNUMS = new Set(Object.values(PY_SIGNALS));

/**
 * supervisord's `signal_number`: an int() that equals some SIG* constant of Python's signal module,
 * or a name with or without `SIG`, any case. Returns the number.
 */
export function parseSignalNumber(value: string | number): number {
  let num: number | undefined;
  const asInt = typeof value === 'number' ? value : tryPyInt(value);
  if (typeof asInt === 'number') num = asInt;
  else {
    let name = pyStrip(String(value)).toUpperCase();
    if (!name.startsWith('SIG')) name = `SIG${name}`;
    num = Object.hasOwn(PY_SIGNALS, name) ? PY_SIGNALS[name] : undefined;
    if (num === undefined) throw new Error(`value ${pyRepr(String(value))} is not a valid signal name`);
  }
  if (!SIGNUMS.has(num)) throw new Error(`value ${pyRepr(String(value))} is not a valid signal number`);
  return num;
}

export const LOG_LEVELS = ['critical', 'error', 'warn', 'info', 'debug', 'trace', 'blather'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `[supervisord] loglevel`: one of LOG_LEVELS, any case (`warning` is not one). */
export function parseLogLevel(value: string): LogLevel {
  const v = value.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(v)) return v as LogLevel;
  throw new Error(`bad logging level name ${pyRepr(value)}`);
}

function portNumber(s: string): number {
  const v = pyInt(s);
  if (v < 1) throw new Error(`${v} is below lower bound (1)`);
  if (v > 0xffff) throw new Error(`${v} is above upper bound (65535)`);
  return v;
}

/** `inet_address`: `host:port`, `:port`, `*:port` or `port`; host '' means every interface. */
export function parseInetAddress(value: string): { host: string; port: number } {
  let host = '';
  let port: number;
  const i = value.lastIndexOf(':');
  if (i >= 0) {
    host = value.slice(0, i);
    const s = value.slice(i + 1);
    if (!s) throw new Error(`no port number specified in ${pyRepr(s)}`);
    port = portNumber(s);
    host = host.toLowerCase();
  } else {
    try {
      port = portNumber(value);
    } catch {
      throw new Error(`not a valid port number: ${pyRepr(value)} `);
    }
  }
  if (!host || host === '*') host = '';
  return { host, port };
}
