// The HTTP server sections ([inet_http_server], [unix_http_server], checked in that order as
// server_configs_from_parser does), [rpcinterface:x], and the client-side [supervisorctl].
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { parseInetAddress, parseOctal, parseUserGroup } from '../dialect/datatypes.js';
import { expandUser, pyStrip } from '../dialect/python.js';
import { getIniEntry, type IniDocument, iniOptions } from '../dialect/ini.js';
import { expand } from '../dialect/expand.js';
import type { InetHttpServerSection, RpcInterfaceSection, SupervisorctlSection, UnixHttpServerSection } from './config-types.js';
import { configError, type Env, envNamesOf, located, type Reader, saneget } from './config-reader.js';

const FACTORY_KEY = 'supervisor.rpcinterface_factory';

/** Sections whose name starts with `prefix` (supervisord matches prefixes: `[unix_http_server2]` counts). */
function sectionsStartingWith(r: Reader, prefix: string): string[] {
  return [...r.doc.sections.keys()].filter((s) => s.startsWith(prefix));
}

/** `[rpcinterface:x]`: the factory is required; the other keys are expanded as supervisord does. */
export function readRpcInterfaces(r: Reader): RpcInterfaceSection[] {
  return sectionsStartingWith(r, 'rpcinterface:').map((section) => {
    const factory = located(r, section, FACTORY_KEY, () => saneget(r, section, FACTORY_KEY));
    if (factory === undefined) throw configError(r, `section [${section}] does not specify a ${FACTORY_KEY}`, section);
    const options: Record<string, string> = {};
    for (const key of iniOptions(r.doc, section)) {
      if (key !== FACTORY_KEY) options[key] = located(r, section, key, () => saneget(r, section, key) as string);
    }
    return { name: section.slice(section.indexOf(':') + 1), factory, options };
  });
}

function readCredentials(r: Reader, section: string): { username?: string; password?: string } {
  const username = located(r, section, 'username', () => saneget(r, section, 'username'));
  const password = located(r, section, 'password', () => saneget(r, section, 'password'));
  if ((username === undefined) !== (password === undefined)) {
    throw configError(
      r,
      `Section [${section}] contains incomplete authentication: If a username or a password is specified, both the username and password must be specified`,
      section,
      username === undefined ? 'password' : 'username',
    );
  }
  return username === undefined ? {} : { username, password };
}

/** Every `[inet_http_server*]`, in order (supervisord uses the first for its URL). */
export function readInetServers(r: Reader): InetHttpServerSection[] {
  return sectionsStartingWith(r, 'inet_http_server').map((section) => {
    const credentials = readCredentials(r, section);
    const port = located(r, section, 'port', () => saneget(r, section, 'port'));
    if (port === undefined) throw configError(r, `section [${section}] has no port value`, section);
    const address = located(r, section, 'port', () => parseInetAddress(port));
    return { ...address, ...credentials };
  });
}

/** Every `[unix_http_server*]`, in order. */
export function readUnixServers(r: Reader): UnixHttpServerSection[] {
  return sectionsStartingWith(r, 'unix_http_server').map((section) => {
    const file = located(r, section, 'file', () => saneget(r, section, 'file', { here: r.here }));
    if (file === undefined) throw configError(r, `section [${section}] has no file value`, section);
    const out: UnixHttpServerSection = { file: normalizePath(pyStrip(file), r.env), chmod: 0o700, ...readCredentials(r, section) };
    const chown = located(r, section, 'chown', () => saneget(r, section, 'chown'));
    if (chown !== undefined) {
      located(r, section, 'chown', () => {
        try {
          parseUserGroup(chown);
        } catch {
          throw new Error(`Invalid sockchown value ${chown}`);
        }
      });
      out.chown = chown;
    }
    const chmod = located(r, section, 'chmod', () => saneget(r, section, 'chmod'));
    if (chmod !== undefined) {
      out.chmod = located(r, section, 'chmod', () => {
        try {
          return parseOctal(chmod);
        } catch {
          throw new Error(`Invalid chmod value ${chmod}`);
        }
      });
    }
    return out;
  });
}

/** supervisord's normalize_path: `~` expanded, made absolute (against the cwd) and normalized. */
export function normalizePath(p: string, env: Env): string {
  return resolve(expandUser(p, env));
}

/**
 * `[supervisorctl]` as supervisorctl reads it: from the main file only, with only the process
 * environment for ENV_ names; a value it could not expand is kept raw (supervisord ignores it).
 */
export function readSupervisorctl(mainDoc: IniDocument, here: string, env: Env): SupervisorctlSection | undefined {
  if (!mainDoc.sections.has('supervisorctl')) return undefined;
  const out: SupervisorctlSection = {};
  const envNames = envNamesOf(env);
  for (const key of ['serverurl', 'username', 'password', 'prompt', 'history_file'] as const) {
    const entry = getIniEntry(mainDoc, 'supervisorctl', key);
    if (entry === undefined) continue;
    const names = key === 'serverurl' || key === 'history_file' ? { ...envNames, here } : envNames;
    let value: string;
    try {
      value = expand(entry.value, names, `supervisorctl.${key}`);
    } catch {
      value = entry.value;
    }
    if (key === 'serverurl' && value.startsWith('unix://')) value = `unix://${normalizePath(value.slice(7), env)}`;
    out[key] = value;
  }
  return out;
}

const MAIN_FACTORY = 'supervisor.rpcinterface:make_main_rpcinterface';

/**
 * What supervisord finds when it opens its HTTP servers (after reading the file): each
 * `[rpcinterface:x]` factory is called with the section's other keys, and the main one takes none,
 * so any extra key (also one inherited from [DEFAULT]) fails with `Could not make x rpc interface`.
 * Only the main factory is known here; other factories are not checked.
 */
export function checkRpcInterfaces(config: { rpcinterface?: readonly RpcInterfaceSection[]; unix_http_server?: unknown; inet_http_server?: unknown }): void {
  if (!config.unix_http_server && !config.inet_http_server) return;
  for (const rpc of config.rpcinterface ?? []) {
    const extra = Object.keys(rpc.options)[0];
    if (pyStrip(rpc.factory) === MAIN_FACTORY && extra !== undefined) {
      throw new ConfigError(`Could not make ${rpc.name} rpc interface`, { section: `rpcinterface:${rpc.name}`, option: extra });
    }
  }
}
