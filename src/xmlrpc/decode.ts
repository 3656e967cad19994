// XML-RPC decoder on top of fast-xml-parser, with entity processing off: DOCTYPE and entity
// declarations are refused before parsing, and only the five predefined entities and numeric
// character references are decoded (by us, after parsing). Callers enforce a size limit.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { XmlRpcFault, XmlRpcParseError, type XmlRpcMethodCall, type XmlRpcStruct, type XmlRpcValue } from './types.js';

// One node of fast-xml-parser's preserveOrder output: { tag: children } or { '#text': s }.
type OrderedNode = Record<string, unknown>;
interface Element {
  tag: string;
  children: OrderedNode[];
}

const TEXT = '#text';
const CDATA = '#cdata';
/** Deepest element nesting accepted (an array value costs three levels). */
const MAX_DEPTH = 256;

const parser = new XMLParser({
  preserveOrder: true,
  trimValues: false,
  parseTagValue: false,
  ignoreAttributes: true,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: CDATA,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
});

function malformed(message: string): XmlRpcParseError {
  return new XmlRpcParseError('MALFORMED', message);
}

function badStructure(message: string): XmlRpcParseError {
  return new XmlRpcParseError('BAD_STRUCTURE', message);
}

// Characters XML 1.0 forbids in a document (a strict parser such as expat refuses them).
const ILLEGAL_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function parseDocument(xml: string): Element {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) throw malformed('DOCTYPE and entity declarations are not allowed');
  if (ILLEGAL_CHAR.test(xml)) throw malformed('document contains a character XML does not allow');
  const text = xml.replace(/\r\n?/g, '\n'); // XML end-of-line normalization
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw malformed(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch (e) {
    throw malformed(`not well-formed XML: ${(e as Error).message}`);
  }
  const roots = elementsOf(nodes as OrderedNode[], 'document');
  if (roots.length !== 1) throw malformed(`expected one root element, found ${roots.length}`);
  return roots[0]!;
}

function toElement(node: OrderedNode): Element | undefined {
  for (const key of Object.keys(node)) {
    if (key === TEXT || key === CDATA || key === ':@') continue;
    return { tag: key, children: (node[key] as OrderedNode[] | undefined) ?? [] };
  }
  return undefined;
}

// The child elements of a structural element; text there must be whitespace only.
function elementsOf(nodes: readonly OrderedNode[], where: string): Element[] {
  const out: Element[] = [];
  for (const node of nodes) {
    if (TEXT in node || CDATA in node) {
      const raw = TEXT in node ? String(node[TEXT]) : cdataText(node[CDATA] as OrderedNode[]);
      if (raw.trim() !== '') throw badStructure(`unexpected text in <${where}>`);
      continue;
    }
    const el = toElement(node);
    if (el) out.push(el);
  }
  return out;
}

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);|&/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the predefined entities and numeric character references of XML text. */
export function decodeXmlText(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (whole, ref: string | undefined) => {
    if (ref === undefined) throw malformed(`undefined entity or bare '&' near ${JSON.stringify(whole)}`);
    const named = NAMED[ref];
    if (named !== undefined) return named;
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (!(cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) throw malformed(`invalid character reference &${ref};`);
    return String.fromCodePoint(cp);
  });
}

// The text content of a leaf element: entity-decoded text plus literal CDATA; no child elements.
function leafText(el: Element): string {
  let out = '';
  for (const node of el.children) {
    if (TEXT in node) out += decodeXmlText(String(node[TEXT]));
    else if (CDATA in node) out += cdataText(node[CDATA] as OrderedNode[]);
    else if (toElement(node)) throw badStructure(`unexpected element inside <${el.tag}>`);
  }
  return out;
}

// CDATA content is literal: no entity decoding.
function cdataText(nodes: readonly OrderedNode[]): string {
  return nodes.map((n) => (TEXT in n ? String(n[TEXT]) : '')).join('');
}

function decodeInt(s: string, tag: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(s)) throw badStructure(`bad <${tag}> value ${JSON.stringify(s)}`);
  return Number(s.trim());
}

function decodeBoolean(s: string): boolean {
  const t = s.trim();
  if (t === '1' || t === 'true') return true;
  if (t === '0' || t === 'false') return false;
  throw badStructure(`bad <boolean> value ${JSON.stringify(s)}`);
}

function decodeDouble(s: string): number {
  const t = s.trim().toLowerCase();
  if (/^[+-]?inf(inity)?$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) throw badStructure(`bad <double> value ${JSON.stringify(s)}`);
  return Number(t);
}

const DATETIME = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

function decodeDateTime(s: string): Date {
  const m = DATETIME.exec(s.trim());
  if (!m) throw badStructure(`bad <dateTime.iso8601> value ${JSON.stringify(s)}`);
  const [, y, mo, d, h, mi, sec, zone] = m.map((x) => x ?? '');
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return new Date(ms);
}

function decodeBase64(s: string): Buffer {
  const compact = s.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw badStructure('bad <base64> value');
  return Buffer.from(compact, 'base64');
}

function decodeArray(el: Element, depth: number): XmlRpcValue[] {
  const [data, ...rest] = elementsOf(el.children, 'array');
  if (!data || data.tag !== 'data' || rest.length) throw badStructure('<array> must contain one <data>');
  return elementsOf(data.children, 'data').map((v) => decodeValueElement(v, depth + 1));
}

