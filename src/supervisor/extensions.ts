// Options beyond supervisord, each opt-in: readiness checks, dependencies, backoff policies, memory
// limits and port allocation. Without them a program behaves exactly as under supervisord. In INI
// files they are flat keys (`ready_tcp=8080`, `depends_on=db:ready`, `backoff=exponential` …),
// which the real supervisord ignores, so one file serves both.
import { parseBoolean, parseInteger } from '../dialect/datatypes.js';
import { type BackoffPolicy, SUPERVISORD_BACKOFF } from './backoff.js';
import type { ReadinessConfig, ReadyCheck } from './readiness.js';
import { LOGGING_INI_KEYS, type LoggingConfig, type LoggingOptions, loggingFromIni, loggingToIni, resolveLogging } from './log-options.js';

/** What a dependent waits for: the dependency started (spawned), is RUNNING (ready), or exited 0. */
export type DependencyCondition = 'started' | 'running' | 'exited';

export interface Dependency {
  /** A program (group) name. */
  name: string;
  condition: DependencyCondition;
}

/** A `PORT` (and optionally `HOST`) for each process. */
export interface PortConfig {
  /** 'hash': FNV-1a of the process's full name into `range`, probing forward past ports in use; 'ephemeral': any free port. */
  mode: 'hash' | 'ephemeral';
  /** Inclusive range for 'hash'. Default [10000, 19999]. */
  range?: readonly [number, number];
  /** Also set HOST to this address. */
  host?: string;
  /** Environment variable to set. Default PORT. */
  env?: string;
}

export interface ExtensionConfig {
  ready?: ReadinessConfig;
  depends_on?: Readonly<Record<string, DependencyCondition>> | readonly string[];
  backoff?: 'linear' | 'exponential' | Partial<BackoffPolicy>;
  max_memory_mb?: number;
  port?: 'hash' | 'ephemeral' | PortConfig;
  /** Timestamped or JSON log lines, time rotation, compressed backups, retention by age. */
  logging?: LoggingConfig;
  /** Shut the supervisor down when this program exits on its own (true) or exits unexpectedly; its exit status becomes the supervisor's. */
  shutdown_on_exit?: boolean | 'unexpected';
  /** Shut the supervisor down when this program goes FATAL, exiting non-zero (its last exit status, else 1). */
  shutdown_on_fatal?: boolean;
}

export interface Extensions {
  ready: ReadinessConfig | null;
  depends_on: Dependency[];
  backoff: BackoffPolicy;
  max_memory_mb: number | null;
  port: (Required<Omit<PortConfig, 'host'>> & { host: string | null }) | null;
  logging: LoggingOptions | null;
  shutdown_on_exit: boolean | 'unexpected';
  shutdown_on_fatal: boolean;
}

export const EXTENSION_KEYS: ReadonlySet<string> = new Set([
  'ready',
  'depends_on',
  'backoff',
  'max_memory_mb',
  'port',
  'logging',
  'shutdown_on_exit',
  'shutdown_on_fatal',
]);

export class ExtensionError extends Error {
  constructor(
    message: string,
    readonly option: string,
  ) {
    super(message);
  }
}

const fail = (option: string, message: string): never => {
  throw new ExtensionError(message, option);
};

const CONDITIONS = new Set<DependencyCondition>(['started', 'running', 'exited']);

