// The fleet's keys in etcd and the records under them. Every record is JSON; readers check the
// shape, since anyone with etcdctl can write a key.
import type { ProgramConfig } from '../supervisor/config.js';

/** Where a fleet program runs. No field: on every node. */
export interface Placement {
  /** Only on these nodes. */
  nodes?: string[];
  /** Only on nodes having every one of these labels with this value. */
  labels?: Record<string, string>;
  /** On exactly one eligible node at a time (etcd elects it). */
  singleton?: boolean;
}

/** P/programs/<name>: a program's desired definition. */
export interface ProgramRecord {
  name: string;
  placement: Placement;
  /** supervisord's program options (name included). */
  config: ProgramConfig;
  /** Epoch ms of the last write. */
  updatedAt: number;
}

/** P/members/<node>: a node that joined, kept after it leaves (liveness is P/alive/<node>). */
export interface MemberRecord {
  name: string;
  labels: Record<string, string>;
  joinedAt: number;
}

/** P/alive/<node>, under the node's lease. */
export interface AliveRecord {
  pid: number;
  since: number;
}

/** One process as a node publishes it. */
export interface FleetProcess {
  program: string;
  group: string;
  name: string;
  namespec: string;
  state: number;
  statename: string;
  pid: number;
  /** Epoch seconds of the last start (0 if never). */
  start: number;
  /** Seconds since the start while RUNNING, at `at`; null otherwise. */
  uptime: number | null;
  restarts: number;
  /** Resident memory of the process tree, bytes; null without a child. */
  rss: number | null;
  /** Defined by the fleet (false: by the node's own configuration). */
  fleet: boolean;
}

/** P/status/<node>: the node's last published status. */
export interface StatusRecord {
  node: string;
  /** Epoch ms of the reading. */
  at: number;
  processes: FleetProcess[];
  /** Fleet programs this node should run but cannot (a bad definition, a name taken locally). */
  errors: Record<string, string>;
}

/** P/singletons/<program>, under the holder's lease; the key's create revision fences. */
export interface HolderRecord {
  node: string;
  since: number;
}

export type FleetAction = 'start' | 'stop' | 'restart';

/** P/commands/<node>/<id>, under the sender's lease. */
export interface CommandRecord {
  id: string;
  action: FleetAction;
  program: string;
  from: string;
  at: number;
}

/** P/results/<id>, under the executing node's lease. */
export interface CommandResult {
  id: string;
  node: string;
  ok: boolean;
  results?: unknown[];
  error?: string;
}

/** The key names of one fleet (prefix without a trailing slash). */
export class FleetKeys {
  constructor(readonly prefix: string) {}
  dir(kind: 'programs' | 'members' | 'alive' | 'status' | 'singletons' | 'results'): string {
    return `${this.prefix}/${kind}/`;
  }
  program(name: string): string {
    return `${this.prefix}/programs/${name}`;
  }
  member(node: string): string {
    return `${this.prefix}/members/${node}`;
  }
  alive(node: string): string {
    return `${this.prefix}/alive/${node}`;
  }
  status(node: string): string {
    return `${this.prefix}/status/${node}`;
  }
  singleton(program: string): string {
    return `${this.prefix}/singletons/${program}`;
  }
  commands(node: string): string {
    return `${this.prefix}/commands/${node}/`;
  }
  command(node: string, id: string): string {
    return `${this.prefix}/commands/${node}/${id}`;
  }
  result(id: string): string {
    return `${this.prefix}/results/${id}`;
  }
  /** The last segment of a key under `dir`. */
  nameIn(dir: string, key: string): string {
    return key.slice(dir.length);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse that gives undefined for what is not a JSON object. */
export function parseRecord(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Checks a placement; throws an Error naming the bad field. */
export function parsePlacement(v: unknown): Placement {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new Error("field 'placement' must be an object");
  const out: Placement = {};
  for (const k of Object.keys(v))
    if (!['nodes', 'labels', 'singleton'].includes(k)) throw new Error(`unknown field 'placement.${k}' (known: nodes, labels, singleton)`);
  if (v.nodes !== undefined) {
    if (!Array.isArray(v.nodes) || v.nodes.some((n) => typeof n !== 'string' || n === ''))
      throw new Error("field 'placement.nodes' must be a list of node names");
    out.nodes = [...new Set(v.nodes as string[])];
  }
  if (v.labels !== undefined) {
    if (!isObject(v.labels) || Object.values(v.labels).some((x) => typeof x !== 'string'))
      throw new Error("field 'placement.labels' must map label names to strings");
    out.labels = { ...(v.labels as Record<string, string>) };
  }
  if (v.singleton !== undefined) {
    if (typeof v.singleton !== 'boolean') throw new Error("field 'placement.singleton' must be true or false");
    if (v.singleton) out.singleton = true;
  }
  return out;
}

/** Whether a node with `labels` named `node` is eligible for `placement`. */
export function eligible(placement: Placement, node: string, labels: Readonly<Record<string, string>>): boolean {
  if (placement.nodes && !placement.nodes.includes(node)) return false;
  for (const [k, v] of Object.entries(placement.labels ?? {})) if (labels[k] !== v) return false;
  return true;
}
