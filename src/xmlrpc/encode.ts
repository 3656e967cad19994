// XML-RPC encoder. The layout (line breaks, `<string>` for every string, `<value>` wrapping)
// follows Python's xmlrpc.client, which is what supervisord and supervisorctl emit.

import { Encoded, type EncodeSink, type XmlRpcEncodable } from './types.js';

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

const NEEDS_ESCAPE = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Escapes a string for XML text content. */
export function escapeXmlText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s; // most text: no copy, no callback
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

/** Bytes per buffer of a ByteSink. */
const CHUNK_BYTES = 64 * 1024;

// Buffer's own utf8Write (Node has it on every Buffer, undocumented) skips what buffer.write does
// first (encoding lookup, argument checks): ~0.2 µs a piece, most of a large response's encoding.
interface Utf8Writable {
  utf8Write?: (text: string, offset: number) => number;
}
const writeUtf8: (buffer: Buffer, text: string, offset: number) => number =
  typeof (Buffer.prototype as Utf8Writable).utf8Write === 'function'
    ? (buffer, text, offset) => (buffer as Utf8Writable as Required<Utf8Writable>).utf8Write(text, offset)
    : (buffer, text, offset) => buffer.write(text, offset, 'utf8');

/**
 * UTF-8 bytes: each piece is written straight into a 64 KiB buffer, the next one begun when a piece
 * might not fit, so a large response never exists as a string, whole or in parts (joining pieces
 * into 64 KiB strings first made as much young-generation garbage as the response is long), and
 * its buffers are sent as they are, never copied into one.
 */
class ByteSink implements EncodeSink {
  readonly #chunks: Buffer[] = [];
  readonly #pool: BufferPool | undefined;
  #buffer: Buffer | undefined;
  #used = 0;
  constructor(pool: BufferPool | undefined) {
    this.#pool = pool;
  }
  push(piece: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units).
    if (this.#buffer === undefined || piece.length * 3 > CHUNK_BYTES - this.#used) {
      this.#seal();
      if (piece.length * 3 > CHUNK_BYTES) {
        this.#chunks.push(Buffer.from(piece, 'utf8'));
        return;
      }
      this.#buffer = this.#pool?.take() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    }
    this.#used += writeUtf8(this.#buffer, piece, this.#used);
  }
  #seal(): void {
    if (this.#buffer) this.#chunks.push(this.#buffer.subarray(0, this.#used));
    this.#buffer = undefined;
    this.#used = 0;
  }
  chunks(): Buffer[] {
    this.#seal();
    return this.#chunks;
  }
}

/**
 * A ByteSink's 64 KiB buffers, reused once what was written into them is sent. A large response's
 * buffers outlive a scavenge or two while the socket drains, so fresh ones were promoted, and V8
 * counts their memory against the old generation's limit until the next full collection: with
 * getAllProcessInfo of 5,000 processes (5 MB) nearly every call began one (~40 ms of marking a
 * 60 MB heap). The pool keeps as many buffers as the largest response needed, up to `maxBuffers`.
 */
export class BufferPool {
  readonly #free: Buffer[] = [];
  /** Buffers given out and not yet back: only these are taken back, and each once. */
  readonly #lent = new WeakSet<ArrayBufferLike>();
  constructor(readonly maxBuffers = 256) {}

  take(): Buffer {
    const buffer = this.#free.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.#lent.add(buffer.buffer);
    return buffer;
  }

  /** Takes back the buffers under `chunks` (encodeResponseBytes' answer) once nothing reads them. */
  give(chunks: readonly Buffer[]): void {
    for (const chunk of chunks) {
      if (!this.#lent.delete(chunk.buffer) || this.#free.length >= this.maxBuffers) continue;
      this.#free.push(chunk.byteOffset === 0 && chunk.length === CHUNK_BYTES ? chunk : Buffer.from(chunk.buffer, 0, CHUNK_BYTES));
    }
  }
}

// The document is built as a list of pieces joined at the end (or every 64 KiB), the fixed text
// around a value being pieces of its own: building each value's text first (template strings
// nested in their parent's) made a 5,000-process getAllProcessInfo response (5.7 MB) cost ~130 ms
// of CPU to encode, most of it garbage collection.
function encodeArray(out: EncodeSink, items: readonly XmlRpcEncodable[], seen: Set<object>): void {
  out.push('<array><data>\n');
  for (const v of items) {
    if (!pushScalar(out, v)) encodeContainerValue(out, v as object, seen);
    out.push('\n');
  }
  out.push('</data></array>');
}

function encodeStruct(out: EncodeSink, obj: { readonly [key: string]: XmlRpcEncodable }, seen: Set<object>): void {
  out.push('<struct>\n');
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const v = obj[key];
    if (v === undefined) continue;
    out.push(memberHead(key));
    if (!pushScalar(out, v)) encodeContainerValue(out, v as object, seen);
    out.push('\n</member>\n');
  }
  out.push('</struct>');
}