function resolveReady(r: unknown): ReadinessConfig | null {
  if (r === undefined) return null;
  if (typeof r !== 'object' || r === null || !Array.isArray((r as ReadinessConfig).checks))
    fail('ready', `option 'ready' must be {checks: [...], timeout: seconds}`);
  const ready = r as ReadinessConfig;
  if (typeof ready.timeout !== 'number' || !(ready.timeout > 0)) fail('ready', `option 'ready' needs a timeout in seconds (> 0), got ${String(ready.timeout)}`);
  if (ready.interval !== undefined && !(typeof ready.interval === 'number' && ready.interval > 0))
    fail('ready', `option 'ready.interval' must be a positive number of milliseconds`);
  if (ready.checks.length === 0) fail('ready', `option 'ready' needs at least one check`);
  for (const c of ready.checks as unknown[]) {
    const ok =
      typeof c === 'object' &&
      c !== null &&
      (('tcp' in c && (typeof c.tcp === 'number' || typeof c.tcp === 'string')) ||
        ('http' in c && typeof c.http === 'string') ||
        ('log' in c && (typeof c.log === 'string' || c.log instanceof RegExp)) ||
        ('file' in c && typeof c.file === 'string') ||
        ('custom' in c && typeof c.custom === 'function') ||
        ('notify' in c && c.notify === true && (!('watchdog' in c) || c.watchdog === undefined || (typeof c.watchdog === 'number' && c.watchdog > 0))));
    if (!ok) fail('ready', `option 'ready' has a check that is none of tcp, http, log, file, custom, notify (with watchdog > 0 seconds): ${JSON.stringify(c)}`);
    if (typeof c === 'object' && c !== null && 'log' in c && typeof c.log === 'string') {
      try {
        new RegExp(c.log);
      } catch (e) {
        fail('ready', `option 'ready' log pattern is not a valid regular expression: ${(e as Error).message}`);
      }
    }
  }
  return ready;
}

function resolveDeps(d: unknown): Dependency[] {
  if (d === undefined) return [];
  if (Array.isArray(d)) {
    return d.map((n) =>
      typeof n === 'string' && n
        ? { name: n, condition: 'running' as const }
        : fail('depends_on', `option 'depends_on' must list program names, got ${JSON.stringify(n)}`),
    );
  }
  if (typeof d !== 'object' || d === null) return fail('depends_on', `option 'depends_on' must be a list of names or {name: condition}`);
  return Object.entries(d).map(([name, condition]) => {
    if (!CONDITIONS.has(condition as DependencyCondition))
      fail('depends_on', `option 'depends_on' condition for '${name}' must be started, running or exited, got ${JSON.stringify(condition)}`);
    return { name, condition: condition as DependencyCondition };
  });
}

function resolveBackoff(b: unknown): BackoffPolicy {
  if (b === undefined || b === 'linear') return SUPERVISORD_BACKOFF;
  if (b === 'exponential') return { ...SUPERVISORD_BACKOFF, strategy: 'exponential', max: 60 };
  if (typeof b !== 'object' || b === null)
    return fail('backoff', `option 'backoff' must be 'linear', 'exponential' or a policy object, got ${JSON.stringify(b)}`);
  const p = b as Partial<BackoffPolicy>;
  const strategy = p.strategy ?? 'exponential';
  if (strategy !== 'linear' && strategy !== 'exponential') fail('backoff', `option 'backoff.strategy' must be linear or exponential`);
  const num = (k: 'initial' | 'multiplier', min: number) => {
    const v = p[k];
    if (v !== undefined && !(typeof v === 'number' && v >= min)) fail('backoff', `option 'backoff.${k}' must be a number >= ${min}, got ${JSON.stringify(v)}`);
  };
  num('initial', 0);
  num('multiplier', 1);
  for (const k of ['max', 'reset_after'] as const) {
    const v = p[k];
    if (v !== undefined && v !== null && !(typeof v === 'number' && v >= 0))
      fail('backoff', `option 'backoff.${k}' must be a number of seconds, got ${JSON.stringify(v)}`);
  }
  if (p.jitter !== undefined && p.jitter !== 'none' && p.jitter !== 'full') fail('backoff', `option 'backoff.jitter' must be 'none' or 'full'`);
  if (p.give_up !== undefined && typeof p.give_up !== 'boolean') fail('backoff', `option 'backoff.give_up' must be true or false`);
  const max = p.max !== undefined ? p.max : strategy === 'exponential' ? 60 : null;
  if (p.give_up === false && max === null) fail('backoff', `option 'backoff.give_up=false' needs a 'max' delay`);
  return { ...SUPERVISORD_BACKOFF, strategy, ...p, max };
}

