// The fleet as the JSON API shows it, read from etcd at each request (any node answers for all).
// Program writes are compare-and-swap transactions; start/stop/restart are commands that the
// nodes running the program pick up from etcd (no node calls another directly).
import { isSupervisorError } from '../errors.js';
import type { ProgramConfig } from '../supervisor/config.js';
import type { ProcessManager } from '../supervisor/manager.js';
import { ApiError, expectObject, type JsonObject } from '../server/json-api-http.js';
import { mergePatch, parseProgramBody } from '../server/json-api-program-config.js';
import type { FleetAgent } from './agent.js';
import { awaitingLeader, HALF_OPEN_MS, memberUnreachable, refusedByBreakers, text } from './etcd.js';
import {
  type CommandResult,
  eligible,
  type FleetAction,
  type FleetProcess,
  type MemberRecord,
  type Placement,
  parsePlacement,
  parseRecord,
  type ProgramRecord,
  type StatusRecord,
} from './layout.js';

export interface FleetNodeView {
  name: string;
  labels: Record<string, string>;
  alive: boolean;
  self: boolean;
  joinedAt: number;
  /** Epoch ms of its last published status (0: none). */
  statusAt: number;
  processes: number;
  /** Fleet programs it cannot run, with why. */
  errors: Record<string, string>;
}

export interface FleetProgramView extends ProgramRecord {
  /** Nodes whose last status shows a process of it. */
  nodes: string[];
  /** The singleton's holder, if any. */
  holder?: string;
}

export type FleetProcessView = FleetProcess & { node: string; alive: boolean; stale: boolean };

/** How long a call keeps trying while etcd elects a leader (a member died, the leader among them). */
const RETRY_BUDGET_MS = 10_000;

/**
 * How long after a member last answered a call still waits when no member can be asked: each was
 * refused or skipped (the client skips, for HALF_OPEN_MS, a member that failed a call). A dead
 * member fails at once while the live ones elect a leader, and etcd that came back a moment ago is
 * skipped for up to HALF_OPEN_MS; by this time each member has been tried again, so a refusal after
 * it means etcd is away.
 */
const REFUSED_BUDGET_MS = 2 * HALF_OPEN_MS + 500;

function unavailable(e: unknown): ApiError {
  return new ApiError(503, 'FLEET_UNAVAILABLE', `fleet: etcd cannot be reached: ${e instanceof Error ? e.message : String(e)}`);
}

/** When a failed call to etcd tries again: after `wait` ms, with `delay` the next backoff. */
export interface NextTry {
  wait: number;
  delay: number;
}

/**
 * Whether a call that began at `started` and failed with `e` at `now` tries again: for up to
 * RETRY_BUDGET_MS while etcd elects a leader (with a backoff from `delay`, doubling to 1 s), and
 * while no member can be asked for up to REFUSED_BUDGET_MS from the later of some member's last
 * answer (`lastAnswer`) and, for a refusal, the call's start. Anything else is undefined: the
 * API's 503.
 */
export function nextTry(e: unknown, at: { started: number; now: number; lastAnswer: number; delay: number }): NextTry | undefined {
  let wait: number;
  let delay = at.delay;
  let until: number;
  const refused = refusedByBreakers(e);
  if (awaitingLeader(e)) {
    wait = delay;
    delay = Math.min(1000, delay * 2);
    until = at.started + RETRY_BUDGET_MS;
  } else if (refused || memberUnreachable(e)) {
    // The client's last try asked no live member: where one answered lately (the last try may
    // have gone to the dead member of an electing cluster) or etcd came back a moment ago,
    // another try soon asks one.
    wait = 50;
    const since = Math.max(refused ? at.started : 0, at.lastAnswer);
    until = Math.min(at.started + RETRY_BUDGET_MS, since + REFUSED_BUDGET_MS);
  } else {
    return undefined;
  }
  return at.now + wait < until ? { wait, delay } : undefined;
}

/**
 * Runs `fn` (given the attempt number, from 0) and tries again where nextTry says; any other etcd
 * failure is the API's 503. Callers make their writes idempotent across attempts (an attempt that
 * timed out may have been applied).
 */
