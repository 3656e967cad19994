/// <reference lib="dom" />
// The buttons' requests and their results in words. start / stop / restart go to the JSON API
// (same-origin fetch with a JSON content type, which its cross-site check requires); clearing logs
// uses supervisord's XML-RPC `supervisor.clearProcessLogs` at /RPC2, the only API that offers it.
import { describeFailure, DONE_WORDS } from './view.js';

export type Action = 'start' | 'stop' | 'restart' | 'clear';

interface ApiFailure {
  error?: { code?: string; message?: string };
}
interface ApiResult {
  namespec: string;
  code: string;
  description: string;
}
interface ApiSuccess {
  results?: ApiResult[];
}

/** How many results stay on screen. */
const KEEP_MESSAGES = 6;

export class ActionRunner {
  readonly #messages: HTMLElement;

  constructor(messages: HTMLElement) {
    this.#messages = messages;
  }

  /** Runs `action` on `target` (a namespec, or `group:*` with its `members`), then reports the outcome. */
  async run(action: Action, target: string, members: readonly string[]): Promise<void> {
    try {
      const lines = action === 'clear' ? await clearLogs(target.endsWith(':*') ? members : [target]) : await callApi(action, target);
      for (const [ok, text] of lines) this.say(text, ok);
    } catch (e) {
      this.say(`${target}: request failed (${e instanceof Error ? e.message : String(e)})`, false);
    }
  }

  /** Adds a line to the live region (announced politely), dropping the oldest beyond KEEP_MESSAGES. */
  say(text: string, ok: boolean): void {
    const p = document.createElement('p');
    p.className = ok ? 'ok' : 'error';
    p.textContent = ok ? text : `Error: ${text}`;
    this.#messages.append(p);
    while (this.#messages.childElementCount > KEEP_MESSAGES) this.#messages.firstElementChild?.remove();
  }
}

type Line = [ok: boolean, text: string];

async function callApi(action: Exclude<Action, 'clear'>, target: string): Promise<Line[]> {
  const res = await fetch(`/api/processes/${encodeURIComponent(target)}/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: '{}',
  });
  const body = (await res.json().catch(() => ({}))) as ApiFailure & ApiSuccess;
  if (!res.ok) return [[false, describeFailure(target, body.error?.code ?? `HTTP ${res.status}`, body.error?.message ?? res.statusText)]];
  if (!body.results) return [[true, `${target}: ${DONE_WORDS[action]}`]];
  if (body.results.length === 0) return [[true, `${target}: nothing to ${action}`]];
  return body.results.map((r): Line => (r.code === 'SUCCESS' ? [true, `${r.namespec}: ${DONE_WORDS[action]}`] : [false, describeFailure(r.namespec, r.code, r.description)]));
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function clearLogs(namespecs: readonly string[]): Promise<Line[]> {
  return Promise.all(namespecs.map(clearLog));
}

/** supervisor.clearProcessLogs over XML-RPC; a fault's string is `NAME: detail`. */
async function clearLog(namespec: string): Promise<Line> {
  const body =
    `<?xml version="1.0"?><methodCall><methodName>supervisor.clearProcessLogs</methodName>` +
    `<params><param><value><string>${xmlEscape(namespec)}</string></value></param></params></methodCall>`;
  const res = await fetch('/RPC2', { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
  if (!res.ok) return [false, `${namespec}: HTTP ${res.status} ${res.statusText}`];
  const doc = new DOMParser().parseFromString(await res.text(), 'text/xml');
  if (!doc.querySelector('fault')) return [true, `${namespec}: ${DONE_WORDS.clear}`];
  const faultString = [...doc.querySelectorAll('member')].find((m) => m.querySelector('name')?.textContent === 'faultString')?.querySelector('value')?.textContent ?? '';
  const code = faultString.split(':')[0] ?? 'FAILED';
  return [false, describeFailure(namespec, code, faultString)];
}
