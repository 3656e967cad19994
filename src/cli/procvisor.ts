#!/usr/bin/env node
// `procvisor`: the daemon, a drop-in for `supervisord -n`. Takes supervisord's command-line flags,
// finds the configuration where supervisord looks, goes into the background unless -n or
// nodaemon=true says otherwise (daemonize.ts), and exits 2 on a configuration error.
// First: tunes V8 for the daemon's own process before anything else is loaded (see footprint.ts).
import { compactAfterStartup } from './footprint.js';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSupervisorError } from '../errors.js';
import { parseByteSize, parseInteger, parseOctal } from '../dialect/datatypes.js';
import type { SupervisordSection } from '../config-file/config-types.js';
import type { Daemon } from '../server/daemon.js';
import { runUnderTini, wantsInit } from './pid1.js';
import { launchDaemon, statusPipe, takeLaunch } from './daemonize.js';

const USAGE = `procvisor -- run a set of applications under supervision (supervisord-compatible).

Usage: %PROG% [options]

Options:
-c/--configuration FILENAME -- configuration file path (searches if not given)
-n/--nodaemon -- run in the foreground (same as 'nodaemon=true' in config file)
-s/--silent -- no logs to stdout (maps to 'silent=true' in config file)
-h/--help -- print this usage message and exit
-v/--version -- -v prints the supervisord version procvisor implements (4.2.5); --version
                (or "procvisor version") prints procvisor's own version; then exit
-u/--user USER -- run supervisord as this user (or numeric uid)
-m/--umask UMASK -- use this umask for daemon subprocess (default is 022)
-d/--directory DIRECTORY -- directory to chdir to when daemonized
-l/--logfile FILENAME -- use FILENAME as logfile path
-y/--logfile_maxbytes BYTES -- use BYTES to limit the max size of logfile
-z/--logfile_backups NUM -- number of backups to keep when max bytes reached
-e/--loglevel LEVEL -- use LEVEL as log level (debug,info,warn,error,critical)
-j/--pidfile FILENAME -- write a pid file for the daemon process to FILENAME
-i/--identifier STR -- identifier used for this instance of supervisord
-q/--childlogdir DIRECTORY -- the log directory for child process logs
-k/--nocleanup -- prevent the removal of old automatic child log files at startup
-a/--minfds NUM -- the minimum number of file descriptors for start success
-t/--strip_ansi -- strip ansi escape codes from process output
--minprocs NUM  -- the minimum number of processes available for start success

procvisor's own options:
  --programs-dir DIRECTORY -- keep JSON API programs as one supervisord file each in DIRECTORY
      (include it: [include] files = DIRECTORY/*.conf); default: in memory
`;

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

type Flag = {
  key: keyof SupervisordSection | 'configuration' | 'help' | 'version' | 'ownVersion' | 'programsDir';
  arg: boolean;
  parse?: (v: string) => unknown;
};

