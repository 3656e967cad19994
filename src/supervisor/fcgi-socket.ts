// FastCGI programs (supervisord's `[fcgi-program:x]`): the supervisor owns one listening socket
// per group and hands it to every process of the group as its stdin (fd 0). The socket is created
// when the first process of the group starts and closed when the last one is reaped, as
// supervisord's reference-counted socket manager does; a group being added creates and closes it
// once, so that a bad address fails at once. Several workers accepting on one socket is also how
// several processes share one listening port.
import { chmodSync, chownSync, existsSync, unlinkSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { parseInteger, parseOctal } from '../dialect/datatypes.js';
import { parseUserGroup, parseUserToUid } from '../dialect/datatypes-host.js';
import { cachedLookupUser, pyRepr } from '../dialect/python.js';
import { holdListeningSocket, type HeldSocket, pythonErrorText } from './socket-holder.js';

/** The socket of an fcgi program, as supervisord's socket configs describe it. */
export type FcgiSocketSpec =
  | { kind: 'tcp'; url: string; host: string; port: number; backlog: number | null }
  | { kind: 'unix'; url: string; path: string; mode: number; owner: readonly [number, number] | null; backlog: number | null };

/** The options of a `[fcgi-program:x]` beyond a program's. */
export const FCGI_KEYS: readonly string[] = ['socket', 'socket_owner', 'socket_mode', 'socket_backlog'];

/** Python's listen backlog when none is configured (socket.SOMAXCONN). */
const SOMAXCONN = 4096;

/** What the socket options of one fcgi program say, already converted. */
export interface FcgiSocketOptions {
  /** `tcp://host:port` or `unix:///absolute/path`. */
  socket: string;
  /** `user` or `user:group` (unix sockets only). */
  socket_owner?: string | undefined;
  /** Octal mode of a unix socket; default 0700. */
  socket_mode?: number | string | undefined;
  /** listen() backlog, 1 to 65535; default SOMAXCONN. */
  socket_backlog?: number | undefined;
  /** The program's `user`: a unix socket is given to that user when it is not supervisord's own. */
  user?: string | number | null | undefined;
}

/** supervisord's socket_backlog check. @throws Error with supervisord's text */
export function checkBacklog(value: string | number): number {
  const n = typeof value === 'number' ? value : parseInteger(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`Invalid socket_backlog value ${value}`);
  return n;
}

/** supervisord's socket_owner check: `user[:group]` → [uid, gid] (gid -1 when absent). */
export function checkOwner(value: string): [number, number] {
  try {
    return parseUserGroup(value);
  } catch {
    throw new Error(`Invalid socket_owner value ${value}`);
  }
}

/** supervisord's socket_mode check. */
export function checkMode(value: string | number): number {
  try {
    return parseOctal(value);
  } catch {
    throw new Error(`Invalid socket_mode value ${value}`);
  }
}

/** Python's str() of ValueError(fmt, arg): supervisord raises these with two arguments. */
function tupleText(fmt: string, arg: string): string {
  return `(${pyRepr(fmt)}, ${pyRepr(arg)})`;
}

/** os.path.normpath for an absolute POSIX path. */
function normpath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  // POSIX keeps exactly two leading slashes; normpath does too.
  const lead = path.startsWith('//') && !path.startsWith('///') ? '//' : '/';
  return lead + parts.join('/');
}

/**
 * supervisord's parse_fcgi_socket: the socket URL and its options → a socket spec. The messages
 * are supervisord's, without the ` in [fcgi-program:x] socket` it appends.
 */
export function parseFcgiSocket(
  socket: string,
  o: { owner: [number, number] | null; mode: number | null; backlog: number | null; procUid: number | null },
): FcgiSocketSpec {
  if (socket.startsWith('unix://')) {
    const raw = socket.slice(7);
    if (!isAbsolute(raw)) throw new Error(tupleText('Unix socket path %s is not an absolute path', raw));
    const path = normpath(raw);
    let owner = o.owner;
    if (owner === null && o.procUid !== null && o.procUid !== process.getuid?.()) {
      owner = [o.procUid, cachedLookupUser(o.procUid)?.gid ?? -1];
    }
    return { kind: 'unix', url: `unix://${path}`, path, mode: o.mode ?? 0o700, owner, backlog: o.backlog };
  }
  if (o.owner !== null || o.mode !== null) throw new Error('socket_owner and socket_mode params should only be used with a Unix domain socket');
  const m = /^tcp:\/\/([^\s:]+):(\p{Nd}+)\n?$/u.exec(socket);
  if (!m) throw new Error(tupleText('Bad socket format %s', socket));
  const host = (m[1] as string).toLowerCase();
  const port = parseInteger(m[2] as string);
  if (port < 1) throw new Error(`${port} is below lower bound (1)`);
  if (port > 65535) throw new Error(`${port} is above upper bound (65535)`);
  return { kind: 'tcp', url: `tcp://${host}:${port}`, host, port, backlog: o.backlog };
}

