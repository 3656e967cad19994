// supervisord's INI reader: Python 3.11's RawConfigParser with inline_comment_prefixes (';', '#')
// and strict=False, transcribed from configparser.RawConfigParser._read so that comments,
// continuation lines, [DEFAULT], merging and error texts come out the same. Every key remembers
// the file and line it came from.
import { ConfigError } from '../errors.js';
import { isPySpace, pyRepr, pyRstrip, pyStrip } from './python.js';

/** One `key = value`: the (continuation-joined) raw value and where its key line is. */
export interface IniEntry {
  value: string;
  file: string;
  line: number;
}

/** Keys (lower-cased) of one section, in first-seen order. */
export type IniSection = Map<string, IniEntry>;

/** What a RawConfigParser holds after one or more reads. */
export interface IniDocument {
  /** `[DEFAULT]`: inherited by every section that does not set the key itself. */
  defaults: IniSection;
  /** Sections in order of first appearance (DEFAULT excluded); names are case-sensitive. */
  sections: Map<string, IniSection>;
  /** Where each section's header first appeared. */
  headers: Map<string, { file: string; line: number }>;
}

export function createIniDocument(): IniDocument {
  return { defaults: new Map(), sections: new Map(), headers: new Map() };
}

/**
 * Parses one file's text as supervisord's reader does. Throws ConfigError with the reader's
 * message (`Source contains parsing errors: 'FILE'` + one `\n\t[line  N]: 'TEXT\n'` per bad line, or
 * `File contains no section headers.…`), whose `line` is the first bad line.
 */
export function parseIni(text: string, file: string): IniDocument {
  const doc = createIniDocument();
  readIniInto(doc, text, file);
  return doc;
}

/** Splits like Python's text-mode file iteration: \r\n, \r and \n all end a line (as '\n'). */
export function splitIniLines(text: string): string[] {
  const lines: string[] = [];
  const re = /\r\n|\r|\n/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push(`${text.slice(last, m.index)}\n`);
    last = m.index + m[0].length;
  }
  if (last < text.length) lines.push(text.slice(last));
  return lines;
}

/**
 * Where an inline comment starts in `line`, or -1. Python's quirky scan: in round k it looks at
 * the k-th ';' and the k-th '#', and stops at the first round where one is at index 0 or preceded
 * by whitespace (so a qualifying ';' can lose to a '#' that qualifies in an earlier round).
 */
export function inlineCommentStart(line: string): number {
  let found = Infinity;
  let cursors: Array<[string, number]> = [
    [';', -1],
    ['#', -1],
  ];
  while (found === Infinity && cursors.length > 0) {
    const next: Array<[string, number]> = [];
    for (const [prefix, from] of cursors) {
      const index = line.indexOf(prefix, from + 1);
      if (index === -1) continue;
      next.push([prefix, index]);
      if (index === 0 || isPySpace(line[index - 1])) found = Math.min(found, index);
    }
    cursors = next;
  }
  return found === Infinity ? -1 : found;
}

/** The value part of a line as the reader sees it: comments cut, whitespace stripped. */
export function iniLineContent(line: string): { value: string; hadComment: boolean } {
  let first = 0;
  while (first < line.length && isPySpace(line[first])) first++;
  const lead = line[first];
  if (lead === '#' || lead === ';') return { value: '', hadComment: true };
  const start = line.includes(';') || line.includes('#') ? inlineCommentStart(line) : -1;
  return { value: pyStrip(start < 0 ? line : line.slice(0, start)), hadComment: start >= 0 };
}

function firstNonSpace(line: string): number {
  for (let i = 0; i < line.length; i++) if (!isPySpace(line[i])) return i;
  return 0;
}

