// The embedded ProcessManager in its own host process (embedded-host.mjs), for when the procvisor
// daemon is not available: the same operations as the other peers, over IPC instead of XML-RPC.
import { fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, endSupervisor, killFamilyNow, killByEnvMarker } from '../lib.mjs';

const host = fileURLToPath(new URL('embedded-host.mjs', import.meta.url));

export class EmbeddedPeer {
  constructor() {
    this.id = 'procvisor';
    this.label = 'procvisor (embedded)';
    this.kind = 'ipc';
    this.supervisorNote = 'embedded ProcessManager host process (node bench/peers/embedded-host.mjs; the daemon was not available)';
  }

  static registry = new Set();

  async launch(programs, dir) {
    this.dir = dir;
    const out = openSync(join(dir, 'host.out'), 'a');
    this.child = fork(host, [dir], { stdio: ['ignore', out, out, 'ipc'], env: childEnv(), cwd: dir });
    closeSync(out);
    EmbeddedPeer.registry.add(this);
    this.pid = this.child.pid;
    this.seq = 0;
    this.pending = new Map();
    this.exited = new Promise((r) => this.child.on('exit', (code, sig) => r({ code, sig })));
    await new Promise((resolve, reject) => {
      this.child.once('message', (m) => (m.ready ? resolve() : reject(new Error('host did not start'))));
      this.child.once('exit', () => reject(new Error('embedded host exited during startup')));
    });
    this.child.on('message', ({ id, result, error }) => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (error !== undefined) p.reject(new Error(error));
      else p.resolve(result);
    });
    await this.call('add', programs);
  }

  call(op, ...args) {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, op, args });
    });
  }

  start(name) {
    return this.call('start', name);
  }
  startNoWait(name) {
    return this.call('startNoWait', name);
  }
  stop(name) {
    return this.call('stop', name);
  }
  startAll() {
    return this.call('startAll');
  }
  list() {
    return this.call('list');
  }
  info(name) {
    return this.call('info', name);
  }

  async close() {
    if (!this.child) return;
    await endSupervisor(this.child, this.exited, () => void this.call('shutdown').catch(() => {}));
    killByEnvMarker(this.dir);
    EmbeddedPeer.registry.delete(this);
    this.child = undefined;
  }

  killNow() {
    if (this.child) killFamilyNow(this.pid);
    if (this.child) killByEnvMarker(this.dir);
  }
}