function resolvePort(p: unknown): Extensions['port'] {
  if (p === undefined) return null;
  const cfg: PortConfig = p === 'hash' || p === 'ephemeral' ? { mode: p } : (p as PortConfig);
  if (typeof cfg !== 'object' || cfg === null || (cfg.mode !== 'hash' && cfg.mode !== 'ephemeral'))
    fail('port', `option 'port' must be 'hash', 'ephemeral' or {mode, range, host, env}`);
  const range = cfg.range ?? [10000, 19999];
  const [lo, hi] = range;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 65535 || lo > hi)
    fail('port', `option 'port.range' must be [low, high] within 1-65535, got ${JSON.stringify(range)}`);
  return { mode: cfg.mode, range: [lo, hi], host: cfg.host ?? null, env: cfg.env ?? 'PORT' };
}

/** Validates and defaults the extension options of a program. Throws ExtensionError naming the option. */
export function resolveExtensions(cfg: ExtensionConfig): Extensions {
  const mem = cfg.max_memory_mb;
  if (mem !== undefined && !(typeof mem === 'number' && mem > 0))
    fail('max_memory_mb', `option 'max_memory_mb' must be a positive number of megabytes, got ${JSON.stringify(mem)}`);
  return {
    ready: resolveReady(cfg.ready),
    depends_on: resolveDeps(cfg.depends_on),
    backoff: resolveBackoff(cfg.backoff),
    max_memory_mb: mem ?? null,
    port: resolvePort(cfg.port),
    logging: resolveLogging(cfg.logging, fail),
    ...resolveShutdown(cfg),
  };
}

function resolveShutdown(cfg: ExtensionConfig): Pick<Extensions, 'shutdown_on_exit' | 'shutdown_on_fatal'> {
  const onExit = cfg.shutdown_on_exit ?? false;
  if (onExit !== true && onExit !== false && onExit !== 'unexpected')
    fail('shutdown_on_exit', `option 'shutdown_on_exit' must be true, false or 'unexpected', got ${JSON.stringify(onExit)}`);
  const onFatal = cfg.shutdown_on_fatal ?? false;
  if (typeof onFatal !== 'boolean') fail('shutdown_on_fatal', `option 'shutdown_on_fatal' must be true or false, got ${JSON.stringify(onFatal)}`);
  return { shutdown_on_exit: onExit, shutdown_on_fatal: onFatal };
}

/** INI keys of the extensions, read from `[program:x]` (supervisord itself ignores them). */
export const EXTENSION_INI_KEYS = [
  'ready_tcp',
  'ready_http',
  'ready_http_status',
  'ready_log',
  'ready_log_count',
  'ready_file',
  'ready_notify',
  'ready_notify_watchdog',
  'ready_timeout',
  'ready_interval',
  'depends_on',
  'backoff',
  'backoff_initial',
  'backoff_multiplier',
  'backoff_max',
  'backoff_jitter',
  'backoff_reset_after',
  'backoff_give_up',
  'max_memory_mb',
  'port',
  'port_range',
  'port_host',
  'port_env',
  ...LOGGING_INI_KEYS,
  'shutdown_on_exit',
  'shutdown_on_fatal',
] as const;

/** A boolean INI value, or an ExtensionError naming the option and what it accepts. */
function flag(option: string, value: string, accepted: string): boolean {
  try {
    return parseBoolean(value);
  } catch {
    return fail(option, `${option} must be ${accepted}, got '${value}'`);
  }
}

