// A daemon's membership of a fleet. The agent is level-triggered: every change seen in etcd (or
// a reconnection) only asks for a sync, which reads the desired state afresh and makes this node
// run exactly its share of it through the manager's one reload path. While etcd cannot be reached
// nothing is stopped or restarted, except a singleton whose lease can no longer be trusted.
import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../config-file/atomic-write.js';
import type { FleetSection } from '../config-file/config-types.js';
import type { GroupSpec, ProgramConfig } from '../supervisor/config.js';
import type { ProcessManager } from '../supervisor/manager.js';
import { type ProcessUsage, readProcessUsage } from '../supervisor/process-usage.js';
import { makeNamespec } from '../supervisor/names.js';
import { connectEtcd, type Etcd3, type IKeyValue, type IRangeResponse, lastAnswer, NodeLease, text, type Watcher } from './etcd.js';
import {
  type AliveRecord,
  type CommandRecord,
  type CommandResult,
  eligible,
  type FleetAction,
  FleetKeys,
  type FleetProcess,
  type HolderRecord,
  type MemberRecord,
  parsePlacement,
  parseRecord,
  type ProgramRecord,
  type StatusRecord,
} from './layout.js';

export type LogLevel = 'info' | 'warn' | 'error';

export interface FleetAgentOptions {
  section: FleetSection;
  /** The current manager (a daemon reload replaces it). */
  manager: () => ProcessManager;
  log: (level: LogLevel, message: string) => void;
}

/** A holder key as read: who, under which lease, and its revisions. */
interface Holder extends HolderRecord {
  lease: string;
  /** The key's create revision: the fencing token. */
  token: string;
  modRevision: string;
}

/** How long a starting node waits for etcd before it runs the fleet programs it cached. */
const CACHE_GRACE_MS = 2000;

