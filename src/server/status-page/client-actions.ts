/// <reference lib="dom" />
// The buttons' requests and their results in words. start / stop / restart go to the JSON API
// (same-origin fetch with a JSON content type, which its cross-site check requires; the browser
// sends the credentials the page was loaded with); clearing logs and the "all" actions use
// supervisord's XML-RPC at /RPC2 (`supervisor.clearProcessLogs`, `startAllProcesses`,
// `stopAllProcesses`), the calls supervisord's own page makes. Stopping or restarting more than
// one process asks first.
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

type Line = [ok: boolean, text: string];

export class ActionRunner {
  readonly #messages: HTMLElement;
  readonly #confirm: HTMLDialogElement;

  constructor(messages: HTMLElement, confirm: HTMLDialogElement) {
    this.#messages = messages;
    this.#confirm = confirm;
    messages.addEventListener('click', (e) => {
      const button = (e.target as Element).closest('button.dismiss');
      if (!button) return;
      const next = button.parentElement?.nextElementSibling?.querySelector<HTMLElement>('button.dismiss');
      button.parentElement?.remove();
      next?.focus();
    });
  }

  /** Runs `action` on `target` (a namespec, or `group:*` with its `members`), then reports the outcome. */
  async run(action: Action, target: string, members: readonly string[]): Promise<void> {
    const group = target.endsWith(':*');
    if (group && (action === 'stop' || action === 'restart')) {
      const what = `${members.length} process${members.length === 1 ? '' : 'es'} of group ${target.slice(0, -2)}`;
      if (!(await this.confirm(`${action === 'stop' ? 'Stop' : 'Restart'} ${what}?`, action === 'stop' ? 'Stop' : 'Restart'))) return;
    }
    await this.#report(target, () => (action === 'clear' ? clearLogs(group ? members : [target]) : callApi(action, target)));
  }

  /** Start all, Stop all (asking first) or Restart all (stop all, then start all, as supervisord's page does). */
  async runAll(action: 'start' | 'stop' | 'restart', count: number): Promise<void> {
    if (action !== 'start') {
      const verb = action === 'stop' ? 'Stop' : 'Restart';
      if (!(await this.confirm(`${verb} all ${count} process${count === 1 ? '' : 'es'}?`, `${verb} all`))) return;
    }
    await this.#report('all processes', async () => {
      if (action === 'start') return allCall('startAllProcesses', 'start');
      const stopped = await allCall('stopAllProcesses', 'stop');
      return action === 'stop' ? stopped : [...stopped.filter(([ok]) => !ok), ...(await allCall('startAllProcesses', 'restart'))];
    });
  }

  /** Shows the confirmation dialog; resolves true when the user confirmed. */
  confirm(question: string, verb: string): Promise<boolean> {
    const d = this.#confirm;
    (d.querySelector('#confirm-text') as HTMLElement).textContent = question;
    (d.querySelector('#confirm-ok') as HTMLElement).textContent = verb;
    d.returnValue = 'cancel';
    d.showModal();
    (d.querySelector('#confirm-cancel') as HTMLElement).focus();
    return new Promise((resolve) => d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true }));
  }

  async #report(target: string, work: () => Promise<Line[]>): Promise<void> {
    try {
      const lines = await work();
      if (lines.length === 0) this.say(`${target}: nothing to do`, true);
      for (const [ok, text] of lines) this.say(text, ok);
    } catch (e) {
      this.say(`${target}: request failed (${e instanceof Error ? e.message : String(e)})`, false);
    }
  }

  /** Adds a line with its time and a dismiss button to the live region, dropping the oldest beyond KEEP_MESSAGES. */
  say(text: string, ok: boolean): void {
    const p = document.createElement('p');
    p.className = ok ? 'ok' : 'error';
    const now = new Date();
    const time = document.createElement('time');
    time.dateTime = now.toISOString();
    time.textContent = now.toTimeString().slice(0, 8);
    const words = document.createElement('span');
    words.textContent = ok ? text : `Error: ${text}`;
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'dismiss';
    dismiss.textContent = '×';
    dismiss.setAttribute('aria-label', `Dismiss: ${words.textContent}`);
    p.append(time, ' ', words, ' ', dismiss);
    this.#messages.append(p);
    while (this.#messages.childElementCount > KEEP_MESSAGES) this.#messages.firstElementChild?.remove();
  }
}

