// Drives PM2 through its programmatic API, in a private PM2_HOME, with its daemon ("God") as the
// measured supervisor process. PM2 is installed by the bench itself into bench/.work/pm2
// (gitignored); it is not a dependency of procvisor.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendantsOf, isDead, killFamilyNow, killQuietly, sleep, waitFor, killByEnvMarker } from '../lib.mjs';

export const pm2Dir = fileURLToPath(new URL('../.work/pm2', import.meta.url));
const pkg = join(pm2Dir, 'node_modules/pm2/package.json');
export const pm2Bin = join(pm2Dir, 'node_modules/pm2/bin/pm2');

/**
 * Installs pm2@latest into bench/.work/pm2 once; returns its version or undefined. `extraCaCerts`:
 * the NODE_EXTRA_CA_CERTS npm needs to reach the registry (the bench removes it from its own
 * environment so that no measured child pays for it).
 */
export function ensurePm2({ log = console.log, extraCaCerts } = {}) {
  if (!existsSync(pkg)) {
    log('installing pm2@latest into bench/.work/pm2 (once) …');
    mkdirSync(pm2Dir, { recursive: true });
    const env = extraCaCerts ? { ...process.env, NODE_EXTRA_CA_CERTS: extraCaCerts } : process.env;
    const r = spawnSync('npm', ['install', '--prefix', pm2Dir, 'pm2@latest', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit', env });
    if (r.status !== 0 || !existsSync(pkg)) return undefined;
  }
  return JSON.parse(readFileSync(pkg, 'utf8')).version;
}

// PM2's status names → supervisord's state names.
const STATE = {
  online: 'RUNNING',
  launching: 'STARTING',
  stopping: 'STOPPING',
  stopped: 'STOPPED',
  errored: 'FATAL',
  'waiting restart': 'BACKOFF',
  'one-launch-status': 'EXITED',
};

const promisify =
  (fn, self) =>
  (...args) =>
    new Promise((resolve, reject) =>
      fn.call(self, ...args, (err, v) => (err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(v))),
    );

export class Pm2Peer {
  constructor() {
    this.id = 'pm2';
    this.label = 'PM2';
    this.kind = 'pm2';
    this.supervisorNote = 'PM2 God daemon (node …/pm2/lib/Daemon.js, pid from $PM2_HOME/pm2.pid)';
  }

  static registry = new Set();

  app(p) {
    const base = p.node ? { script: p.command[1], args: p.command.slice(2) } : { script: p.command[0], args: p.command.slice(1), interpreter: 'none' };
    return {
      name: p.name,
      ...base,
      cwd: this.dir,
      autorestart: p.autorestart,
      restart_delay: 0,
      min_uptime: 100, // PM2's minimum
      max_restarts: 1e9,
      kill_timeout: p.stopwaitsecs * 1000,
      out_file: p.stdout ?? '/dev/null',
      error_file: p.stderr ?? '/dev/null',
      merge_logs: true,
    };
  }

  async launch(programs, dir) {
    this.dir = dir;
    this.home = join(dir, 'pm2home');
    mkdirSync(this.home, { recursive: true });
    // The daemon inherits this environment (and reads PM2_KILL_SIGNAL etc. from it).
    process.env.PM2_HOME = this.home;
    const require = createRequire(pkg);
    const PM2 = require('pm2');
    this.pm2 = new PM2.custom({ pm2_home: this.home, daemon_mode: true });
    Pm2Peer.registry.add(this);
    await promisify(this.pm2.connect, this.pm2)();
    this.pid = Number(
      await waitFor(() => existsSync(join(this.home, 'pm2.pid')) && readFileSync(join(this.home, 'pm2.pid'), 'utf8').trim(), { what: 'pm2.pid' }),
    );
    this.programs = new Map(programs.map((p) => [p.name, p]));
    this.registered = new Set();
    const auto = programs.filter((p) => p.autostart);
    if (auto.length) await this.#register(auto);
  }

  async #register(programs) {
    await promisify(this.pm2.start, this.pm2)({ apps: programs.map((p) => this.app(p)) });
    for (const p of programs) this.registered.add(p.name);
  }

  /** Registers programs without leaving them running (PM2 has no autostart=false): start, then stop. */
  async registerStopped(names) {
    await this.#register(names.map((n) => this.programs.get(n)));
    await promisify(this.pm2.stop, this.pm2)('all');
  }

  async start(name) {
    if (!this.registered.has(name)) return this.#register([this.programs.get(name)]);
    return promisify(this.pm2.start, this.pm2)(name);
  }

  startNoWait(name) {
    return this.start(name);
  }

  stop(name) {
    return promisify(this.pm2.stop, this.pm2)(name);
  }

  async startAll() {
    const todo = [...this.programs.keys()].filter((n) => !this.registered.has(n));
    if (todo.length) await this.#register(todo.map((n) => this.programs.get(n)));
    if (todo.length < this.programs.size) await promisify(this.pm2.start, this.pm2)('all');
  }

  /** The status round trip: pm2.list() (getMonitorData: every process with pidusage figures). */
  async status() {
    const l = await promisify(this.pm2.list, this.pm2)();
    return { count: l.length, bytes: Buffer.byteLength(JSON.stringify(l)) };
  }

  async list() {
    const l = await promisify(this.pm2.list, this.pm2)();
    return l.map((p) => ({ name: p.name, state: STATE[p.pm2_env.status] ?? p.pm2_env.status, pid: p.pid }));
  }

  async info(name) {
    return (await this.list()).find((p) => p.name === name);
  }

  cliStatus() {
    return [process.execPath, [pm2Bin, 'jlist']];
  }

  async close() {
    if (!this.pm2) return;
    const family = descendantsOf(this.pid);
    try {
      await Promise.race([promisify(this.pm2.killDaemon, this.pm2)(), sleep(60000)]);
    } catch {}
    try {
      this.pm2.disconnect();
    } catch {}
    // `pm2 kill` with this PM2_HOME, in case the API path left the daemon up.
    if (!isDead(this.pid)) {
      try {
        execFileSync(process.execPath, [pm2Bin, 'kill'], { env: { ...process.env, PM2_HOME: this.home }, stdio: 'ignore', timeout: 30000 });
      } catch {}
    }
    if (!isDead(this.pid)) killQuietly(this.pid, 'SIGKILL');
    for (const pid of family) if (!isDead(pid)) killQuietly(pid, 'SIGKILL');
    killByEnvMarker(this.home);
    Pm2Peer.registry.delete(this);
    this.pm2 = undefined;
  }

  killNow() {
    if (this.pm2) killFamilyNow(this.pid);
    if (this.pm2) killByEnvMarker(this.home);
  }
}
