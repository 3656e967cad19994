// The socket options of an fcgi program in the embedded API: a ProgramConfig with `socket` is
// supervisord's `[fcgi-program:x]` (its own group, whose processes share the socket as stdin).
import { ConfigError } from '../errors.js';
import { FCGI_KEYS, type FcgiSocketSpec, resolveFcgiSocket } from './fcgi-socket.js';

export { FCGI_KEYS, type FcgiSocketSpec };

/** `[fcgi-program:x]`'s options beyond a program's. */
export interface FcgiConfig {
  /**
   * `tcp://host:port` (IPv4; the host is resolved) or `unix:///absolute/path`: the socket every
   * process of the program gets as its stdin (fd 0) and accepts connections on.
   */
  socket?: string;
  /** `user` or `user:group` owning a unix socket; default the program's `user`, if it is not ours. */
  socket_owner?: string;
  /** Mode of a unix socket (octal text or a number); default 0700. */
  socket_mode?: number | string;
  /** listen() backlog, 1 to 65535; default 4096 (Python's SOMAXCONN, capped by the kernel). */
  socket_backlog?: number;
}

interface FcgiSource extends FcgiConfig {
  name: string;
  user?: string | number;
}

/**
 * The socket of a program with `socket` options, or undefined for a plain program. A member of a
 * `[group:x]` (`group` given) cannot have one: supervisord would run it as a plain program.
 * @throws ConfigError naming the option
 */
export function resolveFcgiGroup(cfg: FcgiSource, group?: string): FcgiSocketSpec | undefined {
  const present = FCGI_KEYS.filter((k) => (cfg as unknown as Record<string, unknown>)[k] !== undefined);
  if (present.length === 0) return undefined;
  const option = present[0] as string;
  if (group !== undefined) {
    throw new ConfigError(`option '${option}' of program '${cfg.name}': a program with a socket is a group of its own, not a member of group '${group}'`, {
      section: `program:${cfg.name}`,
      option,
    });
  }
  try {
    return resolveFcgiSocket({ ...cfg, socket: cfg.socket ?? '' });
  } catch (e) {
    const msg = (e as Error).message;
    const failing = /socket_backlog/.test(msg)
      ? 'socket_backlog'
      : /socket_owner/.test(msg)
        ? 'socket_owner'
        : /socket_mode/.test(msg)
          ? 'socket_mode'
          : /user/.test(msg)
            ? 'user'
            : 'socket';
    throw new ConfigError(`${msg} (option '${failing}' of program '${cfg.name}')`, { section: `program:${cfg.name}`, option: failing });
  }
}
