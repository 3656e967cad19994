// Program and group configuration: supervisord's option names and defaults, validation, and the
// expansion of one program into its processes (numprocs, process_name, %(...)s templates).
import { ConfigError } from '../errors.js';
import {
  type Autorestart,
  parseBoolean,
  parseByteSize,
  parseEnvironment,
  parseExitCodes,
  parseInteger,
  parseLogfileName,
  parseOctal,
  parseProcessOrGroupName,
} from '../dialect/datatypes.js';
import { type Expansions, envNamesOf, expand, mergeExpansions } from '../dialect/expand.js';
import { cachedLookupUser, comparePy, expandUser, nodeName, pyRepr, pyStrip } from '../dialect/python.js';
import { parseSignal, type SignalSpec } from './signals.js';
import { type ExtensionConfig, type Extensions, EXTENSION_KEYS, ExtensionError, resolveExtensions } from './extensions.js';
import type { ListenerPoolSpec } from './event-pool.js';
import { type EventListenerConfig, isListenerConfig, resolveListenerGroup } from './listener-config.js';
import { type FcgiConfig, type FcgiSocketSpec, FCGI_KEYS, resolveFcgiGroup } from './fcgi-config.js';

/**
 * One `[program:x]` section as an object. Keys and defaults are supervisord's; seconds may be
 * fractional. String values are supervisord templates: `%(program_name)s`, `%(process_num)02d`,
 * `%(group_name)s`, `%(host_node_name)s`, `%(numprocs)d`, `%(here)s`, `%(ENV_X)s`; write `%%` for
 * a literal `%`.
 */
export interface ProgramConfig extends ExtensionConfig, FcgiConfig {
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
  /** procvisor's opt-in options (readiness, dependencies, backoff policy, memory limit, port). */
  ext: Extensions;
}

export interface GroupSpec {
  name: string;
  priority: number;
  processes: ProcessSpec[];
  /** Set for an event listener pool (`[eventlistener:x]`). */
  listener?: ListenerPoolSpec;
  /** An fcgi program's socket, which every process of the group gets as its stdin. */
  socket?: FcgiSocketSpec;
}

/** What resolving a program may see besides its own options. */
export interface ResolveContext {
  /** Directory of the config file, for `%(here)s`. */
  here?: string | undefined;
  /** The manager's environment (supervisord's own plus `[supervisord] environment`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Keys of `[supervisord] environment`, which supervisord exposes as ENV_ names too. */
  globalEnvironment?: Readonly<Record<string, string>>;
  /** The ENV_* names of `env` then `globalEnvironment`, when the caller already has them. */
  envNames?: Expansions | undefined;
  /** 'api' rejects what supervisord's INI reader silently accepts (negative numbers, unknown keys). */
  origin: 'api' | 'ini';
  /** Where the program came from, for error messages (`file`, and supervisord's section suffix). */
  file?: string | undefined;
  /** Names the caller may add beyond ProgramConfig (e.g. procvisor extensions). */
  extraKeys?: ReadonlySet<string>;
  /** The section name supervisord reports (`program: x ` keeps its spaces); default `program:NAME`. */
  section?: string | undefined;
  /** Receives supervisord's parse-time warnings (AUTO log without rollover, syslog, redirect_stderr). */
  warnings?: string[] | undefined;
}

const CHANNEL_KEYS = ['logfile', 'logfile_maxbytes', 'logfile_backups', 'capture_maxbytes', 'events_enabled', 'syslog'];

/** supervisord's `[program:x]` options, in the order its documentation (and toSupervisordConf) lists them. */
export const PROGRAM_OPTIONS: readonly string[] = [
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
  ...['stdout', 'stderr'].flatMap((c) => CHANNEL_KEYS.map((k) => `${c}_${k}`)),
  'environment',
  'directory',
  'umask',
  'serverurl',
];

/** Every key a ProgramConfig may have. */
export const PROGRAM_KEYS: ReadonlySet<string> = new Set(['name', ...PROGRAM_OPTIONS, ...EXTENSION_KEYS, ...FCGI_KEYS]);

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

