// Decoding large XML-RPC bodies off the event loop's critical path: small bodies in place, large
// ones in the worker thread (built package) with the same results and errors as decodeMethodCall,
// or, without the worker script, one decode per event-loop turn with timers running in between.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeMethodCall } from '../../src/xmlrpc/decode.js';
import { INLINE_DECODE_BYTES, MethodCallDecoder } from '../../src/xmlrpc/decode-async.js';
import { encodeMethodCall } from '../../src/xmlrpc/encode.js';
import { XmlRpcParseError } from '../../src/xmlrpc/types.js';

const WORKER_JS = join(import.meta.dirname, '../../dist/xmlrpc/decode-worker.js');
const HAVE_WORKER = existsSync(WORKER_JS);
if (!HAVE_WORKER) console.warn('NOTICE: dist/xmlrpc/decode-worker.js missing (run `npm run build`): the worker-thread decode tests are skipped');

const large = () =>
  Buffer.from(
    encodeMethodCall('supervisor.sendProcessStdin', [
      'x'.repeat(INLINE_DECODE_BYTES * 4),
      Buffer.from([0, 1, 2, 250]),
      new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      { nested: [1, 2.5, true, null, Buffer.from('hi')] },
    ]),
  );

describe('MethodCallDecoder', () => {
  it('decodes a small body in place, a large one without the worker one per turn, both equal to decodeMethodCall', async () => {
    const d = new MethodCallDecoder({ useWorker: false });
    expect(d.usesWorker).toBe(false);
    const small = Buffer.from(encodeMethodCall('supervisor.getState', []));
    expect(await d.decode(small)).toEqual(decodeMethodCall(small.toString()));
    const body = large();
    expect(await d.decode(body)).toEqual(decodeMethodCall(body.toString()));
  });

  it('without the worker, timers run between two large decodes (one per event-loop turn)', async () => {
    const d = new MethodCallDecoder({ useWorker: false });
    const order: string[] = [];
    const body = large();
    const jobs = [1, 2, 3].map((i) => d.decode(body).then(() => order.push(`decode ${i}`)));
    setTimeout(() => order.push('timer'), 0);
    await Promise.all(jobs);
    expect(order.indexOf('timer')).toBeGreaterThan(-1);
    expect(order.indexOf('timer')).toBeLessThan(order.indexOf('decode 3'));
  });

  it('refuses a malformed large body with the parse error kind', async () => {
    const d = new MethodCallDecoder({ useWorker: false });
    const bad = Buffer.from(`<?xml version="1.0"?><methodCall><methodName>x</methodName><params>${' '.repeat(INLINE_DECODE_BYTES * 2)}`);
    await expect(d.decode(bad)).rejects.toBeInstanceOf(XmlRpcParseError);
  });

  describe.skipIf(!HAVE_WORKER)('with the worker thread (dist/)', () => {
    it('gives the same call as decodeMethodCall, base64 values as Buffers, errors with their kind', async () => {
      const d = new MethodCallDecoder({ workerUrl: pathToFileURL(WORKER_JS) });
      expect(d.usesWorker).toBe(true);
      const body = large();
      const call = await d.decode(body);
      expect(call).toEqual(decodeMethodCall(body.toString()));
      expect(Buffer.isBuffer(call.params[1])).toBe(true);
      expect(Buffer.isBuffer((call.params[3] as { nested: unknown[] }).nested[4])).toBe(true);
      const doctype = Buffer.from(`<?xml version="1.0"?><!DOCTYPE x><methodCall><methodName>x</methodName>${' '.repeat(INLINE_DECODE_BYTES * 2)}</methodCall>`);
      const err = await d.decode(doctype).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(XmlRpcParseError);
      expect((err as XmlRpcParseError).kind).toBe('MALFORMED');
      // Many at once come back to their own callers.
      const many = await Promise.all(
        Array.from({ length: 8 }, (_, i) => d.decode(Buffer.from(encodeMethodCall(`m${i}`, ['y'.repeat(INLINE_DECODE_BYTES * 2)])))),
      );
      expect(many.map((c) => c.methodName)).toEqual(Array.from({ length: 8 }, (_, i) => `m${i}`));
      expect(d.usesWorker).toBe(true);
    });

    it('the event loop keeps turning while the worker decodes large bodies', async () => {
      const d = new MethodCallDecoder({ workerUrl: pathToFileURL(WORKER_JS) });
      const body = Buffer.from(encodeMethodCall('m', [Array.from({ length: 30_000 }, (_, i) => i)]));
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      await Promise.all(Array.from({ length: 4 }, () => d.decode(body)));
      clearInterval(timer);
      // Inline, four decodes in one turn would let no tick through.
      expect(ticks).toBeGreaterThan(1);
    });
  });
});
