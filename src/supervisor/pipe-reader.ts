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
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/** Bytes taken from a pipe per read: more than the socket pair holds. */
const READ_BYTES = 256 * 1024;

let shared: Buffer | undefined;

/** The parts of Node's pipe handle that a socket with a caller's read buffer uses. */
interface PipeHandle {
  useUserBuffer(buffer: Uint8Array): void;
}

function pipeHandle(stream: Readable): PipeHandle | undefined {
  const handle = (stream as unknown as { _handle?: Partial<PipeHandle> | null })._handle;
  return typeof handle?.useUserBuffer === 'function' ? (handle as PipeHandle) : undefined;
}

/**
 * Passes what `stream` (a child's stdout or stderr from `spawn`) reads to `chunk` as a view of a
 * buffer that the next read overwrites: valid only during the call, so whoever keeps bytes copies
 * them. Calls `closed` once when the pipe is closed (end of file or an error). Returns true when it
 * took the pipe over (`stream` then stays idle); where Node does not expose the pipe's handle, it
 * uses the stream's own `data` events (fresh buffers) and returns false.
 */
export function readPipe(stream: Readable, chunk: (view: Buffer) => void, closed: () => void): boolean {
  const handle = pipeHandle(stream);
  if (!handle) {
    stream.on('data', chunk);
    stream.on('error', () => {}); // the pipe closes after it; nothing else to do
    stream.once('close', closed);
    return false;
  }
  shared ??= Buffer.allocUnsafe(READ_BYTES);
  // A second socket on the same handle takes over its reads (the handle already reads: Node
  // started it when it made `stream`, which then never sees data or its end).
  const options = {
    handle,
    readable: true,
    writable: false,
    onread: {
      buffer: shared,
      callback: (bytes: number, buffer: Buffer): void => chunk(buffer.subarray(0, bytes)),
    },
  };
  const socket = new Socket(options);
  socket.on('error', () => {});
  socket.once('close', closed);
  return true;
}
