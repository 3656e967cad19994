// The typed form of a supervisord.conf: what readSupervisordConfig returns and what
// toSupervisordConf writes. Keys are supervisord's option names.
import type { LogLevel } from '../dialect/datatypes.js';
import type { GroupConfig, GroupSpec, ProgramConfig } from '../supervisor/config.js';

/** `[supervisord]`, with supervisord's defaults applied; paths have `~` expanded. */
export interface SupervisordSection {
  /** Main log path (its directory must exist), or `syslog`. Default `supervisord.log` (cwd). */
  logfile: string;
  logfile_maxbytes: number;
  logfile_backups: number;
  loglevel: LogLevel;
  pidfile: string;
  nodaemon: boolean;
  silent: boolean;
  minfds: number;
  minprocs: number;
  nocleanup: boolean;
  /** Where AUTO child logs go; default the system temp directory. */
  childlogdir: string;
  /** Drop privileges to this user (name or uid, checked at read time); null = stay. */
  user: string | null;
  /** chdir when daemonizing; null = stay. */
  directory: string | null;
  strip_ansi: boolean;
  /** Merged under every program's environment; its keys are also `%(ENV_X)s` names. */
  environment: Record<string, string>;
  identifier: string;
  umask: number;
  // procvisor's own keys (supervisord ignores them); absent unless set.
  /** Shut down, exiting non-zero, when any program goes FATAL. */
  shutdown_on_fatal?: boolean;
  /** Serve GET /healthz and /readyz without the HTTP servers' credentials. */
  health_without_auth?: boolean;
  /** The programs (group names or group:process) /readyz waits for; default every autostart process. */
  health_ready_programs?: string[];
}

/** `[unix_http_server]`. */
export interface UnixHttpServerSection {
  /** Absolute socket path. */
  file: string;
  /** Mode of the socket file; default 0o700. */
  chmod: number;
  /** `user` or `user:group` as written (checked at read time). */
  chown?: string;
  username?: string;
  password?: string;
}

/** `[inet_http_server]`. */
export interface InetHttpServerSection {
  /** '' = every interface (`port=9001`, `*:9001`, `:9001`). */
  host: string;
  port: number;
  username?: string;
  password?: string;
}

/** `[supervisorctl]`, read leniently (supervisord itself ignores it; only the main file counts). */
export interface SupervisorctlSection {
  serverurl?: string;
  username?: string;
  password?: string;
  prompt?: string;
  history_file?: string;
}

/** An `[rpcinterface:NAME]` section. */
export interface RpcInterfaceSection {
  name: string;
  /** `supervisor.rpcinterface_factory`, e.g. `supervisor.rpcinterface:make_main_rpcinterface`. */
  factory: string;
  /** Its other keys (expanded), passed to the factory by supervisord. */
  options: Record<string, string>;
}

/** A whole configuration, as read or as written. */
export interface SupervisordConfig {
  supervisord: SupervisordSection;
  /** Homogeneous programs and `[group:x]` groups, in supervisord's group order (priority, name). */
  groups: Array<ProgramConfig | GroupConfig>;
  unix_http_server?: UnixHttpServerSection;
  inet_http_server?: InetHttpServerSection;
  supervisorctl?: SupervisorctlSection;
  rpcinterface?: RpcInterfaceSection[];
}

/** What readSupervisordConfig returns: the configuration plus what reading it produced. */
/** procvisor's [fleet] section (see docs/fleet.md). */
export interface FleetSection {
  /** etcd client URLs. */
  endpoints: string[];
  node: string;
  labels: Record<string, string>;
  /** Key prefix, without a trailing slash. */
  prefix: string;
  /** Seconds: the node's lease (liveness, singleton fencing). */
  lease_ttl: number;
  /** Seconds: the least time between two status writes of this node. */
  status_interval: number;
  /** Seconds: status is written again after this long without a change (memory, uptime); 0: only on change. */
  status_refresh: number;
  /**
   * Where the node keeps the fleet programs it runs, to run them again when it starts while etcd
   * cannot be reached (absent: `cache_file=none`).
   */
  cache_file?: string;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  auth?: { username: string; password: string };
}

export interface ReadConfigResult extends SupervisordConfig {
  /** The [fleet] section, when the file has one. */
  fleet?: FleetSection;
  /** supervisord's parse-time warnings, with its wording (logged at WARN once running). */
  warnings: string[];
  /** Files read: the main file, then each included file in order. */
  files: string[];
  /** `groups` resolved into processes (same order), ready for ProcessManager.addResolvedGroup. */
  specs: GroupSpec[];
  /** Directory of the main file (`%(here)s`). */
  here: string;
  /** `SUPERVISOR_SERVER_URL` for AUTO: the first unix socket, else the inet server, else null. */
  serverurl: string | null;
}

/** What toSupervisordConf accepts: `supervisord` may be partial or absent. */
export interface EmitConfig extends Omit<SupervisordConfig, 'supervisord'> {
  supervisord?: Partial<SupervisordSection>;
}
