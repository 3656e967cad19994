// The manager's public read model: what servers and embedders may know about groups and processes
// without holding the live objects (the configuration a group runs, a process's log files, the
// port a `port` allocation chose, its restart count, next retry and metrics).
import type { GroupConfig, GroupSpec, ProgramConfig } from './config.js';
import type { ProcessGroup } from './group.js';
import type { Metrics } from './memory-watch.js';
import { makeNamespec, processKey } from './names.js';
import type { PortAllocator } from './ports.js';
import type { SupervisedProcess } from './process.js';
import type { ProcessStatusInfo } from './process-info.js';
import { STOPPED_STATES } from './states.js';

/** One process as the read model shows it: getProcessInfo's struct and more. */
export interface ProcessDetails extends ProcessStatusInfo {
  /** `group:name`. */
  namespec: string;
  /** The process's own priority and autostart (from its program). */
  priority: number;
  autostart: boolean;
  /** Paths of its log files (null: not logged to a file, or stderr redirected to stdout). */
  logfiles: { stdout: string | null; stderr: string | null };
  /** Bytes of output that could not be written to each log file (a full or failing disk). */
  droppedBytes: { stdout: number; stderr: number };
  /** The port its `port` option was given (also in its environment), or null. */
  port: number | null;
  /** What the `port` option put in its environment (PORT and, with host, HOST), or null. */
  allocatedEnvironment: Readonly<Record<string, string>> | null;
  /** Its last CPU/memory sample (whole process tree), when sampling is on; else null. */
  metrics: Metrics | null;
}

/** One active group. */
export interface GroupDetails {
  name: string;
  priority: number;
  /** The configuration it was added from (supervisord option names). */
  config: ProgramConfig | GroupConfig;
  /** The configuration resolved into processes. */
  spec: GroupSpec;
  /** Every process, in supervisord's stored order. */
  processes: ProcessDetails[];
  /** Every process is in a stopped state (STOPPED, EXITED, FATAL, UNKNOWN). */
  allStopped: boolean;
}

/** A group of the last configuration read, and whether it is active (getAllConfigInfo). */
export interface ConfiguredGroup {
  spec: GroupSpec;
  config: ProgramConfig | GroupConfig;
  /** Active groups' processes, for their log file paths. */
  active: GroupDetails | null;
}

export interface ReadModelSources {
  ports: PortAllocator;
  metrics(pid: number): Metrics | undefined;
}

export function processDetails(p: SupervisedProcess, src: ReadModelSources): ProcessDetails {
  const namespec = makeNamespec(p.group, p.name);
  const port = src.ports.get(processKey(p.group, p.name)) ?? null;
  const want = p.spec.ext.port;
  return {
    ...p.status(),
    namespec,
    priority: p.spec.priority,
    autostart: p.spec.autostart,
    logfiles: { stdout: p.logs.stdout.path ?? null, stderr: p.logs.stderr?.path ?? null },
    droppedBytes: { stdout: p.logs.stdout.droppedBytes, stderr: p.logs.stderr?.droppedBytes ?? 0 },
    port,
    allocatedEnvironment: port !== null && want ? { [want.env]: String(port), ...(want.host ? { HOST: want.host } : {}) } : null,
    metrics: (p.pid !== 0 && src.metrics(p.pid)) || null,
  };
}

export function groupDetails(g: ProcessGroup, src: ReadModelSources): GroupDetails {
  return {
    name: g.name,
    priority: g.priority,
    config: g.config,
    spec: g.spec,
    processes: g.processes.map((p) => processDetails(p, src)),
    allStopped: g.processes.every((p) => STOPPED_STATES.has(p.state)),
  };
}
