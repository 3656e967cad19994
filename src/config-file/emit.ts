// Configuration → supervisord.conf text that supervisord 4.2.5 (and readSupervisordConfig) reads
// back to the same configuration. Values are written verbatim when the INI reader would return
// them unchanged; otherwise a `%(name).0s` (which expands to nothing) is slipped in where the
// reader would strip whitespace or cut a comment.
import { ConfigError } from '../errors.js';
import { type ExtensionError, extensionsToIni } from '../supervisor/extensions.js';
import { type GroupConfig, PROGRAM_OPTIONS, type ProgramConfig } from '../supervisor/config.js';
import { type EventListenerConfig, isListenerConfig } from '../supervisor/listener-config.js';
import { FCGI_KEYS } from '../supervisor/fcgi-socket.js';
import { parseEnvironment } from '../dialect/datatypes.js';
import type { EmitConfig, SupervisordSection } from './config-types.js';
import { iniLineContent, parseIni } from '../dialect/ini.js';
import { isPySpace, pyRepr, pyStrip } from '../dialect/python.js';

/** How a value is turned into INI text. */
type Kind =
  /** A supervisord template (`%(program_name)s`, `%%`): written as is. */
  | 'template'
  /** A literal string, expanded once by supervisord: `%` is doubled. */
  | 'literal'
  /** A literal string expanded twice ([supervisord] environment in 4.2.5): `%` → `%%%%`. */
  | 'literal2';

/** A name every value of the section can expand (to nothing, with `.0s`), or null if none is sure. */
type Marker = string | null;

const PROGRAM_MARKER = '%(host_node_name).0s';
const HERE_MARKER = '%(here).0s';
const INDENT = '    ';

/** One option as written: its key and its text (`key=value`, maybe with continuation lines). */
interface Line {
  key: string;
  text: string;
}

function cannot(what: string, why: string): ConfigError {
  return new ConfigError(`${what} cannot be written to supervisord.conf: ${why}`);
}

/** Whether the reader returns `line` for `text` (a key line or a continuation line). */
function readsAs(text: string, expected: string): boolean {
  return iniLineContent(text).value === expected;
}

/** Per-line trailers that may win the reader's quirky inline-comment scan for us. */
const TRAILERS = ['', ' #', ' ;'];

/** The lines of `key=value` if the reader returns `value` exactly, else null. */
function renderExact(key: string, value: string): string[] | null {
  if (value.includes('\r')) return null;
  const lines = value.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') return null;
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (line !== pyStrip(line)) return null;
    if (line === '') {
      if (i === 0) out.push(`${key}=`);
      else out.push('');
      continue;
    }
    const head = i === 0 ? `${key}=` : INDENT;
    const text = TRAILERS.map((t) => head + line + t).find((t) => readsAs(t, i === 0 ? `${key}=${line}` : line));
    if (text === undefined) return null;
    out.push(text);
  }
  return out;
}

/** Inserts `marker` wherever the reader would otherwise strip or cut. */
function protect(value: string, marker: string): string {
  const lines = value.split('\n').map((line, i) => {
    if (line === '') return line;
    let out = '';
    for (let k = 0; k < line.length; k++) {
      const ch = line[k] as string;
      if ((ch === ';' || ch === '#') && (isPySpace(line[k - 1]) || (k === 0 && i > 0))) out += marker;
      out += ch;
    }
    if (isPySpace(out[0])) out = marker + out;
    if (isPySpace(out[out.length - 1])) out += marker;
    return out;
  });
  if (lines.length > 1 && lines[lines.length - 1] === '') lines[lines.length - 1] = marker;
  return lines.join('\n');
}

function escapePercent(value: string, kind: Kind): string {
  if (kind === 'literal') return value.replace(/%/g, '%%');
  if (kind === 'literal2') return value.replace(/%/g, '%%%%');
  return value;
}

/** `key=value` (with continuation lines) that reads back as `value`, or as a value expanding like it. */
function renderOption(where: string, key: string, value: string, kind: Kind, marker: Marker): Line[] {
  const raw = escapePercent(value, kind);
  if (raw.includes('\r')) throw cannot(`${where} ${key}=${pyRepr(value)}`, 'a carriage return would end the line');
  const exact = renderExact(key, raw);
  if (exact) return [{ key, text: exact.join('\n') }];
  if (marker === null) throw cannot(`${where} ${key}=${pyRepr(value)}`, 'the INI reader would strip whitespace or cut a comment');
  const guarded = renderExact(key, protect(raw, marker));
  if (!guarded) throw cannot(`${where} ${key}=${pyRepr(value)}`, 'the INI reader would not return it');
  return [{ key, text: guarded.join('\n') }];
}

