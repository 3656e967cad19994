// A listening socket that the manager owns but never accepts on, so that its children (which get
// it as fd 0) are the only ones to accept connections. Node's `net` starts polling a socket as soon
// as it listens, and the polling thread accepts. The socket is therefore created in a worker thread
// that hands back its file descriptor and then blocks (Atomics.wait) until it is told to close it:
// a blocked thread never polls, so it never accepts. Creation is synchronous, as supervisord's is:
// the caller waits until the socket listens or its creation failed.
import { Worker } from 'node:worker_threads';

/** What to bind: an IPv4 address (resolved by the worker) or a unix socket path. */
export type ListenTarget = { host: string; port: number; backlog: number } | { path: string; backlog: number };

export interface HeldSocket {
  /** The listening socket's file descriptor in this process (valid until close()). */
  readonly fd: number;
  /** Closes the socket, waiting (briefly) until it is closed; the worker thread then ends. Idempotent. */
  close(): void;
}

/** A socket could not be created; `message` is Python's OSError text (`[Errno 98] Address already in use`). */
export class SocketCreateError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'SocketCreateError';
  }
}

// state[0]: 0 pending, 1 listening, 2 failed, 3 closed; state[1]: fd; state[2]: message length;
// state[3]: set to 1 to make the worker close the socket. Bytes from 16: the error text.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const net = require('node:net');
const dns = require('node:dns');
const state = new Int32Array(workerData.shared, 0, 4);
const text = new Uint8Array(workerData.shared, 16);
const report = (status, fd, message) => {
  const b = Buffer.from(message);
  const n = Math.min(b.length, text.length);
  text.set(b.subarray(0, n));
  state[2] = n;
  state[1] = fd;
  Atomics.store(state, 0, status);
  Atomics.notify(state, 0);
};
const fail = (e) => report(2, -1, JSON.stringify({ code: String(e.code || ''), errno: e.errno, syscall: e.syscall, message: e.message }));
const serve = (options) => {
  const server = net.createServer();
  server.on('error', fail);
  server.listen(options, () => {
    report(1, server._handle.fd, '');
    // Never return to the event loop while the socket is open: a loop that polls would accept.
    Atomics.wait(state, 3, 0);
    server.close();
    Atomics.store(state, 0, 3);
    Atomics.notify(state, 0);
  });
};
const t = workerData.target;
if (t.path !== undefined) serve({ path: t.path, backlog: t.backlog });
else dns.lookup(t.host, { family: 4 }, (err, address) => (err ? fail(err) : serve({ host: address, port: t.port, backlog: t.backlog })));
`;

/** glibc's texts for the errors a bind can meet (Python prints strerror, libuv its own words). */
const ERRNO: Record<string, [number, string]> = {
  EPERM: [1, 'Operation not permitted'],
  ENOENT: [2, 'No such file or directory'],
  EACCES: [13, 'Permission denied'],
  ENOTDIR: [20, 'Not a directory'],
  EINVAL: [22, 'Invalid argument'],
  ENAMETOOLONG: [36, 'File name too long'],
  EADDRINUSE: [98, 'Address already in use'],
  EADDRNOTAVAIL: [99, 'Cannot assign requested address'],
  ENOTFOUND: [-2, 'Name or service not known'],
  EAI_AGAIN: [-3, 'Temporary failure in name resolution'],
};

/** Python's `str(OSError)` for a Node system error: `[Errno 98] Address already in use`. */
export function pythonErrorText(code: string, fallback: string): string {
  const known = ERRNO[code];
  return known ? `[Errno ${known[0]}] ${known[1]}` : fallback;
}

/**
 * Creates a listening socket held by a blocked worker thread. Throws SocketCreateError (bind,
 * name resolution, or no answer within `timeoutMs`).
 */
export function holdListeningSocket(target: ListenTarget, timeoutMs = 30_000): HeldSocket {
  const shared = new SharedArrayBuffer(16 + 1024);
  const state = new Int32Array(shared, 0, 4);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared, target }, stdout: true, stderr: true, env: {} });
  // The worker never keeps the host alive; at exit Node ends it with the process.
  worker.unref();
  worker.on('error', () => undefined);
  Atomics.wait(state, 0, 0, timeoutMs);
  const status = Atomics.load(state, 0);
  if (status !== 1) {
    void worker.terminate();
    if (status === 0) throw new SocketCreateError(`no socket after ${timeoutMs} ms`, 'ETIMEDOUT');
    const raw = Buffer.from(new Uint8Array(shared, 16, state[2] as number)).toString('utf8');
    const e = JSON.parse(raw) as { code: string; message: string };
    throw new SocketCreateError(pythonErrorText(e.code, e.message), e.code);
  }
  let open = true;
  return {
    fd: state[1] as number,
    close() {
      if (!open) return;
      open = false;
      Atomics.store(state, 3, 1);
      Atomics.notify(state, 3);
      // The worker closes the descriptor at once; wait for it so that a new socket can take the address.
      Atomics.wait(state, 0, 1, 5_000);
    },
  };
}