const FLAGS: Record<string, Flag> = {
  c: { key: 'configuration', arg: true },
  configuration: { key: 'configuration', arg: true },
  n: { key: 'nodaemon', arg: false },
  nodaemon: { key: 'nodaemon', arg: false },
  s: { key: 'silent', arg: false },
  silent: { key: 'silent', arg: false },
  h: { key: 'help', arg: false },
  help: { key: 'help', arg: false },
  v: { key: 'version', arg: false },
  version: { key: 'ownVersion', arg: false },
  u: { key: 'user', arg: true },
  user: { key: 'user', arg: true },
  m: { key: 'umask', arg: true, parse: parseOctal },
  umask: { key: 'umask', arg: true, parse: parseOctal },
  d: { key: 'directory', arg: true },
  directory: { key: 'directory', arg: true },
  l: { key: 'logfile', arg: true },
  logfile: { key: 'logfile', arg: true },
  y: { key: 'logfile_maxbytes', arg: true, parse: parseByteSize },
  logfile_maxbytes: { key: 'logfile_maxbytes', arg: true, parse: parseByteSize },
  z: { key: 'logfile_backups', arg: true, parse: parseInteger },
  logfile_backups: { key: 'logfile_backups', arg: true, parse: parseInteger },
  e: { key: 'loglevel', arg: true, parse: (v) => v.toLowerCase() },
  loglevel: { key: 'loglevel', arg: true, parse: (v) => v.toLowerCase() },
  j: { key: 'pidfile', arg: true },
  pidfile: { key: 'pidfile', arg: true },
  i: { key: 'identifier', arg: true },
  identifier: { key: 'identifier', arg: true },
  q: { key: 'childlogdir', arg: true },
  childlogdir: { key: 'childlogdir', arg: true },
  k: { key: 'nocleanup', arg: false },
  nocleanup: { key: 'nocleanup', arg: false },
  a: { key: 'minfds', arg: true, parse: parseInteger },
  minfds: { key: 'minfds', arg: true, parse: parseInteger },
  t: { key: 'strip_ansi', arg: false },
  strip_ansi: { key: 'strip_ansi', arg: false },
  minprocs: { key: 'minprocs', arg: true, parse: parseInteger },
  'programs-dir': { key: 'programsDir', arg: true },
};

export class UsageError extends Error {}

/** Parses supervisord's flags (getopt style: `-c FILE`, `-cFILE`, `--configuration=FILE`). */
export function parseArgs(argv: readonly string[]): {
  configuration?: string;
  help?: boolean;
  version?: boolean;
  ownVersion?: boolean;
  programsDir?: string;
  overrides: Partial<SupervisordSection>;
} {
  const out: { configuration?: string; help?: boolean; version?: boolean; ownVersion?: boolean; programsDir?: string; overrides: Record<string, unknown> } = {
    overrides: {},
  };
  // `procvisor version`: the one word procvisor accepts (supervisord takes no arguments at all).
  if (argv.length === 1 && argv[0] === 'version') return { ownVersion: true, overrides: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    let name: string;
    let value: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      value = eq < 0 ? undefined : a.slice(eq + 1);
    } else if (a.startsWith('-') && a.length > 1) {
      name = a[1] as string;
      value = a.length > 2 ? a.slice(2) : undefined;
    } else throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
    const flag = FLAGS[name];
    if (!flag) throw new UsageError(`option ${a} not recognized`);
    if (flag.arg) {
      value ??= argv[++i];
      if (value === undefined) throw new UsageError(`option ${a} requires argument`);
    } else if (value !== undefined && a.startsWith('--')) throw new UsageError(`option --${name} must not have an argument`);
    let parsed: unknown = true;
    if (flag.arg) {
      try {
        parsed = flag.parse ? flag.parse(value as string) : value;
      } catch (e) {
        throw new UsageError(`invalid value for ${a}: ${(e as Error).message}`);
      }
    }
    if (flag.key === 'configuration') out.configuration = value;
    else if (flag.key === 'help') out.help = true;
    else if (flag.key === 'version') out.version = true;
    else if (flag.key === 'ownVersion') out.ownVersion = true;
    else if (flag.key === 'programsDir') out.programsDir = resolve(value as string);
    else out.overrides[flag.key] = parsed;
  }
  return out;
}

/** supervisord's search path for a configuration file. */
export function findConfig(cwd = process.cwd()): string | undefined {
  const exeDir = dirname(process.argv[1] ?? '.');
  const candidates = [
    join(exeDir, '../etc/supervisord.conf'),
    join(exeDir, '../supervisord.conf'),
    join(cwd, 'supervisord.conf'),
    join(cwd, 'etc/supervisord.conf'),
    '/etc/supervisord.conf',
    '/etc/supervisor/supervisord.conf',
  ];
  return candidates.find((c) => existsSync(c));
}

