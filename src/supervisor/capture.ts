// supervisord's capture mode (`stdout_capture_maxbytes` / `stderr_capture_maxbytes` > 0): output
// between <!--XSUPERVISOR:BEGIN--> and <!--XSUPERVISOR:END--> goes to a bounded buffer instead of
// the log, and becomes one PROCESS_COMMUNICATION event when the end token arrives. Reproduces its
// quirks: output is examined only once it is longer than the token being looked for (so a short
// tail after an end token waits for more output), and a partial token at the end is held back.

export const BEGIN_TOKEN = Buffer.from('<!--XSUPERVISOR:BEGIN-->');
export const END_TOKEN = Buffer.from('<!--XSUPERVISOR:END-->');

export interface CaptureSink {
  /** Output outside the tokens (`toLog` true) or captured inside them (false: no log file write). */
  output(part: Buffer, toLog: boolean): void;
  /** The captured text, when the end token arrived. */
  communication(data: Buffer): void;
}

/** The capture state of one channel of one child (a new one per spawn). */
export class CaptureChannel {
  #pending: Buffer = Buffer.alloc(0);
  #capturing = false;
  #captured: Buffer = Buffer.alloc(0);

  constructor(readonly maxbytes: number) {}

  feed(chunk: Buffer, sink: CaptureSink): void {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    for (;;) {
      const token = this.#capturing ? END_TOKEN : BEGIN_TOKEN;
      if (this.#pending.length <= token.length) return;
      let data = this.#pending;
      this.#pending = Buffer.alloc(0);
      const at = data.indexOf(token);
      if (at === -1) {
        const keep = prefixAtEnd(data, token);
        if (keep) {
          this.#pending = data.subarray(data.length - keep);
          data = data.subarray(0, data.length - keep);
        }
        this.#emit(data, sink);
        return;
      }
      this.#emit(data.subarray(0, at), sink);
      this.#toggle(sink);
      this.#pending = data.subarray(at + token.length);
      if (this.#pending.length === 0) return;
    }
  }

  #emit(data: Buffer, sink: CaptureSink): void {
    if (data.length === 0) return;
    if (this.#capturing) {
      // supervisord's bounded buffer: drops as many leading bytes as it appends, once full.
      this.#captured =
        this.#captured.length + data.length > this.maxbytes
          ? Buffer.concat([this.#captured.subarray(data.length), data])
          : Buffer.concat([this.#captured, data]);
    }
    sink.output(data, !this.#capturing);
  }

  #toggle(sink: CaptureSink): void {
    this.#capturing = !this.#capturing;
    if (this.#capturing) return;
    const data = this.#captured;
    this.#captured = Buffer.alloc(0);
    sink.communication(data);
  }
}

/** Length of the longest proper prefix of `token` that `data` ends with (asynchat's find_prefix_at_end). */
function prefixAtEnd(data: Buffer, token: Buffer): number {
  let l = token.length - 1;
  while (l > 0 && !data.subarray(data.length - l).equals(token.subarray(0, l))) l--;
  return l;
}
