// supervisord's event types: their names, the tree of abstract types (subscribing to an abstract
// type subscribes to every type below it), the typed events procvisor raises, and each event's
// payload exactly as supervisord 4.2.5 renders it for listeners.
import type { ProcessState } from './states.js';

/** Every type name, with its parent (null for the root, EVENT). Order: supervisord's table. */
const PARENT = {
  EVENT: null,
  PROCESS_STATE: 'EVENT',
  PROCESS_STATE_STOPPED: 'PROCESS_STATE',
  PROCESS_STATE_EXITED: 'PROCESS_STATE',
  PROCESS_STATE_STARTING: 'PROCESS_STATE',
  PROCESS_STATE_STOPPING: 'PROCESS_STATE',
  PROCESS_STATE_BACKOFF: 'PROCESS_STATE',
  PROCESS_STATE_FATAL: 'PROCESS_STATE',
  PROCESS_STATE_RUNNING: 'PROCESS_STATE',
  PROCESS_STATE_UNKNOWN: 'PROCESS_STATE',
  PROCESS_COMMUNICATION: 'EVENT',
  PROCESS_COMMUNICATION_STDOUT: 'PROCESS_COMMUNICATION',
  PROCESS_COMMUNICATION_STDERR: 'PROCESS_COMMUNICATION',
  PROCESS_LOG: 'EVENT',
  PROCESS_LOG_STDOUT: 'PROCESS_LOG',
  PROCESS_LOG_STDERR: 'PROCESS_LOG',
  REMOTE_COMMUNICATION: 'EVENT',
  SUPERVISOR_STATE_CHANGE: 'EVENT',
  SUPERVISOR_STATE_CHANGE_RUNNING: 'SUPERVISOR_STATE_CHANGE',
  SUPERVISOR_STATE_CHANGE_STOPPING: 'SUPERVISOR_STATE_CHANGE',
  TICK: 'EVENT',
  TICK_5: 'TICK',
  TICK_60: 'TICK',
  TICK_3600: 'TICK',
  PROCESS_GROUP: 'EVENT',
  PROCESS_GROUP_ADDED: 'PROCESS_GROUP',
  PROCESS_GROUP_REMOVED: 'PROCESS_GROUP',
} as const;

/** Any event type name, abstract ones included (what `events=` and subscribe() accept). */
export type EventTypeName = keyof typeof PARENT;

export const EVENT_TYPE_NAMES: readonly EventTypeName[] = Object.keys(PARENT) as EventTypeName[];

export function isEventTypeName(name: string): name is EventTypeName {
  return Object.hasOwn(PARENT, name);
}

/** Whether an event of type `name` is delivered to a subscription to `type` (itself or an ancestor). */
export function isSubtype(name: EventTypeName, type: EventTypeName): boolean {
  for (let t: EventTypeName | null = name; t !== null; t = PARENT[t]) if (t === type) return true;
  return false;
}

/** The TICK types and their periods in seconds. */
export const TICK_PERIODS = { TICK_5: 5, TICK_60: 60, TICK_3600: 3600 } as const;
export type TickName = keyof typeof TICK_PERIODS;

interface ProcessRef {
  /** The process name (supervisord's `processname`). */
  processname: string;
  /** Its group (`groupname`). */
  groupname: string;
}

export interface ProcessStateFields extends ProcessRef {
  from_state: ProcessState;
  /** On STARTING and BACKOFF: the backoff counter. */
  tries?: number;
  /** On RUNNING, STOPPING, EXITED, STOPPED: the child's pid (0 when stopped from BACKOFF). */
  pid?: number;
  /** On EXITED: whether the exit code was expected. */
  expected?: boolean;
}

export interface ProcessOutputFields extends ProcessRef {
  pid: number;
  data: Buffer;
}

export interface RemoteCommunicationFields {
  /** The `type` the sender chose (the header of the payload). */
  commType: string;
  data: string;
}

