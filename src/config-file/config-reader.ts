// Shared state while turning INI sections into configuration: supervisord's ServerOptions fields
// (here, the ENV_ expansions, which file each section came from) and its `saneget` helper, with
// every error turned into a ConfigError that says where.
import { ConfigError } from '../errors.js';
import { expand, mergeExpansions } from '../dialect/expand.js';
import { getIniEntry, type IniDocument } from '../dialect/ini.js';

export type Env = Readonly<Record<string, string | undefined>>;
export type Names = Record<string, string | number>;

export interface Reader {
  doc: IniDocument;
  /** The main file as given (supervisord names it so in messages). */
  mainFile: string;
  /** Absolute directory of the main file: `%(here)s`. */
  here: string;
  /** supervisord's own environment (os.environ). */
  env: Env;
  /** `ENV_X` names: the environment, then `[supervisord] environment` once read (parser.expansions). */
  envNames: Record<string, string>;
  /** `[supervisord] environment`, once read. */
  globalEnvironment: Record<string, string>;
  /** Sections first seen in an included file, and that file (others belong to the main file). */
  sectionToFile: Map<string, string>;
  warnings: string[];
  hostNodeName: string;
}

export { envNamesOf } from '../dialect/expand.js';

/** The file supervisord names for errors in `section`. */
export function sectionFile(r: Reader, section: string): string {
  return r.sectionToFile.get(section) ?? r.mainFile;
}

/** A ConfigError located at the option's line (or the section header's). */
export function configError(r: Reader, message: string, section?: string, option?: string): ConfigError {
  const entry = section !== undefined && option !== undefined ? getIniEntry(r.doc, section, option) : undefined;
  const header = section !== undefined ? r.doc.headers.get(section) : undefined;
  return new ConfigError(message, {
    file: entry?.file ?? header?.file ?? r.mainFile,
    line: entry?.line ?? header?.line,
    section,
    option,
  });
}

/** Runs `fn`; a plain Error becomes a ConfigError for section/option with `suffix` appended. */
export function located<T>(r: Reader, section: string | undefined, option: string | undefined, fn: () => T, suffix = ''): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw configError(r, (e as Error).message + suffix, section, option);
  }
}

/**
 * supervisord's `saneget`: the raw value (from the section or [DEFAULT]) expanded with the ENV_
 * names plus `names`; undefined when absent.
 */
export function saneget(r: Reader, section: string, option: string, names: Names = {}): string | undefined {
  const entry = getIniEntry(r.doc, section, option);
  if (entry === undefined) return undefined;
  if (!entry.value.includes('%')) return entry.value;
  return expand(entry.value, mergeExpansions(r.envNames, names), `${section}.${option}`);
}

/** The raw (unexpanded) value, or undefined. */
export function rawget(r: Reader, section: string, option: string): string | undefined {
  return getIniEntry(r.doc, section, option)?.value;
}
