// supervisord reads a child's output from a pipe of 64 KiB, so one read, and what follows from it
// (one write to the log file and a size check, one PROCESS_LOG event), never holds more. procvisor
// reads more at a time (see supervisor/pipe-reader.ts) and cuts a read into such pieces where the
// bound shows: when a write makes the log file rotate, and in output events.

/** The most one read of a child's pipe gives supervisord: the pipe's capacity. */
export const PIPE_READ_BYTES = 64 * 1024;

/** `chunk` in consecutive pieces of at most {@link PIPE_READ_BYTES} (views, not copies; `chunk` itself when it fits). */
export function* pipeReads(chunk: Buffer): Generator<Buffer> {
  if (chunk.length <= PIPE_READ_BYTES) {
    yield chunk;
    return;
  }
  for (let at = 0; at < chunk.length; at += PIPE_READ_BYTES) yield chunk.subarray(at, Math.min(chunk.length, at + PIPE_READ_BYTES));
}
