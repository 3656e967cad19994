// Reading a whole supervisord.conf the way supervisord 4.2.5's ServerOptions.read_config does:
// the main file, its [include] files, [supervisord], [rpcinterface:x], [group:x] and [program:x]
// (in supervisord's order, so the first error is supervisord's), then the HTTP servers.
import { readFleetSection } from './fleet-section.js';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { GroupConfig, GroupSpec, ProcessSpec, ProgramConfig } from '../supervisor/config.js';
import { parseInteger, parseListOfStrings, parseProcessOrGroupName } from '../dialect/datatypes.js';
import { expand } from '../dialect/expand.js';
import { pyGlob } from '../dialect/glob.js';
import { createIniDocument, expandHere, getIniEntry, type IniDocument, mergeIni, readIniInto } from '../dialect/ini.js';
import { comparePy, nodeName, pyDirname, pyRepr, pySplit } from '../dialect/python.js';
import type { ReadConfigResult } from './config-types.js';
import { configError, type Env, envNamesOf, located, type Reader, saneget } from './config-reader.js';
import { readProgramSection } from './program-section.js';
import { readListenerSection } from './listener-section.js';
import { readFcgiProgramSection } from './fcgi-section.js';
import { checkRpcInterfaces, readInetServers, readRpcInterfaces, readSupervisorctl, readUnixServers } from './server-sections.js';
import { checkSupervisordUser, readSupervisordSection } from './supervisord-section.js';

export type * from './config-types.js';

export interface ParseOptions {
  /** The file name supervisord would report (as given on its command line). Default `<string>`. */
  file?: string;
  /** `%(here)s` and the base of relative [include] patterns. Default: the file's directory, else the cwd. */
  here?: string;
  /** supervisord's own environment (ENV_ names, `~`). Default process.env. */
  env?: Env;
}

const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(bytes: Uint8Array, file: string): string {
  try {
    return DECODER.decode(bytes);
  } catch {
    throw new ConfigError(`'utf-8' codec can't decode ${pyRepr(file)}: not UTF-8 text`, { file });
  }
}

/**
 * Reads a supervisord.conf and everything it includes, as `supervisord -c PATH` reads it:
 * `groups` are ProgramConfig/GroupConfig objects in supervisord's group order, `specs` the same
 * groups resolved into processes, `warnings` what supervisord logs at startup.
 * @throws ConfigError with the text supervisord prints after `Error: `; `file`, `line`, `section`
 *   and `option` say where.
 * @example
 * const conf = readSupervisordConfig('/etc/supervisor/supervisord.conf');
 * for (const group of conf.specs) console.log(group.name, group.processes.map((p) => p.name));
 */
export function readSupervisordConfig(path: string, options: Omit<ParseOptions, 'file'> = {}): ReadConfigResult {
  let exists = false;
  try {
    statSync(path);
    exists = true;
  } catch {
    // reported below, as supervisord words it
  }
  if (!exists) throw new ConfigError(`could not find config file ${path}`, { file: path });
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new ConfigError(`could not read config file ${path}`, { file: path });
  }
  return parseSupervisordConfig(decode(bytes, path), { ...options, file: path });
}

/** Parses supervisord.conf text (its [include]s are read from disk). See readSupervisordConfig. */
export function parseSupervisordConfig(text: string, options: ParseOptions = {}): ReadConfigResult {
  const file = options.file ?? '<string>';
  // A plain copy: process.env is slow to walk, and the reading must see one consistent environment.
  const env = { ...(options.env ?? process.env) };
  const here = options.here ?? (options.file !== undefined ? resolve(dirname(options.file)) : process.cwd());
  const r: Reader = {
    doc: createIniDocument(),
    mainFile: file,
    here,
    env,
    envNames: envNamesOf(env),
    globalEnvironment: {},
    sectionToFile: new Map(),
    warnings: [],
    hostNodeName: nodeName(),
  };
  readIniInto(r.doc, text, file);
  const mainDoc = cloneDoc(r.doc);
  const files = [file, ...readIncludes(r)];
  if (!r.doc.sections.has('supervisord')) throw new ConfigError('.ini file does not include supervisord section', { file });
  const supervisord = readSupervisordSection(r);
  const rpcinterface = readRpcInterfaces(r);
  const { groups, specs } = readGroups(r);
  const inet = readInetServers(r);
  const unix = readUnixServers(r);
  checkSupervisordUser(r, supervisord.user);
  const result: ReadConfigResult = { supervisord, groups, warnings: r.warnings, files, specs, here, serverurl: serverUrl(unix[0], inet[0]) };
  if (rpcinterface.length > 0) result.rpcinterface = rpcinterface;
  if (unix[0]) result.unix_http_server = unix[0];
  if (inet[0]) result.inet_http_server = inet[0];
  const fleet = readFleetSection(r, supervisord.childlogdir);
  if (fleet) result.fleet = fleet;
  const ctl = readSupervisorctl(mainDoc, here, env);
  if (ctl) result.supervisorctl = ctl;
  return result;
}

function serverUrl(unix: { file: string } | undefined, inet: { host: string; port: number } | undefined): string | null {
  if (unix) return `unix://${unix.file}`;
  if (inet) return `http://${inet.host || 'localhost'}:${inet.port}`;
  return null;
}

function cloneDoc(doc: IniDocument): IniDocument {
  const copy = createIniDocument();
  mergeIni(copy, doc);
  return copy;
}

