// What the daemon does for the service managers and orchestrators around it, in one place: the
// exit policies, systemd notifications (READY/RELOADING/STOPPING/WATCHDOG) and the health routes.
// The daemon calls one hook per moment of its life.
import type { ProcessManager } from '../supervisor/manager.js';
import type { DaemonConfig } from './daemon-config.js';
import { watchExitPolicies } from './exit-policy.js';
import { createHealth, type Health, whenSettled } from './health.js';
import { SystemdNotifier } from './systemd-notify.js';

export interface ServiceHost {
  pm: ProcessManager;
  config: DaemonConfig;
  mainLog: { warn(message: string): void; info(message: string): void };
  shutdown(exitCode?: number): void;
}

export class ServiceHooks {
  readonly health: Health;
  readonly #host: ServiceHost;
  #notifier: SystemdNotifier | undefined;
  #unwatch: (() => void) | undefined;
  #stopping = false;
  #settling: AbortController | undefined;

  constructor(host: ServiceHost) {
    this.#host = host;
    this.health = createHealth({
      manager: () => host.pm,
      readyPrograms: () => host.config?.supervisord.health_ready_programs,
      stopping: () => this.#stopping,
    });
  }

  /** The main log is open: take $NOTIFY_SOCKET (and keep it from the programs). */
  opened(): void {
    // The daemon's log of the moment: a restart opens a new one.
    this.#notifier = SystemdNotifier.fromEnvironment({ warn: (m) => this.#host.mainLog.warn(m) });
  }

  /** Serve /healthz and /readyz without credentials? (`[supervisord] health_without_auth`) */
  get anonymousHealth(): boolean {
    return this.#host.config.supervisord.health_without_auth === true;
  }

  /** A new manager (start or restart): its exit policies apply from now. */
  managerCreated(pm: ProcessManager): void {
    this.#unwatch?.();
    const o = this.#host.config.supervisord;
    this.#unwatch = watchExitPolicies(pm, { anyFatal: o.shutdown_on_fatal === true }, (status, reason) => {
      if (this.#stopping) return;
      this.#host.mainLog.warn(reason);
      this.#host.shutdown(status);
    });
  }

  /** Autostart began: READY=1 for systemd once it settles. */
  activated(): void {
    this.#settling?.abort();
    // Only systemd needs to hear of it. Without a notifier nothing waits: the wait looks at every
    // process at each state change (500 programs: 1,000 looks at 500 processes during the start,
    // ~1 s of CPU and ~40 MB of garbage that the heap then kept).
    if (!this.#notifier) return;
    const ac = (this.#settling = new AbortController());
    void whenSettled(() => this.#host.pm, ac.signal).then(() => {
      if (!ac.signal.aborted && !this.#stopping) void this.#notifier?.ready();
    });
  }

  /** A restart (SIGHUP, reload) begins. */
  reloading(): void {
    this.#settling?.abort();
    void this.#notifier?.reloading();
  }

  /** Shutdown begins: STOPPING=1, /healthz and /readyz answer 503, no more exit policies. */
  stopping(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#settling?.abort();
    this.#unwatch?.();
    void this.#notifier?.stopping();
  }

  /** Everything is stopped. */
  async closed(): Promise<void> {
    this.health.close();
    await this.#notifier?.close();
  }
}
