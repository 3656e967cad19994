// The manager's fcgi sockets, one per fcgi group: made (and checked by creating and closing the
// socket once, as supervisord does when it makes the group) before a group is added, handed to
// each process of the group, dropped with the group.
import { FailedError } from '../errors.js';
import type { GroupSpec, ProcessSpec } from './config.js';
import { SharedSocket, type SocketLog } from './fcgi-socket.js';

export class FcgiSockets {
  readonly #sockets = new Map<string, SharedSocket>();
  readonly #log: SocketLog;

  constructor(log: SocketLog) {
    this.#log = log;
  }

  /**
   * Makes the sockets of the fcgi groups among `specs`, all or none, each created and closed once;
   * adopt() then registers them. @throws FailedError `Could not create FastCGI socket URL: reason`
   */
  prepare(specs: readonly GroupSpec[]): Map<string, SharedSocket> {
    const made = new Map<string, SharedSocket>();
    for (const spec of specs) {
      if (!spec.socket) continue;
      const socket = new SharedSocket(spec.socket, this.#log);
      try {
        socket.check();
      } catch (e) {
        throw new FailedError((e as Error).message);
      }
      made.set(spec.name, socket);
    }
    return made;
  }

  /** Registers sockets made by prepare() (after the groups they replace were dropped). */
  adopt(made: ReadonlyMap<string, SharedSocket>): void {
    for (const [name, socket] of made) this.#sockets.set(name, socket);
  }

  /** The socket a process of an fcgi group gets as its stdin, or undefined. */
  for(ps: ProcessSpec): SharedSocket | undefined {
    return this.#sockets.get(ps.group);
  }

  /** The socket of an fcgi group (status, tests). */
  get(group: string): SharedSocket | undefined {
    return this.#sockets.get(group);
  }

  /** The group was removed (its processes are stopped, so its socket is closed). */
  drop(group: string): void {
    this.#sockets.delete(group);
  }
}
