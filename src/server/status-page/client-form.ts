/// <reference lib="dom" />
// The program form: creates a program (POST /api/programs) or edits one the JSON API holds
// (GET, then PUT /api/programs/:name). Same-origin fetches, so the browser sends the credentials
// the page was loaded with, and a JSON content type, as the API's cross-site check requires. An
// edit sends the stored definition with only the fields changed in the form replaced, so options
// the form does not show are kept. The API validates; its message (and the option at fault) is
// shown in the dialog, which stays open.

type Config = Record<string, unknown>;

interface ProgramAnswer {
  program?: { name: string; config: Config };
  applied?: 'now' | 'next-start' | 'restarted';
  error?: { code?: string; message?: string; field?: string };
}

/** Form fields by config option. */
const FIELDS = [
  'name',
  'command',
  'directory',
  'environment',
  'numprocs',
  'startsecs',
  'startretries',
  'stopwaitsecs',
  'autorestart',
  'autostart',
  'process_name',
] as const;
type Field = (typeof FIELDS)[number];
const NUMBERS: ReadonlySet<Field> = new Set(['numprocs', 'startsecs', 'startretries', 'stopwaitsecs']);
const APPLIED_WORDS = { now: 'saved', 'next-start': 'saved; applies at its next start', restarted: 'saved and restarted' };

const inputId = (f: Field) => `pf-${f.replace(/_/g, '-')}`;

/** A command argv as one line, quoting what needs it (supervisord splits it back the same way). */
/** A number, boolean or string as the form shows it; '' when unset. */
function scalarText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function commandText(command: unknown): string {
  if (!Array.isArray(command)) return typeof command === 'string' ? command : '';
  return command.map((a) => (/^[\w@%+=:,./-]+$/.test(String(a)) ? String(a) : `'${String(a).replace(/'/g, `'"'"'`)}'`)).join(' ');
}

function environmentText(env: unknown): string {
  if (typeof env === 'string') return env.split(',').join('\n');
  if (env && typeof env === 'object')
    return Object.entries(env as Record<string, unknown>)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join('\n');
  return '';
}

/** `KEY=value` lines as an object; throws naming the first bad line. */
export function parseEnvironment(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`Environment line ${i + 1} is not KEY=value: ${line}`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  });
  return out;
}

export class ProgramForm {
  readonly #dialog: HTMLDialogElement;
  readonly #form: HTMLFormElement;
  readonly #error: HTMLElement;
  readonly #say: (text: string, ok: boolean) => void;
  readonly #changed: () => void;
  /** The program being edited ('' for a new one) and its stored definition. */
  #editing = '';
  #stored: Config = {};
  /** The form's values as filled in, to send only what changed. */
  #initial = new Map<Field, string>();

  constructor(dialog: HTMLDialogElement, say: (text: string, ok: boolean) => void, changed: () => void) {
    this.#dialog = dialog;
    this.#form = dialog.querySelector('form') as HTMLFormElement;
    this.#error = dialog.querySelector('#program-error') as HTMLElement;
    this.#say = say;
    this.#changed = changed;
    this.#form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#save();
    });
    (dialog.querySelector('#program-cancel') as HTMLElement).addEventListener('click', () => dialog.close());
  }

  #input(f: Field): HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement {
    return this.#form.querySelector(`#${inputId(f)}`) as HTMLInputElement;
  }

  #value(f: Field): string {
    const el = this.#input(f);
    return el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value;
  }

  /** Opens the form empty (a new program) or filled with `name`'s stored definition. */
  async open(name?: string): Promise<void> {
    this.#form.reset();
    this.#error.textContent = '';
    this.#editing = name ?? '';
    this.#stored = {};
    if (name) {
      const res = await fetch(`/api/programs/${encodeURIComponent(name)}`, { headers: { Accept: 'application/json' } });
      const body = (await res.json().catch(() => ({}))) as ProgramAnswer;
      if (!res.ok || !body.program) return this.#say(`${name}: cannot be edited here (${body.error?.message ?? `HTTP ${res.status}`})`, false);
      this.#stored = body.program.config;
      this.#fill(this.#stored);
    }
    const nameInput = this.#input('name') as HTMLInputElement;
    nameInput.readOnly = this.#editing !== '';
    (this.#dialog.querySelector('#program-title') as HTMLElement).textContent = name ? `Edit program ${name}` : 'New program';
    (this.#dialog.querySelector('#program-save') as HTMLElement).textContent = name ? 'Save' : 'Create';
    this.#initial = new Map(FIELDS.map((f) => [f, this.#value(f)]));
    this.#dialog.showModal();
    (this.#editing ? this.#input('command') : nameInput).focus();
  }

  #fill(c: Config): void {
    const set = (f: Field, v: string) => (this.#input(f).value = v);
    set('name', typeof c.name === 'string' ? c.name : '');
    set('command', commandText(c.command));
    set('directory', typeof c.directory === 'string' ? c.directory : '');
    set('environment', environmentText(c.environment));
    for (const f of NUMBERS) set(f, scalarText(c[f]));
    set('autorestart', scalarText(c.autorestart));
    set('process_name', typeof c.process_name === 'string' ? c.process_name : '');
    (this.#input('autostart') as HTMLInputElement).checked = c.autostart !== false;
  }

  /** The definition to send: the stored one with the changed fields replaced (all non-empty fields for a new program). */
  #config(): Config {
    const out: Config = { ...this.#stored };
    for (const f of FIELDS) {
      const v = this.#value(f);
      if (this.#editing && v === this.#initial.get(f)) continue;
      if (f === 'autostart') {
        if (v === 'false' || this.#editing) out.autostart = v === 'true';
      } else if (v.trim() === '') delete out[f];
      else if (NUMBERS.has(f)) out[f] = Number(v);
      else if (f === 'environment') out.environment = parseEnvironment(v);
      else if (f === 'autorestart') out.autorestart = v === 'true' ? true : v === 'false' ? false : v;
      else out[f] = f === 'name' ? v.trim() : v;
    }
    return out;
  }

  async #save(): Promise<void> {
    this.#error.textContent = '';
    let config: Config;
    try {
      config = this.#config();
    } catch (e) {
      this.#error.textContent = (e as Error).message;
      return this.#input('environment').focus();
    }
    const name = this.#editing || (typeof config.name === 'string' ? config.name : '');
    const res = await fetch(this.#editing ? `/api/programs/${encodeURIComponent(name)}` : '/api/programs', {
      method: this.#editing ? 'PUT' : 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(config),
    }).catch((e: unknown) => e as Error);
    if (res instanceof Error) {
      this.#error.textContent = `Request failed: ${res.message}`;
      return;
    }
    const body = (await res.json().catch(() => ({}))) as ProgramAnswer;
    if (!res.ok) {
      const field = body.error?.field;
      this.#error.textContent = `${body.error?.message ?? `HTTP ${res.status} ${res.statusText}`}${field ? ` (${field})` : ''}`;
      const at = FIELDS.find((f) => f === field);
      if (at) this.#input(at).focus();
      return;
    }
    this.#dialog.close();
    this.#say(`${name}: ${this.#editing ? APPLIED_WORDS[body.applied ?? 'now'] : 'created'}`, true);
    this.#changed();
  }
}