/** Reads `text` into `doc` (RawConfigParser.read_file): sections merge, later keys win. */
export function readIniInto(doc: IniDocument, text: string, file: string): void {
  const errors: Array<[number, string]> = [];
  let cursect: IniSection | null = null;
  // The option being read and the pieces of its value (its line, then continuation lines);
  // joined into the entry when the next option or section starts, or at the end.
  let entry: IniEntry | null = null;
  let pieces: string[] = [];
  // Python's `optname` truthiness: an empty name is an error and takes no continuation lines.
  let continuable = false;
  const settle = (): void => {
    if (entry) entry.value = pyRstrip(pieces.length === 1 ? (pieces[0] as string) : pieces.join('\n'));
    entry = null;
  };
  let indentLevel = 0;
  // Lines without their end (a flat slice of `text`, cheaper to scan than `slice + '\n'`); the
  // end is added back only for error messages, which show each line as Python read it.
  const ends = /\r\n|\r|\n/g;
  let from = 0;
  for (let lineno = 1; from < text.length; lineno++) {
    const m = ends.exec(text);
    const line = text.slice(from, m ? m.index : text.length);
    const shown = (): string => (m ? `${line}\n` : line);
    from = m ? m.index + m[0].length : text.length;
    const { value, hadComment } = iniLineContent(line);
    if (!value) {
      // A blank line inside a value is kept (dropped again if trailing); a comment line is not.
      if (!hadComment && entry) pieces.push('');
      continue;
    }
    const indent = firstNonSpace(line);
    if (entry && continuable && indent > indentLevel) {
      pieces.push(value);
      continue;
    }
    indentLevel = indent;
    const header = value.charCodeAt(0) === 0x5b /* [ */ ? /^\[([^\n]+)\]/.exec(value) : null;
    if (header) {
      settle();
      const name = header[1] as string;
      cursect = name === 'DEFAULT' ? doc.defaults : (doc.sections.get(name) ?? new Map());
      if (name !== 'DEFAULT' && !doc.sections.has(name)) {
        doc.sections.set(name, cursect);
        doc.headers.set(name, { file, line: lineno });
      }
      continue;
    }
    if (!cursect) {
      throw new ConfigError(`File contains no section headers.\nfile: ${pyRepr(file)}, line: ${lineno}\n${pyRepr(shown())}`, {
        file,
        line: lineno,
      });
    }
    settle();
    const eq = value.indexOf('=');
    const colon = value.indexOf(':');
    const delim = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    if (delim < 0) {
      errors.push([lineno, shown()]);
      continue;
    }
    const optname = pyRstrip(value.slice(0, delim)).toLowerCase();
    if (!optname) errors.push([lineno, shown()]);
    continuable = optname !== '';
    entry = { value: '', file, line: lineno };
    cursect.set(optname, entry);
    pieces = [pyStrip(value.slice(delim + 1))];
  }
  settle();
  if (errors.length > 0) {
    const detail = errors.map(([n, l]) => `\n\t[line ${String(n).padStart(2)}]: ${pyRepr(l)}`).join('');
    throw new ConfigError(`Source contains parsing errors: ${pyRepr(file)}${detail}`, { file, line: errors[0]?.[0] });
  }
}

/** The entry for `key` in `section`, falling back to [DEFAULT] (RawConfigParser.get). */
export function getIniEntry(doc: IniDocument, section: string, key: string): IniEntry | undefined {
  const k = key.toLowerCase();
  return doc.sections.get(section)?.get(k) ?? doc.defaults.get(k);
}

/** RawConfigParser.options(section): the section's keys, then [DEFAULT]'s others. */
export function iniOptions(doc: IniDocument, section: string): string[] {
  const own = doc.sections.get(section) ?? new Map<string, IniEntry>();
  return [...new Set([...own.keys(), ...doc.defaults.keys()])];
}

/**
 * supervisord's `expand_here`: replace the literal text `%(here)s` by `here` in every value of
 * every section (values inherited from [DEFAULT] are copied into the section).
 */
export function expandHere(doc: IniDocument, here: string, only?: Iterable<string>): void {
  // Sections not named in `only` cannot hold the text any more, unless [DEFAULT] brings it.
  const defaultsHaveIt = [...doc.defaults.values()].some((e) => e.value.includes('%(here)s'));
  const names = only && !defaultsHaveIt ? [...only] : [...doc.sections.keys()];
  for (const name of names) {
    const section = doc.sections.get(name);
    if (!section) continue;
    for (const [key, entry] of section) {
      if (entry.value.includes('%(here)s')) section.set(key, { ...entry, value: entry.value.split('%(here)s').join(here) });
    }
    if (!defaultsHaveIt) continue;
    for (const [key, entry] of doc.defaults) {
      if (!section.has(key) && entry.value.includes('%(here)s')) section.set(key, { ...entry, value: entry.value.split('%(here)s').join(here) });
    }
  }
}

/** Copies every section of `from` into `into` (a later read of another file). Returns new section names. */
export function mergeIni(into: IniDocument, from: IniDocument): string[] {
  for (const [k, v] of from.defaults) into.defaults.set(k, v);
  const added: string[] = [];
  for (const [name, section] of from.sections) {
    let target = into.sections.get(name);
    if (!target) {
      into.sections.set(name, (target = new Map<string, IniEntry>()));
      const header = from.headers.get(name);
      if (header) into.headers.set(name, header);
      added.push(name);
    }
    for (const [k, v] of section) target.set(k, v);
  }
  return added;
}
