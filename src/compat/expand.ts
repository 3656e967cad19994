// supervisord's `%(name)s` expansion: Python's printf-style `%` formatting against a dictionary.
// Only what supervisord's configurations can reach is implemented; everything else is an error
// with Python's wording, which supervisord wraps into its "badly formatted" message.

export type ExpansionValue = string | number;
export type Expansions = Readonly<Record<string, ExpansionValue>>;

/** Thrown for a name the dictionary lacks (supervisord reports these separately). */
export class MissingNameError extends Error {
  constructor(readonly missing: string) {
    super(`missing name ${missing}`);
  }
}

const SPEC = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.?)/y;

function formatNumber(v: ExpansionValue, conv: string, flags: string, width: number, prec: number | undefined): string {
  if (typeof v !== 'number') {
    const need = 'diouxXc'.includes(conv) ? 'a real number' : 'a real number';
    throw new Error(`%${conv} format: ${need} is required, not str`);
  }
  let body: string;
  const neg = v < 0;
  const a = Math.abs(v);
  switch (conv) {
    case 'd':
    case 'i':
    case 'u':
      body = String(Math.trunc(a));
      break;
    case 'o':
      body = Math.trunc(a).toString(8);
      if (flags.includes('#')) body = `0o${body}`;
      break;
    case 'x':
      body = Math.trunc(a).toString(16);
      if (flags.includes('#')) body = `0x${body}`;
      break;
    case 'X':
      body = Math.trunc(a).toString(16).toUpperCase();
      if (flags.includes('#')) body = `0X${body}`;
      break;
    case 'e':
    case 'E':
      body = a.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      if (conv === 'E') body = body.toUpperCase();
      break;
    case 'f':
    case 'F':
      body = a.toFixed(prec ?? 6);
      break;
    default:
      body = String(a);
  }
  const sign = neg ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  if (flags.includes('-')) return (sign + body).padEnd(width);
  if (flags.includes('0')) return sign + body.padStart(Math.max(0, width - sign.length), '0');
  return (sign + body).padStart(width);
}

/** Python's repr() of a str: single quotes unless the value contains one and no double quote. */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return q + out + q;
}

/** Python's repr() of a dict of str/int, as `%s` with a whole dictionary would paste it. */
function dictRepr(d: Expansions): string {
  return `{${Object.entries(d)
    .map(([k, v]) => `${pyRepr(k)}: ${typeof v === 'number' ? v : pyRepr(v)}`)
    .join(', ')}}`;
}

/**
 * `template % expansions`. Throws MissingNameError for an unknown name and Error (Python's
 * message) for a malformed format.
 */
export function percentFormat(template: string, expansions: Expansions): string {
  let out = '';
  let i = 0;
  for (;;) {
    const j = template.indexOf('%', i);
    if (j < 0) return out + template.slice(i);
    out += template.slice(i, j);
    SPEC.lastIndex = j;
    const m = SPEC.exec(template);
    if (!m) throw new Error('incomplete format');
    const [whole, key, flags = '', widthRaw, precRaw, conv = ''] = m;
    if (key === undefined && whole.startsWith('%(')) throw new Error('incomplete format key');
    if (conv === '') throw new Error('incomplete format');
    if (widthRaw === '*' || precRaw === '*') throw new Error('* wants int');
    if (conv === '%') {
      out += '%';
      i = SPEC.lastIndex;
      continue;
    }
    if (!'diouxXeEfFgGcrsa'.includes(conv)) {
      const code = conv.codePointAt(0) ?? 0;
      throw new Error(
        `unsupported format character '${conv}' (0x${code.toString(16)}) at index ${SPEC.lastIndex - 1}`,
      );
    }
    let value: ExpansionValue | Expansions;
    if (key === undefined) value = expansions;
    else {
      if (!Object.hasOwn(expansions, key)) throw new MissingNameError(key);
      value = expansions[key] as ExpansionValue;
    }
    const width = widthRaw ? Number(widthRaw) : 0;
    const prec = precRaw === undefined ? undefined : Number(precRaw);
    if (typeof value === 'object') {
      if (!'sra'.includes(conv)) throw new Error(`%${conv} format: a real number is required, not dict`);
      out += dictRepr(value).padStart(width);
    } else if ('sra'.includes(conv)) {
      let s = conv === 's' ? String(value) : typeof value === 'number' ? String(value) : pyRepr(value);
      if (prec !== undefined) s = s.slice(0, prec);
      out += flags.includes('-') ? s.padEnd(width) : s.padStart(width);
    } else if (conv === 'c') {
      const s = typeof value === 'number' ? String.fromCodePoint(value) : value;
      out += flags.includes('-') ? s.padEnd(width) : s.padStart(width);
    } else {
      out += formatNumber(value, conv, flags, width, prec);
    }
    i = SPEC.lastIndex;
  }
}

/**
 * supervisord's `expand()`: format `value` and turn failures into its messages. `where` is the
 * `'section.option'` text supervisord names (e.g. `program:a.command`).
 */
export function expand(value: string, expansions: Expansions, where: string): string {
  try {
    return percentFormat(value, expansions);
  } catch (e) {
    if (e instanceof MissingNameError) {
      const names = Object.keys(expansions).sort().join(', ');
      throw new Error(
        `Format string ${pyRepr(value)} for ${pyRepr(where)} contains names (${pyRepr(e.missing)}) which cannot be expanded. Available names: ${names}`,
      );
    }
    throw new Error(`Format string ${pyRepr(value)} for ${pyRepr(where)} is badly formatted: ${(e as Error).message}`);
  }
}
