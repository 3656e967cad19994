// Program and group configuration: supervisord's option names and defaults, validation, and the
// expansion of one program into its processes (numprocs, process_name, %(...)s templates).
import { hostname } from 'node:os';
import { ConfigError } from '../errors.js';
import {
  type Autorestart,
  parseAutorestart,
  parseBoolean,
  parseByteSize,
  parseEnvironment,
  parseExitCodes,
  parseInteger,
  parseOctal,
  parseProcessOrGroupName,
} from '../compat/datatypes.js';
import { type Expansions, expand } from '../compat/expand.js';
import { parseSignal, type SignalSpec } from './signals.js';
import { lookupUser } from './users.js';

/**
 * One `[program:x]` section as an object. Keys and defaults are supervisord's; seconds may be
 * fractional. String values are supervisord templates: `%(program_name)s`, `%(process_num)02d`,
 * `%(group_name)s`, `%(host_node_name)s`, `%(numprocs)d`, `%(here)s`, `%(ENV_X)s`; write `%%` for
 * a literal `%`.
 */
export interface ProgramConfig {
  /** The `x` of `[program:x]`. */
  name: string;
  /** A command line split like a POSIX shell would (no expansion, no pipes), or an argv array. */
  command: string | readonly string[];
  process_name?: string;
  numprocs?: number;
  numprocs_start?: number;
  priority?: number;
  autostart?: boolean;
  startsecs?: number;
  startretries?: number;
  autorestart?: Autorestart;
  exitcodes?: readonly number[] | string;
  stopsignal?: SignalSpec;
  stopwaitsecs?: number;
  stopasgroup?: boolean;
  killasgroup?: boolean;
  user?: string | number;
  redirect_stderr?: boolean;
  stdout_logfile?: string;
  stdout_logfile_maxbytes?: number | string;
  stdout_logfile_backups?: number;
  stdout_capture_maxbytes?: number | string;
  stdout_events_enabled?: boolean;
  stdout_syslog?: boolean;
  stderr_logfile?: string;
  stderr_logfile_maxbytes?: number | string;
  stderr_logfile_backups?: number;
  stderr_capture_maxbytes?: number | string;
  stderr_events_enabled?: boolean;
  stderr_syslog?: boolean;
  /** `{KEY: 'value'}`, or supervisord's `KEY="value",KEY2=v2` text. */
  environment?: Readonly<Record<string, string>> | string;
  directory?: string;
  umask?: number | string;
  serverurl?: string;
}

/** A `[group:x]` section: programs whose processes live in one group. */
export interface GroupConfig {
  name: string;
  programs: readonly ProgramConfig[];
  priority?: number;
}

export const PROGRAM_DEFAULTS = {
  process_name: '%(program_name)s',
  numprocs: 1,
  numprocs_start: 0,
  priority: 999,
  autostart: true,
  startsecs: 1,
  startretries: 3,
  autorestart: 'unexpected' as Autorestart,
  exitcodes: [0] as readonly number[],
  stopsignal: 'TERM' as SignalSpec,
  stopwaitsecs: 10,
  stopasgroup: false,
  redirect_stderr: false,
  logfile: 'AUTO',
  logfile_maxbytes: 50 * 1024 * 1024,
  logfile_backups: 10,
  capture_maxbytes: 0,
  events_enabled: false,
  syslog: false,
  serverurl: 'AUTO',
} as const;

export type Channel = 'stdout' | 'stderr';

/** Where and how one output channel of a process is logged. */
export interface ChannelSpec {
  /** 'AUTO' until the manager materializes it, a path, or null for NONE. */
  logfile: string | null;
  maxbytes: number;
  backups: number;
  capture_maxbytes: number;
  events_enabled: boolean;
  syslog: boolean;
}

/** Everything one process needs, fully expanded. */
export interface ProcessSpec {
  name: string;
  group: string;
  program: string;
  processNum: number;
  command: string | readonly string[];
  priority: number;
  autostart: boolean;
  startsecs: number;
  startretries: number;
  autorestart: Autorestart;
  exitcodes: readonly number[];
  stopsignal: number;
  stopwaitsecs: number;
  stopasgroup: boolean;
  killasgroup: boolean;
  user: string | null;
  redirect_stderr: boolean;
  stdout: ChannelSpec;
  stderr: ChannelSpec;
  environment: Readonly<Record<string, string>>;
  directory: string | null;
  umask: number | null;
  serverurl: string | null;
}

