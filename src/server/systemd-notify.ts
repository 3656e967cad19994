// The daemon under systemd (`Type=notify`, which the unit daemonUnit writes uses): READY=1 once
// autostart has settled, RELOADING=1 then READY=1 around a restart (SIGHUP, `supervisorctl
// reload`), STOPPING=1 when shutting down, and WATCHDOG=1 every half of $WATCHDOG_USEC when systemd
// asks for it ($WATCHDOG_PID unset or this process). The variables are removed from this process's
// environment so that programs do not inherit them: they would otherwise talk to systemd in the
// supervisor's name. Sending never throws; a failure is logged once.
import { NotifySockets } from '../supervisor/notify-socket.js';

export interface NotifierLog {
  warn(message: string): void;
  debug?(message: string): void;
}

export class SystemdNotifier {
  readonly socket: string;
  readonly #sockets = new NotifySockets();
  readonly #log: NotifierLog;
  readonly #watchdogMs: number | null;
  #watchdog: NodeJS.Timeout | undefined;
  #warned = false;

  private constructor(socket: string, watchdogMs: number | null, log: NotifierLog) {
    this.socket = socket;
    this.#watchdogMs = watchdogMs;
    this.#log = log;
  }

  /** A notifier when $NOTIFY_SOCKET is set (the variables are then taken out of `env`), else undefined. */
  static fromEnvironment(log: NotifierLog, env: NodeJS.ProcessEnv = process.env, pid = process.pid): SystemdNotifier | undefined {
    const socket = env.NOTIFY_SOCKET;
    const usec = Number(env.WATCHDOG_USEC);
    const watchdogPid = env.WATCHDOG_PID;
    delete env.NOTIFY_SOCKET;
    delete env.WATCHDOG_USEC;
    delete env.WATCHDOG_PID;
    if (!socket) return undefined;
    if (!NotifySockets.available()) {
      log.warn('NOTIFY_SOCKET is set but perl is not installed, so systemd will not be notified (READY=1, WATCHDOG=1)');
      return undefined;
    }
    const mine = watchdogPid === undefined || watchdogPid === '' || Number(watchdogPid) === pid;
    const watchdogMs = Number.isFinite(usec) && usec > 0 && mine ? Math.max(1, Math.floor(usec / 2000)) : null;
    return new SystemdNotifier(socket, watchdogMs, log);
  }

  #send(message: string): Promise<void> {
    return this.#sockets.send(this.socket, message).catch((e: unknown) => {
      if (this.#warned) return;
      this.#warned = true;
      this.#log.warn(`could not notify systemd at ${this.socket}: ${(e as Error).message}`);
    });
  }

  /** READY=1 (with the pid, for a service that was not started as the main process). */
  ready(status = 'running'): Promise<void> {
    const sent = this.#send(`READY=1\nSTATUS=${status}\nMAINPID=${process.pid}`);
    this.#startWatchdog();
    return sent;
  }

  /** RELOADING=1 with the monotonic time systemd's Type=notify-reload expects. */
  reloading(): Promise<void> {
    const usec = process.hrtime.bigint() / 1000n;
    return this.#send(`RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=${usec}`);
  }

  /** STOPPING=1; the watchdog stops too. */
  stopping(): Promise<void> {
    this.#stopWatchdog();
    return this.#send('STOPPING=1\nSTATUS=stopping');
  }

  #startWatchdog(): void {
    if (this.#watchdogMs === null || this.#watchdog) return;
    this.#watchdog = setInterval(() => void this.#send('WATCHDOG=1'), this.#watchdogMs);
    this.#watchdog.unref();
    void this.#send('WATCHDOG=1');
  }

  #stopWatchdog(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  /** Stops the watchdog and lets the helper go (after what was sent is delivered). */
  async close(): Promise<void> {
    this.#stopWatchdog();
    this.#sockets.close();
  }
}
