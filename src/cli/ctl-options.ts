// supervisorctl's command line: Python getopt rules, ClientOptions.realize() precedence
// (command line over config file over defaults) and its config-file search path.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { CtlConfigError, readCtlConfig, type CtlConfig } from './ctl-config.js';
import { pyRepr } from './ctl-python.js';

/** A command-line or config problem: `Error: …` and `For help, use PROG -h` on stderr, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `-h`/`-?`: print the usage text on stdout and exit 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}

/** `--version` (procvisorctl's own; supervisorctl has no such option): print it and exit 0. */
export class VersionRequested extends Error {
  override name = 'VersionRequested';
}

export interface CtlOptions {
  configfile: string | undefined;
  serverurl: string;
  username: string | undefined;
  password: string | undefined;
  prompt: string;
  history_file: string | undefined;
  /** Interactive shell: `-i`, or no command given. */
  interactive: boolean;
  /** The command and its arguments (joined with spaces, as supervisorctl does). */
  args: string[];
}

export const USAGE = `supervisorctl -- control applications run by supervisord from the cmd line.

Usage: %s [options] [action [arguments]]

Options:
-c/--configuration FILENAME -- configuration file path (searches if not given)
-h/--help -- print usage message and exit
-i/--interactive -- start an interactive shell after executing commands
-s/--serverurl URL -- URL on which supervisord server is listening
     (default "http://localhost:9001").
-u/--username USERNAME -- username to use for authentication with server
-p/--password PASSWORD -- password to use for authentication with server
-r/--history-file -- keep a readline history (if readline is available)

action [arguments] -- see below

Actions are commands like "tail" or "stop".  If -i is specified or no action is
specified on the command line, a "shell" interpreting actions typed
interactively is started.  Use the action "help" to find out about available
actions.
`;

const SHORT = 'h?c:is:u:p:r:';
const LONG = ['help', 'version', 'configuration=', 'interactive', 'serverurl=', 'username=', 'password=', 'history_file='];
type Name = 'help' | 'version' | 'configfile' | 'interactive' | 'serverurl' | 'username' | 'password' | 'history';
const OPTION_NAMES: Record<string, Name> = {
  '-h': 'help',
  '--help': 'help',
  '-?': 'help',
  '--version': 'version',
  '-c': 'configfile',
  '--configuration': 'configfile',
  '-i': 'interactive',
  '--interactive': 'interactive',
  '-s': 'serverurl',
  '--serverurl': 'serverurl',
  '-u': 'username',
  '--username': 'username',
  '-p': 'password',
  '--password': 'password',
  '-r': 'history',
  '--history_file': 'history',
};

function longOption(arg: string, rest: string[], opts: [string, string][]): void {
  const eq = arg.indexOf('=');
  const opt = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
  let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
  const candidates = LONG.filter((o) => o.startsWith(opt));
  if (candidates.length === 0) throw new UsageError(`option --${opt} not recognized`);
  let match: string;
  if (candidates.includes(opt)) match = opt;
  else if (candidates.includes(`${opt}=`)) match = `${opt}=`;
  else if (candidates.length > 1) throw new UsageError(`option --${opt} not a unique prefix`);
  else match = candidates[0]!;
  const name = match.replace(/=$/, '');
  if (match.endsWith('=')) {
    if (value === undefined) {
      if (rest.length === 0) throw new UsageError(`option --${name} requires argument`);
      value = rest.shift()!;
    }
  } else if (value !== undefined) {
    throw new UsageError(`option --${name} must not have an argument`);
  }
  opts.push([`--${name}`, value ?? '']);
}

function shortOptions(arg: string, rest: string[], opts: [string, string][]): void {
  let s = arg.slice(1);
  while (s !== '') {
    const opt = s[0]!;
    s = s.slice(1);
    const at = opt === ':' ? -1 : SHORT.indexOf(opt);
    if (at < 0) throw new UsageError(`option -${opt} not recognized`);
    if (SHORT[at + 1] === ':') {
      if (s === '') {
        if (rest.length === 0) throw new UsageError(`option -${opt} requires argument`);
        s = rest.shift()!;
      }
      opts.push([`-${opt}`, s]);
      s = '';
    } else {
      opts.push([`-${opt}`, '']);
    }
  }
}