export interface GroupSpec {
  name: string;
  priority: number;
  processes: ProcessSpec[];
}

/** What resolving a program may see besides its own options. */
export interface ResolveContext {
  /** Directory of the config file, for `%(here)s`. */
  here?: string | undefined;
  /** The manager's environment (supervisord's own plus `[supervisord] environment`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Keys of `[supervisord] environment`, which supervisord exposes as ENV_ names too. */
  globalEnvironment?: Readonly<Record<string, string>>;
  /** 'api' rejects what supervisord's INI reader silently accepts (negative numbers, unknown keys). */
  origin: 'api' | 'ini';
  /** Where the program came from, for error messages (`file`, and supervisord's section suffix). */
  file?: string | undefined;
  /** Names the caller may add beyond ProgramConfig (e.g. procvisor extensions). */
  extraKeys?: ReadonlySet<string>;
}

const CHANNEL_KEYS = ['logfile', 'logfile_maxbytes', 'logfile_backups', 'capture_maxbytes', 'events_enabled', 'syslog'];
export const PROGRAM_KEYS: ReadonlySet<string> = new Set([
  'name',
  'command',
  'process_name',
  'numprocs',
  'numprocs_start',
  'priority',
  'autostart',
  'startsecs',
  'startretries',
  'autorestart',
  'exitcodes',
  'stopsignal',
  'stopwaitsecs',
  'stopasgroup',
  'killasgroup',
  'user',
  'redirect_stderr',
  ...CHANNEL_KEYS.flatMap((k) => [`stdout_${k}`, `stderr_${k}`]),
  'environment',
  'directory',
  'umask',
  'serverurl',
]);

class OptionError extends Error {
  constructor(
    message: string,
    readonly option?: string,
  ) {
    super(message);
  }
}

function fail(message: string, option?: string): never {
  throw new OptionError(message, option);
}

/** Runs `fn`, turning a datatype error into an OptionError naming `option`. */
function convert<T>(option: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OptionError) throw e;
    throw new OptionError((e as Error).message, option);
  }
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

function seconds(cfg: ProgramConfig, key: 'startsecs' | 'stopwaitsecs', def: number, ctx: ResolveContext): number {
  const v = cfg[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`option '${key}' must be a number of seconds, got ${describe(v)}`, key);
  if (ctx.origin === 'api' && v < 0) fail(`option '${key}' must not be negative, got ${v}`, key);
  return v;
}

function integer(cfg: ProgramConfig, key: 'numprocs' | 'numprocs_start' | 'priority' | 'startretries', def: number, ctx: ResolveContext): number {
  const v = cfg[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`option '${key}' must be an integer, got ${describe(v)}`, key);
  if (ctx.origin === 'api' && v < 0 && key !== 'priority') fail(`option '${key}' must not be negative, got ${v}`, key);
  return v;
}

function bool(cfg: ProgramConfig, key: keyof ProgramConfig, def: boolean): boolean {
  const v = cfg[key];
  if (v === undefined) return def;
  if (typeof v !== 'boolean') fail(`option '${key}' must be true or false, got ${describe(v)}`, key);
  return v;
}

