// Drives a supervisord-compatible daemon from a generated supervisord.conf over XML-RPC on its unix
// socket: the real supervisord 4.2.5, or the procvisor daemon (dist/cli/procvisor.js) on the same file.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, endSupervisor, killFamilyNow, killQuietly, rpc, waitFor, killByEnvMarker } from '../lib.mjs';
import { supervisordConf } from './conf.mjs';

export class ConfPeer {
  /**
   * @param {object} o
   * @param {string} o.id          'supervisord' | 'procvisor'
   * @param {string} o.label       shown in results
   * @param {string[]} o.argv      daemon command; '-n -c <conf>' is appended
   * @param {string[]} o.ctl       stock control client; '-c <conf> status' is appended
   * @param {string} o.supervisorNote what `pid` is (for RESULTS.md)
   */
  constructor(o) {
    Object.assign(this, o);
    this.kind = 'xmlrpc';
  }

  static registry = new Set();

  async launch(programs, dir, opts = {}) {
    this.dir = dir;
    this.programs = programs;
    this.conf = join(dir, 'supervisord.conf');
    this.sock = join(dir, 'supervisor.sock');
    writeFileSync(this.conf, supervisordConf(dir, programs, opts));
    const out = openSync(join(dir, 'daemon.out'), 'a');
    this.child = spawn(this.argv[0], [...this.argv.slice(1), '-n', '-c', this.conf], { stdio: ['ignore', out, out], env: childEnv(), cwd: dir });
    closeSync(out);
    ConfPeer.registry.add(this);
    this.pid = this.child.pid;
    let exited = false;
    this.exited = new Promise((r) => this.child.on('exit', (code, sig) => ((exited = true), r({ code, sig }))));
    try {
      await waitFor(
        async () => {
          if (exited) throw new Error(`${this.id} exited during startup:\n${this.tail()}`);
          try {
            return (await rpc(this.sock, 'supervisor.getState')).value.statecode === 1;
          } catch {
            return false;
          }
        },
        { timeout: opts.startTimeout ?? 30000, every: 25, what: `${this.id} to answer on ${this.sock}` },
      );
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  tail() {
    try {
      return readFileSync(join(this.dir, 'daemon.out'), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '';
    }
  }

  call(method, ...params) {
    return rpc(this.sock, `supervisor.${method}`, params).then((r) => r.value);
  }

  start(name) {
    return this.call('startProcess', name, true);
  }

  startNoWait(name) {
    return this.call('startProcess', name, false);
  }

  stop(name) {
    return this.call('stopProcess', name, true);
  }

  startAll() {
    return this.call('startAllProcesses', true);
  }

  /** The raw status round trip (getAllProcessInfo), decoded; returns the response size. */
  async status() {
    const r = await rpc(this.sock, 'supervisor.getAllProcessInfo');
    return { count: r.value.length, bytes: r.bytes, raw: r.raw };
  }

  async list() {
    return (await this.call('getAllProcessInfo')).map((p) => ({ name: p.name, state: p.statename, pid: p.pid }));
  }

  async info(name) {
    const p = await this.call('getProcessInfo', name);
    return { name: p.name, state: p.statename, pid: p.pid };
  }

  /** The stock CLI's status, as a user runs it: [cmd, args]. */
  cliStatus() {
    return [this.ctl[0], [...this.ctl.slice(1), '-c', this.conf, 'status']];
  }

  async close() {
    if (!this.child) return;
    await endSupervisor(this.child, this.exited, () => killQuietly(this.pid, 'SIGTERM'));
    killByEnvMarker(this.dir);
    ConfPeer.registry.delete(this);
    this.child = undefined;
  }

  /** Synchronous last-resort cleanup (process exit): the daemon and what it started. */
  killNow() {
    if (this.child) killFamilyNow(this.pid);
    if (this.child) killByEnvMarker(this.dir);
  }
}
