// One converter per supervisord datatype. Each throws an Error whose message is supervisord's
// text for that value (without the ` in section …` suffix, which the caller adds).
import { pyRepr } from './expand.js';

const TRUTHY = new Set(['true', 'yes', 'on', '1']);
const FALSY = new Set(['false', 'no', 'off', '0']);

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
  if (/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(value)) return Number(value.trim().replace(/_/g, ''));
  throw new Error(`invalid literal for int() with base 10: ${pyRepr(value)}`);
}

const SIZE_SUFFIXES: Record<string, number> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Byte sizes: `1024`, `10KB`, `50MB`, `1GB` (case-insensitive; spaces before the suffix tolerated). */
export function parseByteSize(value: string | number): number {
  if (typeof value === 'number') return parseInteger(value);
  const v = value.trim().toLowerCase();
  const suffix = v.slice(-2);
  const mult = SIZE_SUFFIXES[suffix];
  if (mult !== undefined) return parseInteger(v.slice(0, -2)) * mult;
  return parseInteger(v);
}

/** Comma-separated exit codes, each 0-255; '' is the empty list. */
export function parseExitCodes(value: string | readonly number[]): number[] {
  const items = typeof value === 'string' ? (value.trim() === '' ? [] : value.split(',')) : value;
  const out: number[] = [];
  for (const item of items) {
    let n: number;
    try {
      n = parseInteger(item);
    } catch {
      n = -1;
    }
    if (n < 0 || n > 255) throw new Error(`not a valid list of exit codes: ${pyRepr(String(value))}`);
    out.push(n);
  }
  return out;
}

/** Base-8 integers: `022`, `22`, `0o22`. */
export function parseOctal(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
    throw new Error(`${value} can not be converted to an octal type`);
  }
  const v = value.trim();
  if (/^[+]?(?:0o)?[0-7]+(?:_[0-7]+)*$/i.test(v)) return parseInt(v.replace(/^\+/, '').replace(/^0o/i, '').replace(/_/g, ''), 8);
  throw new Error(`${value} can not be converted to an octal type`);
}

export type Autorestart = boolean | 'unexpected';

export function parseAutorestart(value: string | boolean): Autorestart {
  if (typeof value === 'boolean') return value;
  const v = value.toLowerCase();
  if (v === 'unexpected') return 'unexpected';
  if (TRUTHY.has(v)) return true;
  if (FALSY.has(v)) return false;
  throw new Error(`invalid 'autorestart' value ${pyRepr(v)}`);
}

/** Names of programs, groups and processes: no space, ':' or '/'. Returns the trimmed name. */
export function parseProcessOrGroupName(value: string): string {
  const v = value.trim();
  for (const ch of [' ', ':', '/']) {
    if (v.includes(ch)) throw new Error(`Invalid name: ${pyRepr(v)} because of character: ${pyRepr(ch)}`);
  }
  return v;
}

/**
 * `environment=KEY=val,KEY2="v 2"` as supervisord 4.2.5 tokenizes it: Python's non-POSIX shlex,
 * consumed as KEY, '=', VALUE, separator.
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

const WORDCHARS = new Set('abcdfeghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/.+-():');
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

/**
 * Python's shlex.shlex(value) in non-POSIX mode with supervisord's extra word characters
 * `/.+-():`, followed state by state: quotes open only at a token's start and stay in the token,
 * '#' drops the rest of the line, any other character is a token by itself.
 */
export function shlexNonPosix(value: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  let state: string = ' ';
  let token = '';
  const skipLine = () => {
    const nl = value.indexOf('\n', i);
    i = nl < 0 ? value.length : nl + 1;
  };
  const emit = () => {
    if (token) tokens.push(token);
    token = '';
    state = ' ';
  };
  while (i <= value.length) {
    const ch = i < value.length ? (value[i] as string) : '';
    i++;
    if (state === ' ') {
      if (!ch) break;
      if (WHITESPACE.has(ch)) continue;
      if (ch === '#') skipLine();
      else if (WORDCHARS.has(ch)) {
        token = ch;
        state = 'a';
      } else if (ch === '"' || ch === "'") {
        token = ch;
        state = ch;
      } else {
        tokens.push(ch);
      }
    } else if (state === '"' || state === "'") {
      if (!ch) throw new Error('No closing quotation');
      token += ch;
      if (ch === state) emit();
    } else {
      // word state
      if (!ch) {
        emit();
        break;
      }
      if (WHITESPACE.has(ch)) emit();
      else if (ch === '#') skipLine();
      else if (WORDCHARS.has(ch) || ch === '"' || ch === "'") token += ch;
      else {
        emit();
        i--; // the punctuation character is read again as its own token
      }
    }
  }
  return tokens;
}
