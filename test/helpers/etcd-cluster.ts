// A real etcd cluster on loopback for the fleet tests: 1 or 3 members of Debian's etcd 3.4, each
// on free ports with its own temporary data dir, short Raft timings (tests, not production), a
// bounded wait for health that fails with the members' log tails, and per-member kill / stop /
// start for failure tests. Members are ended by pid on close(), on the test process's exit, and
// (through setpriv's parent-death signal, where setpriv exists) when the test process dies.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './concurrency.js';

export const ETCD = '/usr/bin/etcd';
export const ETCDCTL = '/usr/bin/etcdctl';
const SETPRIV = '/usr/bin/setpriv';
const LOG_LINES_KEPT = 40;

/** True when Debian's etcd server and client are installed. */
export function etcdAvailable(): boolean {
  return existsSync(ETCD) && existsSync(ETCDCTL);
}

/** etcdAvailable(), printing a visible notice for `what` (the tests being skipped) when it is not. */
export function etcdOrWarn(what: string): boolean {
  if (etcdAvailable()) return true;
  console.warn(`NOTICE: ${what} skipped: etcd is not installed (${ETCD}, ${ETCDCTL}); install etcd-server and etcd-client (CI does).`);
  return false;
}

export interface EtcdClusterOptions {
  /** Number of members: 1 or 3 (default 3). */
  members?: 1 | 3;
  /** Raft heartbeat in ms (default 50). */
  heartbeatMs?: number;
  /** Raft election timeout in ms (default 500). */
  electionMs?: number;
  /** Bound on waiting for health, at start and on startAll() (default 20,000 ms). */
  healthTimeoutMs?: number;
}

// Data dirs go to tmpfs where there is one: etcd fsyncs every write, which a loaded disk makes slow.
function dataRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

// Every live member of every cluster of this test process, so that an exit ends them.
const LIVE = new Set<EtcdMember>();
process.once('exit', () => {
  for (const m of LIVE) m.killNow();
});