export interface TickFields {
  /** Start of the new period, epoch seconds (a multiple of the period). */
  when: number;
}

export interface ProcessGroupFields {
  groupname: string;
}

/** The fields of each concrete event type. */
type Bodies = { [K in `PROCESS_STATE_${ProcessState}`]: ProcessStateFields } & {
  PROCESS_LOG_STDOUT: ProcessOutputFields;
  PROCESS_LOG_STDERR: ProcessOutputFields;
  PROCESS_COMMUNICATION_STDOUT: ProcessOutputFields;
  PROCESS_COMMUNICATION_STDERR: ProcessOutputFields;
  REMOTE_COMMUNICATION: RemoteCommunicationFields;
  SUPERVISOR_STATE_CHANGE_RUNNING: Record<never, never>;
  SUPERVISOR_STATE_CHANGE_STOPPING: Record<never, never>;
  TICK_5: TickFields;
  TICK_60: TickFields;
  TICK_3600: TickFields;
  PROCESS_GROUP_ADDED: ProcessGroupFields;
  PROCESS_GROUP_REMOVED: ProcessGroupFields;
};

/** The concrete type names (those an event can have). */
export type ConcreteEventName = keyof Bodies;

/** One event as raised, before any serial is given to it: `type` and that type's fields. */
export type EventData = { [K in ConcreteEventName]: { type: K } & Bodies[K] }[ConcreteEventName];

/** The events a subscription to `T` receives. */
export type EventOf<T extends EventTypeName> = T extends 'EVENT' ? EventData : Extract<EventData, { type: T | `${T}_${string}` }>;

/** Bytes as supervisord turns them into text: UTF-8, or its `Undecodable: b'…'` form. */
function asText(data: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return `Undecodable: ${bytesRepr(data)}`;
  }
}

function bytesRepr(data: Buffer): string {
  let out = '';
  for (const b of data) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `b'${out}'`;
}

/** The payload text supervisord sends after the envelope header. */
export function renderPayload(e: EventData): string {
  switch (e.type) {
    case 'PROCESS_LOG_STDOUT':
    case 'PROCESS_LOG_STDERR':
      return `processname:${e.processname} groupname:${e.groupname} pid:${e.pid} channel:${e.type === 'PROCESS_LOG_STDOUT' ? 'stdout' : 'stderr'}\n${asText(e.data)}`;
    case 'PROCESS_COMMUNICATION_STDOUT':
    case 'PROCESS_COMMUNICATION_STDERR':
      return `processname:${e.processname} groupname:${e.groupname} pid:${e.pid}\n${asText(e.data)}`;
    case 'REMOTE_COMMUNICATION':
      return `type:${e.commType}\n${e.data}`;
    case 'SUPERVISOR_STATE_CHANGE_RUNNING':
    case 'SUPERVISOR_STATE_CHANGE_STOPPING':
      return '';
    case 'TICK_5':
    case 'TICK_60':
    case 'TICK_3600':
      return `when:${e.when}`;
    case 'PROCESS_GROUP_ADDED':
    case 'PROCESS_GROUP_REMOVED':
      return `groupname:${e.groupname}\n`;
    default: {
      const parts = [`processname:${e.processname}`, `groupname:${e.groupname}`, `from_state:${e.from_state}`];
      if (e.tries !== undefined) parts.push(`tries:${e.tries}`);
      if (e.expected !== undefined) parts.push(`expected:${e.expected ? 1 : 0}`);
      if (e.pid !== undefined) parts.push(`pid:${e.pid}`);
      return parts.join(' ');
    }
  }
}

/**
 * The `len` supervisord puts in the header: the payload's length as Python counts a str (code
 * points, not bytes; its listener library reads a text stream, so it counts the same way).
 */
export function payloadLength(payload: string): number {
  let n = 0;
  for (const _ of payload) n++;
  return n;
}