/** Python's getopt.getopt(): options until the first non-option or `--`. */
export function getopt(argv: readonly string[]): { opts: [string, string][]; args: string[] } {
  const rest = [...argv];
  const opts: [string, string][] = [];
  while (rest.length && rest[0]!.startsWith('-') && rest[0] !== '-') {
    const arg = rest.shift()!;
    if (arg === '--') break;
    if (arg.startsWith('--')) longOption(arg, rest, opts);
    else shortOptions(arg, rest, opts);
  }
  return { opts, args: rest };
}

// supervisord.datatypes.url: a scheme and a host or path.
function checkUrl(value: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/.exec(value);
  const rest = m?.[2] ?? '';
  const netlocOrPath = rest.startsWith('//') ? rest.slice(2) : rest;
  if (m && netlocOrPath.replace(/[?#].*$/, '') !== '') return value;
  throw new Error(`value ${pyRepr(value)} is not a URL`);
}

/** supervisord's default config locations, relative to the program's `../` first. */
export function searchPaths(progname: string): string[] {
  const here = path.dirname(path.dirname(progname));
  return [
    path.join(here, 'etc', 'supervisord.conf'),
    path.join(here, 'supervisord.conf'),
    'supervisord.conf',
    'etc/supervisord.conf',
    '/etc/supervisord.conf',
    '/etc/supervisor/supervisord.conf',
  ];
}

export interface RealizeContext {
  env: Record<string, string | undefined>;
  cwd: string;
  progname: string;
  /** Overrides searchPaths(progname). */
  searchPaths?: readonly string[] | undefined;
}

type CommandLine = Partial<Record<Exclude<Name, 'help' | 'version'>, string>>;

function readCommandLine(opts: [string, string][]): CommandLine {
  const set: CommandLine = {};
  for (const [opt, raw] of opts) {
    const name = OPTION_NAMES[opt]!;
    if (name === 'help') throw new HelpRequested();
    if (name === 'version') throw new VersionRequested();
    let value = raw;
    if (name === 'interactive') value = '1';
    if (name === 'serverurl') {
      try {
        value = checkUrl(raw);
      } catch (e) {
        throw new UsageError(`invalid value for ${opt} ${pyRepr(raw)}: ${(e as Error).message}`);
      }
    }
    if (set[name] !== undefined) throw new UsageError(`conflicting command line option ${pyRepr(opt)}`);
    set[name] = value;
  }
  return set;
}

/**
 * Parses supervisorctl's arguments and reads its config file (ClientOptions.realize()).
 * @throws {UsageError} for bad options or config problems; {HelpRequested} for -h.
 */
export function realizeOptions(argv: readonly string[], ctx: RealizeContext): CtlOptions {
  let parsed: ReturnType<typeof getopt>;
  try {
    parsed = getopt(argv);
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError(String(e));
  }
  const cli = readCommandLine(parsed.opts);
  const configfile = cli.configfile ?? (ctx.searchPaths ?? searchPaths(ctx.progname)).find((p) => existsSync(path.resolve(ctx.cwd, p)));
  let config: Partial<CtlConfig> = {};
  if (configfile !== undefined) {
    try {
      config = readCtlConfig(configfile, { env: ctx.env, cwd: ctx.cwd });
    } catch (e) {
      throw e instanceof CtlConfigError ? new UsageError(e.message) : e;
    }
  }
  return {
    configfile,
    serverurl: cli.serverurl ?? config.serverurl ?? 'http://localhost:9001',
    username: cli.username ?? config.username,
    password: cli.password ?? config.password,
    prompt: config.prompt ?? 'supervisor',
    history_file: cli.history ?? config.history_file,
    interactive: cli.interactive !== undefined || parsed.args.length === 0,
    args: parsed.args,
  };
}
