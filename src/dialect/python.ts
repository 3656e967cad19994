// The few Python 3.11 string primitives supervisord's config reader leans on, reproduced exactly:
// str.isspace()/strip()/split(), repr(), ascii(), int(), code-point ordering and expanduser().
import { hostname } from 'node:os';
import { lookupUser, type PasswdEntry } from './users.js';

/** Every character for which Python's str.isspace() is true. */
const PY_SPACE = new Set(
  '\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000',
);

/** Python's `ch.isspace()` for one character. */
export function isPySpace(ch: string | undefined): boolean {
  return ch !== undefined && PY_SPACE.has(ch);
}

/** Python's `s.strip()` (no argument): strips str.isspace() characters, not JS's set. */
export function pyStrip(s: string): string {
  if (s.length > 0 && isPlain(s.charCodeAt(0)) && isPlain(s.charCodeAt(s.length - 1))) return s;
  return pyRstrip(pyLstrip(s));
}

/** A printable ASCII character other than space: never Python whitespace. */
function isPlain(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

export function pyLstrip(s: string): string {
  let i = 0;
  while (i < s.length && PY_SPACE.has(s[i] as string)) i++;
  return s.slice(i);
}

export function pyRstrip(s: string): string {
  let j = s.length;
  while (j > 0 && PY_SPACE.has(s[j - 1] as string)) j--;
  return s.slice(0, j);
}

/** Python's `s.split()` (no argument): runs of whitespace separate, empty pieces dropped. */
export function pySplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of s) {
    if (PY_SPACE.has(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hexEscape(cp: number): string {
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

function quoteWith(s: string, asciiOnly: boolean): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += hexEscape(cp);
    else if (cp < 0x7f) out += ch;
    else if (asciiOnly || (ch !== ' ' && NOT_PRINTABLE.test(ch))) out += hexEscape(cp);
    else out += ch;
  }
  return out + q;
}

/** Python's repr() of a str: single quotes unless it contains one and no double quote. */
export function pyRepr(s: string): string {
  return quoteWith(s, false);
}

/** Python's ascii() of a str: repr() with every non-ASCII character escaped. */
export function pyAscii(s: string): string {
  return quoteWith(s, true);
}

/** Python's sort order for str: by code point (JS `<` compares UTF-16 units). */
export function comparePy(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) as number;
    const cy = y.value.codePointAt(0) as number;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

const ASCII_INT_SPACE = new Set(' \t\n\x0b\x0c\r');
const ND = /\p{Nd}/u;
const MAX_STR_DIGITS = 4300;

/** Value 0-9 of a Unicode decimal digit: Nd digits come in runs of ten, in order. */
function decimalValue(ch: string): number {
  let cp = ch.codePointAt(0) as number;
  if (cp < 128) return cp - 48;
  let start = cp;
  while (ND.test(String.fromCodePoint(start - 1))) start--;
  cp -= start;
  return cp % 10;
}

/**
 * Python's `int(s, base)` for base 10 or 8: ASCII or Unicode whitespace around, a sign, for base 8
 * an optional `0o`, digits (any Unicode decimal digit) with single underscores between them.
 * Throws Python's ValueError text. Magnitudes past 2**53 lose precision (Python's do not).
 */
export function pyInt(s: string, base: 10 | 8 = 10): number {
  const n = tryPyInt(s, base);
  if (typeof n === 'number') return n;
  throw new Error(n ?? `invalid literal for int() with base ${base}: ${truncate(pyRepr(s), 200)}`);
}

/** pyInt without exceptions: the number, or undefined for an invalid literal (or the digit-limit message). */
export function tryPyInt(s: string, base: 10 | 8 = 10): number | string | undefined {
  if (/^[0-9]{1,15}$/.test(s)) return base === 10 ? Number(s) : /^[0-7]+$/.test(s) ? parseInt(s, 8) : undefined;
  // ASCII without a digit (a user name, a word) is never a number: skip the Unicode scan.
  if (/^[\x00-\x2f\x3a-\x7f]*$/.test(s)) return undefined;
  const chars: string[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp > 127 && PY_SPACE.has(ch)) chars.push(' ');
    else if (cp > 127 && ND.test(ch)) chars.push(String(decimalValue(ch)));
    else if (cp > 127) chars.push('\0');
    else chars.push(ch);
  }
  let i = 0;
  let j = chars.length;
  while (i < j && ASCII_INT_SPACE.has(chars[i] as string)) i++;
  while (j > i && ASCII_INT_SPACE.has(chars[j - 1] as string)) j--;
  let body = chars.slice(i, j).join('');
  let sign = 1;
  if (body.startsWith('+') || body.startsWith('-')) {
    sign = body.startsWith('-') ? -1 : 1;
    body = body.slice(1);
  }
  let prefixed = false;
  if (base === 8 && /^0[oO]/.test(body)) {
    body = body.slice(2);
    prefixed = true;
  }
  const digit = base === 8 ? '[0-7]' : '[0-9]';
  const re = new RegExp(`^${prefixed ? '_?' : ''}${digit}+(?:_${digit}+)*$`);
  if (!re.test(body)) return undefined;
  const digits = body.replace(/_/g, '');
  if (base === 10 && digits.length > MAX_STR_DIGITS) {
    return `Exceeds the limit (${MAX_STR_DIGITS} digits) for integer string conversion: value has ${digits.length} digits; use sys.set_int_max_str_digits() to increase the limit`;
  }
  const n = base === 8 ? parseInt(digits, 8) : Number(digits);
  return sign < 0 ? (n === 0 ? 0 : -n) : n;
}

/** The first `n` code points of `s` (CPython's `%.200R`). */
export function truncate(s: string, n: number): string {
  const cps = Array.from(s);
  return cps.length <= n ? s : cps.slice(0, n).join('');
}

const CACHE_MS = 1000;
const userCache = new Map<string, { at: number; entry: PasswdEntry | undefined }>();
let nodeNameCache: { at: number; name: string } | undefined;

/** lookupUser, remembered for a second (reading a big config asks for the same user many times). */
export function cachedLookupUser(spec: string | number): PasswdEntry | undefined {
  const key = `${typeof spec}:${spec}`;
  const now = Date.now();
  const hit = userCache.get(key);
  if (hit && now - hit.at < CACHE_MS) return hit.entry;
  const entry = lookupUser(spec);
  if (userCache.size > 1000) userCache.clear();
  userCache.set(key, { at: now, entry });
  return entry;
}

/** platform.node() (os.hostname()), remembered for a second. */
export function nodeName(): string {
  const now = Date.now();
  if (!nodeNameCache || now - nodeNameCache.at >= CACHE_MS) nodeNameCache = { at: now, name: hostname() };
  return nodeNameCache.name;
}

/** Python's os.path.expanduser(): `~` from HOME (else the passwd entry), `~user` from passwd. */
export function expandUser(path: string, env: Readonly<Record<string, string | undefined>>): string {
  if (!path.startsWith('~')) return path;
  let i = path.indexOf('/', 1);
  if (i < 0) i = path.length;
  let home: string | undefined;
  if (i === 1) home = env.HOME ?? lookupUserHome(process.getuid?.() ?? 0);
  else home = cachedLookupUser(path.slice(1, i))?.home;
  if (home === undefined) return path;
  home = home.replace(/\/+$/, '');
  return home + path.slice(i) || '/';
}

function lookupUserHome(uid: number): string | undefined {
  return cachedLookupUser(uid)?.home;
}

/** Python's posixpath.dirname(). */
export function pyDirname(p: string): string {
  const i = p.lastIndexOf('/') + 1;
  let head = p.slice(0, i);
  if (head && head !== '/'.repeat(head.length)) head = head.replace(/\/+$/, '');
  return head;
}