function size(cfg: ProgramConfig, key: keyof ProgramConfig, def: number, ctx: ResolveContext, exp?: Expansions): number {
  const v = cfg[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' && typeof v !== 'string') fail(`option '${key}' must be a byte size, got ${describe(v)}`, key);
  // Per-process sizes (*_logfile_maxbytes) are templates, as supervisord expands them per process.
  const text = typeof v === 'string' && exp ? convert(key, () => expand(v, exp, `${sectionOf(cfg, ctx)}.${key}`)) : v;
  const n = convert(key, () => parseByteSize(text));
  if (ctx.origin === 'api' && n < 0) fail(`option '${key}' must not be negative, got ${describe(v)}`, key);
  return n;
}

function str(cfg: ProgramConfig, key: keyof ProgramConfig): string | undefined {
  const v = cfg[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(`option '${key}' must be a string, got ${describe(v)}`, key);
  return v;
}

function sectionOf(cfg: ProgramConfig, ctx: ResolveContext): string {
  return ctx.section ?? `program:${cfg.name}`;
}

/**
 * Section-level options, the same for every process of the program, checked in supervisord's
 * order (so that the first error reported is supervisord's first error).
 */
function resolveCommon(cfg: ProgramConfig, ctx: ResolveContext) {
  const priority = integer(cfg, 'priority', PROGRAM_DEFAULTS.priority, ctx);
  const autostart = bool(cfg, 'autostart', PROGRAM_DEFAULTS.autostart);
  const autorestart =
    cfg.autorestart === undefined
      ? PROGRAM_DEFAULTS.autorestart
      : typeof cfg.autorestart === 'boolean' || cfg.autorestart === 'unexpected'
        ? cfg.autorestart
        : fail(`option 'autorestart' must be true, false or 'unexpected', got ${describe(cfg.autorestart)}`, 'autorestart');
  const startsecs = seconds(cfg, 'startsecs', PROGRAM_DEFAULTS.startsecs, ctx);
  const startretries = integer(cfg, 'startretries', PROGRAM_DEFAULTS.startretries, ctx);
  const stopsignal = convert('stopsignal', () => {
    const s = cfg.stopsignal ?? PROGRAM_DEFAULTS.stopsignal;
    if (typeof s !== 'string' && typeof s !== 'number') throw new Error(`value ${describe(s)} is not a valid signal name`);
    return parseSignal(s);
  });
  const stopwaitsecs = seconds(cfg, 'stopwaitsecs', PROGRAM_DEFAULTS.stopwaitsecs, ctx);
  const stopasgroup = bool(cfg, 'stopasgroup', PROGRAM_DEFAULTS.stopasgroup);
  const killasgroup = bool(cfg, 'killasgroup', stopasgroup);
  const exitcodes = cfg.exitcodes === undefined ? PROGRAM_DEFAULTS.exitcodes : convert('exitcodes', () => parseExitCodes(cfg.exitcodes as string));
  const redirect_stderr = bool(cfg, 'redirect_stderr', PROGRAM_DEFAULTS.redirect_stderr);
  const numprocs = integer(cfg, 'numprocs', PROGRAM_DEFAULTS.numprocs, ctx);
  const numprocs_start = integer(cfg, 'numprocs_start', PROGRAM_DEFAULTS.numprocs_start, ctx);
  if (cfg.environment !== undefined && typeof cfg.environment !== 'string') {
    const env = cfg.environment;
    if (typeof env !== 'object' || env === null || Object.values(env).some((v) => typeof v !== 'string')) {
      fail(`option 'environment' must map names to strings, got ${describe(env)}`, 'environment');
    }
  }
  const capture = {
    stdout: size(cfg, 'stdout_capture_maxbytes', PROGRAM_DEFAULTS.capture_maxbytes, ctx),
    stdoutEvents: bool(cfg, 'stdout_events_enabled', PROGRAM_DEFAULTS.events_enabled),
    stderr: size(cfg, 'stderr_capture_maxbytes', PROGRAM_DEFAULTS.capture_maxbytes, ctx),
    stderrEvents: bool(cfg, 'stderr_events_enabled', PROGRAM_DEFAULTS.events_enabled),
  };
  const serverurlRaw = str(cfg, 'serverurl') ?? PROGRAM_DEFAULTS.serverurl;
  let user: string | null = null;
  if (cfg.user !== undefined) {
    const u = cfg.user;
    if (typeof u !== 'string' && typeof u !== 'number') fail(`option 'user' must be a user name or uid, got ${describe(u)}`, 'user');
    if (!cachedLookupUser(u)) fail(typeof u === 'number' || /^\d+$/.test(u) ? `Invalid user id ${u}` : `Invalid user name ${u}`, 'user');
    user = String(u);
  }
  let umask: number | null = null;
  if (cfg.umask !== undefined) umask = convert('umask', () => parseOctal(cfg.umask as string));
  const processName = str(cfg, 'process_name') ?? PROGRAM_DEFAULTS.process_name;
  convert('process_name', () => parseProcessOrGroupName(processName));
  if (numprocs > 1 && !processName.includes('%(process_num)')) {
    fail('%(process_num) must be present within process_name when numprocs > 1', 'process_name');
  }
  if (stopasgroup && !killasgroup) fail('Cannot set stopasgroup=true and killasgroup=false', 'killasgroup');
  // supervisord notices a missing command only per process (so numprocs=0 hides it); the API checks at once.
  if (ctx.origin === 'api') checkCommand(cfg, ctx);
  return {
    numprocs,
    numprocs_start,
    priority,
    autostart,
    startsecs,
    startretries,
    autorestart,
    exitcodes,
    stopsignal,
    stopwaitsecs,
    stopasgroup,
    killasgroup,
    user,
    umask,
    redirect_stderr,
    capture,
    processName,
    serverurl: pyStrip(serverurlRaw).toUpperCase() === 'AUTO' ? 'AUTO' : serverurlRaw,
    ext: resolveExtensionsOf(cfg),
  };
}

function resolveExtensionsOf(cfg: ProgramConfig): Extensions {
  try {
    return resolveExtensions(cfg);
  } catch (e) {
    if (e instanceof ExtensionError) throw new OptionError(e.message, e.option);
    throw e;
  }
}

function checkCommand(cfg: ProgramConfig, ctx: ResolveContext): void {
  if (cfg.command === undefined) fail(`program section ${sectionOf(cfg, ctx)} does not specify a command`, 'command');
  if (typeof cfg.command !== 'string' && !(Array.isArray(cfg.command) && cfg.command.every((w) => typeof w === 'string'))) {
    fail(`option 'command' must be a string or an array of strings, got ${describe(cfg.command)}`, 'command');
  }
}

type Common = ReturnType<typeof resolveCommon>;

/** The two dictionaries supervisord formats per-process values with (same names, different order). */
interface ProcessExpansions {
  /** `saneget`'s: ENV_* first (command, directory, first logfile pass, sizes). */
  get: Expansions;
  /** `expand()`'s own: here, program_name, … first (environment, process_name, second logfile pass). */
  direct: Expansions;
}

/** The names every process of a program shares (computed once per program). */
interface ProgramNames {
  env: Expansions;
  common: Record<string, string | number>;
}

// The ENV_* names of a context, computed once for all the programs resolved with it.
const contextEnvNames = new WeakMap<ResolveContext, Expansions>();

function programNames(cfg: ProgramConfig, groupName: string, ctx: ResolveContext): ProgramNames {
  let env = ctx.envNames ?? contextEnvNames.get(ctx);
  if (!env) {
    env = mergeExpansions(envNamesOf(ctx.env), envNamesOf(ctx.globalEnvironment ?? {}));
    contextEnvNames.set(ctx, env);
  }
  const common: Record<string, string | number> = {};
  if (ctx.here !== undefined) common.here = ctx.here;
  Object.assign(common, { program_name: pyStrip(cfg.name), host_node_name: nodeName(), group_name: groupName });
  return { env, common };
}

function processExpansions(names: ProgramNames, num: number, numprocs: number): ProcessExpansions {
  const own = { process_num: num, numprocs };
  return { get: mergeExpansions(names.env, names.common, own), direct: mergeExpansions(names.common, own, names.env) };
}

/** The expansions once the program's own `environment` is known (its ENV_* win). */
function withProgramEnv(exp: ProcessExpansions, environment: Record<string, string>): ProcessExpansions {
  const own = envNamesOf(environment);
  return { get: mergeExpansions(exp.get, own), direct: mergeExpansions(exp.direct, own) };
}

interface LogfileResult {
  logfile: string | null;
  syslogMagic: boolean;
}

function logfileValue(raw: string, exp: ProcessExpansions, key: string, cfg: ProgramConfig, ctx: ResolveContext): LogfileResult {
  // supervisord expands log file names twice (its quirk: '%%' survives only as '%%%%'), the second
  // time naming the bare option.
  const once = expand(raw, exp.get, `${sectionOf(cfg, ctx)}.${key}`);
  const twice = expand(once, exp.direct, key);
  if (ctx.origin === 'ini') {
    const lf = parseLogfileName(twice, ctx.env);
    if (lf.kind === 'path') return { logfile: lf.path, syslogMagic: false };
    return { logfile: lf.kind === 'auto' ? 'AUTO' : null, syslogMagic: lf.kind === 'syslog' };
  }
  const lower = twice.toLowerCase();
  if (lower === 'none' || lower === 'off') return { logfile: null, syslogMagic: false };
  if (lower === 'auto') return { logfile: 'AUTO', syslogMagic: false };
  if (lower === 'syslog') return { logfile: null, syslogMagic: true };
  return { logfile: expandUser(twice, ctx.env), syslogMagic: false };
}

/** `*_logfile_backups` / `*_syslog`: typed values, or (from INI) per-process templates. */
function perProcessInteger(cfg: ProgramConfig, key: keyof ProgramConfig, def: number, exp: ProcessExpansions, ctx: ResolveContext): number {
  const v = cfg[key] as unknown;
  if (v === undefined) return def;
  if (typeof v === 'string' && ctx.origin === 'ini') return convert(key, () => parseInteger(expand(v, exp.get, `${sectionOf(cfg, ctx)}.${key}`)));
  if (typeof v !== 'number' || !Number.isInteger(v) || (ctx.origin === 'api' && v < 0)) {
    fail(`option '${key}' must be a non-negative integer, got ${describe(v)}`, key);
  }
  return v;
}

function perProcessBoolean(cfg: ProgramConfig, key: keyof ProgramConfig, exp: ProcessExpansions, ctx: ResolveContext): boolean {
  const v = cfg[key] as unknown;
  if (typeof v === 'string' && ctx.origin === 'ini') return convert(key, () => parseBoolean(expand(v, exp.get, `${sectionOf(cfg, ctx)}.${key}`)));
  return bool(cfg, key, PROGRAM_DEFAULTS.syslog);
}

function channelSpec(cfg: ProgramConfig, ch: Channel, exp: ProcessExpansions, common: Common, ctx: ResolveContext): ChannelSpec {
  const key = (k: string) => `${ch}_${k}` as keyof ProgramConfig;
  const section = sectionOf(cfg, ctx);
  const raw = str(cfg, key('logfile'));
  const lf: LogfileResult =
    raw === undefined ? { logfile: 'AUTO', syslogMagic: false } : convert(key('logfile'), () => logfileValue(raw, exp, key('logfile'), cfg, ctx));
  const backups = perProcessInteger(cfg, key('logfile_backups'), PROGRAM_DEFAULTS.logfile_backups, exp, ctx);
  const maxbytes = size(cfg, key('logfile_maxbytes'), PROGRAM_DEFAULTS.logfile_maxbytes, ctx, exp.get);
  const syslog = perProcessBoolean(cfg, key('syslog'), exp, ctx);
  if (lf.syslogMagic) {
    ctx.warnings?.push(
      `For [${section}], ${key('logfile')}=syslog but this is deprecated and will be removed.  Use ${key('syslog')}=true to enable syslog instead.`,
    );
  }
  if (lf.logfile === 'AUTO' && !maxbytes) {
    ctx.warnings?.push(
      `For [${section}], AUTO logging used for ${key('logfile')} without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally`,
    );
  }
  return {
    logfile: lf.logfile,
    maxbytes,
    backups,
    capture_maxbytes: ch === 'stdout' ? common.capture.stdout : common.capture.stderr,
    events_enabled: ch === 'stdout' ? common.capture.stdoutEvents : common.capture.stderrEvents,
    syslog: syslog || lf.syslogMagic,
  };
}

/**
 * Expands one program into its processes, with supervisord's defaults and checks. `groupName` is
 * the program's own name, or the `[group:x]` it is listed in. Throws ConfigError naming the
 * option and, for files, supervisord's ` in section 'program:x' (file: '…')` suffix.
 */
export function resolveProgram(cfg: ProgramConfig, groupName: string, ctx: ResolveContext): ProcessSpec[] {
  const section = typeof cfg === 'object' && cfg !== null ? sectionOf(cfg, ctx) : 'program:?';
  try {
    return resolveProgramUnchecked(cfg, groupName, ctx);
  } catch (e) {
    if (!(e instanceof OptionError) && !(e instanceof Error)) throw e;
    const option = e instanceof OptionError ? e.option : undefined;
    const suffix = ctx.file !== undefined ? ` in section ${pyRepr(section)} (file: ${pyRepr(ctx.file)})` : '';
    const msg = ctx.origin === 'api' && option && !e.message.includes(option) ? `${e.message} (option '${option}' of program '${cfg.name}')` : e.message;
    throw new ConfigError(msg + suffix, { file: ctx.file, section, option });
  }
}

function programEnvironment(cfg: ProgramConfig, exp: ProcessExpansions): Record<string, string> {
  if (typeof cfg.environment === 'string') {
    const text = convert('environment', () => expand(cfg.environment as string, exp.direct, 'environment'));
    return convert('environment', () => parseEnvironment(text));
  }
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.environment ?? {})) environment[k] = convert('environment', () => expand(v, exp.direct, 'environment'));
  return environment;
}

