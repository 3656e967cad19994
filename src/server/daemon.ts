// The procvisor daemon: a drop-in supervisord. Reads a supervisord.conf, runs its programs, serves
// XML-RPC (for the stock supervisorctl), the JSON API and the status page, writes the pidfile, and
// answers supervisord's signals: TERM/INT/QUIT shut down, HUP reloads, USR2 reopens the logs.
import type { Server } from 'node:http';
import { rmSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { cleanupAutoLogs } from '../logs/auto-logs.js';
import { MainLog } from '../logs/main-log.js';
import { Syslog } from '../logs/syslog.js';
import { NotifySockets } from '../supervisor/notify-socket.js';
import { ProcessManager } from '../supervisor/manager.js';
import type { XmlRpcValue } from '../xmlrpc/types.js';
import { loadDaemonConfig, type DaemonConfig, type LoadedGroup } from './daemon-config.js';
import { configInfo } from '../config-file/config-info.js';
import { createHandler, listenInet, listenUnix, loopbackHosts, type Route } from './http-server.js';
import { removePidfile, writePidfile } from './pidfile.js';
import { raiseLimits } from './rlimits.js';
import { dispatch, faultOf, type Supervisor } from './rpc-methods.js';
import { createJsonApi, type JsonApi, type ProgramStore } from './json-api.js';
import { createEventsApi } from './events-api.js';
import { createStatusPage } from './status-page/status-page.js';
import { createMetricsRoute } from './metrics.js';
import { createLogsApi } from './logs-api.js';
import { lookupUser } from '../dialect/users.js';
import { pyRepr } from '../dialect/python.js';
import { pythonErrorText } from '../supervisor/socket-holder.js';
import { COMMAND_ACCESS_HINT, hasCredentials, isOwnerOnly } from './command-access.js';
import { ServiceHooks } from './service-hooks.js';
import { rpcNamespaces, serverLines } from './startup-log.js';

export interface DaemonOptions {
  /** The supervisord.conf to run. */
  configPath: string;
  /** Command-line values that take precedence over `[supervisord]` (supervisord's flags). */
  overrides?: Partial<DaemonConfig['supervisord']>;
  /** Where foreground log lines are echoed (nodaemon and not silent). Default process.stdout. */
  echo?: { write(text: string): unknown };
  /** Extra HTTP routes (the JSON API, the status page), given the daemon. */
  routes?: (daemon: Daemon) => Route[];
  /** Install handlers for supervisord's signals. Default true. */
  handleSignals?: boolean;
  /** Where the JSON API keeps its programs (e.g. a ProgramDirStore); default: in memory. */
  programStore?: (daemon: Daemon) => ProgramStore;
  /** What lives beside the daemon (the fleet agent), given the daemon. */
  plugins?: (daemon: Daemon) => DaemonPlugin[];
  /**
   * This process is the daemon a launcher started in the background (cli/daemonize.ts). Once the
   * servers listen it does what supervisord's forked child does (enters `directory`, sets
   * `umask`), writes the pidfile, then calls this: the launcher may exit.
   */
  background?: () => void;
}

/** Something that lives beside the daemon: routes answered before the JSON API, and hooks at its moments. */
export interface DaemonPlugin {
  routes?: Route[];
  /** The groups it runs through the manager, as they are now: kept by every re-reading of the configuration file. */
  groups?(): readonly LoadedGroup[];
  /** After the first start, once the configured programs were started. */
  started?(): Promise<void> | void;
  /** After a restart (SIGHUP, `supervisorctl reload`) replaced the manager. */
  managerReplaced?(): Promise<void> | void;
  /** Before the manager shuts down. */
  stopping?(): Promise<void> | void;
  /** After the manager shut down (every process stopped). */
  stopped?(): Promise<void> | void;
}

/** How the daemon ended: 0 after a shutdown. */
export type ExitCode = number;

export class Daemon implements Supervisor {
  readonly pid = process.pid;
  readonly options: DaemonOptions;
  /** The running manager; replaced by a reload. */
  pm!: ProcessManager;
  mainLog!: MainLog;
  /** supervisord's syslog: `logfile=syslog` and the programs' `*_syslog` output. */
  syslog!: Syslog;
  /** The datagram helper behind it, started with the first line. */
  #datagrams: NotifySockets | undefined;
  /** The configuration last read (reloadConfig reads it again; addProcessGroup takes from it). */
  config!: DaemonConfig;
  #servers: Server[] = [];
  /** The unix socket this daemon created (removed at exit; never one another program owns). */
  #ownSocket: string | undefined;
  /** The JSON API (programs as resources); it outlives reloads. */
  readonly api: JsonApi;
  /** Server-sent state changes for the status page; rebinds to a new manager after a reload. */
  readonly events: ReturnType<typeof createEventsApi>;
  #done!: Promise<ExitCode>;
  #resolveDone!: (code: ExitCode) => void;
  #stopping: Promise<void> | undefined;
  #restarting = false;
  readonly #signalHandlers: [NodeJS.Signals, () => void][] = [];
  /** Exit policies, systemd notifications, /healthz and /readyz. */
  readonly service = new ServiceHooks(this);
  readonly #plugins: DaemonPlugin[];

  constructor(options: DaemonOptions) {
    this.options = options;
    this.#done = new Promise((r) => (this.#resolveDone = r));
    this.api = createJsonApi({ manager: () => this.pm, ...(options.programStore ? { store: options.programStore(this) } : {}) });
    this.events = createEventsApi({ manager: () => this.pm });
    this.#plugins = options.plugins?.(this) ?? [];
  }

  /** Resolves with the exit code once the daemon has shut down. */
  get done(): Promise<ExitCode> {
    return this.#done;
  }

  /**
   * Reads the configuration and starts everything. Throws ConfigError (the caller prints
   * supervisord's `Error: …` and exits 2) or an Error for a server that cannot listen.
   */
  async start(): Promise<void> {
    this.config = loadDaemonConfig(this.options.configPath, this.options.overrides);
    const o = this.config.supervisord;
    this.syslog = new Syslog(() => (this.#datagrams ??= new NotifySockets()));
    this.mainLog = this.#makeMainLog();
    this.service.opened();
    this.#dropPrivileges();
    this.#logPreamble(raiseLimits(o.minfds, o.minprocs));
    // supervisord makes the groups (fcgi sockets are tried then) before its HTTP servers.
    this.#createManager();
    this.pm.addConfiguredGroups();
    await this.#listen();
    if (this.options.background) this.#enterBackground();
    if (o.pidfile) writePidfile(o.pidfile);
    this.options.background?.();
    if (this.options.handleSignals !== false) this.#installSignals();
    this.mainLog.info(`supervisord started with pid ${this.pid}`);
    await this.#activate();
    for (const p of this.#plugins) await p.started?.();
  }

  /**
   * supervisord's make_logger, at start and at every restart: the activity log as `[supervisord]`
   * says (`logfile`, its rotation, `loglevel`; `syslog`, the magic name, sends it there).
   * @throws the errno error of opening the file.
   */
  #makeMainLog(): MainLog {
    const o = this.config.supervisord;
    const log = new MainLog({
      level: o.loglevel,
      file: o.logfile && o.logfile !== 'syslog' ? { path: o.logfile, maxbytes: o.logfile_maxbytes, backups: o.logfile_backups } : undefined,
      syslog: o.logfile === 'syslog' ? this.syslog : undefined,
      echo: o.nodaemon && !o.silent ? (this.options.echo ?? process.stdout) : undefined,
    });
    log.open();
    return log;
  }

  /** supervisord's daemonize, after the fork: the directory, the umask, and what it logs of them. */
  #enterBackground(): void {
    const { directory, umask } = this.config.supervisord;
    this.mainLog.info('daemonizing the supervisord process');
    if (directory) {
      try {
        process.chdir(directory);
        this.mainLog.info(`set current directory: ${pyRepr(directory)}`);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        this.mainLog.critical(`can't chdir into ${pyRepr(directory)}: ${pythonErrorText(err.code ?? '', err.message)}: ${pyRepr(directory)}`);
      }
    }
    process.umask(umask);
  }

  /**
   * What supervisord logs first at every start and restart: root, parse warnings, the limits it
   * raised (`infos`, first start only), stale AUTO logs.
   */
  #logPreamble(infos: readonly string[] = []): void {
    const o = this.config.supervisord;
    if (process.getuid?.() === 0 && !o.user) {
      this.mainLog.critical(
        'Supervisor is running as root.  Privileges were not dropped because no user is specified in the config file.  If you intend to run as root, you can set user=root in the config file to avoid this message.',
      );
    }
    for (const w of this.config.warnings) this.mainLog.warn(w);
    for (const line of infos) this.mainLog.info(line);
    if (!o.nocleanup) cleanupAutoLogs(o.childlogdir, o.identifier, (m) => this.mainLog.warn(m));
  }

  /** The supervisor methods' namespaces: one per `[rpcinterface:x]` with the main factory. */
  get rpcNamespaces(): readonly string[] {
    return rpcNamespaces(this.config);
  }

  /** supervisord's `user=`: become that user (root only; the same user is a no-op). */
  #dropPrivileges(): void {
    const user = this.config.supervisord.user;
    if (!user || !process.getuid || !process.setuid || !process.setgid) return;
    const entry = lookupUser(user);
    if (!entry || process.getuid() === entry.uid) return;
    if (process.getuid() !== 0) throw new ConfigError("Can't drop privilege as nonroot user");
    (process as { initgroups?: (user: string, gid: number) => void }).initgroups?.(entry.name, entry.gid);
    process.setgid(entry.gid);
    process.setuid(entry.uid);
  }

  #createManager(): void {
    const o = this.config.supervisord;
    this.pm = new ProcessManager({
      childlogdir: o.childlogdir,
      identifier: o.identifier,
      globalEnvironment: o.environment,
      serverUrl: this.config.serverUrl,
      mainLog: this.mainLog,
      nocleanup: true,
      stripAnsi: o.strip_ansi,
      syslog: this.syslog,
      // supervisord's event serials go on across a reload.
      ...(this.pm ? { lastEventSerial: this.pm.events.lastSerial } : {}),
    });
    // Groups that plugins manage (fleet programs) are part of every reading, so that reread and
    // update (supervisorctl's) neither list them as removed nor stop them; the file's win a name clash.
    const owned = () => this.#plugins.flatMap((p) => p.groups?.() ?? []);
    this.pm.useConfigSource(() => [...owned(), ...this.#reread().groups.values()], [...owned(), ...this.config.groups.values()]);
    this.events?.rebind();
    this.service.managerCreated(this.pm);
  }

  /** Reads the configuration file again (reloadConfig); it becomes the daemon's configuration. */
  #reread(): DaemonConfig {
    try {
      this.config = loadDaemonConfig(this.options.configPath, this.options.overrides);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError((e as Error).message);
    }
    return this.config;
  }

  /** Starts the groups already added (autostart). */
  async #activate(): Promise<void> {
    await this.pm.start();
    this.service.activated();
  }

  async #listen(): Promise<void> {
    for (const [level, line] of serverLines(this.config)) this.mainLog.log(level, line);
    // /api/events before the JSON API, which answers everything else under /api/.
    const routes = [
      this.service.health.route,
      this.events,
      ...this.#plugins.flatMap((p) => p.routes ?? []),
      this.api,
      createStatusPage({ manager: () => this.pm, rpc: { call: (method, params) => dispatch(this, method, params), faultOf } }),
      ...(this.options.routes?.(this) ?? []),
    ];
    routes.splice(routes.indexOf(this.events) + 1, 0, createLogsApi({ manager: () => this.pm })); // GET /api/logs (merged live lines), before the JSON API
    routes.push(createMetricsRoute({ manager: () => this.pm })); // GET /metrics (Prometheus)
    const { unix, inet } = this.config;
    const anonymousRoutes = this.service.anonymousHealth ? [this.service.health.route] : [];
    if (unix) {
      const ownerOnly = isOwnerOnly(unix.chmod);
      this.#servers.push(await listenUnix(createHandler({ supervisor: this, credentials: unix.credentials, routes, anonymousRoutes, ownerOnly }), unix));
      this.#ownSocket = unix.file;
    }
    if (inet) {
      const allowedHosts = loopbackHosts(inet.host);
      this.#servers.push(await listenInet(createHandler({ supervisor: this, credentials: inet.credentials, routes, allowedHosts, anonymousRoutes }), inet));
    }
    const openUnix = unix && !isOwnerOnly(unix.chmod) && !hasCredentials(unix.credentials);
    if (openUnix || (inet && !hasCredentials(inet.credentials))) this.mainLog.warn(`JSON API: ${COMMAND_ACCESS_HINT}`);
  }

  #installSignals(): void {
    const on = (sig: NodeJS.Signals, fn: () => void) => {
      process.on(sig, fn);
      this.#signalHandlers.push([sig, fn]);
    };
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) {
      on(sig, () => {
        this.mainLog.warn(`received ${sig} indicating exit request`);
        this.shutdown();
      });
    }
    on('SIGHUP', () => {
      if (this.#stopping) return this.mainLog.warn('ignored SIGHUP indicating restart request (shutdown in progress)');
      this.mainLog.warn('received SIGHUP indicating restart request');
      this.restart();
    });
    on('SIGUSR2', () => {
      this.mainLog.info('received SIGUSR2 indicating log reopen request');
      this.pm.reopenLogs();
    });
  }

  // ---- Supervisor (the RPC layer's view) ------------------------------------------------------

  /** Orderly shutdown: stop everything (descending priority), close servers, remove pidfile. */
  shutdown(exitCode = 0): void {
    if (!this.#stopping) this.service.stopping();
    this.#stopping ??= this.#shutdownNow().then(
      () => this.#resolveDone(exitCode),
      (e: unknown) => {
        this.mainLog.critical(`shutdown failed: ${String(e)}`);
        this.#resolveDone(1);
      },
    );
  }

  async #shutdownNow(): Promise<void> {
    // Let the RPC that asked for it get its answer first.
    await new Promise((r) => setImmediate(r));
    this.api.close();
    this.events.close();
    for (const p of this.#plugins) await p.stopping?.();
    await this.pm.shutdown();
    for (const p of this.#plugins) await p.stopped?.();
    await this.#closeServers();
    await this.service.closed();
  }

  /** Undoes a start that failed half-way (a server could not listen, …). */
  async abort(): Promise<void> {
    this.api.close();
    this.events.close();
    for (const p of this.#plugins) await p.stopping?.();
    await this.pm?.shutdown();
    for (const p of this.#plugins) await p.stopped?.();
    await this.#closeServers();
    await this.service.closed();
  }

  async #closeServers(): Promise<void> {
    await this.#closeListeners();
    if (this.config?.supervisord.pidfile) removePidfile(this.config.supervisord.pidfile);
    for (const [sig, fn] of this.#signalHandlers) process.off(sig, fn);
    this.mainLog?.close();
    this.#datagrams?.close();
  }

  /** Closes the HTTP servers and their connections; removes the unix socket. */
  async #closeListeners(): Promise<void> {
    for (const s of this.#servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    this.#servers = [];
    if (this.#ownSocket) rmSync(this.#ownSocket, { force: true });
    this.#ownSocket = undefined;
  }

  /**
   * supervisord starts over at a restart with the file as it now reads: a new activity log and its
   * pidfile written again (below), its servers opened again (#reopenServers).
   */
  #reopenLog(previous: DaemonConfig): void {
    const was = previous.supervisord;
    const now = this.config.supervisord;
    try {
      const log = this.#makeMainLog();
      this.mainLog.close();
      this.mainLog = log;
    } catch (e) {
      this.mainLog.critical(`could not open the log file ${pyRepr(now.logfile)}, keeping the previous one: ${(e as Error).message}`);
    }
    if (was.pidfile !== now.pidfile) {
      if (was.pidfile) removePidfile(was.pidfile);
      if (now.pidfile) writePidfile(now.pidfile);
    }
  }

  /**
   * Servers whose settings did not change stay open across a restart (the client that asked for
   * it keeps its connection); changed ones (another port, socket, mode, owner or password) are
   * closed and opened as the file now says. One that cannot listen ends the daemon, as it ends
   * supervisord. Returns false then.
   */
  async #reopenServers(previous: DaemonConfig): Promise<boolean> {
    if (JSON.stringify([previous.unix, previous.inet]) === JSON.stringify([this.config.unix, this.config.inet])) {
      for (const [level, line] of serverLines(this.config)) this.mainLog.log(level, line);
      return true;
    }
    await this.#closeListeners();
    try {
      await this.#listen();
      return true;
    } catch (e) {
      this.mainLog.critical((e as Error).message);
      this.shutdown(2);
      return false;
    }
  }

  /** supervisord's restart (SIGHUP, `supervisorctl reload`): stop all, re-read, start again. */
  restart(): void {
    if (this.#restarting || this.#stopping) return;
    this.#restarting = true;
    void (async () => {
      try {
        await new Promise((r) => setImmediate(r));
        this.service.reloading();
        await this.pm.shutdown();
        const previous = this.config;
        try {
          this.config = loadDaemonConfig(this.options.configPath, this.options.overrides);
        } catch (e) {
          this.mainLog.critical(`could not reload the configuration, keeping the previous one: ${(e as Error).message}`);
        }
        this.#reopenLog(previous);
        // supervisord starts over: its start-up lines are logged again.
        this.#logPreamble();
        this.#createManager();
        this.pm.addConfiguredGroups();
        if (!(await this.#reopenServers(previous))) return;
        this.mainLog.info(`supervisord started with pid ${this.pid}`);
        await this.#activate();
        await this.api.sync();
        for (const p of this.#plugins) await p.managerReplaced?.();
      } finally {
        this.#restarting = false;
      }
    })();
  }

  reloadConfig(): [string[], string[], string[]] {
    return this.pm.reloadConfig();
  }

  addProcessGroup(name: string): void {
    this.pm.addProcessGroup(name);
  }

  removeProcessGroup(name: string): void {
    this.pm.removeProcessGroup(name);
  }

  getAllConfigInfo(): Record<string, XmlRpcValue>[] {
    const out: Record<string, XmlRpcValue>[] = [];
    for (const g of this.pm.listConfiguredGroups()) {
      for (const p of g.spec.processes) {
        const live = g.active?.processes.find((d) => d.name === p.name);
        const logfiles = live ? { stdout: live.logfiles.stdout ?? undefined, stderr: live.logfiles.stderr ?? undefined } : {};
        out.push(configInfo(g.spec, p, g.active !== null, logfiles));
      }
    }
    return out.sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : (a.name as string) > (b.name as string) ? 1 : 0));
  }
}
