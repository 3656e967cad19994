// `logs [-f] [--since WHEN] [--lines N] [--stream stdout|stderr] [name ...]`: the lines of many
// processes in one stream, each behind its process name (`web | …`, `web ! …` for stderr), the
// way `pm2 logs` shows them; coloured on a terminal, plain when piped. procvisor's own command: it
// reads the daemon's /api/logs stream, which supervisord does not have.
import { StringDecoder } from 'node:string_decoder';
import { XmlRpcConnectionError, XmlRpcProtocolError } from '../xmlrpc/client.js';
import { EXIT, splitArgs, type Command, type Controller } from './ctl-controller.js';
import { showHelp } from './ctl-help.js';

interface LogsArgs {
  follow: boolean;
  since?: number;
  lines?: number;
  stream?: 'stdout' | 'stderr';
  names: string[];
}

interface LogLine {
  time: number;
  process: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10m` → now minus ten minutes; a date → that date; undefined when neither. */
export function parseSince(text: string, now = Date.now()): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text);
  if (m) return now - Number(m[1]) * (UNIT_MS[m[2] as string] ?? 1000);
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

function parseLogsArgs(arg: string): LogsArgs | string {
  const args = splitArgs(arg);
  const out: LogsArgs = { follow: false, names: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = () => args[++i];
    if (a === '-f' || a === '--follow') out.follow = true;
    else if (a === '--since') {
      const v = value();
      const t = v === undefined ? undefined : parseSince(v);
      if (t === undefined) return `Error: bad --since value ${v ?? '(missing)'} (use 30s, 10m, 2h, 1d or a date)`;
      out.since = t;
    } else if (a === '--lines' || a === '-n') {
      const v = value();
      if (v === undefined || !/^\d+$/.test(v)) return `Error: bad ${a} value ${v ?? '(missing)'}`;
      out.lines = Number(v);
    } else if (a === '--stream') {
      const v = value();
      if (v !== 'stdout' && v !== 'stderr') return `Error: bad --stream value ${v ?? '(missing)'} (stdout or stderr)`;
      out.stream = v;
    } else if (a.startsWith('-')) return `Error: bad argument ${a}`;
    else out.names.push(a);
  }
  return out;
}

const COLOURS = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94];

function colourOf(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return COLOURS[h % COLOURS.length] as number;
}

/** Formats lines with a name column (as wide as the longest name known, widening if one comes). */
export class LinePrinter {
  #width: number;
  constructor(
    readonly colour: boolean,
    names: readonly string[] = [],
  ) {
    this.#width = Math.max(0, ...names.map((n) => n.length));
  }

  format(l: LogLine): string {
    this.#width = Math.max(this.#width, l.process.length);
    const name = l.process.padEnd(this.#width);
    const sep = l.stream === 'stderr' ? '!' : '|';
    if (!this.colour) return `${name} ${sep} ${l.line}`;
    const sepText = l.stream === 'stderr' ? `\x1b[31m${sep}\x1b[0m` : `\x1b[2m${sep}\x1b[0m`;
    return `\x1b[${colourOf(l.process)}m${name}\x1b[0m ${sepText} ${l.line}`;
  }
}

/** Server-sent events from a byte stream: yields [event, data] per complete event. */
export async function* readEvents(body: AsyncIterable<Buffer | string>): AsyncGenerator<[string, string]> {
  const decoder = new StringDecoder('utf8');
  let buf = '';
  for await (const chunk of body) {
    buf += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) yield [event, data.join('\n')];
    }
  }
}

/** The namespecs of the processes `names` select (all without names), and the names that select none. */
async function selectProcesses(ctl: Controller, names: readonly string[]): Promise<{ selected: string[]; unknown: string[] }> {
  const infos = (await ctl.supervisor('getAllProcessInfo')) as { name: string; group: string }[];
  const selects = (n: string, i: { name: string; group: string }) => n === i.group || n === `${i.group}:${i.name}` || n === `${i.group}:*`;
  const selected = infos
    .filter((i) => names.length === 0 || names.some((n) => selects(n, i)))
    .map((i) => (i.group === i.name ? i.name : `${i.group}:${i.name}`));
  return { selected, unknown: names.filter((n) => !infos.some((i) => selects(n, i))) };
}

function query(a: LogsArgs): string {
  const q = new URLSearchParams();
  for (const n of a.names) q.append('name', n);
  if (a.since !== undefined) q.set('since', String(Math.floor(a.since)));
  if (a.lines !== undefined) q.set('lines', String(a.lines));
  if (a.stream) q.set('stream', a.stream);
  q.set('follow', String(a.follow));
  return q.toString();
}

export const doLogs: Command = async (ctl, arg) => {
  const parsed = parseLogsArgs(arg);
  if (typeof parsed === 'string') {
    ctl.output(parsed);
    ctl.exitstatus = EXIT.GENERIC;
    showHelp(ctl, 'logs');
    return;
  }
  if (!(await ctl.upcheck())) return;
  const { selected, unknown } = await selectProcesses(ctl, parsed.names);
  if (unknown.length) {
    for (const n of unknown) ctl.output(`${n}: ERROR (no such process)`);
    ctl.exitstatus = EXIT.GENERIC;
    return;
  }
  const env = ctl.io.env ?? process.env;
  const tty = (ctl.io.stdout as { isTTY?: boolean }).isTTY === true;
  const printer = new LinePrinter(tty && env.NO_COLOR === undefined, selected);
  if (parsed.follow) {
    ctl.handlesInterrupt = true;
    if (tty) ctl.output('==> Press Ctrl-C to exit <==');
  }
  const signal = ctl.io.signal;
  try {
    const res = await ctl.client().openStream(`/api/logs?${query(parsed)}`, signal);
    for await (const [event, data] of readEvents(res)) {
      if (event === 'end') break;
      if (event === 'line') ctl.output(printer.format(JSON.parse(data) as LogLine));
    }
  } catch (e) {
    if (signal?.aborted) return;
    if (e instanceof XmlRpcProtocolError && e.status === 404) {
      ctl.output('Error: this server has no merged log stream (/api/logs): logs needs a procvisor daemon');
    } else if (e instanceof XmlRpcConnectionError || e instanceof XmlRpcProtocolError) {
      ctl.output(`Error: ${e.message}`);
    } else throw e;
    ctl.exitstatus = EXIT.GENERIC;
  }
};
