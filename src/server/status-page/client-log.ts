/// <reference lib="dom" />
// The log panel: one process's output, followed live through the JSON API's server-sent events
// (`GET /api/processes/:namespec/logs?follow=true`), which first replay what is held in memory.
// Pausing keeps the stream open and holds new lines back until resumed. Lines that carry a time
// (procvisor's timestamped or JSON log modes) show it in its own column; Download log fetches the
// whole file of the stream shown (GET /status-page/log/:namespec/:stream).
import { splitLogLine } from './view.js';

export interface LogElements {
  panel: HTMLElement;
  title: HTMLElement;
  namespec: HTMLElement;
  stream: HTMLSelectElement;
  pause: HTMLButtonElement;
  close: HTMLButtonElement;
  status: HTMLElement;
  output: HTMLElement;
  download: HTMLAnchorElement;
}

/** The lines as nodes: plain text, with a `<time>` before the text of lines that carry one. */
function render(lines: readonly string[]): DocumentFragment {
  const out = document.createDocumentFragment();
  let plain = '';
  for (const line of lines) {
    const { time, text } = splitLogLine(line);
    if (!time) {
      plain += `${line}\n`;
      continue;
    }
    if (plain) out.append(plain);
    plain = '';
    const t = document.createElement('time');
    t.className = 'ts';
    t.textContent = time;
    out.append(t, ` ${text}\n`);
  }
  if (plain) out.append(plain);
  return out;
}

/** Lines kept on screen (and held while paused). */
const MAX_LINES = 5000;

type Mode = 'following' | 'paused' | 'ended';

export class LogView {
  readonly #el: LogElements;
  /** The open stream; undefined when none. */
  #source: EventSource | undefined;
  /** The process shown; '' when the panel is closed. */
  #namespec = '';
  /** The button that opened the panel (focus returns there). */
  #opener: HTMLElement | undefined;
  /** Lines on screen. */
  #lines: string[] = [];
  /** Lines received and not drawn yet (while paused, or until the next frame). */
  #held: string[] = [];
  #mode: Mode = 'ended';
  #frame = 0;

  constructor(el: LogElements) {
    this.#el = el;
    el.pause.addEventListener('click', () => this.#togglePause());
    el.close.addEventListener('click', () => this.close());
    el.stream.addEventListener('change', () => this.#connect());
    el.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
  }

  get namespec(): string {
    return this.#namespec;
  }

  open(namespec: string, opener: HTMLElement): void {
    this.#namespec = namespec;
    this.#opener = opener;
    this.#el.namespec.textContent = namespec;
    this.#el.panel.hidden = false;
    document.body.classList.add('log-open');
    this.#connect();
    this.#el.title.focus();
  }

  close(): void {
    this.#disconnect();
    this.#namespec = '';
    this.#el.panel.hidden = true;
    document.body.classList.remove('log-open');
    this.#opener?.focus();
  }

  /** Empties the view (after the log was cleared). */
  clear(): void {
    this.#lines = [];
    this.#held = [];
    this.#el.output.textContent = '';
  }

  #connect(): void {
    this.#disconnect();
    this.clear();
    const stream = this.#el.stream.value;
    this.#el.download.href = `/status-page/log/${encodeURIComponent(this.#namespec)}/${encodeURIComponent(stream)}`;
    this.#el.download.setAttribute('aria-label', `Download ${stream} log of ${this.#namespec}`);
    const url = `/api/processes/${encodeURIComponent(this.#namespec)}/logs?follow=true&stream=${encodeURIComponent(stream)}`;
    const source = new EventSource(url);
    this.#source = source;
    this.#setMode('following', 'Connecting…');
    source.onopen = () => this.#setMode(this.#mode === 'paused' ? 'paused' : 'following', '');
    source.onmessage = (e: MessageEvent<string>) => this.#receive(e.data);
    source.addEventListener('end', () => this.#end('The process was removed; the log ended.'));
    // EventSource would reconnect and replay the buffered tail (duplicating lines): stop instead.
    source.onerror = () => this.#end('Disconnected from the log stream.');
  }

  #disconnect(): void {
    this.#source?.close();
    this.#source = undefined;
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  #end(message: string): void {
    this.#disconnect();
    this.#flush();
    this.#setMode('ended', message);
  }

  #togglePause(): void {
    if (this.#mode === 'ended') return this.#connect();
    if (this.#mode === 'following') return this.#setMode('paused', '');
    this.#setMode('following', '');
    this.#flush();
  }

  #setMode(mode: Mode, message: string): void {
    this.#mode = mode;
    this.#el.pause.textContent = mode === 'following' ? 'Pause' : mode === 'paused' ? 'Resume' : 'Reconnect';
    this.#el.status.textContent = message || (mode === 'paused' ? this.#pausedText() : 'Following new output');
  }

  #pausedText(): string {
    return this.#held.length ? `Paused: ${this.#held.length} new line${this.#held.length === 1 ? '' : 's'} held` : 'Paused';
  }

  #receive(line: string): void {
    this.#held.push(line);
    if (this.#held.length > MAX_LINES) this.#held.splice(0, this.#held.length - MAX_LINES);
    if (this.#mode === 'paused') this.#el.status.textContent = this.#pausedText();
    else this.#frame ||= requestAnimationFrame(() => this.#flush());
  }

  /** Draws held lines, keeping the view at the bottom if it was there. */
  #flush(): void {
    this.#frame = 0;
    if (this.#held.length === 0) return;
    const out = this.#el.output;
    const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
    const added = this.#held;
    this.#held = [];
    this.#lines.push(...added);
    if (this.#lines.length > MAX_LINES * 1.2) {
      this.#lines = this.#lines.slice(-MAX_LINES);
      out.replaceChildren(render(this.#lines));
    } else {
      out.append(render(added));
    }
    if (atBottom) out.scrollTop = out.scrollHeight;
  }
}
