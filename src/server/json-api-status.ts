// A process's status as the JSON API reports it: getProcessInfo's fields plus the namespec and
// an uptime in seconds.
import type { ProcessStatusInfo } from '../supervisor/process-info.js';
import type { ProcessResult } from '../supervisor/manager.js';
import { makeNamespec } from '../supervisor/names.js';
import type { ProcessState } from '../supervisor/states.js';
import { FAULTS, type FaultName } from '../errors.js';

export interface ProcessStatus {
  name: string;
  group: string;
  /** `name` when group and process share it, else `group:name`. */
  namespec: string;
  /** supervisord's state code (20 = RUNNING). */
  state: number;
  statename: ProcessState;
  /** 0 when there is no child. */
  pid: number;
  /** Seconds since the start, only while RUNNING; null otherwise. */
  uptime: number | null;
  /** Epoch seconds of the last start attempt (0 if never). */
  start: number;
  /** Epoch seconds of the last exit (0 if never). */
  stop: number;
  exitstatus: number;
  spawnerr: string;
  description: string;
  /** Epoch ms of the next automatic retry or restart; null when none is pending. */
  nextRetryAt: number | null;
  /** Start attempts after the first. */
  restarts: number;
}

/**
 * The JSON API status of a process. Takes the status (getProcessStatus), not getProcessInfo's
 * struct, which lacks `restarts` and `nextRetryAt`.
 */
export function toStatus(info: ProcessStatusInfo): ProcessStatus {
  return {
    name: info.name,
    group: info.group,
    namespec: makeNamespec(info.group, info.name),
    state: info.state,
    statename: info.statename,
    pid: info.pid,
    uptime: info.statename === 'RUNNING' ? Math.max(0, info.now - info.start) : null,
    start: info.start,
    stop: info.stop,
    exitstatus: info.exitstatus,
    spawnerr: info.spawnerr,
    description: info.description,
    nextRetryAt: info.nextRetryAt || null,
    restarts: info.restarts,
  };
}

/** One entry of a group operation's result, with the fault name beside its number. */
export interface ActionResult extends ProcessResult {
  namespec: string;
  /** 'SUCCESS' or the fault's name. */
  code: FaultName;
}

const FAULT_NAMES = new Map<number, FaultName>(Object.entries(FAULTS).map(([k, v]) => [v, k as FaultName]));

export function toActionResult(r: ProcessResult): ActionResult {
  return { ...r, namespec: makeNamespec(r.group, r.name), code: FAULT_NAMES.get(r.status) ?? 'FAILED' };
}