/** `[include] files`: glob patterns relative to the main file, each match read in sorted order. */
function readIncludes(r: Reader): string[] {
  if (!r.doc.sections.has('include')) return [];
  expandHere(r.doc, r.here);
  const entry = getIniEntry(r.doc, 'include', 'files');
  if (entry === undefined) throw configError(r, '.ini file has [include] section, but no files setting', 'include');
  const names = { here: r.here, host_node_name: r.hostNodeName, ...envNamesOf(r.env) };
  const patterns = pySplit(located(r, 'include', 'files', () => expand(entry.value, names, 'include.files')));
  const read: string[] = [];
  for (const p of patterns) {
    const pattern = p.startsWith('/') ? p : `${r.here.replace(/\/+$/, '')}/${p}`;
    const matches = pyGlob(pattern).sort(comparePy);
    if (matches.length === 0) r.warnings.push(`No file matches via include "${pattern}"`);
    for (const filename of matches) {
      if (readIncludedFile(r, filename)) read.push(filename);
    }
  }
  return read;
}

/** RawConfigParser.read(filename): a file that cannot be opened is skipped silently. */
function readIncludedFile(r: Reader, filename: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(filename);
  } catch {
    return false;
  }
  const doc = createIniDocument();
  try {
    readIniInto(doc, decode(bytes, filename), filename);
  } finally {
    for (const name of mergeIni(r.doc, doc)) r.sectionToFile.set(name, filename);
  }
  expandHere(r.doc, resolve(pyDirname(filename) || '.'), doc.sections.keys());
  return true;
}

interface GroupsRead {
  groups: Array<ProgramConfig | GroupConfig>;
  specs: GroupSpec[];
}

/** process_groups_from_parser: [group:x] first, then the remaining [program:x], then the rest. */
function readGroups(r: Reader): GroupsRead {
  const sections = [...r.doc.sections.keys()];
  const all = new Set(sections);
  const inGroups = new Set<string>();
  const read: Array<{ config: ProgramConfig | GroupConfig; spec: GroupSpec }> = [];
  const groupNames = { here: r.here };
  for (const section of sections.filter((s) => s.startsWith('group:'))) {
    const name = located(r, section, undefined, () => parseProcessOrGroupName(section.slice(6)));
    const programs = located(r, section, 'programs', () => parseListOfStrings(saneget(r, section, 'programs', groupNames) ?? ''));
    const priorityText = located(r, section, 'priority', () => saneget(r, section, 'priority', groupNames));
    const priority = located(r, section, 'priority', () => parseInteger(priorityText ?? '999'));
    let current = section;
    const members: ProgramConfig[] = [];
    const processes: ProcessSpec[] = [];
    const seen = new Set<string>();
    for (const program of programs) {
      const programSection = `program:${program}`;
      const fcgiSection = `fcgi-program:${program}`;
      if (!all.has(programSection) && !all.has(fcgiSection)) {
        throw configError(r, `[${current}] names unknown program or fcgi-program ${program}`, section, 'programs');
      }
      if (all.has(programSection) && all.has(fcgiSection)) {
        throw configError(r, `[${current}] name ${program} is ambiguous (exists as program and fcgi-program)`, section, 'programs');
      }
      // supervisord reuses its loop variable here, so later messages name the previous program.
      // An fcgi-program listed in a group is read as a plain program: its socket is ignored.
      current = all.has(programSection) ? programSection : fcgiSection;
      inGroups.add(current);
      const member = readProgramSection(r, current, name);
      if (seen.has(current)) continue;
      seen.add(current);
      members.push(member.config);
      processes.push(...member.processes);
    }
    const config: GroupConfig = { name, programs: members };
    if (priorityText !== undefined) config.priority = priority;
    read.push({ config, spec: { name, priority, processes } });
  }
  for (const section of sections.filter((s) => s.startsWith('program:') && !inGroups.has(s))) {
    const name = located(r, section, undefined, () => parseProcessOrGroupName(section.slice(8)));
    const priority = located(r, section, 'priority', () => parseInteger(saneget(r, section, 'priority', groupNames) ?? '999'));
    const program = readProgramSection(r, section, name);
    read.push({ config: program.config, spec: { name, priority, processes: program.processes } });
  }
  for (const section of sections.filter((s) => s.startsWith('eventlistener:'))) read.push(readListenerSection(r, section));
  for (const section of sections.filter((s) => s.startsWith('fcgi-program:') && !inGroups.has(s))) read.push(readFcgiProgramSection(r, section));
  checkUnique(r, read);
  // ProcessGroupConfig ordering: (priority, name), a stable sort.
  read.sort((a, b) => a.spec.priority - b.spec.priority || comparePy(a.spec.name, b.spec.name));
  return { groups: read.map((g) => g.config), specs: read.map((g) => g.spec) };
}

/** procvisor addresses groups and processes by name, so duplicates (which supervisord lets shadow each other) are errors. */
function checkUnique(r: Reader, read: ReadonlyArray<{ spec: GroupSpec }>): void {
  const groups = new Set<string>();
  for (const { spec } of read) {
    if (groups.has(spec.name)) throw configError(r, `procvisor cannot have two process groups named ${pyRepr(spec.name)}`);
    groups.add(spec.name);
    const names = new Set<string>();
    for (const p of spec.processes) {
      if (names.has(p.name)) {
        throw configError(
          r,
          `procvisor cannot have two processes named ${pyRepr(p.name)} in group ${pyRepr(spec.name)}`,
          `program:${p.program}`,
          'process_name',
        );
      }
      names.add(p.name);
    }
  }
}

export { checkRpcInterfaces };
