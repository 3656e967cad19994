// Reading a child's stdout and stderr. Node's own pipe streams allocate a new 64 KiB buffer for every
// read; at hundreds of megabytes per second that garbage (V8 runs a full collection for each 64 MB
// of buffers made) was ~40% of the daemon's CPU per megabyte logged. Here every pipe of the host
// reads into one buffer (reads run one at a time on the event loop), and a consumer copies only
// what it keeps.
//
// A child's stdio "pipe" is a unix socket pair whose send buffer holds ~200 KiB; a child writing
// flat out fills it between two of our reads. Reading it 64 KiB at a time took three or four
// read(2) calls, event-loop turns and file writes for each fill, the child blocked meanwhile; one
// read of up to 256 KiB takes it in one. A read may thus hold more than supervisord ever gets
// from one read of its 64 KiB pipes; where that shows (the log file's rotation, output events), the
// consumer keeps supervisord's bound: see logs/pipe-reads.ts.
import type { Readable } from 'node:stream';

/** Bytes taken from a pipe per read: more than the socket pair holds. */
const READ_BYTES = 256 * 1024;

let shared: Buffer | undefined;

/** The part of Node's pipe handle that makes it read into a caller's buffer. */
interface PipeHandle {
  useUserBuffer(buffer: Uint8Array): void;
}

/**
 * Where Node's socket keeps the buffer and callback of its `onread` option: a socket whose
 * buffer slot is set hands each read to the callback instead of pushing a fresh Buffer (and still
 * ends and closes as any socket). Found by description, as Node does not export them.
 */
interface UserBufferSlots {
  buffer: symbol;
  callback: symbol;
}

function userBufferSlots(stream: Readable): UserBufferSlots | undefined {
  const symbols = Object.getOwnPropertySymbols(stream);
  const buffer = symbols.find((s) => s.description === 'kBuffer');
  const callback = symbols.find((s) => s.description === 'kBufferCb');
  return buffer && callback ? { buffer, callback } : undefined;
}

function pipeHandle(stream: Readable): PipeHandle | undefined {
  const handle = (stream as unknown as { _handle?: Partial<PipeHandle> | null })._handle;
  return typeof handle?.useUserBuffer === 'function' ? (handle as PipeHandle) : undefined;
}

/**
 * Passes what `stream` (a child's stdout or stderr from `spawn`) reads to `chunk` as a view of a
 * buffer that the next read overwrites: valid only during the call, so whoever keeps bytes copies
 * them. Calls `closed` once when the pipe is closed (end of file or an error). Returns true when
 * the reads go into the shared buffer; where Node does not expose what that takes, it uses the
 * stream's own `data` events (fresh buffers) and returns false.
 */
export function readPipe(stream: Readable, chunk: (view: Buffer) => void, closed: () => void): boolean {
  stream.on('error', () => {}); // the pipe closes after it; nothing else to do
  stream.once('close', closed);
  const handle = pipeHandle(stream);
  const slots = userBufferSlots(stream);
  if (!handle || !slots) {
    stream.on('data', chunk);
    return false;
  }
  shared ??= Buffer.allocUnsafe(READ_BYTES);
  // The stream was made with its handle already reading (into buffers of Node's); from the next
  // read on, the handle fills `shared` and the stream calls back instead of pushing.
  const slotted = stream as unknown as Record<symbol, unknown>;
  slotted[slots.buffer] = shared;
  slotted[slots.callback] = (bytes: number, buffer: Buffer): void => chunk(buffer.subarray(0, bytes));
  handle.useUserBuffer(shared);
  return true;
}
