import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAXINT,
  XmlRpcFault,
  XmlRpcParseError,
  clampInt32,
  decodeMethodCall,
  decodeResponse,
  decodeValue,
  encodeFault,
  encodeMethodCall,
  encodeResponse,
  encodeValue,
  type XmlRpcEncodable,
  type XmlRpcValue,
} from '../../src/xmlrpc/codec.js';

function roundTrip(v: XmlRpcEncodable): XmlRpcValue {
  return decodeResponse(encodeResponse(v));
}

function parseError(fn: () => unknown): XmlRpcParseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(XmlRpcParseError);
    return e as XmlRpcParseError;
  }
  throw new Error('expected an XmlRpcParseError');
}

describe('encode: byte-identical to Python xmlrpc.client', () => {
  it('encodes a method call with every scalar type', () => {
    const xml = encodeMethodCall('m', [1, true, 'a<&>', 1.5, [1, [2]], new Date(Date.UTC(2024, 0, 2, 3, 4, 5))]);
    expect(xml).toBe(
      "<?xml version='1.0'?>\n<methodCall>\n<methodName>m</methodName>\n<params>\n" +
        '<param>\n<value><int>1</int></value>\n</param>\n' +
        '<param>\n<value><boolean>1</boolean></value>\n</param>\n' +
        '<param>\n<value><string>a&lt;&amp;&gt;</string></value>\n</param>\n' +
        '<param>\n<value><double>1.5</double></value>\n</param>\n' +
        '<param>\n<value><array><data>\n<value><int>1</int></value>\n<value><array><data>\n<value><int>2</int></value>\n</data></array></value>\n</data></array></value>\n</param>\n' +
        '<param>\n<value><dateTime.iso8601>20240102T03:04:05</dateTime.iso8601></value>\n</param>\n' +
        '</params>\n</methodCall>\n',
    );
  });

  it('encodes a call without parameters as supervisorctl sends supervisor.getVersion', () => {
    expect(encodeMethodCall('supervisor.getVersion')).toBe(
      "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getVersion</methodName>\n<params>\n</params>\n</methodCall>\n",
    );
  });

  it('encodes a response and a fault as supervisord does', () => {
    expect(encodeResponse('x')).toBe(
      "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><string>x</string></value>\n</param>\n</params>\n</methodResponse>\n",
    );
    expect(encodeFault(10, 'BAD_NAME: x')).toBe(
      "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n" +
        '<member>\n<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n' +
        '<member>\n<name>faultString</name>\n<value><string>BAD_NAME: x</string></value>\n</member>\n' +
        '</struct></value>\n</fault>\n</methodResponse>\n',
    );
  });

  it('wraps base64 at 76 columns and writes doubles as Python does', () => {
    expect(encodeValue(Buffer.from('hi'.repeat(40)))).toBe(
      '<value><base64>\naGloaWhpaGloaWhpaGloaWhpaGloaWhpaGloaWhpaGloaWhpaGloaWhpaGloaWhpaGloaWhpaGlo\naWhpaGloaWhpaGloaWhpaGloaWhpaGk=\n</base64></value>',
    );
    expect(encodeValue(1e300)).toBe('<value><double>1e+300</double></value>');
    const doubles: [number, string][] = [
      [1e-7, '1e-07'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1e16, '1e+16'],
      [2 ** 60, '1.152921504606847e+18'],
      [-2.5, '-2.5'],
      [123456.789, '123456.789'],
    ];
    for (const [n, text] of doubles) expect(encodeValue(n)).toBe(`<value><double>${text}</double></value>`);
    expect(encodeValue(Infinity)).toBe('<value><double>inf</double></value>');
    expect(encodeValue(NaN)).toBe('<value><double>nan</double></value>');
  });
});

describe('encode: choices beyond Python', () => {
  it('writes integers outside int32 exactly as <int>, and clampInt32 caps like supervisord', () => {
    expect(encodeValue(2 ** 31)).toBe('<value><int>2147483648</int></value>');
    expect(encodeValue(-(2 ** 40))).toBe('<value><int>-1099511627776</int></value>');
    expect(encodeValue(12345678901234567890n)).toBe('<value><int>12345678901234567890</int></value>');
    expect(clampInt32(2 ** 40)).toBe(MAXINT);
    expect(clampInt32(-(2 ** 40))).toBe(-(2 ** 31));
    expect(clampInt32(12.9)).toBe(12);
  });

  it('escapes CR and control characters as character references', () => {
    expect(encodeValue('a\r\nb\u0001\u001f\t')).toBe('<value><string>a&#13;\nb&#1;&#31;\t</string></value>');
  });

  it('writes null and undefined as <nil/>, leaving undefined struct members out', () => {
    expect(encodeValue(null)).toBe('<value><nil/></value>');
    expect(encodeValue([undefined])).toBe('<value><array><data>\n<value><nil/></value>\n</data></array></value>');
    expect(encodeValue({ a: undefined, b: 1 })).toBe('<value><struct>\n<member>\n<name>b</name>\n<value><int>1</int></value>\n</member>\n</struct></value>');
  });

  it('refuses what XML-RPC cannot carry', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => encodeValue(cyclic as XmlRpcEncodable)).toThrow(TypeError);
    expect(() => encodeValue(new Map() as unknown as XmlRpcEncodable)).toThrow(/Map/);
    expect(() => encodeValue((() => 1) as unknown as XmlRpcEncodable)).toThrow(TypeError);
    expect(() => encodeValue(new Date(NaN))).toThrow(TypeError);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(roundTrip([shared, shared])).toEqual([{ a: 1 }, { a: 1 }]);
  });
});

