// Line input for the interactive shell, its y/N questions and `fg` (Python's raw_input()).

import { createInterface, type Interface } from 'node:readline';
import type { TextSink } from './ctl-controller.js';

/** Reads one line at a time; `null` means end of input (Python's EOFError). */
export class LineReader {
  // The readline interface over stdin; created on first read.
  #rl: Interface | undefined;
  // Lines read but not yet asked for, and readers waiting for a line.
  readonly #lines: string[] = [];
  readonly #waiting: ((line: string | null) => void)[] = [];
  #ended = false;
  readonly #input: () => NodeJS.ReadableStream | undefined;
  readonly #out: TextSink;

  /** `input` is called on the first read only, so an unused stdin is never opened. */
  constructor(input: () => NodeJS.ReadableStream | undefined, out: TextSink) {
    this.#input = input;
    this.#out = out;
  }

  /** Writes `prompt` (if any) and resolves with the next line, without its newline. */
  read(prompt = ''): Promise<string | null> {
    if (prompt) this.#out.write(prompt);
    this.#start();
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Stops reading; a paused stdin no longer keeps the process alive. */
  close(): void {
    this.#rl?.close();
    if (this.#rl) this.#input()?.pause();
  }

  #start(): void {
    if (this.#rl || this.#ended) return;
    const input = this.#input();
    if (!input) {
      this.#ended = true;
      return;
    }
    this.#rl = createInterface({ input, terminal: false });
    this.#rl.on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    this.#rl.on('close', () => {
      this.#ended = true;
      for (const waiter of this.#waiting.splice(0)) waiter(null);
    });
  }
}
