// Decoding XML-RPC request bodies without stalling the event loop. fast-xml-parser works in one
// synchronous call (about a quarter of a second for a 2 MB body, several times that on a busy
// machine), and a hundred such requests at once would delay every timer and state transition of
// the supervisor by the sum. Small bodies decode in place; large ones go to one worker thread
// (where its compiled script exists, as in the built package) or, failing that, decode one per
// event-loop turn so timers and I/O run between them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeMethodCall } from './decode.js';
import type { DecodeReply, DecodeRequest } from './decode-worker.js';
import { XmlRpcParseError, type XmlRpcMethodCall, type XmlRpcValue } from './types.js';

/** Bodies up to this size decode in place (well under a millisecond of parsing). */
export const INLINE_DECODE_BYTES = 16 * 1024;

const WORKER_URL = new URL('./decode-worker.js', import.meta.url);

/** Runs heavy synchronous jobs one per event-loop turn, so timers and I/O run between them. */
export class OnePerTurn {
  readonly #queue: (() => void)[] = [];
  #scheduled = false;

  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(() => {
        try {
          resolve(job());
        } catch (e) {
          reject(e);
        }
      });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#queue.shift()?.();
      this.#schedule();
    });
  }
}

/** Base64 values come back from the worker as plain Uint8Arrays; the decoder's contract is Buffer. */
function restoreBuffers(v: XmlRpcValue): XmlRpcValue {
  if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = restoreBuffers(v[i] as XmlRpcValue);
    return v;
  }
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    for (const k of Object.keys(v)) v[k] = restoreBuffers(v[k] as XmlRpcValue);
  }
  return v;
}

/** One worker thread decoding large bodies in order; unref'd, so it never keeps a process alive. */
class DecodeWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (c: XmlRpcMethodCall) => void; reject: (e: Error) => void; base64: boolean }>();
  #nextId = 0;
  #failed: Error | undefined;

  constructor(url: URL) {
    this.#worker = new Worker(url);
    this.#worker.unref();
    this.#worker.on('message', (r: DecodeReply) => {
      const p = this.#pending.get(r.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (r.ok) p.resolve(p.base64 ? { methodName: r.call.methodName, params: r.call.params.map(restoreBuffers) } : r.call);
      else p.reject(r.kind ? new XmlRpcParseError(r.kind, r.message) : new Error(r.message));
    });
    const fail = (e: Error) => {
      this.#failed = e;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the XML-RPC decode worker exited (code ${code})`)));
  }

  get usable(): boolean {
    return this.#failed === undefined;
  }

  decode(body: Buffer): Promise<XmlRpcMethodCall> {
    const id = this.#nextId++;
    // A copy of its own, so the transfer cannot detach memory shared with other buffers.
    const copy = new Uint8Array(body);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, base64: body.includes('<base64') });
      const message: DecodeRequest = { id, body: copy };
      this.#worker.postMessage(message, [copy.buffer]);
    });
  }
}

export interface DecoderOptions {
  /** Where the worker script is; default: decode-worker.js beside this module. */
  workerUrl?: URL | undefined;
  /** Decode large bodies in a worker when its script exists. Default true. */
  useWorker?: boolean | undefined;
}

/** Decodes request bodies: small ones in place, large ones off the event loop's critical path. */
export class MethodCallDecoder {
  readonly #turns = new OnePerTurn();
  readonly #workerUrl: URL;
  readonly #useWorker: boolean;
  #worker: DecodeWorker | undefined;

  constructor(options: DecoderOptions = {}) {
    this.#workerUrl = options.workerUrl ?? WORKER_URL;
    this.#useWorker = options.useWorker !== false && existsSync(fileURLToPath(this.#workerUrl));
  }

  /** Whether large bodies go to a worker thread (else: one decode per event-loop turn). */
  get usesWorker(): boolean {
    return this.#useWorker && (this.#worker?.usable ?? true);
  }

  /** @throws {XmlRpcParseError} as decodeMethodCall does */
  decode(body: Buffer): Promise<XmlRpcMethodCall> {
    if (body.length <= INLINE_DECODE_BYTES) {
      try {
        return Promise.resolve(decodeMethodCall(body.toString('utf8')));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (this.usesWorker) {
      this.#worker ??= new DecodeWorker(this.#workerUrl);
      return this.#worker.decode(body);
    }
    return this.#turns.run(() => decodeMethodCall(body.toString('utf8')));
  }
}

let shared: MethodCallDecoder | undefined;

/** decodeMethodCall for a request body, without stalling the event loop (one shared decoder). */
export function decodeMethodCallOffThread(body: Buffer): Promise<XmlRpcMethodCall> {
  shared ??= new MethodCallDecoder();
  return shared.decode(body);
}