describe('round trips', () => {
  it.each<[string, XmlRpcValue]>([
    ['int', 42],
    ['negative int', -7],
    ['big int', 2 ** 40],
    ['true', true],
    ['false', false],
    ['empty string', ''],
    ['spaces', '  padded  '],
    ['markup', '<a href="x">&amp;</a> ]]> \'q\''],
    ['unicode', 'héllo wörld ✓ 日本 🎉'],
    ['newlines', 'a\nb\r\nc\rd'],
    ['control characters', '\u0000\u0001\u0008\u000b\u000c\u001f\ufffe'],
    ['double', 3.25],
    ['negative double', -1e-7],
    ['nil', null],
    ['date', new Date(Date.UTC(1999, 11, 31, 23, 59, 58))],
    ['empty array', []],
    ['empty struct', {}],
    ['nested', { a: [1, 'x', { b: [[], {}] }], 'c d': false }],
    ['struct key needing escapes', { '<&>\r': 1 }],
  ])('%s', (_name, v) => {
    expect(roundTrip(v)).toEqual(v);
  });

  it('base64 decodes to a Buffer with the same bytes', () => {
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    const out = roundTrip(bytes);
    expect(Buffer.isBuffer(out)).toBe(true);
    expect([...(out as Uint8Array)]).toEqual([...bytes]);
  });

  it('NaN and infinities survive', () => {
    expect(roundTrip(NaN)).toBeNaN();
    expect(roundTrip(-Infinity)).toBe(-Infinity);
  });

  it('a struct member named __proto__ stays an own property', () => {
    const out = decodeValue('<value><struct><member><name>__proto__</name><value><int>1</int></value></member></struct></value>') as Record<
      string,
      XmlRpcValue
    >;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe(1);
  });

  it('method calls keep the name and every parameter', () => {
    const params: XmlRpcValue[] = ['a:*', true, 0, { x: ['y'] }];
    expect(decodeMethodCall(encodeMethodCall('supervisor.startProcess', params))).toEqual({
      methodName: 'supervisor.startProcess',
      params,
    });
  });

  it('any string survives (property)', () => {
    const codePoint = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }), // ASCII, with every control character and & < >
      fc.integer({ min: 0x80, max: 0xd7ff }),
      fc.integer({ min: 0xe000, max: 0x10ffff }), // no lone surrogates: they have no UTF-8 form
    );
    const text = fc.array(codePoint, { maxLength: 40 }).map((cps) => String.fromCodePoint(...cps));
    fc.assert(
      fc.property(text, (s) => {
        expect(roundTrip(s)).toBe(s);
      }),
    );
  });

  it('any JSON-like value survives (property)', () => {
    const value = fc.letrec<{ v: XmlRpcValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.boolean(),
        fc.string(),
        fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d) && !Object.is(d, -0)),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(roundTrip(v)).toEqual(v);
      }),
    );
  });
});