function resolveProcess(cfg: ProgramConfig, groupName: string, num: number, common: Common, names: ProgramNames, ctx: ResolveContext): ProcessSpec {
  const where = (k: string) => `${sectionOf(cfg, ctx)}.${k}`;
  // supervisord's per-process order: environment, directory, logs, command, process_name.
  const base = processExpansions(names, num, common.numprocs);
  const environment = programEnvironment(cfg, base);
  const exp = withProgramEnv(base, environment);
  const directory = cfg.directory === undefined ? null : convert('directory', () => expand(str(cfg, 'directory') as string, exp.get, where('directory')));
  const stdout = channelSpec(cfg, 'stdout', exp, common, ctx);
  let stderr = channelSpec(cfg, 'stderr', exp, common, ctx);
  if (common.redirect_stderr) {
    if (stderr.logfile !== null && stderr.logfile !== 'AUTO') {
      ctx.warnings?.push(
        `For [${sectionOf(cfg, ctx)}], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored`,
      );
    }
    stderr = { ...stderr, logfile: null };
  }
  checkCommand(cfg, ctx);
  const command =
    typeof cfg.command === 'string'
      ? convert('command', () => expand(cfg.command as string, exp.get, where('command')))
      : cfg.command.map((w) => convert('command', () => expand(w, exp.get, where('command'))));
  const name = convert('process_name', () => expand(common.processName, exp.direct, 'process_name'));
  return {
    name,
    group: groupName,
    program: pyStrip(cfg.name),
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
    stdout,
    stderr,
    environment: { ...(ctx.globalEnvironment ?? {}), ...environment },
    directory,
    umask: common.umask,
    serverurl: common.serverurl,
    ext: common.ext,
  };
}

