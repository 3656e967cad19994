// Typed views of the supervisord XML-RPC results supervisorctl reads, and the fault codes it
// branches on.

import { XmlRpcFault, type XmlRpcValue } from '../xmlrpc/types.js';
import { FAULTS } from '../errors.js';
import { makeNamespec as coreMakeNamespec, parseNamespec } from '../supervisor/names.js';

export { FAULTS };

/** The fields of getProcessInfo that supervisorctl uses. */
export interface ProcessInfo {
  name: string;
  group: string;
  state: number;
  statename: string;
  description: string;
  pid: number;
}

/** A result struct of the group/all methods: `{name, group, status, description}`. */
export interface CallResult {
  name: string;
  group: string;
  status: number;
  description: string;
}

/** The fields of getAllConfigInfo that `avail` prints. */
export interface ConfigInfo {
  name: string;
  group: string;
  inuse: boolean;
  autostart: boolean;
  group_prio: XmlRpcValue;
  process_prio: XmlRpcValue;
}

function member(v: XmlRpcValue, key: string): XmlRpcValue {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date || v instanceof Uint8Array) {
    throw new TypeError(`expected a struct with ${pyKey(key)}, got ${String(v)}`);
  }
  const value = v[key];
  if (value === undefined) throw new TypeError(`KeyError: ${pyKey(key)}`);
  return value;
}

function pyKey(key: string): string {
  return `'${key}'`;
}

/** Python's str() of a scalar as supervisorctl's `%s` formatting shows it. */
export function pyStr(v: XmlRpcValue): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  return String(v);
}

function list(v: XmlRpcValue): XmlRpcValue[] {
  if (!Array.isArray(v)) throw new TypeError(`expected an array, got ${pyStr(v)}`);
  return v;
}

export function toProcessInfos(v: XmlRpcValue): ProcessInfo[] {
  return list(v).map(toProcessInfo);
}

export function toProcessInfo(v: XmlRpcValue): ProcessInfo {
  return {
    name: pyStr(member(v, 'name')),
    group: pyStr(member(v, 'group')),
    state: Number(member(v, 'state')),
    statename: pyStr(member(v, 'statename')),
    description: pyStr(member(v, 'description')),
    pid: Number(member(v, 'pid')),
  };
}

export function toCallResults(v: XmlRpcValue): CallResult[] {
  return list(v).map((r) => ({
    name: pyStr(member(r, 'name')),
    group: pyStr(member(r, 'group')),
    status: Number(member(r, 'status')),
    description: pyStr(member(r, 'description')),
  }));
}

export function toConfigInfos(v: XmlRpcValue): ConfigInfo[] {
  return list(v).map((c) => ({
    name: pyStr(member(c, 'name')),
    group: pyStr(member(c, 'group')),
    inuse: Boolean(member(c, 'inuse')),
    autostart: Boolean(member(c, 'autostart')),
    group_prio: member(c, 'group_prio'),
    process_prio: member(c, 'process_prio'),
  }));
}

/** reloadConfig's `[[added, changed, removed]]`. */
export function toChanges(v: XmlRpcValue): [added: string[], changed: string[], removed: string[]] {
  const [inner] = list(v);
  const [added, changed, removed] = list(inner ?? null).map((names) => list(names).map(pyStr));
  return [added ?? [], changed ?? [], removed ?? []];
}

/** supervisord's make_namespec: `name` when group and process share it, else `group:name`. */
export function makeNamespec(group: string, name: string | null): string {
  return name === null ? `${group}:None` : coreMakeNamespec(group, name);
}

/** supervisord's split_namespec: `g:`/`g:*` give a null process name (the whole group). */
export function splitNamespec(namespec: string): [group: string, name: string | null] {
  const { group, process } = parseNamespec(namespec);
  return [group, process];
}

/** The fault code of an XML-RPC fault, undefined for any other error. */
export function faultCode(e: unknown): number | undefined {
  return e instanceof XmlRpcFault ? e.faultCode : undefined;
}
