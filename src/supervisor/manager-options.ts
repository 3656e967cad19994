// The options of a ProcessManager.
import type { MainLog } from '../logs/main-log.js';
import type { Syslog } from '../logs/syslog.js';
import type { Clock } from './clock.js';
import type { ActivityLogger } from './host.js';
import type { Spawner } from './spawner.js';

export interface ManagerOptions {
  /** Directory for AUTO log files (supervisord's childlogdir). Default: the OS temp dir. */
  childlogdir?: string;
  /** supervisord's identifier: in AUTO log names, getIdentification. Default 'supervisor'. */
  identifier?: string;
  /** Injected time, for tests. */
  clock?: Clock;
  /** Injected spawning and signalling of children, for tests. */
  spawner?: Spawner;
  /** Environment children start from. Default: process.env at construction. */
  environment?: Readonly<Record<string, string | undefined>>;
  /** supervisord's `[supervisord] environment`: merged over `environment`, under each program's. */
  globalEnvironment?: Readonly<Record<string, string>>;
  /** Value of SUPERVISOR_SERVER_URL for children (the daemon sets it). */
  serverUrl?: string | null;
  /** The activity log ("spawned: 'x' with pid N" …). Default: in memory at level info (readLog()). */
  mainLog?: MainLog;
  /** An extra sink for activity-log lines. */
  logger?: ActivityLogger;
  /** supervisord's `strip_ansi`: child output loses its ANSI escapes before it is logged. */
  stripAnsi?: boolean;
  /** Where `stdout_syslog` / `stderr_syslog` output goes. Default: /dev/log, through a helper of this manager's own. */
  syslog?: Syslog;
  /** supervisord's `nocleanup`: keep AUTO log files of removed processes and at shutdown. */
  nocleanup?: boolean;
  /** End every child and its descendants when the host dies, even by SIGKILL (a watchdog). Default true. */
  orphanGuard?: boolean;
  /** Milliseconds between memory/CPU samples (programs with max_memory_mb, or metrics). Default 1000. */
  sampleIntervalMs?: number;
  /** Sample CPU and memory of every process (getProcessMetrics), not only those with a limit. */
  metrics?: boolean;
  /** Event serials continue after this one (a daemon reload passes the previous manager's). */
  lastEventSerial?: number;
}