function size(cfg: ProgramConfig, key: keyof ProgramConfig, def: number, ctx: ResolveContext): number {
  const v = cfg[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' && typeof v !== 'string') fail(`option '${key}' must be a byte size, got ${describe(v)}`, key);
  const n = convert(key, () => parseByteSize(v));
  if (ctx.origin === 'api' && n < 0) fail(`option '${key}' must not be negative, got ${describe(v)}`, key);
  return n;
}

function str(cfg: ProgramConfig, key: keyof ProgramConfig): string | undefined {
  const v = cfg[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(`option '${key}' must be a string, got ${describe(v)}`, key);
  return v;
}

/** Section-level options, the same for every process of the program. */
function resolveCommon(cfg: ProgramConfig, ctx: ResolveContext) {
  const stopasgroup = bool(cfg, 'stopasgroup', PROGRAM_DEFAULTS.stopasgroup);
  const killasgroup = bool(cfg, 'killasgroup', stopasgroup);
  if (stopasgroup && !killasgroup) fail('Cannot set stopasgroup=true and killasgroup=false', 'killasgroup');
  const autorestart =
    cfg.autorestart === undefined
      ? PROGRAM_DEFAULTS.autorestart
      : typeof cfg.autorestart === 'boolean' || cfg.autorestart === 'unexpected'
        ? cfg.autorestart
        : fail(`option 'autorestart' must be true, false or 'unexpected', got ${describe(cfg.autorestart)}`, 'autorestart');
  const exitcodes = cfg.exitcodes === undefined ? PROGRAM_DEFAULTS.exitcodes : convert('exitcodes', () => parseExitCodes(cfg.exitcodes as string));
  const stopsignal = convert('stopsignal', () => {
    const s = cfg.stopsignal ?? PROGRAM_DEFAULTS.stopsignal;
    if (typeof s !== 'string' && typeof s !== 'number') throw new Error(`value ${describe(s)} is not a valid signal name`);
    return parseSignal(s);
  });
  let user: string | null = null;
  if (cfg.user !== undefined) {
    const u = cfg.user;
    if (typeof u !== 'string' && typeof u !== 'number') fail(`option 'user' must be a user name or uid, got ${describe(u)}`, 'user');
    if (!lookupUser(u)) fail(typeof u === 'number' || /^\d+$/.test(u) ? `Invalid user id ${u}` : `Invalid user name ${u}`, 'user');
    user = String(u);
  }
  let umask: number | null = null;
  if (cfg.umask !== undefined) umask = convert('umask', () => parseOctal(cfg.umask as string));
  if (cfg.command === undefined) fail(`program section program:${cfg.name} does not specify a command`, 'command');
  if (typeof cfg.command !== 'string' && !(Array.isArray(cfg.command) && cfg.command.every((w) => typeof w === 'string'))) {
    fail(`option 'command' must be a string or an array of strings, got ${describe(cfg.command)}`, 'command');
  }
  if (cfg.environment !== undefined && typeof cfg.environment !== 'string') {
    const env = cfg.environment;
    if (typeof env !== 'object' || env === null || Object.values(env).some((v) => typeof v !== 'string')) {
      fail(`option 'environment' must map names to strings, got ${describe(env)}`, 'environment');
    }
  }
  return {
    numprocs: integer(cfg, 'numprocs', PROGRAM_DEFAULTS.numprocs, ctx),
    numprocs_start: integer(cfg, 'numprocs_start', PROGRAM_DEFAULTS.numprocs_start, ctx),
    priority: integer(cfg, 'priority', PROGRAM_DEFAULTS.priority, ctx),
    autostart: bool(cfg, 'autostart', PROGRAM_DEFAULTS.autostart),
    startsecs: seconds(cfg, 'startsecs', PROGRAM_DEFAULTS.startsecs, ctx),
    startretries: integer(cfg, 'startretries', PROGRAM_DEFAULTS.startretries, ctx),
    autorestart,
    exitcodes,
    stopsignal,
    stopwaitsecs: seconds(cfg, 'stopwaitsecs', PROGRAM_DEFAULTS.stopwaitsecs, ctx),
    stopasgroup,
    killasgroup,
    user,
    umask,
    redirect_stderr: bool(cfg, 'redirect_stderr', PROGRAM_DEFAULTS.redirect_stderr),
  };
}

function logfileValue(raw: string, exp: Expansions, where: string): string | null {
  // supervisord expands log file names twice (its quirk: '%%' survives only as '%%%%').
  const once = expand(raw, exp, where);
  const twice = expand(once, exp, where);
  const upper = twice.toUpperCase();
  if (upper === 'NONE' || upper === 'OFF') return null;
  if (upper === 'AUTO') return 'AUTO';
  if (twice === 'syslog') return null;
  return twice.startsWith('~') ? (ctxHome() ?? '') + twice.slice(1) : twice;
}

function ctxHome(): string | undefined {
  return process.env.HOME;
}

function channelSpec(cfg: ProgramConfig, ch: Channel, exp: Expansions, ctx: ResolveContext): ChannelSpec {
  const key = (k: string) => `${ch}_${k}` as keyof ProgramConfig;
  const raw = str(cfg, key('logfile')) ?? PROGRAM_DEFAULTS.logfile;
  const logfile = convert(key('logfile'), () => logfileValue(raw, exp, `program:${cfg.name}.${key('logfile')}`));
  const backups = cfg[key('logfile_backups')];
  if (backups !== undefined && (typeof backups !== 'number' || !Number.isInteger(backups) || (ctx.origin === 'api' && backups < 0))) {
    fail(`option '${key('logfile_backups')}' must be a non-negative integer, got ${describe(backups)}`, key('logfile_backups'));
  }
  return {
    logfile,
    maxbytes: size(cfg, key('logfile_maxbytes'), PROGRAM_DEFAULTS.logfile_maxbytes, ctx),
    backups: (backups as number | undefined) ?? PROGRAM_DEFAULTS.logfile_backups,
    capture_maxbytes: size(cfg, key('capture_maxbytes'), PROGRAM_DEFAULTS.capture_maxbytes, ctx),
    events_enabled: bool(cfg, key('events_enabled'), PROGRAM_DEFAULTS.events_enabled),
    syslog: bool(cfg, key('syslog'), PROGRAM_DEFAULTS.syslog) || (cfg[key('logfile')] as string | undefined) === 'syslog',
  };
}

function envExpansions(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[`ENV_${k}`] = v;
  return out;
}

/**
 * Expands one program into its processes, with supervisord's defaults and checks. `groupName` is
 * the program's own name, or the `[group:x]` it is listed in. Throws ConfigError naming the
 * option and, for files, supervisord's ` in section 'program:x' (file: '…')` suffix.
 */
export function resolveProgram(cfg: ProgramConfig, groupName: string, ctx: ResolveContext): ProcessSpec[] {
  const section = `program:${cfg.name}`;
  try {
    return resolveProgramUnchecked(cfg, groupName, ctx);
  } catch (e) {
    if (!(e instanceof OptionError) && !(e instanceof Error)) throw e;
    const option = e instanceof OptionError ? e.option : undefined;
    const suffix = ctx.file !== undefined ? ` in section '${section}' (file: '${ctx.file}')` : '';
    const msg = ctx.origin === 'api' && option && !e.message.includes(option) ? `${e.message} (option '${option}' of program '${cfg.name}')` : e.message;
    throw new ConfigError(msg + suffix, { file: ctx.file, section, option });
  }
}

function resolveProgramUnchecked(cfg: ProgramConfig, groupName: string, ctx: ResolveContext): ProcessSpec[] {
  if (typeof cfg !== 'object' || cfg === null) fail('a program configuration must be an object');
  if (typeof cfg.name !== 'string') fail(`option 'name' must be a string, got ${describe(cfg.name)}`, 'name');
  if (ctx.origin === 'api') {
    for (const k of Object.keys(cfg)) {
      if (!PROGRAM_KEYS.has(k) && !ctx.extraKeys?.has(k)) fail(`unknown option '${k}' in program '${cfg.name}'`, k);
    }
  }
  parseProcessOrGroupName(cfg.name);
  const common = resolveCommon(cfg, ctx);
  const processNameTemplate = str(cfg, 'process_name') ?? PROGRAM_DEFAULTS.process_name;
  convert('process_name', () => parseProcessOrGroupName(processNameTemplate));
  if (common.numprocs > 1 && !processNameTemplate.includes('%(process_num)')) {
    fail('%(process_num) must be present within process_name when numprocs > 1', 'process_name');
  }
  const base: Record<string, string | number> = {
    ...envExpansions(ctx.env),
    ...envExpansions(ctx.globalEnvironment ?? {}),
    program_name: cfg.name,
    group_name: groupName,
    host_node_name: hostname(),
  };
  if (ctx.here !== undefined) base.here = ctx.here;
  const out: ProcessSpec[] = [];
  for (let num = common.numprocs_start; num < common.numprocs_start + common.numprocs; num++) {
    const exp: Record<string, string | number> = { ...base, process_num: num, numprocs: common.numprocs };
    let environment: Record<string, string> = {};
    if (typeof cfg.environment === 'string') {
      const text = convert('environment', () => expand(cfg.environment as string, exp, 'environment'));
      environment = convert('environment', () => parseEnvironment(text));
    } else if (cfg.environment) {
      for (const [k, v] of Object.entries(cfg.environment)) environment[k] = convert('environment', () => expand(v, exp, 'environment'));
    }
    Object.assign(exp, envExpansions(environment));
    const where = (k: string) => `${'program:' + cfg.name}.${k}`;
    const name = convert('process_name', () => expand(processNameTemplate, exp, where('process_name')));
    const command =
      typeof cfg.command === 'string'
        ? convert('command', () => expand(cfg.command as string, exp, where('command')))
        : (cfg.command as readonly string[]).map((w) => convert('command', () => expand(w, exp, where('command'))));
    const directory = cfg.directory === undefined ? null : convert('directory', () => expand(str(cfg, 'directory') as string, exp, where('directory')));
    const serverurlRaw = str(cfg, 'serverurl') ?? PROGRAM_DEFAULTS.serverurl;
    out.push({
      name,
      group: groupName,
      program: cfg.name,
      processNum: num,
      command,
      priority: common.priority,
      autostart: common.autostart,
      startsecs: common.startsecs,
      startretries: common.startretries,
      autorestart: common.autorestart,
      exitcodes: common.exitcodes,
      stopsignal: common.stopsignal,
      stopwaitsecs: common.stopwaitsecs,
      stopasgroup: common.stopasgroup,
      killasgroup: common.killasgroup,
      user: common.user,
      redirect_stderr: common.redirect_stderr,
      stdout: channelSpec(cfg, 'stdout', exp, ctx),
      stderr: common.redirect_stderr ? { ...channelSpec(cfg, 'stderr', exp, ctx), logfile: null } : channelSpec(cfg, 'stderr', exp, ctx),
      environment,
      directory,
      umask: common.umask,
      serverurl: serverurlRaw.toUpperCase() === 'AUTO' ? 'AUTO' : serverurlRaw,
    });
  }
  // Within a program, processes are ordered by (priority, name) with plain string comparison.
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Resolves a program (its own homogeneous group) or a `[group:x]` into a GroupSpec. */
export function resolveGroup(config: ProgramConfig | GroupConfig, ctx: ResolveContext): GroupSpec {
  if (typeof config !== 'object' || config === null) throw new ConfigError('a group configuration must be an object');
  if ('programs' in config) {
    let name: string;
    try {
      name = parseProcessOrGroupName(String(config.name));
    } catch (e) {
      throw new ConfigError((e as Error).message, { section: `group:${String(config.name)}` });
    }
    if (!Array.isArray(config.programs)) throw new ConfigError(`option 'programs' of group '${name}' must be an array of programs`, { option: 'programs' });
    if (config.priority !== undefined && !Number.isInteger(config.priority)) {
      throw new ConfigError(`option 'priority' of group '${name}' must be an integer, got ${describe(config.priority)}`, { option: 'priority' });
    }
    if (ctx.origin === 'api') {
      for (const k of Object.keys(config)) if (!['name', 'programs', 'priority'].includes(k)) throw new ConfigError(`unknown option '${k}' in group '${name}'`, { option: k });
    }
    const processes = config.programs.flatMap((p) => resolveProgram(p, name, ctx));
    assertUniqueNames(name, processes);
    return { name, priority: config.priority ?? PROGRAM_DEFAULTS.priority, processes };
  }
  const processes = resolveProgram(config, config.name.trim(), ctx);
  assertUniqueNames(config.name, processes);
  return { name: config.name.trim(), priority: processes[0]?.priority ?? integerOr(config.priority), processes };
}

function integerOr(v: unknown): number {
  return typeof v === 'number' ? v : PROGRAM_DEFAULTS.priority;
}

function assertUniqueNames(group: string, processes: readonly ProcessSpec[]): void {
  const seen = new Set<string>();
  for (const p of processes) {
    if (seen.has(p.name)) throw new ConfigError(`process name '${p.name}' appears twice in group '${group}'`, { section: `program:${p.program}`, option: 'process_name' });
    seen.add(p.name);
  }
}

export { parseBoolean, parseInteger };