async function callApi(action: Exclude<Action, 'clear'>, target: string): Promise<Line[]> {
  const res = await fetch(`/api/processes/${encodeURIComponent(target)}/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: '{}',
  });
  const body = (await res.json().catch(() => ({}))) as ApiFailure & ApiSuccess;
  if (!res.ok) return [[false, describeFailure(target, body.error?.code ?? `HTTP ${res.status}`, body.error?.message ?? res.statusText)]];
  if (!body.results) return [[true, `${target}: ${DONE_WORDS[action]}`]];
  return body.results.map((r): Line =>
    r.code === 'SUCCESS' ? [true, `${r.namespec}: ${DONE_WORDS[action]}`] : [false, describeFailure(r.namespec, r.code, r.description)],
  );
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One XML-RPC call; the parsed response, or the fault's string. */
async function rpc(method: string, params: string): Promise<{ doc: Document; fault: string | undefined }> {
  const body = `<?xml version="1.0"?><methodCall><methodName>supervisor.${method}</methodName><params>${params}</params></methodCall>`;
  const res = await fetch('/RPC2', { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  const doc = new DOMParser().parseFromString(await res.text(), 'text/xml');
  if (!doc.querySelector('fault')) return { doc, fault: undefined };
  return { doc, fault: memberOf(doc.documentElement, 'faultString') ?? 'FAILED' };
}

/** The text of the struct member `name` directly under `struct`. */
function memberOf(struct: Element, name: string): string | undefined {
  return [...struct.querySelectorAll('member')].find((m) => m.querySelector('name')?.textContent === name)?.querySelector('value')?.textContent ?? undefined;
}

/** startAllProcesses / stopAllProcesses (waiting): one line per process in the result array. */
async function allCall(method: 'startAllProcesses' | 'stopAllProcesses', action: Exclude<Action, 'clear'>): Promise<Line[]> {
  const { doc, fault } = await rpc(method, '<param><value><boolean>1</boolean></value></param>');
  if (fault) return [[false, describeFailure('all processes', fault.split(':')[0] ?? 'FAILED', fault)]];
  return [...doc.querySelectorAll('array > data > value > struct')].map((s): Line => {
    const group = memberOf(s, 'group') ?? '';
    const name = memberOf(s, 'name') ?? '';
    const namespec = group === name ? name : `${group}:${name}`;
    const status = Number(memberOf(s, 'status') ?? 0);
    return status === 80
      ? [true, `${namespec}: ${DONE_WORDS[action]}`]
      : [false, describeFailure(namespec, FAULT_BY_NUMBER[status] ?? 'FAILED', memberOf(s, 'description') ?? '')];
  });
}

/** supervisord's fault numbers that a start or stop result may carry. */
const FAULT_BY_NUMBER: Record<number, string> = {
  10: 'BAD_NAME',
  20: 'NO_FILE',
  21: 'NOT_EXECUTABLE',
  30: 'FAILED',
  40: 'ABNORMAL_TERMINATION',
  50: 'SPAWN_ERROR',
  60: 'ALREADY_STARTED',
  70: 'NOT_RUNNING',
};

async function clearLogs(namespecs: readonly string[]): Promise<Line[]> {
  return Promise.all(namespecs.map(clearLog));
}

/** supervisor.clearProcessLogs over XML-RPC; a fault's string is `NAME: detail`. */
async function clearLog(namespec: string): Promise<Line> {
  try {
    const { fault } = await rpc('clearProcessLogs', `<param><value><string>${xmlEscape(namespec)}</string></value></param>`);
    if (!fault) return [true, `${namespec}: ${DONE_WORDS.clear}`];
    return [false, describeFailure(namespec, fault.split(':')[0] ?? 'FAILED', fault)];
  } catch (e) {
    return [false, `${namespec}: ${(e as Error).message}`];
  }
}
