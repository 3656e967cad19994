// encodeResponseBytes (what the server sends) is exactly encodeResponse's text in UTF-8, however
// large the document and wherever multi-byte characters fall against its internal chunking.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { XmlRpcEncodable } from '../../src/xmlrpc/codec.js';
import { encodeResponse, encodeResponseBytes } from '../../src/xmlrpc/encode.js';

describe('encodeResponseBytes', () => {
  it('a 5,000-entry process list with multi-byte text: the same bytes as the string encoder', () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({
      name: `p${i}`,
      group: i % 7 === 0 ? `grüppe-✓-${i}` : `g${i}`,
      description: i % 11 === 0 ? 'Exited too quickly 🎉 <&>' : `pid ${1000 + i}, uptime 0:00:${String(i % 60).padStart(2, '0')}`,
      state: 20,
      pid: 1000 + i,
      nested: i % 500 === 0 ? [[], {}, [1, 'x']] : [],
    }));
    const bytes = Buffer.concat(encodeResponseBytes(entries));
    expect(bytes.length).toBeGreaterThan(65536 * 4);
    expect(bytes.equals(Buffer.from(encodeResponse(entries), 'utf8'))).toBe(true);
  });

  it('any value: the same bytes as the string encoder', () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 5 }),
        fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 5 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(Buffer.concat(encodeResponseBytes(v as XmlRpcEncodable)).equals(Buffer.from(encodeResponse(v as XmlRpcEncodable), 'utf8'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
