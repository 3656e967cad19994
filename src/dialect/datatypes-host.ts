// supervisord datatypes whose answer depends on the machine: paths that must exist, users and
// groups that must be known. Messages are supervisord's.
import { statSync } from 'node:fs';
import { cachedLookupUser, expandUser, pyDirname, tryPyInt } from './python.js';
import { lookupGroup } from './users.js';

type Env = Readonly<Record<string, string | undefined>>;

const dirCache = new Map<string, number>();

/** Whether `path` is a directory; a yes is remembered for a second (big configs ask often). */
function isDirectory(path: string): boolean {
  const now = Date.now();
  const seen = dirCache.get(path);
  if (seen !== undefined && now - seen < 1000) return true;
  let yes: boolean;
  try {
    yes = statSync(path).isDirectory();
  } catch {
    yes = false;
  }
  if (yes) {
    if (dirCache.size > 1000) dirCache.clear();
    dirCache.set(path, now);
  }
  return yes;
}

/** `existing_dirpath`: `~` expanded; the directory part, if any, must exist. */
export function parseExistingDirpath(value: string, env: Env = process.env): string {
  const nv = expandUser(value, env);
  const dir = pyDirname(nv);
  if (!dir || isDirectory(dir)) return nv;
  throw new Error(`The directory named as part of the path ${value} does not exist`);
}

/** `existing_directory`: `~` expanded; must be a directory. */
export function parseExistingDirectory(value: string, env: Env = process.env): string {
  const nv = expandUser(value, env);
  if (isDirectory(nv)) return nv;
  throw new Error(`${value} is not an existing directory`);
}

export type LogfileName = { kind: 'none' } | { kind: 'auto' } | { kind: 'syslog' } | { kind: 'path'; path: string };

/** `*_logfile` values: NONE/OFF, AUTO, syslog (any case), or an existing_dirpath. */
export function parseLogfileName(value: string, env: Env = process.env): LogfileName {
  const v = value.toLowerCase();
  if (v === 'none' || v === 'off') return { kind: 'none' };
  if (v === 'auto') return { kind: 'auto' };
  if (v === 'syslog') return { kind: 'syslog' };
  return { kind: 'path', path: parseExistingDirpath(value, env) };
}

/** `name_to_uid`: a numeric uid (Python int()) or a user name, which must exist. */
export function parseUserToUid(value: string | number): number {
  const uid = typeof value === 'number' ? value : tryPyInt(value);
  if (typeof uid !== 'number') {
    const entry = cachedLookupUser(value);
    if (!entry) throw new Error(`Invalid user name ${value}`);
    return entry.uid;
  }
  if (!cachedLookupUser(uid)) throw new Error(`Invalid user id ${value}`);
  return uid;
}

/** `colon_separated_user_group`: `user` or `user:group` → [uid, gid] (gid -1 when absent). */
export function parseUserGroup(value: string): [number, number] {
  try {
    const i = value.indexOf(':');
    const uid = parseUserToUid(i < 0 ? value : value.slice(0, i));
    if (i < 0) return [uid, -1];
    const g = value.slice(i + 1);
    const asInt = tryPyInt(g);
    const gid = lookupGroup(typeof asInt === 'number' ? asInt : g);
    if (gid === undefined) throw new Error('no such group');
    return [uid, gid];
  } catch {
    throw new Error(`Invalid user:group definition ${value}`);
  }
}
