// procvisor's [fleet] section: joins the daemon to a fleet whose desired state lives in etcd.
// supervisord ignores sections it does not know, so a file with [fleet] still runs under it.
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseInteger, parseListOfStrings } from '../dialect/datatypes.js';
import { iniOptions } from '../dialect/ini.js';
import type { FleetSection } from './config-types.js';
import { configError, located, type Reader, saneget } from './config-reader.js';

const KEYS = new Set([
  'etcd',
  'node',
  'labels',
  'prefix',
  'lease_ttl',
  'status_interval',
  'status_refresh',
  'cache_file',
  'ca_file',
  'cert_file',
  'key_file',
  'username',
  'password',
]);

/** Label keys and values: what a Kubernetes-style selector accepts, short enough for a key. */
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$/;
/** A node name becomes one etcd key segment. */
const NODE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

/** `role=web,zone=a` as a map; throws naming the bad pair. */
export function parseLabels(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of parseListOfStrings(value)) {
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    const v = eq < 0 ? '' : pair.slice(eq + 1);
    if (!LABEL.test(k) || (v !== '' && !LABEL.test(v)))
      throw new Error(`invalid label ${JSON.stringify(pair)} (expected key=value of letters, digits, '.', '_', '-', '/')`);
    out[k] = v;
  }
  return out;
}

/** Checks a node name. */
export function checkNodeName(name: string): string {
  if (!NODE.test(name)) throw new Error(`invalid node name ${JSON.stringify(name)} (letters, digits, '.', '_', '-'; at most 63)`);
  return name;
}

function seconds(r: Reader, key: string, def: number, min: number): number {
  const raw = located(r, 'fleet', key, () => saneget(r, 'fleet', key));
  if (raw === undefined) return def;
  const n = located(r, 'fleet', key, () => parseInteger(raw));
  if (n < min) throw configError(r, `${key} must be at least ${min}, got ${n}`, 'fleet', key);
  return n;
}

function file(r: Reader, key: string): Buffer | undefined {
  const raw = located(r, 'fleet', key, () => saneget(r, 'fleet', key, { here: r.here }));
  if (raw === undefined) return undefined;
  const path = resolve(r.here, raw);
  try {
    return readFileSync(path);
  } catch (e) {
    throw configError(r, `could not read ${key} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'fleet', key);
  }
}

/**
 * The [fleet] section, or undefined when the file has none (`childlogdir`: where the cache of the
 * node's fleet programs goes by default). Throws ConfigError naming the option.
 */
export function readFleetSection(r: Reader, childlogdir: string): FleetSection | undefined {
  if (!r.doc.sections.has('fleet')) return undefined;
  for (const key of iniOptions(r.doc, 'fleet')) {
    if (!KEYS.has(key)) throw configError(r, `unknown option ${JSON.stringify(key)} in section [fleet] (known: ${[...KEYS].join(', ')})`, 'fleet', key);
  }
  const etcd = located(r, 'fleet', 'etcd', () => saneget(r, 'fleet', 'etcd'));
  if (etcd === undefined) throw configError(r, 'section [fleet] has no etcd value (the etcd endpoints, e.g. http://127.0.0.1:2379)', 'fleet');
  const endpoints = parseListOfStrings(etcd);
  for (const e of endpoints) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(e))
      throw configError(r, `invalid etcd endpoint ${JSON.stringify(e)} (expected http://host:port or https://host:port)`, 'fleet', 'etcd');
  }
  if (endpoints.length === 0) throw configError(r, 'section [fleet] has an empty etcd value', 'fleet', 'etcd');
  const node = located(r, 'fleet', 'node', () => checkNodeName(saneget(r, 'fleet', 'node') ?? hostname()));
  const labelsRaw = located(r, 'fleet', 'labels', () => saneget(r, 'fleet', 'labels'));
  const labels = labelsRaw === undefined ? {} : located(r, 'fleet', 'labels', () => parseLabels(labelsRaw));
  const prefix = (located(r, 'fleet', 'prefix', () => saneget(r, 'fleet', 'prefix')) ?? '/procvisor').replace(/\/+$/, '');
  if (prefix === '' || /\s/.test(prefix)) throw configError(r, `invalid prefix ${JSON.stringify(prefix)}`, 'fleet', 'prefix');
  const username = located(r, 'fleet', 'username', () => saneget(r, 'fleet', 'username'));
  const password = located(r, 'fleet', 'password', () => saneget(r, 'fleet', 'password'));
  if ((username === undefined) !== (password === undefined)) {
    throw configError(r, 'section [fleet] needs both username and password, or neither', 'fleet', username === undefined ? 'password' : 'username');
  }
  const out: FleetSection = {
    endpoints,
    node,
    labels,
    prefix,
    lease_ttl: seconds(r, 'lease_ttl', 5, 2),
    status_interval: seconds(r, 'status_interval', 1, 1),
    status_refresh: seconds(r, 'status_refresh', 30, 0),
  };
  const given = (k: string) => iniOptions(r.doc, 'fleet').includes(k);
  if (given('cert_file') !== given('key_file'))
    throw configError(r, 'section [fleet] needs both cert_file and key_file, or neither', 'fleet', given('cert_file') ? 'cert_file' : 'key_file');
  const cache = located(r, 'fleet', 'cache_file', () => saneget(r, 'fleet', 'cache_file', { here: r.here }));
  if (cache === undefined) out.cache_file = join(childlogdir, `procvisor-fleet-${node}.json`);
  else if (cache.toLowerCase() !== 'none') out.cache_file = resolve(r.here, cache);
  const ca = file(r, 'ca_file');
  const cert = file(r, 'cert_file');
  const key = file(r, 'key_file');
  if (ca || cert) out.tls = { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
  if (username !== undefined && password !== undefined) out.auth = { username, password };
  return out;
}