async function reachable<T>(agent: FleetAgent, fn: (attempt: number) => Promise<T>): Promise<T> {
  const started = Date.now();
  let delay = 100;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      // A bad definition (checked while the transaction is built) is the caller's error, not etcd's.
      if (e instanceof ApiError || isSupervisorError(e)) throw e;
      const next = nextTry(e, { started, now: Date.now(), lastAnswer: agent.lastAnswer, delay });
      if (!next) throw unavailable(e);
      delay = next.delay;
      await new Promise((r) => setTimeout(r, next.wait));
    }
  }
}

export class FleetService {
  readonly #agent: FleetAgent;
  readonly #manager: () => ProcessManager;

  constructor(agent: FleetAgent, manager: () => ProcessManager) {
    this.#agent = agent;
    this.#manager = manager;
  }

  info(): JsonObject {
    const a = this.#agent;
    return {
      node: a.node,
      labels: a.labels,
      prefix: a.section.prefix,
      endpoints: a.section.endpoints,
      connected: a.connected,
      ...(a.lastError ? { lastError: a.lastError } : {}),
      running: a.running,
      statusWrites: a.statusWrites,
      statusQueued: a.statusQueued,
    };
  }

  async #all(dir: 'members' | 'alive' | 'status' | 'programs' | 'singletons'): Promise<Map<string, { rec: Record<string, unknown>; rev: string }>> {
    const prefix = this.#agent.keys.dir(dir);
    const res = await this.#agent.client.getAll().prefix(prefix).exec();
    const out = new Map<string, { rec: Record<string, unknown>; rev: string }>();
    for (const kv of res.kvs) {
      const rec = parseRecord(text(kv));
      if (rec) out.set(kv.key.toString().slice(prefix.length), { rec, rev: String(kv.mod_revision) });
    }
    return out;
  }

  nodes(): Promise<FleetNodeView[]> {
    return reachable(this.#agent, async () => {
      const [members, alive, status] = await Promise.all([this.#all('members'), this.#all('alive'), this.#all('status')]);
      const names = new Set([...members.keys(), ...alive.keys()]);
      return [...names].sort().map((name) => {
        const m = members.get(name)?.rec as Partial<MemberRecord> | undefined;
        const s = status.get(name)?.rec as Partial<StatusRecord> | undefined;
        return {
          name,
          labels: m?.labels ?? {},
          alive: alive.has(name),
          self: name === this.#agent.node,
          joinedAt: m?.joinedAt ?? 0,
          statusAt: s?.at ?? 0,
          processes: Array.isArray(s?.processes) ? s.processes.length : 0,
          errors: s?.errors ?? {},
        };
      });
    });
  }

  processes(): Promise<FleetProcessView[]> {
    return reachable(this.#agent, async () => {
      const [alive, status] = await Promise.all([this.#all('alive'), this.#all('status')]);
      const out: FleetProcessView[] = [];
      for (const [node, { rec }] of [...status].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const s = rec as Partial<StatusRecord>;
        for (const p of Array.isArray(s.processes) ? s.processes : []) out.push({ ...p, node, alive: alive.has(node), stale: !alive.has(node) });
      }
      return out;
    });
  }

  #view(rec: ProgramRecord, status: Map<string, { rec: Record<string, unknown> }>, holders: Map<string, { rec: Record<string, unknown> }>): FleetProgramView {
    const nodes: string[] = [];
    for (const [node, s] of status) {
      const ps = (s.rec as Partial<StatusRecord>).processes;
      if (Array.isArray(ps) && ps.some((p) => p.program === rec.name && p.fleet)) nodes.push(node);
    }
    const holder = holders.get(rec.name)?.rec.node;
    return { ...rec, nodes: nodes.sort(), ...(typeof holder === 'string' ? { holder } : {}) };
  }

  #record(name: string, rec: Record<string, unknown>): ProgramRecord {
    return { name, placement: parsePlacement(rec.placement), config: rec.config as ProgramConfig, updatedAt: Number(rec.updatedAt) || 0 };
  }

  programs(): Promise<FleetProgramView[]> {
    return reachable(this.#agent, async () => {
      const [programs, status, holders] = await Promise.all([this.#all('programs'), this.#all('status'), this.#all('singletons')]);
      return [...programs]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .flatMap(([name, { rec }]) => {
          try {
            return [this.#view(this.#record(name, rec), status, holders)];
          } catch {
            return [];
          }
        });
    });
  }

  async program(name: string): Promise<FleetProgramView> {
    const found = (await this.programs()).find((p) => p.name === name);
    if (!found) throw new ApiError(404, 'BAD_NAME', `no fleet program named ${name}`);
    return found;
  }

  /** The body (program options plus `placement`) checked in full: a record ready to store. */
  #parse(body: unknown, name?: string): ProgramRecord {
    const obj = { ...expectObject(body, true) };
    let placement: Placement;
    try {
      placement = parsePlacement(obj.placement);
    } catch (e) {
      throw new ApiError(400, 'INVALID', (e as Error).message, { field: 'placement' });
    }
    delete obj.placement;
    const config = parseProgramBody(obj, name);
    // supervisord's own checks (option values, expansions), without changing anything here.
    this.#manager().planChanges({ upsert: [config] });
    return { name: config.name, placement, config, updatedAt: Date.now() };
  }

  /** Stores a new program (409 when the name is taken). */
  create(body: unknown): Promise<FleetProgramView> {
    const rec = this.#parse(body);
    const value = JSON.stringify(rec);
    return reachable(this.#agent, async (attempt) => {
      const c = this.#agent.client;
      const key = this.#agent.keys.program(rec.name);
      const res = await c.if(key, 'Create', '==', 0).then(c.put(key).value(value)).commit();
      // An earlier attempt that timed out may have created it: then the key holds exactly this value.
      if (!res.succeeded && !(attempt > 0 && (await c.get(key).string()) === value)) {
        throw new ApiError(409, 'ALREADY_ADDED', `fleet program ${rec.name} already exists`);
      }
      return { ...rec, nodes: [] };
    });
  }

  /** Replaces (PUT) or merges into (PATCH) a program, if nobody changed it meanwhile. */
  edit(name: string, body: unknown, merge: boolean): Promise<FleetProgramView> {
    let written: string | undefined;
    return reachable(this.#agent, async () => {
      const c = this.#agent.client;
      const key = this.#agent.keys.program(name);
      for (let round = 0; round < 5; round++) {
        const kv = (await c.get(key).exec()).kvs[0];
        if (!kv) throw new ApiError(404, 'BAD_NAME', `no fleet program named ${name}`);
        // An earlier attempt that timed out may have been applied: then the key holds what it wrote.
        if (written !== undefined && text(kv) === written) return this.program(name);
        const current = this.#record(name, parseRecord(text(kv)) ?? {});
        const patch = expectObject(body, true);
        const next = merge ? mergePatch({ ...(current.config as unknown as JsonObject), placement: current.placement }, patch) : patch;
        written = JSON.stringify(this.#parse(next, name));
        const res = await c.if(key, 'Mod', '==', String(kv.mod_revision)).then(c.put(key).value(written)).commit();
        if (res.succeeded) return this.program(name);
      }
      throw new ApiError(409, 'CONFLICT', `fleet program ${name} kept changing; try again`);
    });
  }

  delete(name: string): Promise<void> {
    return reachable(this.#agent, async (attempt) => {
      const res = await this.#agent.client.delete().key(this.#agent.keys.program(name)).exec();
      // Gone on a later attempt: the attempt that timed out deleted it.
      if (Number(res.deleted) === 0 && attempt === 0) throw new ApiError(404, 'BAD_NAME', `no fleet program named ${name}`);
    });
  }

  /**
   * start/stop/restart of a program wherever it is placed: a command to each node that should
   * run it (a singleton: its holder), through etcd; one result per node.
   */
  act(name: string, action: FleetAction, timeoutMs: number): Promise<CommandResult[]> {
    return reachable(this.#agent, async () => {
      const [programs, members, alive, holders] = await Promise.all([this.#all('programs'), this.#all('members'), this.#all('alive'), this.#all('singletons')]);
      const p = programs.get(name);
      if (!p) throw new ApiError(404, 'BAD_NAME', `no fleet program named ${name}`);
      const rec = this.#record(name, p.rec);
      let targets: string[];
      if (rec.placement.singleton) {
        const holder = holders.get(name)?.rec.node;
        targets = typeof holder === 'string' ? [holder] : [];
      } else {
        targets = [...alive.keys()].filter((n) => eligible(rec.placement, n, (members.get(n)?.rec as Partial<MemberRecord> | undefined)?.labels ?? {}));
      }
      if (targets.length === 0) throw new ApiError(409, 'CONFLICT', `fleet program ${name} is placed on no live node`);
      return Promise.all(targets.sort().map((node) => this.#agent.sendCommand(node, action, name, timeoutMs)));
    });
  }
}