function encodeContainerValue(out: EncodeSink, v: object, seen: Set<object>): void {
  if (seen.has(v)) throw new TypeError('cannot encode a recursive structure as XML-RPC');
  seen.add(v);
  try {
    out.push('<value>');
    if (Array.isArray(v)) encodeArray(out, v as readonly XmlRpcEncodable[], seen);
    else {
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`cannot encode a ${v.constructor?.name ?? 'object'} as XML-RPC`);
      }
      encodeStruct(out, v as { readonly [key: string]: XmlRpcEncodable }, seen);
    }
    out.push('</value>');
  } finally {
    seen.delete(v);
  }
}

// `<member>\n<name>KEY</name>\n` of the keys seen: a list of structs repeats the same keys (every
// process's info has the same 14), and bounded, as keys may come from data.
const memberHeads = new Map<string, string>();
function memberHead(key: string): string {
  let head = memberHeads.get(key);
  if (head === undefined) {
    head = `<member>\n<name>${escapeXmlText(key)}</name>\n`;
    if (memberHeads.size < 4096) memberHeads.set(key, head);
  }
  return head;
}

/**
 * Pushes a scalar's `<value>…</value>` as separate pieces (no string built to hold them: a list of
 * thousands of structs made that most of what a response allocated); false for an array or a
 * struct, which pushes nothing.
 */
function pushScalar(out: EncodeSink, v: XmlRpcEncodable): boolean {
  if (v instanceof Encoded) {
    v.writeTo(out);
    return true;
  }
  if (typeof v === 'string') {
    out.push('<value><string>');
    out.push(escapeXmlText(v));
    out.push('</string></value>');
    return true;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    out.push('<value><int>');
    out.push(String(v));
    out.push('</int></value>');
    return true;
  }
  const scalar = scalarValue(v);
  if (scalar === undefined) return false;
  out.push(scalar);
  return true;
}

/** `<value>…</value>` of anything but an array or a struct; undefined for those. */
function scalarValue(v: XmlRpcEncodable): string | undefined {
  switch (typeof v) {
    case 'string':
      return `<value><string>${escapeXmlText(v)}</string></value>`;
    case 'boolean':
      return v ? '<value><boolean>1</boolean></value>' : '<value><boolean>0</boolean></value>';
    case 'bigint':
      return `<value><int>${v}</int></value>`;
    case 'number':
      return Number.isSafeInteger(v) ? `<value><int>${v}</int></value>` : `<value><double>${encodeDouble(v)}</double></value>`;
    case 'undefined':
      return '<value><nil/></value>';
    case 'object':
      if (v === null) return '<value><nil/></value>';
      if (v instanceof Date) return `<value><dateTime.iso8601>${formatDateTime(v)}</dateTime.iso8601></value>`;
      if (v instanceof Uint8Array) return `<value>${encodeBase64(v)}</value>`;
      return undefined;
    default:
      throw new TypeError(`cannot encode a ${typeof v} as XML-RPC`);
  }
}

function encodeValueIn(out: EncodeSink, v: XmlRpcEncodable, seen: Set<object>): void {
  if (!pushScalar(out, v)) encodeContainerValue(out, v as object, seen);
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
  const out: string[] = [];
  encodeValueIn(out, v, new Set());
  return out.join('');
}

function encodeParams(out: EncodeSink, params: readonly XmlRpcEncodable[]): void {
  const seen = new Set<object>();
  out.push('<params>\n');
  for (const p of params) {
    out.push('<param>\n');
    encodeValueIn(out, p, seen);
    out.push('\n</param>\n');
  }
  out.push('</params>\n');
}

/** Encodes a `<methodCall>` document, as Python's `xmlrpc.client.dumps(params, method)`. */
export function encodeMethodCall(method: string, params: readonly XmlRpcEncodable[] = []): string {
  const out = [`${HEADER}<methodCall>\n<methodName>${escapeXmlText(method)}</methodName>\n`];
  encodeParams(out, params);
  out.push('</methodCall>\n');
  return out.join('');
}

/** Encodes a successful `<methodResponse>` carrying one value. */
export function encodeResponse(value: XmlRpcEncodable): string {
  const out = [`${HEADER}<methodResponse>\n`];
  encodeParams(out, [value]);
  out.push('</methodResponse>\n');
  return out.join('');
}

/**
 * encodeResponse as UTF-8 bytes, written straight into buffers of 64 KiB, in order: what a server
 * sends. For a large response (getAllProcessInfo of thousands of processes) this spares building
 * a multi-megabyte string and converting it again, and most of the garbage collection that came
 * with it. With `pool`, the buffers come from it, and go back to it (`pool.give`) once sent.
 */
export function encodeResponseBytes(value: XmlRpcEncodable, pool?: BufferPool): Buffer[] {
  const out = new ByteSink(pool);
  out.push(`${HEADER}<methodResponse>\n`);
  encodeParams(out, [value]);
  out.push('</methodResponse>\n');
  return out.chunks();
}

type Struct = { readonly [key: string]: XmlRpcEncodable };

