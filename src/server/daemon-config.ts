// The daemon's view of a supervisord.conf: the file read by the compat reader, command-line
// overrides applied, groups resolved, servers described, and what reloadConfig compares.
import { isAbsolute, resolve } from 'node:path';
import { readSupervisordConfig } from '../config-file/config-file.js';
import type { ReadConfigResult, SupervisordSection } from '../config-file/config-types.js';
import type { GroupConfig, GroupSpec, ProgramConfig } from '../supervisor/config.js';
import type { InetServerConfig, UnixServerConfig } from './http-server.js';
import { validateDependencies } from '../supervisor/dependencies.js';

export interface LoadedGroup {
  config: ProgramConfig | GroupConfig;
  spec: GroupSpec;
}

export interface DaemonConfig {
  /** Absolute path of the main file. */
  path: string;
  supervisord: SupervisordSection;
  /** Groups by name, in supervisord's order. */
  groups: Map<string, LoadedGroup>;
  unix?: UnixServerConfig;
  inet?: InetServerConfig;
  /** SUPERVISOR_SERVER_URL for children (serverurl=AUTO). */
  serverUrl: string | null;
  warnings: string[];
  raw: ReadConfigResult;
}

function credentials(s: { username?: string; password?: string }) {
  return s.username !== undefined && s.password !== undefined ? { username: s.username, password: s.password } : undefined;
}

/** Reads `path`; `overrides` are command-line values that win over `[supervisord]`. Throws ConfigError. */
export function loadDaemonConfig(path: string, overrides: Partial<SupervisordSection> = {}): DaemonConfig {
  const abs = isAbsolute(path) ? path : resolve(path);
  // Read through the path as given, so errors name the file as supervisord does.
  const raw = readSupervisordConfig(path);
  const supervisord = { ...raw.supervisord, ...overrides };
  const groups = new Map<string, LoadedGroup>();
  raw.groups.forEach((config, i) => {
    const spec = raw.specs[i] as GroupSpec;
    groups.set(spec.name, { config, spec });
  });
  validateDependencies(
    [...groups.values()].map((g) => g.spec),
    [],
  );
  const out: DaemonConfig = { path: abs, supervisord, groups, serverUrl: raw.serverurl, warnings: raw.warnings, raw };
  const u = raw.unix_http_server;
  if (u) out.unix = { file: u.file, chmod: u.chmod, ...(u.chown !== undefined ? { chown: u.chown } : {}), credentials: credentials(u) };
  const i = raw.inet_http_server;
  if (i) out.inet = { host: i.host, port: i.port, credentials: credentials(i) };
  return out;
}
