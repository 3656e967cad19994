// The JSON API's programs as supervisord configuration: one file per program in a directory the
// main supervisord.conf includes (`[include] files = programs.d/*.conf`), the way hosting panels
// manage supervisord. The files are written by toSupervisordConf, so supervisorctl reread/update,
// the API and a text editor see the same programs, and the real supervisord runs them unchanged.
// A disabled program keeps its file with the section renamed `[procvisor-disabled:NAME]`, which
// supervisord (and procvisor's reader) parse and ignore. Writes are atomic (writeFileAtomic).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { ProgramConfig } from '../supervisor/config.js';
import { isTemporaryName, removeFileDurably, writeFileAtomic } from './atomic-write.js';
import { parseSupervisordConfig } from './config-file.js';
import { toSupervisordConf } from './emit.js';

/** A program definition as the JSON API's ProgramStore holds it. */
export interface DirStoredProgram {
  name: string;
  enabled: boolean;
  config: ProgramConfig;
  /** Defined elsewhere in the configuration (not by the API): listed, never written. */
  readOnly?: boolean;
  /** The file it comes from. */
  file?: string;
}

export interface ProgramDirStoreOptions {
  /** The directory of the API's program files (created if missing). */
  dir: string;
  /**
   * Programs defined by the rest of the configuration, listed read-only (e.g. the daemon's
   * current groups); those whose file is in `dir` are left out.
   */
  external?: () => Iterable<{ name: string; config: ProgramConfig; file?: string | undefined }>;
}

const DISABLED_PREFIX = 'procvisor-disabled:';
const SUFFIX = '.conf';

function header(name: string, enabled: boolean): string {
  return [
    `; Program ${JSON.stringify(name)}, managed by procvisor's JSON API (/api/programs/${encodeURIComponent(name)}).`,
    '; supervisorctl reread/update read this file; changes made here show in the API.',
    ...(enabled ? [] : ['; Disabled: supervisord ignores the [procvisor-disabled:...] section below; enabling makes it [program:...] again.']),
    '',
  ].join('\n');
}

