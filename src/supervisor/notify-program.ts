// The `notify` readiness check: like systemd's Type=notify, each process of the program gets its
// own $NOTIFY_SOCKET (a unix datagram socket the supervisor listens on), and it is RUNNING only
// after it sends READY=1 there. With a watchdog interval the process also gets $WATCHDOG_USEC and
// is killed (then restarted as autorestart says) when WATCHDOG=1 pings stop for that long after
// READY=1. The sockets live in one directory per supervisor under the system temp directory.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, TimerHandle } from './clock.js';
import { NotifySockets, parseNotifyMessage } from './notify-socket.js';

let counter = 0;

/** A fresh socket path (short: sun_path holds 107 bytes). */
function socketPath(): string {
  const dir = join(tmpdir(), `procvisor-notify-${process.pid}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return join(dir, `${++counter}.sock`);
}

export type NotifyFields = Record<string, string>;

export class ProgramNotify {
  readonly path = socketPath();
  readonly #subscribers = new Set<(fields: NotifyFields) => void>();
  #close: (() => void) | undefined;
  #closed = false;
  readonly #listening: Promise<void>;
  #watch: { pid: number; timer: TimerHandle | undefined; ms: number; clock: Clock; missed: () => void; ready: boolean } | undefined;

  constructor(onError: (message: string) => void) {
    this.#listening = NotifySockets.shared()
      .listen(this.path, (message) => this.#deliver(parseNotifyMessage(message)))
      .then(
        (close) => {
          if (this.#closed) close();
          else this.#close = close;
        },
        (e: unknown) => onError(`cannot create the notification socket ${this.path}: ${(e as Error).message}`),
      );
  }

  /** Resolves once the socket exists (or could not be made). */
  get listening(): Promise<void> {
    return this.#listening;
  }

  /** The variables a process gets. */
  environment(watchdogSeconds: number | undefined): Record<string, string> {
    return { NOTIFY_SOCKET: this.path, ...(watchdogSeconds ? { WATCHDOG_USEC: String(Math.round(watchdogSeconds * 1e6)) } : {}) };
  }

  /** Calls `fn` with each message's fields until the returned function is called. */
  subscribe(fn: (fields: NotifyFields) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /**
   * A new child `pid`: when `seconds` is set, once it sends READY=1 it must send WATCHDOG=1 at least
   * every `seconds`, else `missed()` is called (once).
   */
  childStarted(pid: number, seconds: number | undefined, clock: Clock, missed: () => void): void {
    this.#stopWatch();
    if (seconds) this.#watch = { pid, timer: undefined, ms: seconds * 1000, clock, missed, ready: false };
  }

  #arm(): void {
    const w = this.#watch;
    if (!w) return;
    w.clock.clearTimeout(w.timer);
    w.timer = w.clock.setTimeout(() => {
      if (this.#watch !== w) return;
      this.#watch = undefined;
      w.missed();
    }, w.ms);
  }

  #deliver(fields: NotifyFields): void {
    const w = this.#watch;
    if (w && (fields.READY === '1' || (w.ready && fields.WATCHDOG === '1'))) {
      w.ready = true;
      this.#arm();
    }
    for (const fn of [...this.#subscribers]) fn(fields);
  }

  #stopWatch(): void {
    if (this.#watch) this.#watch.clock.clearTimeout(this.#watch.timer);
    this.#watch = undefined;
  }

  /** The child is gone: no watchdog. */
  childExited(): void {
    this.#stopWatch();
  }

  /** Removes the socket. */
  close(): void {
    this.#closed = true;
    this.#stopWatch();
    this.#subscribers.clear();
    this.#close?.();
    this.#close = undefined;
  }
}

/**
 * The ProgramNotify a process with readiness `ready` should have: `current` kept, a new one made,
 * or `current` closed (undefined) when the configuration no longer has a notify check.
 */
export function programNotifyFor(current: ProgramNotify | undefined, wanted: boolean, onError: (message: string) => void): ProgramNotify | undefined {
  if (wanted) return current ?? new ProgramNotify(onError);
  current?.close();
  return undefined;
}
