// XML-RPC encoder. The layout (line breaks, `<string>` for every string, `<value>` wrapping)
// follows Python's xmlrpc.client, which is what supervisord and supervisorctl emit.

import type { XmlRpcEncodable } from './types.js';

const HEADER = "<?xml version='1.0'?>\n";

/** Largest value of an XML-RPC `<int>` (supervisord caps times to this: xmlrpclib.MAXINT). */
export const MAXINT = 2 ** 31 - 1;
/** Smallest value of an XML-RPC `<int>`. */
export const MININT = -(2 ** 31);

/**
 * Caps an integer to the `<int>` range, as supervisord does for the times in getProcessInfo.
 * The encoder itself never clamps (see `encodeValue`); callers that mirror a supervisord field
 * that supervisord caps use this.
 */
export function clampInt32(n: number): number {
  return Math.min(MAXINT, Math.max(MININT, Math.trunc(n)));
}

// Escapes text content. Beyond Python's & < >, a CR becomes &#13; (a raw CR would be read back
// as LF) and the other characters XML 1.0 cannot carry (C0 controls, U+FFFE/U+FFFF) become
// numeric references, which our decoder reads back (a strict XML 1.0 parser such as Python's
// expat refuses them, as it refuses the raw characters Python would send).
const ESCAPED = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Escapes a string for XML text content. */
export function escapeXmlText(s: string): string {
  return s.replace(ESCAPED, (c) => {
    if (c === '&') return '&amp;';
    if (c === '<') return '&lt;';
    if (c === '>') return '&gt;';
    return `&#${c.charCodeAt(0)};`;
  });
}

// Python's repr(float): shortest round-trip digits, fixed notation for exponents -4..15,
// otherwise d.ddde±XX (at least two exponent digits).
function encodeDouble(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  const [mantissa = '', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = Object.is(n, -0) ? '-0' : String(n);
  return /[.e]/.test(fixed) ? fixed : `${fixed}.0`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Formats a Date as XML-RPC's `YYYYMMDDTHH:MM:SS` in UTC (sub-second precision is dropped). */
export function formatDateTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new TypeError('cannot encode an invalid Date as XML-RPC');
  const date = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
  return `${date}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
}

function encodeBase64(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines = b64.match(/.{1,76}/g) ?? [];
  return `<base64>\n${lines.map((l) => `${l}\n`).join('')}</base64>`;
}

function encodeArray(items: readonly XmlRpcEncodable[], seen: Set<object>): string {
  const body = items.map((v) => `${encodeValueIn(v, seen)}\n`).join('');
  return `<array><data>\n${body}</data></array>`;
}

function encodeStruct(obj: { readonly [key: string]: XmlRpcEncodable }, seen: Set<object>): string {
  let body = '';
  for (const [key, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    body += `<member>\n<name>${escapeXmlText(key)}</name>\n${encodeValueIn(v, seen)}\n</member>\n`;
  }
  return `<struct>\n${body}</struct>`;
}

function encodeContainer(v: object, seen: Set<object>): string {
  if (seen.has(v)) throw new TypeError('cannot encode a recursive structure as XML-RPC');
  seen.add(v);
  try {
    if (Array.isArray(v)) return encodeArray(v as readonly XmlRpcEncodable[], seen);
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`cannot encode a ${v.constructor?.name ?? 'object'} as XML-RPC`);
    }
    return encodeStruct(v as { readonly [key: string]: XmlRpcEncodable }, seen);
  } finally {
    seen.delete(v);
  }
}

function encodeInner(v: XmlRpcEncodable, seen: Set<object>): string {
  switch (typeof v) {
    case 'string':
      return `<string>${escapeXmlText(v)}</string>`;
    case 'boolean':
      return `<boolean>${v ? 1 : 0}</boolean>`;
    case 'bigint':
      return `<int>${v}</int>`;
    case 'number':
      return Number.isSafeInteger(v) ? `<int>${v}</int>` : `<double>${encodeDouble(v)}</double>`;
    case 'undefined':
      return '<nil/>';
    case 'object':
      if (v === null) return '<nil/>';
      if (v instanceof Date) return `<dateTime.iso8601>${formatDateTime(v)}</dateTime.iso8601>`;
      if (v instanceof Uint8Array) return encodeBase64(v);
      return encodeContainer(v, seen);
    default:
      throw new TypeError(`cannot encode a ${typeof v} as XML-RPC`);
  }
}

function encodeValueIn(v: XmlRpcEncodable, seen: Set<object>): string {
  return `<value>${encodeInner(v, seen)}</value>`;
}

/**
 * Encodes one value as `<value>…</value>`.
 *
 * Integers: every safe integer `number` (and every `bigint`) is written as `<int>` with its
 * exact digits, even outside the 32-bit range. Python's xmlrpc.client (supervisorctl) and our decoder
 * read such values back exactly; Python would refuse to *send* them ("int exceeds XML-RPC
 * limits"), which is why supervisord caps the few values that can overflow (times) to MAXINT
 * first: use `clampInt32` where supervisord does. Non-integral and unsafe (beyond 2^53)
 * numbers, NaN and ±Infinity are `<double>` (`nan`, `inf`, `-inf` as Python writes them); an integral double such as 1.0 cannot
 * be told apart from 1 in JS and is written as `<int>`.
 *
 * @throws {TypeError} for functions, symbols, class instances other than Date/Uint8Array,
 *   recursive structures and invalid Dates.
 */
export function encodeValue(v: XmlRpcEncodable): string {
  return encodeValueIn(v, new Set());
}

function encodeParams(params: readonly XmlRpcEncodable[]): string {
  const seen = new Set<object>();
  return `<params>\n${params.map((p) => `<param>\n${encodeValueIn(p, seen)}\n</param>\n`).join('')}</params>\n`;
}

/** Encodes a `<methodCall>` document, as Python's `xmlrpc.client.dumps(params, method)`. */
export function encodeMethodCall(method: string, params: readonly XmlRpcEncodable[] = []): string {
  return `${HEADER}<methodCall>\n<methodName>${escapeXmlText(method)}</methodName>\n${encodeParams(params)}</methodCall>\n`;
}

/** Encodes a successful `<methodResponse>` carrying one value. */
export function encodeResponse(value: XmlRpcEncodable): string {
  return `${HEADER}<methodResponse>\n${encodeParams([value])}</methodResponse>\n`;
}

/** Encodes a fault `<methodResponse>` (supervisord: HTTP 200 with this body). */
export function encodeFault(faultCode: number, faultString: string): string {
  const struct = encodeValue({ faultCode, faultString });
  return `${HEADER}<methodResponse>\n<fault>\n${struct}\n</fault>\n</methodResponse>\n`;
}
