// The host every process of a manager runs on: clock, spawn, environment, orphan guard, and where
// transitions, output and activity-log lines go.
import type { EventEmitter } from 'eventemitter3';
import type { Clock } from './clock.js';
import type { Channel } from './config.js';
import type { KeptOutput, ManagerEvents, OutputTap, ProcessStateEvent } from './events.js';
import { formatChildOutput, type MainLog } from '../logs/main-log.js';
import { pipeReads } from '../logs/pipe-reads.js';
import { Syslog } from '../logs/syslog.js';
import { NotifySockets } from './notify-socket.js';
import { holdWatchdog, newGuardValue } from './orphan-guard.js';
import type { ProcessHost, SupervisedProcess } from './process.js';
import type { Spawner } from './spawner.js';
import type { SupervisorState } from './states.js';

export type LogLevel = 'critical' | 'error' | 'warn' | 'info' | 'debug';

/** Where the manager's activity log goes (the daemon passes its main log). */
export interface ActivityLogger {
  log(level: LogLevel, message: string): void;
}

export interface HostWiring {
  clock: Clock;
  spawner: Spawner;
  orphanGuard: boolean;
  /** The environment children start from, `[supervisord] environment` merged in. */
  environment: Readonly<Record<string, string | undefined>>;
  serverUrl: string | null;
  mainLog: MainLog;
  logger: ActivityLogger | undefined;
  events: EventEmitter<ManagerEvents>;
  mood(): SupervisorState;
  /** After every transition (dependents waiting to autostart, the memory sampler). */
  afterTransition(event: ProcessStateEvent): void;
  /** Output before it is logged (event listener protocol, capture mode). */
  divert?: ProcessHost['divert'];
  /** Whether `divert` may keep output of this channel (a listener's protocol, capture mode). */
  diverts?: ProcessHost['keepsOutput'];
  /** Output listeners that copy what they keep: they get the read buffer itself. */
  outputTaps: ReadonlySet<OutputTap>;
  /** supervisord's `strip_ansi`. */
  stripAnsi: boolean;
  /** Where `stdout_syslog` / `stderr_syslog` output goes; default: a syslog of this manager's own. */
  syslog: Syslog | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The host, and what to call once its manager has shut down (lets go of the orphan guard). */
export function createProcessHost(w: HostWiring): { host: ProcessHost; release: () => Promise<void> } {
  const { mainLog, logger, events } = w;
  const releaseGuard = w.orphanGuard ? holdWatchdog() : () => Promise.resolve();
  // A manager's own syslog helper starts with the first line for it and ends with the manager.
  let datagrams: NotifySockets | undefined;
  const syslog = w.syslog ?? new Syslog(() => (datagrams ??= new NotifySockets()));
  const release = () => {
    datagrams?.close();
    return releaseGuard();
  };
  const host: ProcessHost = {
    clock: w.clock,
    spawner: w.spawner,
    guardValue: w.orphanGuard ? newGuardValue() : null,
    stripAnsi: w.stripAnsi,
    canAutoStart: () => w.mood() === 'RUNNING',
    baseEnvironment: () => w.environment,
    serverUrl: () => w.serverUrl,
    emitState: (ev) => {
      events.emit('processState', ev);
      w.afterTransition(ev);
    },
    output: (proc: SupervisedProcess, channel: Channel, chunk: Buffer, log?: KeptOutput) => {
      const spec = channel === 'stdout' ? proc.spec.stdout : proc.spec.stderr;
      const event = { name: proc.name, group: proc.group, pid: proc.pid, channel, data: chunk };
      // One event per read of supervisord's pipe: a listener never gets a larger payload.
      if (spec.events_enabled) for (const data of pipeReads(chunk)) events.emit('processLog', data === chunk ? event : { ...event, data });
      events.emit('processOutput', event);
      for (const tap of w.outputTaps) tap(event, log);
      if (log && spec.syslog) toSyslog(syslog, proc.name, chunk);
      if (mainLog.isEnabled('debug')) mainLog.debug(formatChildOutput(proc.name, channel, chunk));
    },
    keepsOutput: (proc: SupervisedProcess, channel: Channel) =>
      (channel === 'stdout' ? proc.spec.stdout : proc.spec.stderr).events_enabled ||
      events.listenerCount('processOutput') > 0 ||
      (w.diverts?.(proc, channel) ?? false),
    log: (level, message) => {
      mainLog.log(level, message);
      logger?.log(level, message);
    },
    ...(w.divert ? { divert: w.divert } : {}),
  };
  return { host, release };
}

/** supervisord's `NAME LINE` syslog lines of a piece of output; bytes that are not UTF-8 are not sent (supervisord's handler fails on them). */
function toSyslog(syslog: Syslog, name: string, chunk: Buffer): void {
  let text: string;
  try {
    text = utf8.decode(chunk);
  } catch {
    return;
  }
  syslog.record(text, (line) => `${name} ${line}`);
}