function integerText(where: string, key: string, v: unknown): string {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw cannot(`${where} ${key}=${String(v)}`, 'supervisord reads integers only');
  return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
}

function octalText(v: number): string {
  return v < 0 ? `-0${(-v).toString(8)}` : `0${v.toString(8)}`;
}

/** POSIX shell quoting for one argv word (supervisord splits `command` with shlex in POSIX mode). */
export function quoteWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./()-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const SHLEX_QUOTE = /^['"]|['"]$/;

/** `KEY="value",…` in supervisord 4.2.5's (non-POSIX shlex) syntax; throws if it has none. */
export function environmentText(env: Readonly<Record<string, string>>, where: string): string {
  const parts = Object.entries(env).map(([k, v]) => {
    if (SHLEX_QUOTE.test(v)) throw cannot(`${where} environment ${k}=${pyRepr(v)}`, 'supervisord strips quotes from both ends of a value');
    const q = v.includes('"') ? "'" : '"';
    if (v.includes(q)) throw cannot(`${where} environment ${k}=${pyRepr(v)}`, '4.2.5 cannot quote a value holding both \' and "');
    return `${k}=${q}${v}${q}`;
  });
  const text = parts.join(',');
  let back: Record<string, string>;
  try {
    back = parseEnvironment(text);
  } catch {
    throw cannot(`${where} environment`, 'its names are not plain words');
  }
  if (JSON.stringify(back) !== JSON.stringify(env)) throw cannot(`${where} environment`, 'its names are not plain words');
  return text;
}

type Writer = (key: string, value: unknown) => void;

/** A configuration value as INI text: scalars as String() writes them, lists comma-separated. */
function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(valueText).join(',');
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

function sectionWriter(
  where: string,
  lines: Line[],
  marker: Marker,
  kinds: (key: string, value: unknown) => Kind | 'skip' | 'number' | 'bool' | 'octal',
): Writer {
  return (key, value) => {
    if (value === undefined || value === null) return;
    const kind = kinds(key, value);
    if (kind === 'skip') return;
    if (kind === 'number') lines.push({ key, text: `${key}=${integerText(where, key, value)}` });
    else if (kind === 'bool') lines.push({ key, text: `${key}=${value ? 'true' : 'false'}` });
    else if (kind === 'octal' && typeof value === 'number') lines.push({ key, text: `${key}=${octalText(value)}` });
    else lines.push(...renderOption(where, key, valueText(value), kind === 'octal' ? 'literal' : kind, marker));
  };
}

const PROGRAM_TEMPLATES = new Set(['process_name', 'directory', 'stdout_logfile', 'stderr_logfile']);
const PROGRAM_NUMBERS = new Set([
  'numprocs',
  'numprocs_start',
  'priority',
  'startsecs',
  'startretries',
  'stopwaitsecs',
  'stdout_logfile_backups',
  'stderr_logfile_backups',
]);
const PROGRAM_BOOLS = new Set([
  'autostart',
  'stopasgroup',
  'killasgroup',
  'redirect_stderr',
  'stdout_events_enabled',
  'stderr_events_enabled',
  'stdout_syslog',
  'stderr_syslog',
]);

function programKind(key: string, value: unknown): Kind | 'skip' | 'number' | 'bool' | 'octal' {
  if (PROGRAM_TEMPLATES.has(key)) return 'template';
  // Per-process numbers and booleans stay text when never evaluated (numprocs=0).
  if (typeof value === 'string' && /_logfile_backups$|_syslog$/.test(key)) return 'template';
  if (PROGRAM_NUMBERS.has(key)) return 'number';
  if (PROGRAM_BOOLS.has(key)) return 'bool';
  if (key.endsWith('_logfile_maxbytes')) return typeof value === 'number' ? 'number' : 'template';
  if (key.endsWith('_capture_maxbytes')) return typeof value === 'number' ? 'number' : 'literal';
  if (key === 'umask') return 'octal';
  return 'literal';
}

/** `[fcgi-program:x]` for a program with a socket that is its own group, else `[program:x]`. */
function programSection(p: ProgramConfig, inGroup: boolean): string {
  return p.socket !== undefined && !inGroup ? `fcgi-program:${p.name}` : `program:${p.name}`;
}

/** The socket options of an fcgi program (expanded with `here`, program_name and ENV_ names only). */
function socketLines(p: ProgramConfig, where: string): Line[] {
  const lines: Line[] = [];
  const write = sectionWriter(where, lines, HERE_MARKER, (key) => (key === 'socket_backlog' ? 'number' : key === 'socket_mode' ? 'octal' : 'literal'));
  for (const key of FCGI_KEYS) write(key, (p as unknown as Record<string, unknown>)[key]);
  return lines;
}

function programLines(p: ProgramConfig, inGroup = false, where = `[${programSection(p, inGroup)}]`): Line[] {
  const lines: Line[] = [];
  const write = sectionWriter(where, lines, PROGRAM_MARKER, programKind);
  for (const key of PROGRAM_OPTIONS) {
    const value = (p as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (key === 'command') {
      const text = typeof value === 'string' ? value : (value as readonly string[]).map(quoteWord).join(' ');
      lines.push(...renderOption(where, key, text, 'template', PROGRAM_MARKER));
    } else if (key === 'environment') {
      const text = typeof value === 'string' ? value : environmentText(value as Record<string, string>, where);
      lines.push(...renderOption(where, key, text, 'template', PROGRAM_MARKER));
    } else if (key === 'exitcodes' && Array.isArray(value)) lines.push({ key, text: `${key}=${value.join(',')}` });
    else if (key === 'autorestart') lines.push({ key, text: `${key}=${valueText(value)}` });
    else write(key, value);
  }
  // procvisor's own keys (readiness, dependencies, backoff, memory, port); supervisord ignores them.
  let ext: Array<[string, string]>;
  try {
    ext = extensionsToIni(p);
  } catch (e) {
    throw cannot(`${where} ${(e as ExtensionError).option}`, (e as Error).message);
  }
  // A log time format is a literal strftime pattern: its % are doubled so the reader gives them back.
  for (const [key, text] of ext) lines.push(...renderOption(where, key, text, key === 'log_time_format' ? 'literal' : 'template', PROGRAM_MARKER));
  if (where.startsWith('[fcgi-program:')) lines.push(...socketLines(p, where));
  return lines;
}

/** `[eventlistener:x]`: the program options, then the pool's own. */
function listenerLines(p: EventListenerConfig): Line[] {
  const where = `[eventlistener:${p.name}]`;
  const lines = programLines(p, false, where);
  const events = typeof p.events === 'string' ? p.events : p.events.join(',');
  lines.push(...renderOption(where, 'events', events, 'literal', HERE_MARKER));
  if (p.buffer_size !== undefined) lines.push({ key: 'buffer_size', text: `buffer_size=${integerText(where, 'buffer_size', p.buffer_size)}` });
  if (p.result_handler !== undefined) lines.push(...renderOption(where, 'result_handler', p.result_handler, 'literal', HERE_MARKER));
  return lines;
}

export const SUPERVISORD_ORDER: Array<keyof SupervisordSection> = [
  'logfile',
  'logfile_maxbytes',
  'logfile_backups',
  'loglevel',
  'pidfile',
  'nodaemon',
  'silent',
  'minfds',
  'minprocs',
  'nocleanup',
  'childlogdir',
  'user',
  'directory',
  'strip_ansi',
  'environment',
  'identifier',
  'umask',
  'shutdown_on_fatal',
  'health_without_auth',
  'health_ready_programs',
];

function supervisordLines(s: Partial<SupervisordSection>): Line[] {
  const lines: Line[] = [];
  const write = sectionWriter('[supervisord]', lines, HERE_MARKER, (key, value) => {
    if (typeof value === 'boolean') return 'bool';
    if (key === 'umask') return 'octal';
    if (typeof value === 'number') return 'number';
    return 'literal';
  });
  for (const key of SUPERVISORD_ORDER) {
    const value = s[key];
    if (key === 'environment' && value !== undefined) {
      const env = value as Record<string, string>;
      if (Object.keys(env).length > 0) lines.push(...renderOption('[supervisord]', key, environmentText(env, '[supervisord]'), 'literal2', HERE_MARKER));
    } else if (key === 'health_ready_programs' && Array.isArray(value)) write(key, value.join(','));
    else write(key, value);
  }
  return lines;
}

function groupLines(g: GroupConfig): Line[] {
  const names = g.programs.map((p) => {
    if (p.name.includes(',') || p.name !== pyStrip(p.name) || p.name === '') throw cannot(`[group:${g.name}] programs`, `${pyRepr(p.name)} cannot be listed`);
    return p.name;
  });
  const lines: Line[] = [];
  if (names.length > 0) lines.push(...renderOption(`[group:${g.name}]`, 'programs', names.join(','), 'literal', HERE_MARKER));
  if (g.priority !== undefined) lines.push({ key: 'priority', text: `priority=${integerText(`[group:${g.name}]`, 'priority', g.priority)}` });
  return lines;
}

function simpleLines(where: string, values: Record<string, unknown>, marker: Marker, kinds?: Record<string, 'octal'>): Line[] {
  const lines: Line[] = [];
  const write = sectionWriter(where, lines, marker, (key, value) => kinds?.[key] ?? (typeof value === 'number' ? 'number' : 'literal'));
  for (const [k, v] of Object.entries(values)) write(k, v);
  return lines;
}

/** All sections in writing order: name → lines. */
function collectSections(config: EmitConfig): Array<[string, Line[]]> {
  const out: Array<[string, Line[]]> = [['supervisord', supervisordLines(config.supervisord ?? {})]];
  const u = config.unix_http_server;
  if (u) {
    // `file` is formatted with here; the other keys only with ENV_ names (no safe marker).
    out.push([
      'unix_http_server',
      [
        ...renderOption('[unix_http_server]', 'file', u.file, 'literal', HERE_MARKER),
        ...simpleLines('[unix_http_server]', { chmod: u.chmod, chown: u.chown, username: u.username, password: u.password }, null, { chmod: 'octal' }),
      ],
    ]);
  }
  const i = config.inet_http_server;
  if (i) out.push(['inet_http_server', simpleLines('[inet_http_server]', { port: `${i.host}:${i.port}`, username: i.username, password: i.password }, null)]);
  if (config.supervisorctl) out.push(['supervisorctl', simpleLines('[supervisorctl]', { ...config.supervisorctl }, null)]);
  for (const rpc of config.rpcinterface ?? []) {
    out.push([`rpcinterface:${rpc.name}`, simpleLines(`[rpcinterface:${rpc.name}]`, { 'supervisor.rpcinterface_factory': rpc.factory, ...rpc.options }, null)]);
  }
  const programs = new Map<string, ProgramConfig>();
  const grouped = new Set<string>();
  const addProgram = (p: ProgramConfig, inGroup: boolean) => {
    const seen = programs.get(p.name);
    if (seen && (JSON.stringify(seen) !== JSON.stringify(p) || inGroup !== grouped.has(p.name))) {
      throw cannot(`[program:${p.name}]`, 'two different programs have this name');
    }
    if (inGroup) grouped.add(p.name);
    if (!seen) programs.set(p.name, p);
  };
  for (const g of config.groups) {
    if (isListenerConfig(g)) {
      out.push([`eventlistener:${g.name}`, listenerLines(g)]);
      continue;
    }
    if ('programs' in g) {
      out.push([`group:${g.name}`, groupLines(g)]);
      for (const p of g.programs) addProgram(p, true);
    } else addProgram(g, false);
  }
  for (const p of programs.values()) out.push([programSection(p, grouped.has(p.name)), programLines(p, grouped.has(p.name))]);
  return out;
}

/**
 * Writes a configuration as supervisord.conf text. `readSupervisordConfig` of the result gives the
 * same configuration back (option by option), and supervisord 4.2.5 reads it the same way.
 * @throws ConfigError when a value has no supervisord spelling (a fractional startsecs, an
 *   environment value holding both quote characters, …).
 */
export function toSupervisordConf(config: EmitConfig): string {
  const sections = collectSections(config);
  const text = sections.map(([name, lines]) => [`[${name}]`, ...lines.map((l) => l.text)].join('\n')).join('\n\n') + '\n';
  verify(text, sections);
  return text;
}

/** Reads the text back and checks every section and value is what we meant to write. */
function verify(text: string, sections: Array<[string, Line[]]>): void {
  let doc: ReturnType<typeof parseIni>;
  try {
    doc = parseIni(text, '<emitted>');
  } catch (e) {
    throw cannot('this configuration', `the INI reader would not read it back (${(e as Error).message})`);
  }
  for (const [name, lines] of sections) {
    const section = doc.sections.get(name);
    if (!section) throw cannot(`[${name}]`, 'the INI reader would not read this section header back');
    for (const line of lines) {
      const want = parseIni(`[s]\n${line.text}\n`, '<value>').sections.get('s')?.get(line.key)?.value;
      if (section.get(line.key)?.value !== want) throw cannot(`[${name}] ${line.key}`, 'the INI reader would read another value');
    }
  }
}