describe('decode: what other encoders send', () => {
  it('reads bare text as a string, keeping whitespace', () => {
    expect(decodeValue('<value> a b </value>')).toBe(' a b ');
    expect(decodeValue('<value></value>')).toBe('');
    expect(decodeValue('<value/>')).toBe('');
    expect(decodeValue('<value><string/></value>')).toBe('');
  });

  it('reads i4, i8, whitespace around typed values, CDATA and character references', () => {
    expect(decodeValue('<value><i4> 12 </i4></value>')).toBe(12);
    expect(decodeValue('<value><i8>5000000000</i8></value>')).toBe(5000000000);
    expect(decodeValue('<value>\n  <int>3</int>\n</value>')).toBe(3);
    expect(decodeValue('<value><string>a<![CDATA[<&amp;>]]>b</string></value>')).toBe('a<&amp;>b');
    expect(decodeValue('<value>&#x263A;&#9731;&quot;&apos;</value>')).toBe('☺☃"\'');
  });

  it('reads ISO dates with dashes and zones, boolean spellings, ex:nil', () => {
    expect(decodeValue('<value><dateTime.iso8601>2024-01-02T03:04:05Z</dateTime.iso8601></value>')).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    expect(decodeValue('<value><dateTime.iso8601>20240102T03:04:05+01:00</dateTime.iso8601></value>')).toEqual(new Date(Date.UTC(2024, 0, 2, 2, 4, 5)));
    expect(decodeValue('<value><boolean>true</boolean></value>')).toBe(true);
    expect(decodeValue('<value><ex:nil/></value>')).toBeNull();
  });

  it('normalizes raw line breaks as an XML parser must', () => {
    expect(decodeValue('<value>a\r\nb\rc</value>')).toBe('a\nb\nc');
  });

  it('decodes a supervisord response body and params-less calls', () => {
    const body =
      "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>statecode</name>\n" +
      '<value><int>1</int></value>\n</member>\n<member>\n<name>statename</name>\n<value><string>RUNNING</string></value>\n' +
      '</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n';
    expect(decodeResponse(body)).toEqual({ statecode: 1, statename: 'RUNNING' });
    expect(decodeMethodCall('<methodCall><methodName>system.listMethods</methodName></methodCall>')).toEqual({
      methodName: 'system.listMethods',
      params: [],
    });
  });

  it('throws an XmlRpcFault for a fault response', () => {
    let fault: unknown;
    try {
      decodeResponse(encodeFault(70, 'NOT_RUNNING: a'));
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(XmlRpcFault);
    expect(fault).toMatchObject({ faultCode: 70, faultString: 'NOT_RUNNING: a' });
  });
});

describe('decode: malformed input', () => {
  it.each([
    ['not XML', 'hello', 'MALFORMED'],
    ['empty', '', 'MALFORMED'],
    ['unclosed tag', '<methodCall><methodName>x</methodName>', 'MALFORMED'],
    ['mismatched tags', '<methodCall><methodName>x</params></methodCall>', 'MALFORMED'],
    ['two roots', '<methodCall><methodName>x</methodName></methodCall><x/>', 'MALFORMED'],
    ['DOCTYPE', '<!DOCTYPE m [<!ENTITY e "x">]><methodCall><methodName>&e;</methodName></methodCall>', 'MALFORMED'],
    ['billion laughs', '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><methodCall><methodName>&lol2;</methodName></methodCall>', 'MALFORMED'],
    ['undefined entity', '<methodCall><methodName>&nbsp;</methodName></methodCall>', 'MALFORMED'],
    ['bare ampersand', '<methodCall><methodName>a&b</methodName></methodCall>', 'MALFORMED'],
    ['raw control character', '<methodCall><methodName>a\u0001</methodName></methodCall>', 'MALFORMED'],
    ['surrogate reference', '<methodCall><methodName>&#xD800;</methodName></methodCall>', 'MALFORMED'],
    ['no method name', '<methodCall><params/></methodCall>', 'NO_METHOD_NAME'],
    ['empty method name', '<methodCall><methodName></methodName></methodCall>', 'NO_METHOD_NAME'],
    ['wrong root', '<methodResponse><params/></methodResponse>', 'BAD_STRUCTURE'],
    ['bad int', '<methodCall><methodName>m</methodName><params><param><value><int>1.5</int></value></param></params></methodCall>', 'BAD_STRUCTURE'],
    ['bad boolean', '<methodCall><methodName>m</methodName><params><param><value><boolean>2</boolean></value></param></params></methodCall>', 'BAD_STRUCTURE'],
    ['unknown type', '<methodCall><methodName>m</methodName><params><param><value><float>1</float></value></param></params></methodCall>', 'BAD_STRUCTURE'],
    [
      'two values in a param',
      '<methodCall><methodName>m</methodName><params><param><value>a</value><value>b</value></param></params></methodCall>',
      'BAD_STRUCTURE',
    ],
    ['text in params', '<methodCall><methodName>m</methodName><params>junk</params></methodCall>', 'BAD_STRUCTURE'],
    [
      'member without value',
      '<methodCall><methodName>m</methodName><params><param><value><struct><member><name>a</name></member></struct></value></param></params></methodCall>',
      'BAD_STRUCTURE',
    ],
  ])('%s', (_name, xml, kind) => {
    expect(parseError(() => decodeMethodCall(xml)).kind).toBe(kind);
  });

  it('refuses values nested past the depth limit', () => {
    const deep = '<value><array><data>'.repeat(120) + '</data></array></value>'.repeat(120);
    expect(() => decodeValue(deep)).toThrow(XmlRpcParseError);
  });

  it.each([
    ['no params', '<methodResponse></methodResponse>'],
    ['two params', '<methodResponse><params><param><value>a</value></param><param><value>b</value></param></params></methodResponse>'],
    ['fault without struct', '<methodResponse><fault><value><string>x</string></value></fault></methodResponse>'],
    ['method call', '<methodCall><methodName>m</methodName></methodCall>'],
  ])('refuses a response with %s', (_name, xml) => {
    parseError(() => decodeResponse(xml));
  });
});
