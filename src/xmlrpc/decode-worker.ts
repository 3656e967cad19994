// The worker side of decodeMethodCallOffThread: decodes request bodies posted by the main thread
// and posts back the call, or the parse error's kind and message.
import { parentPort } from 'node:worker_threads';
import { decodeMethodCall } from './decode.js';
import { XmlRpcParseError } from './types.js';

export interface DecodeRequest {
  id: number;
  body: Uint8Array;
}

export type DecodeReply =
  { id: number; ok: true; call: ReturnType<typeof decodeMethodCall> } | { id: number; ok: false; kind: XmlRpcParseError['kind'] | undefined; message: string };

parentPort?.on('message', ({ id, body }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    reply = { id, ok: true, call: decodeMethodCall(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) };
  } catch (e) {
    reply = { id, ok: false, kind: e instanceof XmlRpcParseError ? e.kind : undefined, message: (e as Error).message };
  }
  parentPort?.postMessage(reply);
});