function decodeStruct(el: Element, depth: number): XmlRpcStruct {
  const out: XmlRpcStruct = {};
  for (const member of elementsOf(el.children, 'struct')) {
    const parts = member.tag === 'member' ? elementsOf(member.children, 'member') : [];
    const name = parts.find((p) => p.tag === 'name');
    const value = parts.find((p) => p.tag === 'value');
    if (!name || !value || parts.length !== 2) throw badStructure('<member> must contain one <name> and one <value>');
    // defineProperty: a member called "__proto__" must not replace the prototype.
    Object.defineProperty(out, leafText(name), {
      value: decodeValueElement(value, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function decodeTyped(typed: Element, depth: number): XmlRpcValue {
  switch (typed.tag) {
    case 'int':
    case 'i4':
    case 'i8':
      return decodeInt(leafText(typed), typed.tag);
    case 'boolean':
      return decodeBoolean(leafText(typed));
    case 'string':
      return leafText(typed);
    case 'double':
      return decodeDouble(leafText(typed));
    case 'dateTime.iso8601':
      return decodeDateTime(leafText(typed));
    case 'base64':
      return decodeBase64(leafText(typed));
    case 'array':
      return decodeArray(typed, depth);
    case 'struct':
      return decodeStruct(typed, depth);
    case 'nil':
    case 'ex:nil':
      return null;
    default:
      throw badStructure(`unknown value type <${typed.tag}>`);
  }
}

function decodeValueElement(el: Element, depth: number): XmlRpcValue {
  if (el.tag !== 'value') throw badStructure(`expected <value>, found <${el.tag}>`);
  if (depth > MAX_DEPTH) throw badStructure('values nested too deeply');
  const typed = el.children.map(toElement).filter((e): e is Element => e !== undefined);
  if (typed.length === 0) return leafText(el); // bare text is a string
  if (typed.length > 1) throw badStructure('<value> must contain one typed element');
  elementsOf(el.children, 'value'); // only whitespace may surround the typed element
  return decodeTyped(typed[0]!, depth);
}

function decodeParams(params: Element | undefined): XmlRpcValue[] {
  if (!params) return [];
  return elementsOf(params.children, 'params').map((param) => {
    const values = param.tag === 'param' ? elementsOf(param.children, 'param') : [];
    if (values.length !== 1) throw badStructure('<param> must contain one <value>');
    return decodeValueElement(values[0]!, 0);
  });
}

/** Decodes a standalone `<value>` element (mainly for tests and tools). */
export function decodeValue(xml: string): XmlRpcValue {
  return decodeValueElement(parseDocument(xml), 0);
}

/**
 * Decodes a `<methodCall>` document into its method name and parameters.
 * A missing `<params>` means no parameters (supervisord accepts that too).
 *
 * @throws {XmlRpcParseError} `MALFORMED` (bad XML, DOCTYPE/entities), `BAD_STRUCTURE`, or
 *   `NO_METHOD_NAME`; a server answers HTTP 400 for all of them, as supervisord does.
 */
export function decodeMethodCall(xml: string): XmlRpcMethodCall {
  const root = parseDocument(xml);
  if (root.tag !== 'methodCall') throw badStructure(`expected <methodCall>, found <${root.tag}>`);
  const children = elementsOf(root.children, 'methodCall');
  const nameEl = children.find((c) => c.tag === 'methodName');
  const methodName = nameEl ? leafText(nameEl) : '';
  if (!methodName) throw new XmlRpcParseError('NO_METHOD_NAME', 'no method name');
  return { methodName, params: decodeParams(children.find((c) => c.tag === 'params')) };
}

function decodeFault(fault: Element): XmlRpcFault {
  const [value] = elementsOf(fault.children, 'fault');
  const struct = value ? decodeValueElement(value, 0) : undefined;
  const s = struct as Partial<Record<string, XmlRpcValue>> | undefined;
  if (!s || typeof s !== 'object' || typeof s.faultCode !== 'number' || typeof s.faultString !== 'string') {
    throw badStructure('<fault> must carry a struct with faultCode and faultString');
  }
  return new XmlRpcFault(s.faultCode, s.faultString);
}

/**
 * Decodes a `<methodResponse>` document.
 *
 * @returns the single returned value.
 * @throws {XmlRpcFault} when the response is a fault.
 * @throws {XmlRpcParseError} when the document is not a valid response.
 */
export function decodeResponse(xml: string): XmlRpcValue {
  const root = parseDocument(xml);
  if (root.tag !== 'methodResponse') throw badStructure(`expected <methodResponse>, found <${root.tag}>`);
  const [child, ...rest] = elementsOf(root.children, 'methodResponse');
  if (!child || rest.length) throw badStructure('<methodResponse> must contain one <params> or <fault>');
  if (child.tag === 'fault') throw decodeFault(child);
  if (child.tag !== 'params') throw badStructure(`unexpected <${child.tag}> in <methodResponse>`);
  const params = decodeParams(child);
  if (params.length !== 1) throw badStructure('a response must carry exactly one <param>');
  return params[0]!;
}