/** The file text for a program (what supervisord reads). @throws ConfigError (no supervisord spelling) */
export function programFileText(name: string, config: ProgramConfig, enabled: boolean): string {
  let ini = toSupervisordConf({ groups: [{ ...config, name }] }).replace(/^\[supervisord\]\n+/, '');
  if (!enabled) ini = ini.replace(/^\[program:/m, `[${DISABLED_PREFIX}`);
  return header(name, enabled) + ini;
}

/** Reads one program file: its name, state and definition. @throws ConfigError naming the file */
export function readProgramFile(path: string): { name: string; enabled: boolean; config: ProgramConfig } {
  return parseProgramText(readFileSync(path, 'utf8'), path);
}

/** Parses a program file's text as if read from `path`. @throws ConfigError */
export function parseProgramText(text: string, path: string): { name: string; enabled: boolean; config: ProgramConfig } {
  const disabled = new RegExp(`^\\[${DISABLED_PREFIX.replace(/[-:]/g, '\\$&')}`, 'm').test(text);
  const asProgram = disabled ? text.replace(new RegExp(`^\\[${DISABLED_PREFIX}`, 'm'), '[program:') : text;
  // Parsed as a whole configuration: a [supervisord] section comes first (it adds one line).
  const read = parseSupervisordConfig(`[supervisord]\n${asProgram}`, { file: path });
  const programs = read.groups.filter((g): g is ProgramConfig => !('programs' in g));
  if (programs.length !== 1 || read.groups.length !== 1)
    throw new ConfigError(`${path}: a program file must define exactly one [program:x] section`, { file: path });
  const config = programs[0]!;
  return { name: config.name, enabled: !disabled, config };
}

export class ProgramDirStore {
  readonly dir: string;
  readonly #external: ProgramDirStoreOptions['external'];
  /** What this store last wrote per name: the text, and the definition as it was given. */
  readonly #written = new Map<string, { text: string; config: ProgramConfig }>();

  constructor(options: ProgramDirStoreOptions) {
    this.dir = options.dir;
    this.#external = options.external;
    mkdirSync(this.dir, { recursive: true });
    // Temporary files of writes a crash interrupted: the target holds the old or new text.
    for (const f of readdirSync(this.dir)) if (isTemporaryName(f)) rmSync(join(this.dir, f), { force: true });
  }

  /**
   * The definition as this store will give it back (what its file holds once read): the API runs
   * that, so the manager, the file and supervisorctl reread agree (a command given as an array
   * reads back as supervisord's command line). @throws ConfigError
   */
  canonical(config: ProgramConfig): ProgramConfig {
    return parseProgramText(programFileText(config.name, config, true), this.fileOf(config.name)).config;
  }

  /** The file of program `name`. */
  fileOf(name: string): string {
    if (name === '' || name.startsWith('.') || /[/\0]/.test(name))
      throw new ConfigError(`invalid program name for a file: ${JSON.stringify(name)}`, { option: 'name' });
    return join(this.dir, `${name}${SUFFIX}`);
  }

  #read(name: string): DirStoredProgram | undefined {
    if (!this.#ownFileExists(name)) return undefined;
    const file = this.fileOf(name);
    const text = readFileSync(file, 'utf8');
    const parsed = readProgramFile(file);
    if (parsed.name !== name) throw new ConfigError(`${file}: defines program ${parsed.name}, expected ${name} (the file name)`, { file });
    const mine = this.#written.get(name);
    // Unchanged since we wrote it: the definition exactly as given; edited by hand: as read.
    const config = mine && mine.text === text ? structuredClone(mine.config) : parsed.config;
    return { name, enabled: parsed.enabled, config, file };
  }

  /** Whether `name` has a file here (false for names no file of ours can have). */
  #ownFileExists(name: string): boolean {
    try {
      return existsSync(this.fileOf(name));
    } catch {
      return false;
    }
  }

  #externals(): DirStoredProgram[] {
    const out: DirStoredProgram[] = [];
    for (const e of this.#external?.() ?? []) {
      if (e.file !== undefined && e.file.startsWith(this.dir + '/')) continue;
      if (this.#ownFileExists(e.name)) continue;
      out.push({ name: e.name, enabled: true, config: structuredClone(e.config), readOnly: true, ...(e.file !== undefined ? { file: e.file } : {}) });
    }
    return out;
  }

  list(): DirStoredProgram[] {
    const own: DirStoredProgram[] = [];
    for (const f of readdirSync(this.dir).sort()) {
      if (!f.endsWith(SUFFIX) || f.startsWith('.')) continue;
      const p = this.#read(f.slice(0, -SUFFIX.length));
      if (p) own.push(p);
    }
    const names = new Set(own.map((p) => p.name));
    return [...own, ...this.#externals().filter((e) => !names.has(e.name))];
  }

  get(name: string): DirStoredProgram | undefined {
    return this.#read(name) ?? this.#externals().find((e) => e.name === name);
  }

  #refuseExternal(name: string): void {
    const ext = this.#externals().find((e) => e.name === name);
    if (ext)
      throw new ConfigError(`program ${name} is defined in ${ext.file ?? 'the configuration'}, not by the API: change it there`, {
        option: 'name',
        ...(ext.file ? { file: ext.file } : {}),
      });
  }

  /** Writes the program's file atomically (its text is checked to read back first). */
  put(program: DirStoredProgram): void {
    this.#refuseExternal(program.name);
    const text = programFileText(program.name, program.config, program.enabled);
    writeFileAtomic(this.fileOf(program.name), text);
    this.#written.set(program.name, { text, config: structuredClone(program.config) });
  }

  delete(name: string): boolean {
    this.#refuseExternal(name);
    this.#written.delete(name);
    return removeFileDurably(this.fileOf(name));
  }
}