/** The least and most time between two tries while etcd cannot be reached. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 4000;

export class FleetAgent {
  readonly node: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly keys: FleetKeys;
  readonly section: FleetSection;
  readonly #o: FleetAgentOptions;
  #client: Etcd3 | undefined;
  #lease: NodeLease | undefined;
  #watchers: Watcher[] = [];
  #closed = false;

  /** Whether the last exchange with etcd succeeded. */
  #reachable = false;
  lastError: string | undefined;

  // The desired state as last read.
  #programs = new Map<string, ProgramRecord>();
  #holders = new Map<string, Holder>();
  // What this node runs for the fleet: program name -> the definition applied.
  readonly #applied = new Map<string, ProgramConfig>();
  #errors: Record<string, string> = {};

  #syncTimer: NodeJS.Timeout | undefined;
  /** A sync has succeeded since the start. */
  #synced = false;
  /** The fleet programs cached by an earlier run, until etcd answers or the grace time ends. */
  #cached: ProgramRecord[] | undefined;
  #cacheTimer: NodeJS.Timeout | undefined;
  /** What the cache file holds now. */
  #cacheText: string | undefined;
  #cacheWarned = false;
  /** The newest revision a watch event showed; a reading must be at least this new. */
  #seenRevision = 0;
  /** The next reading must go through the leader (start, reconnection, after a failure). */
  #linearizable = true;
  #syncing = false;
  #syncAgain = false;
  #retryMs = RETRY_MIN_MS;
  #reconciling: Promise<void> = Promise.resolve();
  #fenceTimers: NodeJS.Timeout[] = [];
  /** Singletons were stopped for want of a renewal (they run again if the lease is renewed in time). */
  #fenced = false;
  readonly #commandsSeen = new Set<string>();

  // Status publishing.
  #dirty = true;
  #statusTimer: NodeJS.Timeout | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;
  #lastStatusWrite = 0;
  /** Status writes made, for the bench's write rate. */
  statusWrites = 0;
  #unsubscribe: () => void = () => {};

  constructor(options: FleetAgentOptions) {
    this.#o = options;
    this.section = options.section;
    this.node = options.section.node;
    this.labels = options.section.labels;
    this.keys = new FleetKeys(options.section.prefix);
  }

  /** Connects and starts following the fleet; returns at once (etcd may be unreachable). */
  async start(): Promise<void> {
    const s = this.section;
    this.#client = await connectEtcd({ endpoints: s.endpoints, ...(s.tls ? { tls: s.tls } : {}), ...(s.auth ? { auth: s.auth } : {}) });
    this.#lease = new NodeLease(this.#client, s.lease_ttl, { lost: () => this.#leaseLost(), renewed: () => this.#leaseRenewed() });
    for (const dir of [this.keys.dir('programs'), this.keys.dir('members'), this.keys.dir('singletons'), this.keys.commands(this.node)]) {
      const w = this.#client.watch().prefix(dir).watcher();
      const changed = (kv: IKeyValue) => {
        this.#seenRevision = Math.max(this.#seenRevision, Number(kv.mod_revision));
        this.requestSync();
      };
      w.on('put', changed);
      w.on('delete', changed);
      w.on('connected', () => {
        this.#linearizable = true;
        this.requestSync();
      });
      w.on('error', (e) => this.#o.log('warn', `fleet: watch of ${dir}: ${e.message}`));
      this.#watchers.push(w);
    }
    this.#cached = this.#loadCache();
    if (this.#cached) {
      this.#cacheTimer = setTimeout(() => this.#useCache(), CACHE_GRACE_MS);
      this.#cacheTimer.unref();
    }
    this.managerChanged();
    if (s.status_refresh > 0) {
      this.#refreshTimer = setInterval(() => this.#markDirty(), s.status_refresh * 1000);
      this.#refreshTimer.unref();
    }
    this.#o.log('info', `fleet: node ${this.node} joining ${s.endpoints.join(',')} under ${s.prefix}`);
    this.requestSync(0);
  }

  /** Call after the daemon replaced its manager: everything fleet-defined is added again. */
  managerChanged(): void {
    this.#unsubscribe();
    const pm = this.#o.manager();
    const dirty = () => this.#markDirty();
    const removed = (name: string) => {
      if (!this.#applied.has(name)) return;
      this.#applied.delete(name);
      this.requestSync();
    };
    pm.on('processState', dirty);
    pm.on('processGroupAdded', dirty);
    pm.on('processGroupRemoved', removed);
    this.#unsubscribe = () => {
      pm.off('processState', dirty);
      pm.off('processGroupAdded', dirty);
      pm.off('processGroupRemoved', removed);
    };
    this.#applied.clear();
    // What it ran before the reload comes back at once, even while etcd cannot be reached.
    if (this.#programs.size > 0) this.#queueReconcile();
    this.requestSync();
  }

  /** Stops changing what runs (call before the manager shuts down); the lease is still kept. */
  async pause(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#syncTimer);
    clearTimeout(this.#statusTimer);
    clearTimeout(this.#cacheTimer);
    clearInterval(this.#refreshTimer);
    await this.#reconciling;
  }

  /**
   * Leaves the fleet once the manager has stopped everything: the last status is written and the
   * lease revoked, so that singletons move at once (they are stopped by now: never two at once).
   */
  async close(): Promise<void> {
    await this.pause();
    this.#unsubscribe();
    this.#clearFence();
    if (this.#reachable) {
      this.#dirty = true;
      await this.#publishStatus().catch(() => undefined);
    }
    await Promise.all(this.#watchers.map((w) => w.cancel().catch(() => undefined)));
    await this.#lease?.close(true);
    this.#client?.close();
  }

  /**
   * In touch with a working cluster: the last exchange succeeded and the lease was renewed within
   * half its TTL (a lone member without quorum can still answer reads, but renews no lease).
   */
  get connected(): boolean {
    return this.#reachable && this.#trusted();
  }

  /** When a member of the cluster last showed it was alive (epoch ms; 0: never). */
  get lastAnswer(): number {
    return this.#client ? lastAnswer(this.#client) : 0;
  }

  get client(): Etcd3 {
    if (!this.#client) throw new Error('fleet: not started');
    return this.#client;
  }

  /** Names of the fleet programs this node runs now. */
  get running(): string[] {
    return [...this.#applied.keys()].sort();
  }

  /** The fleet programs this node runs, as the manager has them (configuration and resolved spec). */
  managedGroups(): { config: ProgramConfig; spec: GroupSpec }[] {
    const pm = this.#o.manager();
    return [...this.#applied.keys()].flatMap((name) => {
      const g = pm.getGroupDetails(name);
      return g ? [{ config: g.config as ProgramConfig, spec: g.spec }] : [];
    });
  }

  /** Whether the status has changes not yet written (etcd unreachable, or within the interval). */
  get statusQueued(): boolean {
    return this.#dirty;
  }

  // ---- sync: read the desired state, claim singletons, reconcile, run commands ---------------

  /** Asks for a sync soon (changes arriving together are read once). */
  requestSync(delayMs = 1): void {
    if (this.#closed) return;
    if (this.#syncing) {
      this.#syncAgain = true;
      return;
    }
    if (this.#syncTimer) return;
    this.#syncTimer = setTimeout(() => void this.#sync(), delayMs);
  }

  async #sync(): Promise<void> {
    this.#syncTimer = undefined;
    if (this.#closed) return;
    this.#syncing = true;
    let retry = false;
    try {
      await this.#ensureLease();
      const [programs, holders, commands] = await this.#read();
      this.#readPrograms(programs.kvs);
      this.#readHolders(holders.kvs);
      this.#online();
      await this.#claimSingletons();
      await this.#reconcile();
      for (const kv of commands.kvs) this.#command(kv);
      if (this.#dirty) this.#scheduleStatus();
    } catch (e) {
      retry = !this.#closed;
      this.#linearizable = true;
      this.#offline(e);
    } finally {
      this.#syncing = false;
    }
    if (retry) {
      this.#syncTimer = setTimeout(() => void this.#sync(), this.#retryMs);
      this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    } else if (this.#syncAgain) {
      this.#syncAgain = false;
      this.requestSync(0);
    }
  }

  /**
   * Reads programs, singleton holders and this node's commands. After a watch event a member's
   * local (serializable) reading is enough when it is at least as new as the event; otherwise
   * (start, reconnection, a member behind) the reading goes through the leader.
   */
  async #read(): Promise<[IRangeResponse, IRangeResponse, IRangeResponse]> {
    const range = (dir: string, serializable: boolean) => this.client.getAll().prefix(dir).serializable(serializable).exec();
    const read = (serializable: boolean) =>
      Promise.all([
        range(this.keys.dir('programs'), serializable),
        range(this.keys.dir('singletons'), serializable),
        range(this.keys.commands(this.node), serializable),
      ]);
    const seen = this.#seenRevision;
    if (!this.#linearizable) {
      const local = await read(true);
      if (local.every((r) => Number(r.header.revision) >= seen)) return local;
    }
    const out = await read(false);
    this.#linearizable = false;
    return out;
  }

  #online(): void {
    this.#synced = true;
    this.#cached = undefined;
    clearTimeout(this.#cacheTimer);
    if (!this.#reachable) this.#o.log('info', `fleet: node ${this.node} connected to etcd`);
    this.#reachable = true;
    this.lastError = undefined;
    this.#retryMs = RETRY_MIN_MS;
  }

  #offline(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (this.#reachable) this.#o.log('warn', `fleet: etcd unreachable (${message}); keeping every program as it is`);
    this.#reachable = false;
    this.lastError = message;
    this.#useCache();
  }

  // ---- the node's cache of its fleet programs ------------------------------------------------

  /** The programs an earlier run cached, or undefined (no file, unreadable: etcd will tell). */
  #loadCache(): ProgramRecord[] | undefined {
    const path = this.section.cache_file;
    if (!path) return undefined;
    try {
      const rec = parseRecord(readFileSync(path, 'utf8'));
      if (!rec || rec.node !== this.node || !Array.isArray(rec.programs)) return undefined;
      return (rec.programs as Record<string, unknown>[]).flatMap((p) => {
        if (typeof p.name !== 'string' || typeof p.config !== 'object' || p.config === null) return [];
        return [
          {
            name: p.name,
            placement: parsePlacement(p.placement),
            config: { ...(p.config as ProgramConfig), name: p.name },
            updatedAt: Number(p.updatedAt) || 0,
          },
        ];
      });
    } catch {
      return undefined;
    }
  }

  /**
   * Starting while etcd cannot be reached: run the fleet programs this node ran last time (never
   * a singleton: that needs the lease), until etcd tells otherwise.
   */
  #useCache(): void {
    const cached = this.#cached;
    if (this.#synced || !cached || this.#closed) return;
    this.#cached = undefined;
    clearTimeout(this.#cacheTimer);
    this.#programs = new Map(cached.filter((p) => !p.placement.singleton).map((p) => [p.name, p]));
    this.#o.log('warn', `fleet: etcd unreachable at start; running the ${this.#programs.size} fleet program(s) this node ran last time until it answers`);
    this.#queueReconcile();
  }

  /** Writes the cache when what this node runs for the fleet changed. */
  #saveCache(): void {
    const path = this.section.cache_file;
    if (!path) return;
    const programs = [...this.#applied.keys()].flatMap((n) => {
      const p = this.#programs.get(n);
      return p && !p.placement.singleton ? [p] : [];
    });
    const text = JSON.stringify({ node: this.node, programs });
    if (text === this.#cacheText) return;
    try {
      writeFileAtomic(path, text);
      this.#cacheText = text;
    } catch (e) {
      if (this.#cacheText !== undefined || !this.#cacheWarned) this.#o.log('warn', `fleet: cannot write the cache ${path}: ${(e as Error).message}`);
      this.#cacheWarned = true;
    }
  }

  /** Grants the node's lease and registers the node, when it has no lease. */
  async #ensureLease(): Promise<void> {
    const lease = this.#lease as NodeLease;
    if (lease.id) return;
    const id = await lease.grant();
    const alive: AliveRecord = { pid: process.pid, since: Date.now() };
    const member: MemberRecord = { name: this.node, labels: { ...this.labels }, joinedAt: Date.now() };
    await Promise.all([
      this.client.put(this.keys.alive(this.node)).value(JSON.stringify(alive)).lease(id).exec(),
      this.client.put(this.keys.member(this.node)).value(JSON.stringify(member)).exec(),
    ]);
    this.#dirty = true;
  }

  #readPrograms(kvs: IKeyValue[]): void {
    const dir = this.keys.dir('programs');
    const next = new Map<string, ProgramRecord>();
    for (const kv of kvs) {
      const name = this.keys.nameIn(dir, kv.key.toString());
      const rec = parseRecord(text(kv));
      try {
        if (!rec || typeof rec.config !== 'object' || rec.config === null) throw new Error('not a program record');
        next.set(name, {
          name,
          placement: parsePlacement(rec.placement),
          config: { ...(rec.config as ProgramConfig), name },
          updatedAt: Number(rec.updatedAt) || 0,
        });
      } catch (e) {
        this.#errors[name] = `unreadable definition in etcd: ${(e as Error).message}`;
      }
    }
    this.#programs = next;
  }

  #readHolders(kvs: IKeyValue[]): void {
    const dir = this.keys.dir('singletons');
    const next = new Map<string, Holder>();
    for (const kv of kvs) {
      const rec = parseRecord(text(kv));
      if (!rec || typeof rec.node !== 'string') continue;
      next.set(this.keys.nameIn(dir, kv.key.toString()), {
        node: rec.node,
        since: Number(rec.since) || 0,
        lease: String(kv.lease),
        token: String(kv.create_revision),
        modRevision: String(kv.mod_revision),
      });
    }
    this.#holders = next;
  }

  // ---- singletons ------------------------------------------------------------------------------

  /** Whether this node holds `name`'s singleton under its current lease and can still trust it. */
  #holds(name: string): boolean {
    const h = this.#holders.get(name);
    const lease = this.#lease as NodeLease;
    return h !== undefined && h.node === this.node && h.lease === lease.id && this.#trusted();
  }

  /** The lease is trusted until half its TTL has passed without a confirmed renewal. */
  #trusted(): boolean {
    const lease = this.#lease as NodeLease;
    return lease.id !== undefined && Date.now() < lease.certainUntil - lease.ttlMs / 2;
  }

  /** Tries to take every eligible singleton that nobody holds (create-if-absent under our lease). */
  async #claimSingletons(): Promise<void> {
    const lease = this.#lease as NodeLease;
    for (const p of this.#programs.values()) {
      if (!p.placement.singleton || !eligible(p.placement, this.node, this.labels)) continue;
      const h = this.#holders.get(p.name);
      const key = this.keys.singleton(p.name);
      if (h && h.node === this.node && h.lease !== lease.id) {
        // Ours under a lease we gave up: free it (it runs nowhere: we stopped it when we stopped trusting that lease).
        await this.client.if(key, 'Mod', '==', h.modRevision).then(this.client.delete().key(key)).commit();
        this.#holders.delete(p.name);
      } else if (h) continue;
      if (!lease.id || !this.#trusted()) continue;
      const rec: HolderRecord = { node: this.node, since: Date.now() };
      const res = await this.client
        .if(key, 'Create', '==', 0)
        .then(this.client.put(key).value(JSON.stringify(rec)).lease(lease.id))
        .commit();
      if (res.succeeded) {
        const rev = String(res.header.revision);
        this.#holders.set(p.name, { ...rec, lease: lease.id, token: rev, modRevision: rev });
        this.#o.log('info', `fleet: node ${this.node} holds singleton ${p.name} (fencing token ${rev})`);
      }
    }
  }

  /** Frees singletons this node holds but should not run (deleted, or no longer eligible). */
  async #releaseSingletons(): Promise<void> {
    const lease = this.#lease as NodeLease;
    for (const [name, h] of this.#holders) {
      if (h.node !== this.node || h.lease !== lease.id) continue;
      const p = this.#programs.get(name);
      if (p && p.placement.singleton && eligible(p.placement, this.node, this.labels)) continue;
      if (this.#applied.has(name)) continue;
      const key = this.keys.singleton(name);
      await this.client.if(key, 'Mod', '==', h.modRevision).then(this.client.delete().key(key)).commit();
      this.#holders.delete(name);
    }
  }

  #heldSingletons(): string[] {
    return [...this.#applied.keys()].filter((n) => this.#programs.get(n)?.placement.singleton);
  }

  #leaseRenewed(): void {
    if (this.#heldSingletons().length > 0) this.#armFence();
    // Renewed in time after a fence: the singletons it still holds run again.
    if (this.#fenced && this.#trusted()) {
      this.#fenced = false;
      this.requestSync();
    }
  }

  /**
   * Fencing: half a TTL after the last confirmed renewal, singletons are stopped; just before
   * the lease can expire, whatever of them still runs is killed. Another node can only claim
   * after expiry, so two never run at once while etcd keeps its word.
   */
  #armFence(): void {
    this.#clearFence();
    const lease = this.#lease as NodeLease;
    const now = Date.now();
    const stopAt = lease.certainUntil - lease.ttlMs / 2;
    const killAt = lease.certainUntil - Math.min(250, lease.ttlMs / 8);
    this.#fenceTimers = [
      setTimeout(
        () => {
          this.#fenced = true;
          this.#queueReconcile();
        },
        Math.max(0, stopAt - now + 5),
      ),
      setTimeout(() => this.#killSingletons(), Math.max(0, killAt - now)),
    ];
  }

  #clearFence(): void {
    for (const t of this.#fenceTimers) clearTimeout(t);
    this.#fenceTimers = [];
  }

  #killSingletons(): void {
    if (this.#trusted()) return;
    const pm = this.#o.manager();
    for (const name of this.#heldSingletons()) {
      for (const p of pm.getGroupDetails(name)?.processes ?? []) {
        if (p.pid > 0) {
          this.#o.log('warn', `fleet: lease about to expire, killing singleton ${p.namespec} (pid ${p.pid})`);
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    }
  }

  #leaseLost(): void {
    this.#o.log('warn', `fleet: node ${this.node} lost its lease`);
    this.#queueReconcile();
    this.requestSync();
  }

  // ---- reconcile -------------------------------------------------------------------------------

  #queueReconcile(): void {
    if (this.#closed) return;
    this.#reconciling = this.#reconciling.then(() => this.#reconcileNow()).catch((e: unknown) => this.#o.log('error', `fleet: ${String(e)}`));
  }

  #reconcile(): Promise<void> {
    this.#queueReconcile();
    return this.#reconciling.then(() => this.#releaseSingletons());
  }

  /** The definitions this node should run now. */
  #wanted(): Map<string, ProgramRecord> {
    const out = new Map<string, ProgramRecord>();
    for (const p of this.#programs.values()) {
      if (!eligible(p.placement, this.node, this.labels)) continue;
      if (p.placement.singleton && !this.#holds(p.name)) continue;
      out.set(p.name, p);
    }
    return out;
  }

  /** Makes the manager run exactly the wanted fleet programs: adds, edits (restarting only what the change needs), removes. */
  async #reconcileNow(): Promise<void> {
    if (this.#closed) return;
    const pm = this.#o.manager();
    const wanted = this.#wanted();
    const errors: Record<string, string> = {};
    for (const name of [...this.#applied.keys()]) {
      if (wanted.has(name)) continue;
      if (pm.getGroupDetails(name)) {
        this.#o.log('info', `fleet: removing ${name}`);
        await pm.apply(pm.planChanges({ remove: [name] }));
      }
      this.#applied.delete(name);
    }
    for (const [name, p] of wanted) {
      const current = this.#applied.get(name);
      const exists = pm.getGroupDetails(name) !== undefined;
      if (current && exists && isDeepStrictEqual(current, p.config)) continue;
      if (!current && exists) {
        errors[name] = `a program named ${name} is already defined on node ${this.node} outside the fleet`;
        continue;
      }
      try {
        await pm.apply(pm.planChanges({ upsert: [p.config] }));
        this.#o.log('info', `fleet: ${current ? 'updated' : 'added'} ${name}`);
        this.#applied.set(name, p.config);
      } catch (e) {
        errors[name] = e instanceof Error ? e.message : String(e);
      }
    }
    for (const name of Object.keys(this.#errors)) if (this.#errors[name]?.startsWith('unreadable') && !(name in errors)) errors[name] = this.#errors[name];
    this.#errors = errors;
    this.#saveCache();
    if (this.#heldSingletons().length > 0) this.#armFence();
    else this.#clearFence();
    this.#markDirty();
  }

  // ---- commands --------------------------------------------------------------------------------

  #command(kv: IKeyValue): void {
    const rec = parseRecord(text(kv));
    const key = kv.key.toString();
    const id = key.slice(this.keys.commands(this.node).length);
    if (this.#commandsSeen.has(id)) return;
    this.#commandsSeen.add(id);
    void this.#execute(id, key, rec);
  }

  async #execute(id: string, key: string, rec: Record<string, unknown> | undefined): Promise<void> {
    const pm = this.#o.manager();
    const out: CommandResult = { id, node: this.node, ok: false };
    const action = rec?.action as FleetAction | undefined;
    const program = typeof rec?.program === 'string' ? rec.program : '';
    try {
      if (!action || !['start', 'stop', 'restart'].includes(action)) throw new Error(`unknown action ${JSON.stringify(action)}`);
      if (!this.#applied.has(program)) throw new Error(`program ${program} does not run on node ${this.node}`);
      const results: unknown[] = [];
      if (action !== 'start') results.push(...(await pm.stopProcessGroup(program, { wait: true })));
      if (action !== 'stop') results.push(...(await pm.startProcessGroup(program, { wait: true })));
      out.ok = true;
      out.results = results;
    } catch (e) {
      out.error = e instanceof Error ? e.message : String(e);
    }
    try {
      const lease = (this.#lease as NodeLease).id;
      const put = this.client.put(this.keys.result(id)).value(JSON.stringify(out));
      await (lease ? put.lease(lease) : put).exec();
      await this.client.delete().key(key).exec();
    } catch (e) {
      this.#o.log('warn', `fleet: could not answer command ${id}: ${(e as Error).message}`);
    }
    setTimeout(() => this.#commandsSeen.delete(id), 60_000).unref();
  }

  /**
   * Asks `node` to start, stop or restart `program`, through etcd; resolves with its answer, or
   * with an error result after `timeoutMs`.
   */
  async sendCommand(node: string, action: FleetAction, program: string, timeoutMs: number): Promise<CommandResult> {
    const id = randomUUID();
    const rec: CommandRecord = { id, action, program, from: this.node, at: Date.now() };
    const resultKey = this.keys.result(id);
    const watcher = await this.client.watch().key(resultKey).create();
    try {
      const answer = new Promise<CommandResult>((resolve) => {
        const timer = setTimeout(() => resolve({ id, node, ok: false, error: `no answer from node ${node} within ${timeoutMs / 1000}s` }), timeoutMs);
        watcher.on('put', (kv) => {
          clearTimeout(timer);
          const r = parseRecord(text(kv));
          resolve({
            id,
            node,
            ok: r?.ok === true,
            ...(Array.isArray(r?.results) ? { results: r.results as unknown[] } : {}),
            ...(typeof r?.error === 'string' ? { error: r.error } : {}),
          });
        });
      });
      const lease = (this.#lease as NodeLease).id;
      const put = this.client.put(this.keys.command(node, id)).value(JSON.stringify(rec));
      await (lease ? put.lease(lease) : put).exec();
      const result = await answer;
      await this.client
        .delete()
        .key(resultKey)
        .exec()
        .catch(() => undefined);
      if (!result.ok)
        await this.client
          .delete()
          .key(this.keys.command(node, id))
          .exec()
          .catch(() => undefined);
      return result;
    } finally {
      await watcher.cancel().catch(() => undefined);
    }
  }

  // ---- status ----------------------------------------------------------------------------------

  #markDirty(): void {
    this.#dirty = true;
    this.#scheduleStatus();
  }

  #scheduleStatus(): void {
    if (this.#statusTimer || this.#closed || !this.#reachable) return;
    const delay = Math.max(0, this.#lastStatusWrite + this.section.status_interval * 1000 - Date.now());
    this.#statusTimer = setTimeout(() => {
      this.#statusTimer = undefined;
      this.#publishStatus().catch((e: unknown) => {
        this.#offline(e);
        this.requestSync(this.#retryMs);
      });
    }, delay);
  }

  /** This node's processes as published. */
  statusRecord(): StatusRecord {
    const pm = this.#o.manager();
    const groups = pm.listGroups();
    const pids = groups.flatMap((g) => g.processes.filter((p) => p.pid > 0).map((p) => p.pid));
    const usage = pids.length > 0 ? readProcessUsage(pids) : new Map<number, ProcessUsage>();
    const processes: FleetProcess[] = [];
    for (const g of groups) {
      for (const p of g.processes) {
        processes.push({
          program: g.name,
          group: p.group,
          name: p.name,
          namespec: makeNamespec(p.group, p.name),
          state: p.state,
          statename: p.statename,
          pid: p.pid,
          start: p.start,
          uptime: p.statename === 'RUNNING' ? Math.max(0, p.now - p.start) : null,
          restarts: p.restarts,
          rss: p.pid > 0 ? (usage.get(p.pid)?.rssBytes ?? null) : null,
          fleet: this.#applied.has(g.name),
        });
      }
    }
    return { node: this.node, at: Date.now(), processes, errors: { ...this.#errors } };
  }

  async #publishStatus(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    try {
      await this.client.put(this.keys.status(this.node)).value(JSON.stringify(this.statusRecord())).exec();
      this.#lastStatusWrite = Date.now();
      this.statusWrites++;
    } catch (e) {
      this.#dirty = true;
      throw e;
    }
  }
}