/** Builds the structured extension options from the flat INI keys. Throws ExtensionError. */
export function extensionsFromIni(get: (key: (typeof EXTENSION_INI_KEYS)[number]) => string | undefined): ExtensionConfig {
  const out: ExtensionConfig = {};
  const at = <T>(option: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw e instanceof ExtensionError ? e : new ExtensionError((e as Error).message, option);
    }
  };
  const checks: ReadyCheck[] = [];
  const tcp = get('ready_tcp');
  if (tcp !== undefined) checks.push({ tcp: /^\d+$/.test(tcp.trim()) ? Number(tcp.trim()) : tcp.trim() });
  const http = get('ready_http');
  if (http !== undefined) {
    const status = get('ready_http_status');
    checks.push(status === undefined ? { http: http.trim() } : { http: http.trim(), status: at('ready_http_status', () => parseInteger(status)) });
  }
  const log = get('ready_log');
  if (log !== undefined) {
    const count = get('ready_log_count');
    checks.push(count === undefined ? { log } : { log, count: at('ready_log_count', () => parseInteger(count)) });
  }
  const file = get('ready_file');
  if (file !== undefined) checks.push({ file: file.trim() });
  const notify = get('ready_notify');
  const watchdog = get('ready_notify_watchdog');
  if (watchdog !== undefined && notify === undefined) fail('ready_notify_watchdog', 'ready_notify_watchdog needs ready_notify=true');
  if (notify !== undefined && flag('ready_notify', notify, 'true or false')) {
    checks.push(watchdog === undefined ? { notify: true } : { notify: true, watchdog: at('ready_notify_watchdog', () => parseInteger(watchdog)) });
  }
  const timeout = get('ready_timeout');
  if (checks.length || timeout !== undefined) {
    if (timeout === undefined) fail('ready_timeout', 'a readiness check (ready_*) needs ready_timeout (seconds)');
    const interval = get('ready_interval');
    out.ready = {
      checks,
      timeout: at('ready_timeout', () => parseInteger(timeout as string)),
      ...(interval !== undefined ? { interval: at('ready_interval', () => parseInteger(interval)) } : {}),
    };
  }
  const deps = get('depends_on');
  if (deps !== undefined) {
    const map: Record<string, DependencyCondition> = {};
    for (const item of deps
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [name = '', condition = 'running'] = item.split(':').map((s) => s.trim());
      map[name] = condition as DependencyCondition;
    }
    out.depends_on = map;
  }
  const strategy = get('backoff');
  const policy: Record<string, unknown> = {};
  for (const k of ['initial', 'multiplier', 'max', 'reset_after'] as const) {
    const v = get(`backoff_${k}`);
    if (v !== undefined)
      policy[k] = at(`backoff_${k}`, () =>
        Number(v.trim()) >= 0 && v.trim() !== '' ? Number(v.trim()) : fail(`backoff_${k}`, `backoff_${k} must be a number, got '${v}'`),
      );
  }
  const jitter = get('backoff_jitter');
  if (jitter !== undefined) policy.jitter = at('backoff_jitter', () => (parseBoolean(jitter) ? 'full' : 'none'));
  const giveUp = get('backoff_give_up');
  if (giveUp !== undefined) policy.give_up = at('backoff_give_up', () => parseBoolean(giveUp));
  if (strategy !== undefined || Object.keys(policy).length)
    out.backoff = { strategy: (strategy?.trim() ?? 'exponential') as BackoffPolicy['strategy'], ...policy };
  const mem = get('max_memory_mb');
  if (mem !== undefined) out.max_memory_mb = at('max_memory_mb', () => parseInteger(mem));
  const port = get('port');
  if (port !== undefined) {
    const range = get('port_range');
    const host = get('port_host');
    const env = get('port_env');
    const cfg: PortConfig = { mode: port.trim() as PortConfig['mode'] };
    if (range !== undefined) {
      const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(range);
      if (!m) fail('port_range', `port_range must be LOW-HIGH, got '${range}'`);
      cfg.range = [Number(m?.[1]), Number(m?.[2])];
    }
    if (host !== undefined) cfg.host = host.trim();
    if (env !== undefined) cfg.env = env.trim();
    out.port = cfg;
  }
  const logging = loggingFromIni(get, fail);
  if (logging) out.logging = logging;
  const onExit = get('shutdown_on_exit');
  if (onExit !== undefined) {
    out.shutdown_on_exit = onExit.trim().toLowerCase() === 'unexpected' ? 'unexpected' : flag('shutdown_on_exit', onExit, "true, false or 'unexpected'");
  }
  const onFatal = get('shutdown_on_fatal');
  if (onFatal !== undefined) out.shutdown_on_fatal = flag('shutdown_on_fatal', onFatal, 'true or false');
  return out;
}