/**
 * A struct (a plain object) encoded once with some of its members left open, for lists of structs
 * that, from one response to the next, differ in a few members only (getAllProcessInfo: `now` and
 * `description` change every second, the rest when a process changes state). `write` gives the
 * `<value>` of a struct that `fits`: the fixed text in a few pieces and only the open members
 * encoded, the same text the encoder makes from the struct itself. Every member must be a scalar;
 * a struct with a fixed Date or bytes member never fits (they can change in place).
 */
export class StructTemplate {
  /** The members' keys in order, and the values of the fixed ones (for an open one: its Kind). */
  readonly #keys: string[] = [];
  readonly #values: unknown[] = [];
  readonly #open: string[] = [];
  readonly #kinds: Kind[] = [];
  /**
   * The fixed text before, between and after the open members' values. The markup around an open
   * string's or integer's text is part of it: a filled entry is then 2n + 1 pieces.
   */
  readonly #parts: string[] = [];

  /**
   * Keeps the struct's keys and fixed values, never the struct itself: a struct made for one
   * response must die young.
   * @throws {TypeError} when a member is an array or a struct, or an open key is missing.
   */
  constructor(plain: object, open: readonly string[]) {
    const struct = plain as Struct;
    let text: string[] = ['<value><struct>\n'];
    for (const key in struct) {
      if (!Object.prototype.hasOwnProperty.call(struct, key)) continue;
      const v = struct[key];
      if (v === undefined) continue;
      text.push(memberHead(key));
      this.#keys.push(key);
      if (open.includes(key)) {
        const kind = kindOf(v);
        if (kind === undefined) throw new TypeError(`a template's member '${key}' must be a scalar`);
        this.#parts.push(text.join('') + MARKUP[kind][0]);
        text = [MARKUP[kind][1]];
        this.#open.push(key);
        this.#kinds.push(kind);
        this.#values.push(kind);
      } else if (pushScalar(text, v)) {
        this.#values.push(typeof v === 'object' && v !== null ? UNMATCHED : v);
      } else {
        throw new TypeError(`a template's member '${key}' must be a scalar`);
      }
      text.push('\n</member>\n');
    }
    const missing = open.find((k) => !this.#open.includes(k));
    if (missing !== undefined) throw new TypeError(`a template's open member '${missing}' is not in the struct`);
    text.push('</struct></value>');
    this.#parts.push(text.join(''));
  }

  /** Whether `struct` has the same keys in the same order, the same fixed values and scalars where this is open. */
  fits(plain: object): boolean {
    const struct = plain as Struct;
    let i = 0;
    for (const key in struct) {
      if (!Object.prototype.hasOwnProperty.call(struct, key)) continue;
      const v = struct[key];
      if (v === undefined) continue;
      if (key !== this.#keys[i]) return false;
      const fixed = this.#values[i++];
      if (fixed === STRING || fixed === INT || fixed === SCALAR) {
        if (kindOf(v) !== fixed) return false;
      } else if (fixed === UNMATCHED || !Object.is(v, fixed)) {
        return false;
      }
    }
    return i === this.#keys.length;
  }

  /** Writes the `<value>` of `struct`, which must fit this template. */
  write(out: EncodeSink, plain: object): void {
    const struct = plain as Struct;
    out.push(this.#parts[0] as string);
    for (let i = 0; i < this.#open.length; i++) {
      const v = struct[this.#open[i] as string];
      const kind = this.#kinds[i];
      if (kind === STRING) out.push(escapeXmlText(v as string));
      else if (kind === INT) out.push((v as number).toString());
      else pushScalar(out, v);
      out.push(this.#parts[i + 1] as string);
    }
  }
}

/** What an open member holds: a string, an integer (`<int>`), or another scalar (undefined: none). */
const STRING = Symbol('open string');
const INT = Symbol('open int');
const SCALAR = Symbol('open scalar');
type Kind = typeof STRING | typeof INT | typeof SCALAR;
/** The markup a Kind's text sits in (a SCALAR's comes with its text). */
const MARKUP: Record<Kind, readonly [string, string]> = {
  [STRING]: ['<value><string>', '</string></value>'],
  [INT]: ['<value><int>', '</int></value>'],
  [SCALAR]: ['', ''],
};
/** Where a template has a fixed Date or bytes: an object that may change in place, so it never fits again. */
const UNMATCHED = Symbol('fixed object member');

function kindOf(v: XmlRpcEncodable): Kind | undefined {
  if (typeof v === 'string') return STRING;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return INT;
  return isScalar(v) ? SCALAR : undefined;
}

/** Whether the encoder writes `v` as one `<value>` without nesting (undefined: not at all). */
function isScalar(v: XmlRpcEncodable): boolean {
  if (v === undefined) return false;
  return typeof v !== 'object' || v === null || v instanceof Date || v instanceof Uint8Array || v instanceof Encoded;
}

/** Encodes a fault `<methodResponse>` (supervisord: HTTP 200 with this body). */
export function encodeFault(faultCode: number, faultString: string): string {
  const struct = encodeValue({ faultCode, faultString });
  return `${HEADER}<methodResponse>\n<fault>\n${struct}\n</fault>\n</methodResponse>\n`;
}
