// `[program:x]` sections → ProgramConfig, the way supervisord's _processes_from_section reads
// them: section-level options expanded and converted at once (in supervisord's order, so the first
// error is its first error), per-process options kept as templates, then every process resolved.
import { ConfigError } from '../errors.js';
import { type ProcessSpec, type ProgramConfig, resolveProgram } from '../supervisor/config.js';
import {
  parseAutorestart,
  parseBoolean,
  parseByteSize,
  parseExitCodes,
  parseInteger,
  parseOctal,
  parseProcessOrGroupName,
  parseSignalNumber,
  parseUserToUid,
} from '../dialect/datatypes.js';
import { signalName } from '../supervisor/signals.js';
import { ExtensionError, extensionsFromIni } from '../supervisor/extensions.js';
import { configError, located, type Reader, rawget, saneget, sectionFile } from './config-reader.js';
import { pyRepr, pyStrip, tryPyInt } from '../dialect/python.js';

type Converter = (value: string) => unknown;

/** A stop signal as procvisor stores it: its name without SIG when it has one, else the number. */
function signalSpec(value: string): string | number {
  const num = parseSignalNumber(value);
  const name = signalName(num);
  return name.startsWith('SIG') ? name.slice(3) : num;
}

/** A user as stored: a uid when supervisord would read a number, else the name. */
function userSpec(value: string): string | number {
  parseUserToUid(value);
  const uid = tryPyInt(value);
  return typeof uid === 'number' ? uid : value;
}

function serverurlSpec(value: string): string {
  return value && pyStrip(value).toUpperCase() === 'AUTO' ? 'AUTO' : value;
}

/** Section-level options in supervisord's reading order, with their converters. */
const SECTION_LEVEL: ReadonlyArray<[string, Converter | 'raw']> = [
  ['priority', parseInteger],
  ['autostart', parseBoolean],
  ['autorestart', parseAutorestart],
  ['startsecs', parseInteger],
  ['startretries', parseInteger],
  ['stopsignal', signalSpec],
  ['stopwaitsecs', parseInteger],
  ['stopasgroup', parseBoolean],
  ['killasgroup', parseBoolean],
  ['exitcodes', parseExitCodes],
  ['redirect_stderr', parseBoolean],
  ['numprocs', parseInteger],
  ['numprocs_start', parseInteger],
  ['environment', 'raw'],
  ['stdout_capture_maxbytes', parseByteSize],
  ['stdout_events_enabled', parseBoolean],
  ['stderr_capture_maxbytes', parseByteSize],
  ['stderr_events_enabled', parseBoolean],
  ['serverurl', serverurlSpec],
  ['user', userSpec],
  ['umask', parseOctal],
];

/** Options supervisord evaluates per process: kept as templates for resolveProgram. */
const PER_PROCESS = [
  'directory',
  ...['stdout', 'stderr'].flatMap((ch) => [`${ch}_logfile`, `${ch}_logfile_backups`, `${ch}_logfile_maxbytes`, `${ch}_syslog`]),
  'command',
];

export interface ProgramRead {
  config: ProgramConfig;
  processes: ProcessSpec[];
}

/**
 * Reads `[program:x]` for group `groupName` and resolves its processes. Throws ConfigError with
 * supervisord's message and ` in section 'program:x' (file: '…')`.
 */
export function readProgramSection(r: Reader, section: string, groupName: string): ProgramRead {
  const file = sectionFile(r, section);
  const suffix = ` in section ${pyRepr(section)} (file: ${pyRepr(file)})`;
  const at = <T>(option: string | undefined, fn: () => T): T => located(r, section, option, fn, suffix);
  const name = at(undefined, () => parseProcessOrGroupName(section.slice(section.indexOf(':') + 1)));
  const names = { here: r.here, program_name: name, host_node_name: r.hostNodeName, group_name: groupName };
  const cfg: Record<string, unknown> = { name };
  for (const [option, convert] of SECTION_LEVEL) {
    at(option, () => {
      const value = convert === 'raw' ? rawget(r, section, option) : saneget(r, section, option, names);
      if (value !== undefined) cfg[option] = convert === 'raw' ? value : convert(value);
    });
  }
  const processName = rawget(r, section, 'process_name');
  if (processName !== undefined) cfg.process_name = at('process_name', () => parseProcessOrGroupName(processName));
  if (
    ((cfg.numprocs as number | undefined) ?? 1) > 1 &&
    !(typeof cfg.process_name === 'string' ? cfg.process_name : '%(program_name)s').includes('%(process_num)')
  ) {
    throw configError(
      r,
      `%(process_num) must be present within process_name when numprocs > 1${suffix}`,
      section,
      processName === undefined ? 'numprocs' : 'process_name',
    );
  }
  if (cfg.stopasgroup === true && cfg.killasgroup === false) {
    throw configError(r, `Cannot set stopasgroup=true and killasgroup=false${suffix}`, section, 'killasgroup');
  }
  for (const option of PER_PROCESS) {
    const value = rawget(r, section, option);
    if (value !== undefined) cfg[option] = value;
  }
  // procvisor's own keys (supervisord ignores them): readiness, dependencies, backoff, memory, port.
  try {
    Object.assign(
      cfg,
      extensionsFromIni((key) => saneget(r, section, key, names)),
    );
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    // Expansion errors of these keys arrive as plain Errors: they are configuration errors too.
    throw configError(r, `${(e as Error).message}${suffix}`, section, e instanceof ExtensionError ? e.option : undefined);
  }
  const config = cfg as unknown as ProgramConfig;
  let processes: ProcessSpec[];
  try {
    processes = resolveProgram(config, groupName, {
      origin: 'ini',
      env: r.env,
      globalEnvironment: r.globalEnvironment,
      envNames: r.envNames,
      here: r.here,
      file,
      section,
      warnings: r.warnings,
    });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw configError(r, e.message, section, e.option);
  }
  settlePerProcessValues(r, section, cfg, processes);
  return { config, processes };
}

/**
 * Per-process numbers and booleans become typed values once resolved: literal ones directly,
 * templated ones when every process got the same value (procvisor keeps one value per program).
 */
function settlePerProcessValues(r: Reader, section: string, cfg: Record<string, unknown>, processes: readonly ProcessSpec[]): void {
  for (const ch of ['stdout', 'stderr'] as const) {
    const settle = (option: string, parse: Converter, pick: (p: ProcessSpec) => unknown) => {
      const raw = cfg[option];
      if (typeof raw !== 'string') return;
      // With numprocs <= 0 supervisord never evaluates per-process options: keep the text as is.
      if (processes.length === 0) return;
      if (!raw.includes('%')) {
        cfg[option] = parse(raw);
        return;
      }
      const values = new Set(processes.map(pick));
      if (values.size > 1) {
        throw configError(r, `procvisor cannot give the processes of [${section}] different ${option} values (${pyRepr(raw)})`, section, option);
      }
      cfg[option] = [...values][0];
    };
    settle(`${ch}_logfile_backups`, parseInteger, (p) => p[ch].backups);
    settle(`${ch}_syslog`, parseBoolean, (p) => p[ch].syslog);
    const maxbytes = cfg[`${ch}_logfile_maxbytes`];
    if (processes.length > 0 && typeof maxbytes === 'string' && !maxbytes.includes('%')) cfg[`${ch}_logfile_maxbytes`] = parseByteSize(maxbytes);
  }
}
