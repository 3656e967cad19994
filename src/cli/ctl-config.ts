// The few config-file reads supervisorctl does: the `[supervisorctl]` section of a
// supervisord.conf, parsed the way Python's RawConfigParser (strict=False, inline ; and #
// comments) reads it, with supervisord's %(ENV_X)s and %(here)s expansion. Deliberately tiny:
// the full supervisord reader lives in src/config-file/.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pyRepr } from './ctl-python.js';

/** A config problem; supervisorctl reports it as a usage error (exit 2). */
export class CtlConfigError extends Error {
  override name = 'CtlConfigError';
}

/** `[supervisorctl]` values; `undefined` when the file does not set them. */
export interface CtlConfig {
  serverurl: string;
  username?: string;
  password?: string;
  prompt?: string;
  history_file?: string;
}

type Sections = Map<string, Map<string, string[]>>;

// Where a ; or # comment starts: at column 0 or after whitespace (RawConfigParser's rule).
function commentStart(line: string): number {
  for (let i = 0; i < line.length; i++) {
    if ((line[i] === ';' || line[i] === '#') && (i === 0 || /\s/.test(line[i - 1]!))) return i;
  }
  return -1;
}

/**
 * Parses INI text into sections of lower-cased options, as RawConfigParser does: repeated
 * sections merge, indented lines continue a value, `[DEFAULT]` values apply to every section.
 * @throws {CtlConfigError} for text before the first section and lines without `=` or `:`.
 */
export function parseIni(text: string, file = '<string>'): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string[]> | undefined;
  let option: string | undefined;
  let indent = Infinity;
  const lines = text.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop(); // the newline ending the last line
  lines.forEach((raw, index) => {
    const trimmedStart = raw.trimStart();
    const isComment = trimmedStart.startsWith('#') || trimmedStart.startsWith(';');
    const cut = isComment ? 0 : commentStart(raw);
    const value = (cut >= 0 ? raw.slice(0, cut) : raw).trim();
    if (!value) {
      // Empty lines inside a value are kept (trailing ones are dropped when read).
      if (cut < 0 && current && option && current.get(option)) current.get(option)!.push('');
      return;
    }
    const lineIndent = raw.length - trimmedStart.length;
    if (current && option && lineIndent > indent) {
      current.get(option)!.push(value);
      return;
    }
    indent = lineIndent;
    const header = /^\[(.+)\]/.exec(value);
    if (header) {
      const name = header[1]!;
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      option = undefined;
      return;
    }
    if (!current) throw new CtlConfigError(`File contains no section headers.\nfile: ${pyRepr(file)}, line: ${index + 1}\n${pyRepr(raw)}`);
    const m = /^(.*?)\s*([=:])\s*(.*)$/.exec(value);
    if (!m) throw new CtlConfigError(`Source contains parsing errors: ${pyRepr(file)}\n\t[line ${index + 1}]: ${pyRepr(raw)}`);
    option = m[1]!.trimEnd().toLowerCase();
    current.set(option, [m[3]!.trim()]);
  });
  return sections;
}

function getOption(sections: Sections, section: string, option: string): string | undefined {
  const lines = sections.get(section)?.get(option) ?? sections.get('DEFAULT')?.get(option);
  return lines?.join('\n').trimEnd();
}

/**
 * Python's `s % expansions` for supervisord's `%(name)s` references (and `%%`).
 * @throws {CtlConfigError} with supervisord's message for unknown names or bad formats.
 */
export function expandPercent(s: string, expansions: Record<string, string>, name: string): string {
  return s.replace(
    /%(?:\(([^)]*)\)([-#0 +]*\d*(?:\.\d+)?)(.?)|(.?))/g,
    (whole, key: string | undefined, _flags, conv: string, bare: string, offset: number) => {
      if (key === undefined) {
        if (bare === '%') return '%';
        const reason = bare === '' ? 'incomplete format' : 'format requires a mapping';
        throw new CtlConfigError(`Format string ${pyRepr(s)} for ${pyRepr(name)} is badly formatted: ${reason}`);
      }
      if (!(key in expansions)) {
        const available = Object.keys(expansions).sort().join(', ');
        throw new CtlConfigError(
          `Format string ${pyRepr(s)} for ${pyRepr(name)} contains names (${pyRepr(key)}) which cannot be expanded. Available names: ${available}`,
        );
      }
      if (conv === 's' || conv === 'r') return conv === 'r' ? pyRepr(expansions[key]!) : expansions[key]!;
      const reason =
        conv === ''
          ? 'incomplete format'
          : `unsupported format character ${pyRepr(conv)} (0x${conv.charCodeAt(0).toString(16)}) at index ${offset + whole.length - 1}`;
      throw new CtlConfigError(`Format string ${pyRepr(s)} for ${pyRepr(name)} is badly formatted: ${reason}`);
    },
  );
}

/** supervisord's normalize_path: expand ~, make absolute, normalize. */
export function normalizePath(p: string, env: Record<string, string | undefined>, cwd: string): string {
  const home = env.HOME;
  const expanded = home !== undefined && (p === '~' || p.startsWith('~/')) ? home + p.slice(1) : p;
  return path.resolve(cwd, expanded);
}

export interface ReadCtlConfigOptions {
  env: Record<string, string | undefined>;
  cwd: string;
}

/**
 * Reads `[supervisorctl]` from a supervisord config file as supervisorctl 4.2.5 does. Note that
 * supervisorctl does *not* look at `[unix_http_server]`/`[inet_http_server]`: without a
 * `serverurl` it uses `http://localhost:9001`.
 * @throws {CtlConfigError} with supervisorctl's usage-error messages.
 */
export function readCtlConfig(file: string, { env, cwd }: ReadCtlConfigOptions): CtlConfig {
  if (!existsSync(path.resolve(cwd, file))) throw new CtlConfigError(`could not find config file ${file}`);
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch {
    throw new CtlConfigError(`could not read config file ${file}`);
  }
  const sections = parseIni(text, file);
  if (!sections.has('supervisorctl')) throw new CtlConfigError('.ini file does not include supervisorctl section');
  const here = path.dirname(normalizePath(file, env, cwd));
  const envExpansions: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) envExpansions[`ENV_${k}`] = v;
  const get = (option: string, withHere: boolean): string | undefined => {
    const raw = getOption(sections, 'supervisorctl', option);
    if (raw === undefined) return undefined;
    const expansions = withHere ? { ...envExpansions, here } : envExpansions;
    return expandPercent(raw, expansions, `supervisorctl.${option}`);
  };
  let serverurl = get('serverurl', true) ?? 'http://localhost:9001';
  if (serverurl.startsWith('unix://')) serverurl = `unix://${normalizePath(serverurl.slice(7), env, cwd)}`;
  const config: CtlConfig = { serverurl };
  const username = get('username', false);
  const password = get('password', false);
  const prompt = get('prompt', false);
  const historyFile = get('history_file', true);
  if (username !== undefined) config.username = username;
  if (password !== undefined) config.password = password;
  if (prompt !== undefined) config.prompt = prompt;
  if (historyFile) config.history_file = normalizePath(historyFile, env, cwd);
  return config;
}
