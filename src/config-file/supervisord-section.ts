// `[supervisord]` as ServerOptions.read_config reads it: every option through saneget with only
// `here` and the ENV_ names, in supervisord's order; `environment` expanded twice (4.2.5).
import { statSync } from 'node:fs';
import { expand } from '../dialect/expand.js';
import { nodeName } from '../dialect/python.js';
import {
  parseBoolean,
  parseByteSize,
  parseEnvironment,
  parseExistingDirectory,
  parseExistingDirpath,
  parseInteger,
  parseLogLevel,
  parseOctal,
  parseUserToUid,
} from '../dialect/datatypes.js';
import type { SupervisordSection } from './config-types.js';
import { configError, type Env, envNamesOf, located, type Reader, saneget } from './config-reader.js';

/** Python's tempfile.gettempdir() (the first usable of $TMPDIR, $TEMP, $TMP, /tmp, /var/tmp, /usr/tmp). */
export function pythonTempDir(env: Env): string {
  const candidates = [env.TMPDIR, env.TEMP, env.TMP, '/tmp', '/var/tmp', '/usr/tmp'];
  for (const c of candidates) {
    if (!c) continue;
    try {
      if (statSync(c).isDirectory()) return c;
    } catch {
      // not usable; try the next one
    }
  }
  return process.cwd();
}

/** Reads `[supervisord]`; afterwards its environment is part of `r.envNames`. */
export function readSupervisordSection(r: Reader): SupervisordSection {
  const section = 'supervisord';
  const names = { here: r.here };
  const read = <T>(option: string, def: string | null, convert: (v: string) => T): T | null =>
    located(r, section, option, () => {
      const v = saneget(r, section, option, names) ?? def;
      return v === null ? null : convert(v);
    });
  const minfds = read('minfds', '1024', parseInteger) as number;
  const minprocs = read('minprocs', '200', parseInteger) as number;
  const directory = read('directory', null, (v) => parseExistingDirectory(v, r.env));
  const user = read('user', null, (v) => v);
  const umask = read('umask', '022', parseOctal) as number;
  const logfile = read('logfile', 'supervisord.log', (v) => parseExistingDirpath(v, r.env)) as string;
  const logfile_maxbytes = read('logfile_maxbytes', '50MB', parseByteSize) as number;
  const logfile_backups = read('logfile_backups', '10', parseInteger) as number;
  const loglevel = read('loglevel', 'info', parseLogLevel) as SupervisordSection['loglevel'];
  const pidfile = read('pidfile', 'supervisord.pid', (v) => parseExistingDirpath(v, r.env)) as string;
  const identifier = read('identifier', 'supervisor', (v) => v) as string;
  const nodaemon = read('nodaemon', 'false', parseBoolean) as boolean;
  const silent = read('silent', 'false', parseBoolean) as boolean;
  const childlogdir = read('childlogdir', pythonTempDir(r.env), (v) => parseExistingDirectory(v, r.env)) as string;
  const nocleanup = read('nocleanup', 'false', parseBoolean) as boolean;
  const strip_ansi = read('strip_ansi', 'false', parseBoolean) as boolean;
  const environment = read('environment', '', (v) => {
    // 4.2.5 formats this value a second time, with host_node_name available in that pass.
    const again = expand(v, { here: r.here, host_node_name: nodeName(), ...envNamesOf(r.env) }, 'environment');
    return parseEnvironment(again);
  }) as Record<string, string>;
  const flag = (option: string) => (v: string) => {
    try {
      return parseBoolean(v);
    } catch {
      throw new Error(`${option} must be true or false, got '${v}'`);
    }
  };
  const shutdown_on_fatal = read('shutdown_on_fatal', null, flag('shutdown_on_fatal'));
  const health_without_auth = read('health_without_auth', null, flag('health_without_auth'));
  const health_ready_programs = read('health_ready_programs', null, (v) =>
    v
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  );
  Object.assign(r.envNames, envNamesOf(environment));
  Object.assign(r.globalEnvironment, environment);
  return {
    logfile,
    logfile_maxbytes,
    logfile_backups,
    loglevel,
    pidfile,
    nodaemon,
    silent,
    minfds,
    minprocs,
    nocleanup,
    childlogdir,
    user,
    directory,
    strip_ansi,
    environment,
    identifier,
    umask,
    // procvisor's own keys, only when set (supervisord ignores them).
    ...(shutdown_on_fatal !== null ? { shutdown_on_fatal } : {}),
    ...(health_without_auth !== null ? { health_without_auth } : {}),
    ...(health_ready_programs !== null ? { health_ready_programs } : {}),
  };
}

/** supervisord checks `[supervisord] user` last (in realize()), after everything else was read. */
export function checkSupervisordUser(r: Reader, user: string | null): void {
  if (user === null) return;
  try {
    parseUserToUid(user);
  } catch (e) {
    throw configError(r, (e as Error).message, 'supervisord', 'user');
  }
}