/**
 * The flat INI keys for the extension options of `cfg` (the inverse of extensionsFromIni), values
 * unescaped. Throws ExtensionError for what a file cannot hold (a custom check function).
 */
export function extensionsToIni(cfg: ExtensionConfig): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (cfg.ready) {
    for (const c of cfg.ready.checks) {
      if ('tcp' in c) out.push(['ready_tcp', String(c.tcp)]);
      else if ('http' in c) out.push(['ready_http', c.http], ...(c.status !== undefined ? [['ready_http_status', String(c.status)] as [string, string]] : []));
      else if ('log' in c)
        out.push(
          ['ready_log', c.log instanceof RegExp ? c.log.source : c.log],
          ...(c.count !== undefined ? [['ready_log_count', String(c.count)] as [string, string]] : []),
        );
      else if ('file' in c) out.push(['ready_file', c.file]);
      else if ('notify' in c)
        out.push(['ready_notify', 'true'], ...(c.watchdog !== undefined ? [['ready_notify_watchdog', String(c.watchdog)] as [string, string]] : []));
      else fail('ready', 'a custom readiness function cannot be written to a configuration file');
    }
    out.push(['ready_timeout', String(cfg.ready.timeout)]);
    if (cfg.ready.interval !== undefined) out.push(['ready_interval', String(cfg.ready.interval)]);
  }
  if (cfg.depends_on) {
    const deps = Array.isArray(cfg.depends_on) ? cfg.depends_on.map((n) => `${n}:running`) : Object.entries(cfg.depends_on).map(([n, c]) => `${n}:${c}`);
    out.push(['depends_on', deps.join(',')]);
  }
  if (cfg.backoff !== undefined) {
    const b = typeof cfg.backoff === 'string' ? { strategy: cfg.backoff } : cfg.backoff;
    if (b.strategy !== undefined) out.push(['backoff', b.strategy]);
    for (const k of ['initial', 'multiplier', 'max', 'reset_after'] as const) if (b[k] !== undefined && b[k] !== null) out.push([`backoff_${k}`, String(b[k])]);
    if (b.jitter !== undefined) out.push(['backoff_jitter', b.jitter === 'full' ? 'true' : 'false']);
    if (b.give_up !== undefined) out.push(['backoff_give_up', String(b.give_up)]);
  }
  if (cfg.max_memory_mb !== undefined) out.push(['max_memory_mb', String(cfg.max_memory_mb)]);
  if (cfg.port !== undefined) {
    const p = typeof cfg.port === 'string' ? { mode: cfg.port } : cfg.port;
    out.push(['port', p.mode]);
    if (p.range) out.push(['port_range', `${p.range[0]}-${p.range[1]}`]);
    if (p.host !== undefined) out.push(['port_host', p.host]);
    if (p.env !== undefined) out.push(['port_env', p.env]);
  }
  out.push(...loggingToIni(cfg.logging));
  if (cfg.shutdown_on_exit !== undefined) out.push(['shutdown_on_exit', String(cfg.shutdown_on_exit)]);
  if (cfg.shutdown_on_fatal !== undefined) out.push(['shutdown_on_fatal', String(cfg.shutdown_on_fatal)]);
  return out;
}