export class EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  // The running etcd; undefined while the member is down.
  #child: ChildProcess | undefined;
  // Resolves when #child has exited; undefined while down.
  #exited: Promise<void> | undefined;
  // The last LOG_LINES_KEPT lines the member wrote (all runs), for failure messages.
  #log: string[] = [];
  // How many times start() has run: the first uses --initial-cluster-state new.
  #starts = 0;
  readonly #cluster: EtcdCluster;

  constructor(cluster: EtcdCluster, name: string, ports: { client: number; peer: number }, dataDir: string) {
    this.#cluster = cluster;
    this.name = name;
    this.clientUrl = `http://127.0.0.1:${ports.client}`;
    this.peerUrl = `http://127.0.0.1:${ports.peer}`;
    this.dataDir = dataDir;
  }

  /** The pid of the running etcd, or undefined while the member is down. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** The member's recent log lines. */
  logTail(): string {
    return this.#log.join('\n');
  }

  /** Starts (or restarts, same data dir, cluster state "existing") this member; does not wait for health. */
  start(): void {
    if (this.#child) throw new Error(`etcd member ${this.name} is already running (pid ${this.#child.pid})`);
    const args = this.#cluster.memberArgs(this, this.#starts === 0 ? 'new' : 'existing');
    this.#starts += 1;
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCD_') && k !== 'NODE_EXTRA_CA_CERTS') env[k] = v;
    if (process.arch === 'arm64') env.ETCD_UNSUPPORTED_ARCH = 'arm64';
    const [file, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', ETCD, ...args]] : [ETCD, args];
    const child = spawn(file, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    LIVE.add(this);
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.#log.push(line);
      if (this.#log.length > LOG_LINES_KEPT) this.#log.splice(0, this.#log.length - LOG_LINES_KEPT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#log.push(`[etcd ${this.name} pid ${child.pid} exited: ${signal ?? code}]`);
        if (this.#child === child) {
          this.#child = undefined;
          this.#exited = undefined;
          LIVE.delete(this);
        }
        resolve();
      });
    });
    child.once('error', (err) => this.#log.push(`[etcd ${this.name} failed to spawn: ${err.message}]`));
  }

  /** SIGKILL, then waits for the exit. */
  async kill(): Promise<void> {
    const exited = this.#exited;
    if (!exited) return;
    this.#child?.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM and waits for the exit (SIGKILL after timeoutMs). */
  async stop(timeoutMs = 10_000): Promise<void> {
    const exited = this.#exited;
    if (!exited) return;
    this.#child?.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    if ((await Promise.race([exited, late])) === 'late') await this.kill();
    clearTimeout(timer);
  }

  /** Synchronous SIGKILL for the exit handler. @internal */
  killNow(): void {
    try {
      this.#child?.kill('SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Whether this member is the Raft leader now (false when it does not answer). */
  async isLeader(): Promise<boolean> {
    try {
      const res = await fetch(`${this.clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { leader?: string; header?: { member_id?: string } };
      return res.ok && body.leader !== undefined && body.leader === body.header?.member_id;
    } catch {
      return false;
    }
  }

  /** GET /health of this member: true when it answers {"health":"true"} (it has a leader). */
  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      return res.ok && body.health === 'true';
    } catch {
      return false;
    }
  }
}

export class EtcdCluster implements AsyncDisposable {
  readonly members: readonly EtcdMember[];
  readonly root: string;
  readonly #options: Required<EtcdClusterOptions>;

  private constructor(root: string, options: Required<EtcdClusterOptions>, ports: { client: number; peer: number }[]) {
    this.root = root;
    this.#options = options;
    this.members = ports.map((p, i) => new EtcdMember(this, `m${i}`, p, join(root, `m${i}`)));
  }

  /** Starts a cluster and resolves once every member reports healthy. */
  static async start(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
    const opts: Required<EtcdClusterOptions> = { members: 3, heartbeatMs: 50, electionMs: 500, healthTimeoutMs: 20_000, ...options };
    const ports: { client: number; peer: number }[] = [];
    const taken = new Set<number>();
    const port = async (): Promise<number> => {
      for (;;) {
        const p = await freePort();
        if (taken.has(p)) continue;
        taken.add(p);
        return p;
      }
    };
    for (let i = 0; i < opts.members; i++) ports.push({ client: await port(), peer: await port() });
    const cluster = new EtcdCluster(mkdtempSync(join(dataRoot(), 'procvisor-etcd-')), opts, ports);
    try {
      await cluster.startAll();
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  /** Client URLs of every member, in member order. */
  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  /** The i-th member (0-based). */
  member(i: number): EtcdMember {
    const m = this.members[i];
    if (!m) throw new Error(`no etcd member ${i} (the cluster has ${this.members.length})`);
    return m;
  }

  /** The command line of one member. @internal */
  memberArgs(m: EtcdMember, state: 'new' | 'existing'): string[] {
    const o = this.#options;
    return [
      `--name=${m.name}`,
      `--data-dir=${m.dataDir}`,
      `--listen-client-urls=${m.clientUrl}`,
      `--advertise-client-urls=${m.clientUrl}`,
      `--listen-peer-urls=${m.peerUrl}`,
      `--initial-advertise-peer-urls=${m.peerUrl}`,
      `--initial-cluster=${this.members.map((x) => `${x.name}=${x.peerUrl}`).join(',')}`,
      `--initial-cluster-token=${this.root.slice(-12)}`,
      `--initial-cluster-state=${state}`,
      `--heartbeat-interval=${o.heartbeatMs}`,
      `--election-timeout=${o.electionMs}`,
      '--logger=zap',
      '--log-outputs=stderr',
      '--log-level=warn',
    ];
  }

  /** Starts every member that is down and waits until all are healthy. */
  async startAll(): Promise<void> {
    for (const m of this.members) if (!m.running) m.start();
    await this.waitHealthy();
  }

  /** SIGTERM to every member, one after the other, waiting for each exit. */
  async stopAll(): Promise<void> {
    // A leader told to stop first hands its leadership to a live follower, which takes a few ms;
    // one that has not yet noticed that its followers are gone tries for seconds. So: one at a
    // time, the leader first, and the last member only once it has stepped down (it does so one
    // election timeout after losing quorum).
    const running = this.members.filter((m) => m.running);
    const leaders = await Promise.all(running.map((m) => m.isLeader()));
    const order = [...running.filter((_, i) => leaders[i]), ...running.filter((_, i) => !leaders[i])];
    for (const [i, m] of order.entries()) {
      if (i === order.length - 1 && order.length > 1) {
        const deadline = Date.now() + 4 * this.#options.electionMs + 1000;
        while (Date.now() < deadline && (await m.isLeader())) await new Promise((r) => setTimeout(r, 50));
      }
      await m.stop();
    }
  }

  /** Resolves when every running member is healthy; rejects after the bound with each member's log tail. */
  async waitHealthy(timeoutMs = this.#options.healthTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: boolean[] = [];
    while (Date.now() < deadline) {
      const running = this.members.filter((m) => m.running);
      if (running.length === 0) break;
      last = await Promise.all(running.map((m) => m.healthy()));
      if (last.every(Boolean)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    const report = this.members
      .map((m, i) => `--- ${m.name} (${m.running ? `pid ${m.pid}` : 'down'}, healthy=${last[i] ?? false}) ${m.clientUrl}\n${m.logTail()}`)
      .join('\n');
    throw new Error(`etcd cluster not healthy after ${timeoutMs} ms:\n${report}`);
  }

  /** Every pid this cluster has running now. */
  pids(): number[] {
    return this.members.flatMap((m) => (m.pid === undefined ? [] : [m.pid]));
  }

  /** Kills every member (SIGKILL, by pid) and removes the data dirs. Idempotent. */
  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.kill()));
    rmSync(this.root, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Runs etcdctl (API v3) against `endpoints`; resolves with its exit status and output (never rejects on a failing status). */
export function etcdctl(
  endpoints: readonly string[],
  args: readonly string[],
  timeoutMs = 10_000,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ETCDCTL_API: '3' };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_') && !k.startsWith('ETCD_')) env[k] = v;
  const argv = [`--endpoints=${endpoints.join(',')}`, '--dial-timeout=2s', '--command-timeout=5s', ...args];
  return new Promise((resolve) => {
    execFile(ETCDCTL, argv, { env, encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err && typeof err.code === 'number' ? err.code : err ? null : 0;
      resolve({ status: code, stdout, stderr: err && code === null ? `${stderr}${err.message}` : stderr });
    });
  });
}
