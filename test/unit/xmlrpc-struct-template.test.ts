// StructTemplate (a struct encoded once, some members left open) must give exactly the text the
// encoder makes from the struct itself, and refuse a struct that differs anywhere else; BufferPool
// must hand a buffer to one response at a time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferPool, encodeResponse, encodeResponseBytes, encodeValue, StructTemplate } from '../../src/xmlrpc/encode.js';
import type { XmlRpcEncodable } from '../../src/xmlrpc/types.js';

type Struct = Record<string, XmlRpcEncodable>;

/** What the template writes for `struct`, as text. */
function written(template: StructTemplate, struct: Struct): string {
  const out: string[] = [];
  template.write(out, struct);
  return out.join('');
}

const scalar = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
);

describe('StructTemplate', () => {
  it('fills in any scalar values of the open members’ kinds: the encoder’s own text for the struct', () => {
    const cases = fc.dictionary(fc.string({ maxLength: 8 }), scalar, { minKeys: 1, maxKeys: 8 }).chain((struct) => {
      const keys = Object.keys(struct);
      return fc.record({
        struct: fc.constant(struct),
        open: fc.subarray(keys),
        values: fc.array(scalar, { minLength: keys.length, maxLength: keys.length }),
      });
    });
    fc.assert(
      fc.property(cases, ({ struct, open, values }) => {
        const template = new StructTemplate(struct, open);
        const other: Struct = { ...struct };
        open.forEach((k, i) => (other[k] = values[i]));
        // a fixed object member never fits; an open member fits a value of its own kind
        const kind = (v: unknown) => (typeof v === 'string' ? 'string' : Number.isSafeInteger(v) ? 'int' : 'other');
        const objects = Object.entries(struct).some(([k, v]) => !open.includes(k) && typeof v === 'object' && v !== null);
        const kinds = open.every((k) => kind(struct[k]) === kind(other[k]));
        expect(template.fits(other)).toBe(!objects && kinds);
        if (!kinds) return;
        expect(written(template, other)).toBe(encodeValue(other));
      }),
      { numRuns: 300 },
    );
  });

  it('a struct that differs in a fixed member, in its keys or their order, or nests where it is open, does not fit', () => {
    const base = { name: 'web', now: 1, state: 20, description: 'pid 1', pid: 7 };
    const template = new StructTemplate(base, ['now', 'description']);
    expect(template.fits({ ...base, now: 99, description: 'other' })).toBe(true);
    expect(template.fits({ ...base, pid: 8 })).toBe(false);
    expect(template.fits({ ...base, state: '20' })).toBe(false);
    expect(template.fits({ ...base, extra: 1 })).toBe(false);
    const { pid: _pid, ...fewer } = base;
    expect(template.fits(fewer)).toBe(false);
    expect(template.fits({ now: 1, name: 'web', state: 20, description: 'pid 1', pid: 7 })).toBe(false);
    expect(template.fits({ ...base, now: [1] })).toBe(false);
    expect(template.fits({ ...base, now: undefined })).toBe(false);
    expect(template.fits({ ...base, now: 1.5 })).toBe(false); // an open <int> stays an integer
    expect(template.fits({ ...base, description: 3 })).toBe(false);
    // a member left undefined is not encoded, in the template as by the encoder
    const sparse = new StructTemplate({ a: 1, b: undefined, c: 'x' }, ['c']);
    expect(sparse.fits({ a: 1, c: 'y' })).toBe(true);
    expect(written(sparse, { a: 1, c: 'y' })).toBe(encodeValue({ a: 1, c: 'y' }));
  });

  it('a struct with a fixed Date or bytes never fits again: they can change in place', () => {
    const when = new Date(0);
    const template = new StructTemplate({ when, n: 1 }, ['n']);
    expect(template.fits({ when, n: 2 })).toBe(false);
    expect(new StructTemplate({ when, n: 1 }, ['when', 'n']).fits({ when: new Date(5), n: 2 })).toBe(true);
  });

  it('refuses a nested member and an open key the struct lacks', () => {
    expect(() => new StructTemplate({ a: [1] }, [])).toThrow(/'a' must be a scalar/);
    expect(() => new StructTemplate({ a: { b: 1 } }, ['a'])).toThrow(/'a' must be a scalar/);
    expect(() => new StructTemplate({ a: 1 }, ['now'])).toThrow(/'now' is not in the struct/);
  });

  it('does not keep the struct it was made from: later changes to that object change nothing', () => {
    const struct: Struct = { name: 'web', now: 1, pid: 7 };
    const template = new StructTemplate(struct, ['now']);
    struct.pid = 8;
    expect(template.fits({ name: 'web', now: 2, pid: 7 })).toBe(true);
    expect(template.fits(struct)).toBe(false);
  });
});

describe('BufferPool', () => {
  const big = Array.from({ length: 3000 }, (_, i) => ({ name: `p${i}`, description: `pid ${i}, uptime 0:00:01` }));

  it('a response’s buffers are reused by the next one once given back, and never by two at once', () => {
    const pool = new BufferPool();
    const first = encodeResponseBytes(big, pool);
    expect(first.length).toBeGreaterThan(2);
    const whileLent = encodeResponseBytes(big, pool);
    const under = (chunks: Buffer[]) => new Set(chunks.map((c) => c.buffer));
    for (const b of under(whileLent)) expect(under(first).has(b)).toBe(false);
    const text = Buffer.concat(first).toString();
    pool.give(first);
    pool.give(first); // a second give of the same chunks is ignored
    const third = encodeResponseBytes(big, pool);
    const fourth = encodeResponseBytes(big, pool);
    for (const b of under(fourth)) expect(under(third).has(b)).toBe(false);
    expect([...under(third)].filter((b) => under(first).has(b))).toHaveLength(first.length);
    expect(Buffer.concat(third).toString()).toBe(text);
    expect(Buffer.concat(third).equals(Buffer.from(encodeResponse(big), 'utf8'))).toBe(true);
  });

  it('keeps at most maxBuffers, and takes back none it did not give', () => {
    const pool = new BufferPool(2);
    const chunks = encodeResponseBytes(big, pool);
    pool.give([Buffer.alloc(65536), ...chunks]);
    const next = encodeResponseBytes(big, pool);
    expect(next.filter((c) => chunks.some((d) => d.buffer === c.buffer))).toHaveLength(2);
  });
});