function resolveProgramUnchecked(cfg: ProgramConfig, groupName: string, ctx: ResolveContext): ProcessSpec[] {
  if (typeof cfg !== 'object' || cfg === null) fail('a program configuration must be an object');
  if (typeof cfg.name !== 'string') fail(`option 'name' must be a string, got ${describe(cfg.name)}`, 'name');
  if (ctx.origin === 'api') {
    for (const k of Object.keys(cfg)) {
      if (!PROGRAM_KEYS.has(k) && !ctx.extraKeys?.has(k)) fail(`unknown option '${k}' in program '${cfg.name}'`, k);
    }
  }
  convert('name', () => parseProcessOrGroupName(cfg.name));
  const common = resolveCommon(cfg, ctx);
  const out: ProcessSpec[] = [];
  const names = common.numprocs > 0 ? programNames(cfg, groupName, ctx) : { env: {}, common: {} };
  for (let num = common.numprocs_start; num < common.numprocs_start + common.numprocs; num++) {
    out.push(resolveProcess(cfg, groupName, num, common, names, ctx));
  }
  // Within a program, processes are ordered by (priority, name) with plain string comparison.
  return out.sort((a, b) => comparePy(a.name, b.name));
}

/** Resolves a program (its own homogeneous group) or a `[group:x]` into a GroupSpec. */
export function resolveGroup(config: ProgramConfig | GroupConfig | EventListenerConfig, ctx: ResolveContext): GroupSpec {
  if (typeof config !== 'object' || config === null) throw new ConfigError('a group configuration must be an object');
  if (isListenerConfig(config)) return resolveListenerGroup(config, ctx);
  if ('programs' in config) {
    let name: string;
    try {
      name = parseProcessOrGroupName(String(config.name));
    } catch (e) {
      throw new ConfigError((e as Error).message, { section: `group:${String(config.name)}`, option: 'name' });
    }
    if (!Array.isArray(config.programs)) throw new ConfigError(`option 'programs' of group '${name}' must be an array of programs`, { option: 'programs' });
    if (config.priority !== undefined && !Number.isInteger(config.priority)) {
      throw new ConfigError(`option 'priority' of group '${name}' must be an integer, got ${describe(config.priority)}`, { option: 'priority' });
    }
    if (ctx.origin === 'api') {
      for (const k of Object.keys(config))
        if (!['name', 'programs', 'priority'].includes(k)) throw new ConfigError(`unknown option '${k}' in group '${name}'`, { option: k });
    }
    const processes = config.programs.flatMap((p: ProgramConfig) => resolveProgram(p, name, ctx));
    assertUniqueNames(name, processes);
    for (const p of config.programs as readonly ProgramConfig[]) resolveFcgiGroup(p, name);
    return { name, priority: config.priority ?? PROGRAM_DEFAULTS.priority, processes };
  }
  const name = typeof config.name === 'string' ? pyStrip(config.name) : String(config.name);
  const processes = resolveProgram(config, name, ctx);
  assertUniqueNames(name, processes);
  const socket = resolveFcgiGroup(config);
  return { name, priority: processes[0]?.priority ?? integerOr(config.priority), processes, ...(socket ? { socket } : {}) };
}

function integerOr(v: unknown): number {
  return typeof v === 'number' ? v : PROGRAM_DEFAULTS.priority;
}

function assertUniqueNames(group: string, processes: readonly ProcessSpec[]): void {
  const seen = new Set<string>();
  for (const p of processes) {
    if (seen.has(p.name))
      throw new ConfigError(`process name '${p.name}' appears twice in group '${group}'`, { section: `program:${p.program}`, option: 'process_name' });
    seen.add(p.name);
  }
}