/** Resolves an embedded program's socket options (each already typed or supervisord text). */
export function resolveFcgiSocket(o: FcgiSocketOptions): FcgiSocketSpec {
  const procUid = o.user === undefined || o.user === null ? null : parseUserToUid(o.user);
  const backlog = o.socket_backlog === undefined ? null : checkBacklog(o.socket_backlog);
  const owner = o.socket_owner === undefined ? null : checkOwner(o.socket_owner);
  const mode = o.socket_mode === undefined ? null : checkMode(o.socket_mode);
  if (typeof o.socket !== 'string' || !o.socket) throw new Error('an fcgi program requires a "socket" (tcp://host:port or unix:///path)');
  return parseFcgiSocket(o.socket, { owner, mode, backlog, procUid });
}

export type SocketLog = (level: 'info' | 'error', message: string) => void;

/**
 * The group's socket, counted by the processes holding it: created by the first acquire(),
 * closed when the last holder releases it (supervisord's SocketManager).
 */
export class SharedSocket {
  readonly spec: FcgiSocketSpec;
  readonly #log: SocketLog;
  #holders = 0;
  #held: HeldSocket | undefined;

  constructor(spec: FcgiSocketSpec, log: SocketLog) {
    this.spec = spec;
    this.#log = log;
  }

  /** How many processes hold the socket (0 when it is closed). */
  get holders(): number {
    return this.#holders;
  }

  /** Whether the socket is open now. */
  get isOpen(): boolean {
    return this.#held !== undefined;
  }

  /** The socket's descriptor for a new child; creates the socket for the first holder. @throws Error */
  acquire(): number {
    if (this.#holders === 0) this.#open();
    this.#holders += 1;
    return (this.#held as HeldSocket).fd;
  }

  /** A holder's child is gone (or never started): the last one closes the socket. */
  release(): void {
    if (this.#holders <= 0) throw new Error('Illegal operation: cannot decrement below zero');
    this.#holders -= 1;
    if (this.#holders === 0) this.#close();
  }

  /** What supervisord does when the group is made: create the socket and close it again. @throws Error */
  check(): void {
    try {
      this.acquire();
    } catch (e) {
      throw new Error(`Could not create FastCGI socket ${this.spec.url}: ${(e as Error).message}`, { cause: e });
    }
    this.release();
  }

  #open(): void {
    this.#log('info', `Creating socket ${this.spec.url}`);
    const s = this.spec;
    const backlog = s.backlog ?? SOMAXCONN;
    if (s.kind === 'tcp') {
      this.#held = holdListeningSocket({ host: s.host, port: s.port, backlog });
      return;
    }
    if (existsSync(s.path)) unlinkSync(s.path);
    const held = holdListeningSocket({ path: s.path, backlog });
    try {
      if (s.owner) {
        try {
          chownSync(s.path, s.owner[0], s.owner[1]);
        } catch (e) {
          throw new Error(`Could not change ownership of socket file: ${osErrorText(e, s.path)}`, { cause: e });
        }
      }
      try {
        chmodSync(s.path, s.mode);
      } catch (e) {
        throw new Error(`Could not change permissions of socket file: ${osErrorText(e, s.path)}`, { cause: e });
      }
    } catch (e) {
      held.close();
      throw e;
    }
    this.#held = held;
  }

  #close(): void {
    this.#log('info', `Closing socket ${this.spec.url}`);
    this.#held?.close();
    this.#held = undefined;
  }
}

function osErrorText(e: unknown, path: string): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return `${pythonErrorText(code, (e as Error).message)}: ${pyRepr(path)}`;
}