/** How {@link main} was started, beyond its arguments. */
export interface MainOptions {
  /** Compact the heap once the startup burst is over (the daemon's own process). */
  compact?: boolean;
  /**
   * Go into the background as supervisord does without -n: true from the command line only (an
   * embedder calling main stays in the foreground).
   */
  mayDaemonize?: boolean;
}

/** Runs the daemon until it shuts down; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = process, options: MainOptions = {}): Promise<number> {
  const prog = 'procvisor';
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.stderr.write(`Error: ${(e as Error).message}\nFor help, use ${prog} -h\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(USAGE.replace('%PROG%', prog));
    return 0;
  }
  if (args.version) {
    const { SUPERVISOR_VERSION } = await import('../server/rpc-methods.js');
    io.stdout.write(`${SUPERVISOR_VERSION}\n`);
    return 0;
  }
  if (args.ownVersion) {
    const { versionLine } = await import('./own-version.js');
    io.stdout.write(`${versionLine('procvisor', 'supervisord')}\n`);
    return 0;
  }
  const configPath = args.configuration ?? findConfig();
  if (!configPath) {
    io.stderr.write(
      `Error: No config file found at default paths (/etc/supervisord.conf, /etc/supervisor/supervisord.conf); use the -c option to specify a config file at a different path\nFor help, use ${prog} -h\n`,
    );
    return 2;
  }
  // Started by a launcher (report to it until ready) or by tini as PID 1 (stay in the foreground).
  const launch = options.mayDaemonize ? takeLaunch() : undefined;
  const status = launch === 'daemon' ? statusPipe() : undefined;
  const errors = status?.stderr ?? io.stderr;
  if (options.mayDaemonize && launch === undefined && process.pid !== 1 && !args.overrides.nodaemon) {
    // supervisord reads its configuration (and opens its servers) before it forks: errors reach
    // the terminal either way.
    const { loadDaemonConfig } = await import('../server/daemon-config.js');
    let nodaemon;
    try {
      nodaemon = loadDaemonConfig(configPath, args.overrides).supervisord.nodaemon;
    } catch (e) {
      const message = isSupervisorError(e) ? e.detail || e.message : (e as Error).message;
      io.stderr.write(`Error: ${message}\nFor help, use ${prog} -h\n`);
      return 2;
    }
    if (!nodaemon) return launchDaemon(argv, io.stderr);
  }
  // Loaded here, not at the top, so that the thin PID-1 parent (pid1.ts) never loads the daemon,
  // and so that the daemon's V8 flags (footprint.ts) are set before its code is compiled.
  const { Daemon } = await import('../server/daemon.js');
  const { programDirStoreFor } = await import('../server/daemon-program-store.js');
  const { fleetPlugin } = await import('../fleet/plugin.js');
  // The log echo follows supervisord's nodaemon rule (`-n` or nodaemon=true).
  const programsDir = args.programsDir;
  const daemon = new Daemon({
    configPath,
    overrides: args.overrides,
    echo: io.stdout,
    ...(programsDir ? { programStore: (d: Daemon) => programDirStoreFor(d, programsDir) } : {}),
    plugins: (d: Daemon) => [fleetPlugin(d)],
    ...(status ? { background: () => status.ready() } : {}),
  });
  try {
    await daemon.start();
    if (options.compact) compactAfterStartup(daemon.pm);
  } catch (e) {
    const message = isSupervisorError(e) ? e.detail || e.message : (e as Error).message;
    errors.write(`Error: ${message}\nFor help, use ${prog} -h\n`);
    await daemon.abort();
    return 2;
  }
  return daemon.done;
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  const argv = process.argv.slice(2);
  // As PID 1, tini goes in front to reap orphans (see pid1.ts); this process then only forwards signals.
  const underInit = wantsInit() ? runUnderTini(argv) : undefined;
  (underInit ?? main(argv, process, { compact: true, mayDaemonize: true })).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`procvisor: ${String((e as Error)?.stack ?? e)}\n`);
      process.exit(1);
    },
  );
}
