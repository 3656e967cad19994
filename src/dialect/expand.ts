// supervisord's `%(name)s` expansion: Python 3.11's `str % dict`, transcribed from CPython's
// PyUnicode_Format (Objects/unicodeobject.c), and supervisord's `expand()` error texts around it.
import { comparePy, pyAscii, pyRepr } from './python.js';

export { pyRepr } from './python.js';

export type ExpansionValue = string | number;
/** A name → value dictionary for `%(name)s`: a plain object, or layers merged lazily. */
export type Expansions = Readonly<Record<string, ExpansionValue>> | MergedExpansions;

/** The `ENV_X` names of an environment, in its order. */
export function envNamesOf(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[`ENV_${k}`] = v;
  return out;
}

/**
 * Python's `{**a, **b, …}` without copying: a later dictionary's value wins, keys keep the order of
 * their first appearance. Lookups search the layers; the merged dictionary is only built for
 * error messages and `%s` of the whole dictionary. Big configurations resolve thousands of
 * processes, each formatted against the whole environment as `ENV_*` names: copying it per
 * process was most of the reading time.
 */
export class MergedExpansions {
  readonly #layers: readonly Readonly<Record<string, ExpansionValue>>[];

  constructor(...dicts: readonly Expansions[]) {
    const layers: Readonly<Record<string, ExpansionValue>>[] = [];
    for (const d of dicts) {
      if (d instanceof MergedExpansions) for (const l of d.#layers) layers.push(l);
      else layers.push(d);
    }
    this.#layers = layers;
  }

  /** The value of `key`, or undefined when no layer has it. */
  lookup(key: string): ExpansionValue | undefined {
    for (let i = this.#layers.length - 1; i >= 0; i--) {
      const layer = this.#layers[i] as Readonly<Record<string, ExpansionValue>>;
      if (Object.hasOwn(layer, key)) return layer[key];
    }
    return undefined;
  }

  /** The merged dictionary. */
  toRecord(): Record<string, ExpansionValue> {
    return Object.assign({}, ...this.#layers) as Record<string, ExpansionValue>;
  }
}

/** Shorthand for `new MergedExpansions(...dicts)`. */
export function mergeExpansions(...dicts: readonly Expansions[]): MergedExpansions {
  return new MergedExpansions(...dicts);
}

function lookupName(d: Expansions, key: string): ExpansionValue | undefined {
  if (d instanceof MergedExpansions) return d.lookup(key);
  return Object.hasOwn(d, key) ? d[key] : undefined;
}

function asRecord(d: Expansions): Readonly<Record<string, ExpansionValue>> {
  return d instanceof MergedExpansions ? d.toRecord() : d;
}

/** Thrown for a name the dictionary lacks (Python's KeyError; supervisord reports these apart). */
export class MissingNameError extends Error {
  constructor(readonly missing: string) {
    super(pyRepr(missing));
  }
}

const F_LJUST = 1;
const F_SIGN = 2;
const F_BLANK = 4;
const F_ALT = 8;
const F_ZERO = 16;
const FLAG_BITS: Record<string, number> = { '-': F_LJUST, '+': F_SIGN, ' ': F_BLANK, '#': F_ALT, '0': F_ZERO };
const SSIZE_MAX = 2 ** 63 - 1;
const INT_MAX = 2 ** 31 - 1;
/** Beyond this Python would build a gigantic string (or raise MemoryError); we refuse. */
const PAD_LIMIT = 10_000_000;

interface Spec {
  ch: string;
  flags: number;
  width: number;
  prec: number;
}

type Arg = ExpansionValue | Expansions;

/** The formatter's cursor and argument state (CPython's unicode_formatter_t). */
class Formatter {
  pos = 0;
  /** The current argument: the dict, or the value the last `%(key)` looked up. */
  args: Arg;
  /** Whether `args` is still unconsumed (CPython's argidx == -2). */
  fresh = true;

  constructor(
    readonly f: readonly string[],
    readonly dict: Expansions,
  ) {
    this.args = dict;
  }

  nextArg(): Arg {
    if (!this.fresh) throw new Error('not enough arguments for format string');
    this.fresh = false;
    return this.args;
  }

  /** Parses one conversion spec after its `%` (unicode_format_arg_parse). */
  parseSpec(): Spec {
    const { f } = this;
    const spec: Spec = { ch: f[this.pos] ?? '\0', flags: 0, width: -1, prec: -1 };
    let eof = false;
    const read = (): void => {
      if (this.pos >= f.length) eof = true;
      else spec.ch = f[this.pos++] as string;
    };
    if (spec.ch === '(') this.lookupKey();
    for (;;) {
      read();
      if (eof) break;
      const bit = FLAG_BITS[spec.ch];
      if (bit === undefined) break;
      spec.flags |= bit;
    }
    if (spec.ch === '*') {
      spec.width = this.starArg();
      if (spec.width < 0) {
        spec.flags |= F_LJUST;
        spec.width = -spec.width;
      }
      read();
    } else if (isDigit(spec.ch)) {
      spec.width = Number(spec.ch);
      for (read(); !eof && isDigit(spec.ch); read()) {
        spec.width = spec.width * 10 + Number(spec.ch);
        if (spec.width > SSIZE_MAX) throw new Error('width too big');
      }
    }
    if (spec.ch === '.' && !eof) {
      spec.prec = 0;
      read();
      if ((spec.ch as string) === '*' && !eof) {
        spec.prec = Math.max(0, this.starArg());
        read();
      } else if (isDigit(spec.ch) && !eof) {
        spec.prec = Number(spec.ch);
        for (read(); !eof && isDigit(spec.ch); read()) {
          spec.prec = spec.prec * 10 + Number(spec.ch);
          if (spec.prec > INT_MAX) throw new Error('precision too big');
        }
      }
    }
    if (!eof && (spec.ch === 'h' || spec.ch === 'l' || spec.ch === 'L')) read();
    if (eof) throw new Error('incomplete format');
    return spec;
  }

  /** `%(key)`: balanced parentheses, then a dict lookup that replaces the current argument. */
  lookupKey(): void {
    const { f } = this;
    this.pos++;
    const start = this.pos;
    let depth = 1;
    while (depth > 0 && this.pos < f.length) {
      const c = f[this.pos++];
      if (c === ')') depth--;
      else if (c === '(') depth++;
    }
    if (depth > 0) throw new Error('incomplete format key');
    const key = f.slice(start, this.pos - 1).join('');
    const value = lookupName(this.dict, key);
    if (value === undefined) throw new MissingNameError(key);
    this.args = value;
    this.fresh = true;
  }

  starArg(): number {
    const v = this.nextArg();
    if (typeof v !== 'number') throw new Error('* wants int');
    return v;
  }
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9' && ch.length === 1;
}

function typeName(v: Arg): string {
  return typeof v === 'number' ? 'int' : typeof v === 'string' ? 'str' : 'dict';
}

function dictRepr(d: Expansions, ascii: boolean): string {
  const r = ascii ? pyAscii : pyRepr;
  return `{${Object.entries(asRecord(d))
    .map(([k, v]) => `${r(k)}: ${typeof v === 'number' ? intStr(v) : r(v)}`)
    .join(', ')}}`;
}

function intStr(v: number): string {
  return Number.isInteger(v) ? BigInt(v).toString() : String(v);
}

function cpLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(n: number): number {
  if (n > PAD_LIMIT) throw new Error('width too big');
  return Math.max(0, n);
}

/** Text conversions (s, r, a, c): no sign, zero flag ignored, precision truncates s/r/a. */
function outputText(s: string, spec: Spec): string {
  let text = s;
  if (spec.ch !== 'c' && spec.prec >= 0 && cpLength(text) > spec.prec) text = Array.from(text).slice(0, spec.prec).join('');
  const fill = ' '.repeat(pad(spec.width - cpLength(text)));
  return spec.flags & F_LJUST ? text + fill : fill + text;
}

/** Numeric conversions: sign, `0x`/`0o` prefix, zero or space padding. */
function outputNumber(negative: boolean, prefix: string, body: string, spec: Spec): string {
  const sign = negative ? '-' : spec.flags & F_SIGN ? '+' : spec.flags & F_BLANK ? ' ' : '';
  const n = pad(spec.width - sign.length - prefix.length - body.length);
  if (spec.flags & F_LJUST) return sign + prefix + body + ' '.repeat(n);
  if (spec.flags & F_ZERO) return sign + prefix + '0'.repeat(n) + body;
  return ' '.repeat(n) + sign + prefix + body;
}

function formatInteger(v: Arg, spec: Spec): string {
  const ch = spec.ch;
  if (typeof v !== 'number') {
    const need = 'diu'.includes(ch) ? 'a real number' : 'an integer';
    throw new Error(`%${ch} format: ${need} is required, not ${typeName(v)}`);
  }
  const big = BigInt(Math.trunc(v));
  const abs = big < 0n ? -big : big;
  let body = ch === 'o' ? abs.toString(8) : ch === 'x' ? abs.toString(16) : ch === 'X' ? abs.toString(16).toUpperCase() : abs.toString();
  if (spec.prec > body.length) body = '0'.repeat(pad(spec.prec - body.length)) + body;
  const prefix = spec.flags & F_ALT && 'oxX'.includes(ch) ? `0${ch}` : '';
  return outputNumber(big < 0n, prefix, body, spec);
}

/** Rounds the decimal digit string `d` to `n` significant digits, half to even. */
function roundDigits(d: string, n: number): { digits: string; carry: boolean } {
  if (d.length <= n) return { digits: d.padEnd(n, '0'), carry: false };
  const head = d.slice(0, n);
  const first = d[n] as string;
  const rest = d.slice(n + 1);
  const last = Number(head[head.length - 1] ?? '0');
  const up = first > '5' || (first === '5' && (/[1-9]/.test(rest) || last % 2 === 1));
  if (!up) return { digits: head, carry: false };
  const bumped = (BigInt(head || '0') + 1n).toString();
  if (bumped.length > n) return { digits: bumped.slice(0, n), carry: true };
  return { digits: bumped.padStart(n, '0'), carry: false };
}

function expString(e: number, upper: boolean): string {
  return `${upper ? 'E' : 'e'}${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function scientific(digits: string, exp: number, prec: number, alt: boolean, upper: boolean): string {
  const frac = digits.slice(1, prec + 1);
  return `${digits[0]}${prec > 0 || alt ? '.' : ''}${frac}${expString(exp, upper)}`;
}

function formatFloat(v: Arg, spec: Spec): string {
  if (typeof v !== 'number') throw new Error(`must be real number, not ${typeName(v)}`);
  const alt = (spec.flags & F_ALT) !== 0;
  const upper = spec.ch === 'E' || spec.ch === 'G';
  const prec = spec.prec < 0 ? 6 : spec.prec;
  const negative = v < 0 || Object.is(v, -0);
  const exact = Number.isInteger(v) ? BigInt(Math.abs(v)).toString() : null;
  let body: string;
  if (exact === null) {
    // Only integers reach supervisord's expansions; other numbers get JS's (close) rendering.
    body = Math.abs(v).toExponential(prec);
  } else if (spec.ch === 'f' || spec.ch === 'F') {
    body = exact + (prec > 0 ? `.${'0'.repeat(pad(prec))}` : alt ? '.' : '');
  } else if (spec.ch === 'e' || spec.ch === 'E') {
    const r = roundDigits(exact, prec + 1);
    body = scientific(r.digits, exact.length - 1 + (r.carry ? 1 : 0), prec, alt, upper);
  } else {
    const p = prec === 0 ? 1 : prec;
    const r = roundDigits(exact, p);
    const exp = exact === '0' ? 0 : exact.length - 1 + (r.carry ? 1 : 0);
    if (exp < p) {
      const intPart = exact === '0' ? '0' : exact;
      let frac = '0'.repeat(pad(p - 1 - exp));
      if (!alt) frac = frac.replace(/0+$/, '');
      body = intPart + (frac || alt ? `.${frac}` : '');
    } else {
      let s = scientific(r.digits, exp, p - 1, alt, upper);
      if (!alt) s = s.replace(/\.?0+(?=[eE])/, '');
      body = s;
    }
  }
  return outputNumber(negative, '', body, spec);
}

function formatChar(v: Arg, spec: Spec): string {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v >= 0x110000) throw new Error('%c arg not in range(0x110000)');
    return outputText(String.fromCodePoint(v), spec);
  }
  if (typeof v === 'string' && cpLength(v) === 1) return outputText(v, spec);
  throw new Error('%c requires int or char');
}

function formatText(v: Arg, spec: Spec): string {
  const ascii = spec.ch === 'a';
  let s: string;
  if (typeof v === 'object') s = dictRepr(v, ascii);
  else if (typeof v === 'number') s = intStr(v);
  else s = spec.ch === 's' ? v : ascii ? pyAscii(v) : pyRepr(v);
  return outputText(s, spec);
}

function formatArg(fmt: Formatter, spec: Spec): string {
  const v = fmt.nextArg();
  const ch = spec.ch;
  if (ch === 's' || ch === 'r' || ch === 'a') return formatText(v, spec);
  if ('diuoxX'.includes(ch)) return formatInteger(v, spec);
  if ('eEfFgG'.includes(ch)) return formatFloat(v, spec);
  if (ch === 'c') return formatChar(v, spec);
  const cp = ch.codePointAt(0) ?? 0;
  const shown = cp >= 32 && cp <= 126 ? ch : '?';
  throw new Error(`unsupported format character '${shown}' (0x${cp.toString(16)}) at index ${fmt.pos - 1}`);
}

const SIMPLE_SPEC = /%(?:%|\(([^()]*)\)(?:s|(0?)([1-9]?)d))/y;

/**
 * The common templates — only `%%`, `%(name)s` and `%(name)d`/`%(name)02d` with a known name (and
 * an integer for `d`) — without the full formatter, which walks code points; undefined sends
 * anything else, errors included, there.
 */
function simpleFormat(template: string, expansions: Expansions): string | undefined {
  let out = '';
  let last = 0;
  for (let i = template.indexOf('%'); i !== -1; i = template.indexOf('%', last)) {
    SIMPLE_SPEC.lastIndex = i;
    const m = SIMPLE_SPEC.exec(template);
    if (!m) return undefined;
    out += template.slice(last, i);
    if (m[1] === undefined) out += '%';
    else {
      const v = lookupName(expansions, m[1]);
      if (v === undefined) return undefined;
      if (m[3] === undefined) out += typeof v === 'number' ? intStr(v) : v;
      else {
        if (typeof v !== 'number' || !Number.isSafeInteger(v)) return undefined;
        const digits = String(Math.abs(v));
        const width = Number(m[3] || 0) - (v < 0 ? 1 : 0);
        out += m[2] ? (v < 0 ? '-' : '') + digits.padStart(width, '0') : String(v).padStart(width + (v < 0 ? 1 : 0), ' ');
      }
    }
    last = i + m[0].length;
  }
  return out + template.slice(last);
}

/**
 * Python's `template % expansions`. Throws MissingNameError for an unknown name and Error
 * (Python's message) for a malformed format.
 */
export function percentFormat(template: string, expansions: Expansions): string {
  if (!template.includes('%')) return template;
  const simple = simpleFormat(template, expansions);
  if (simple !== undefined) return simple;
  const fmt = new Formatter(Array.from(template), expansions);
  const { f } = fmt;
  let out = '';
  while (fmt.pos < f.length) {
    const c = f[fmt.pos++] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    if (f[fmt.pos] === '%') {
      fmt.pos++;
      out += '%';
      continue;
    }
    out += formatArg(fmt, fmt.parseSpec());
  }
  return out;
}

/**
 * supervisord's `expand()`: format `value` and turn failures into its messages. `where` is the
 * name supervisord reports (e.g. `program:a.command`, or just `environment`).
 */
export function expand(value: string, expansions: Expansions, where: string): string {
  try {
    return percentFormat(value, expansions);
  } catch (e) {
    if (e instanceof MissingNameError) {
      const names = Object.keys(asRecord(expansions)).sort(comparePy).join(', ');
      throw new Error(`Format string ${pyRepr(value)} for ${pyRepr(where)} contains names (${e.message}) which cannot be expanded. Available names: ${names}`, {
        cause: e,
      });
    }
    throw new Error(`Format string ${pyRepr(value)} for ${pyRepr(where)} is badly formatted: ${(e as Error).message}`, { cause: e });
  }
}
