// `[eventlistener:x]` as an object: every `[program:x]` option plus `events`, `buffer_size` and
// `result_handler`, with supervisord's checks and defaults (priority -1: listeners start first and
// stop last). A listener's stdout is the protocol channel, so capture mode and PROCESS_LOG events
// never apply to it (they still apply to its stderr).
import { ConfigError } from '../errors.js';
import { type GroupSpec, type ProgramConfig, type ResolveContext, resolveProgram } from './config.js';
import { DEFAULT_RESULT_HANDLER, type ListenerPoolSpec } from './event-pool.js';
import { type EventTypeName, isEventTypeName } from './event-types.js';
import { pyStrip } from '../dialect/python.js';

export interface EventListenerConfig extends ProgramConfig {
  /** Marks an event listener pool (what `[eventlistener:x]` is). */
  type: 'eventlistener';
  /** Event type names (abstract ones subscribe to their subtypes), a list or comma-separated text. */
  events: string | readonly string[];
  /** Events queued at most (default 10); the oldest is dropped on overflow. */
  buffer_size?: number;
  /** Only supervisord's `supervisor.dispatchers:default_handler` (the default). */
  result_handler?: string;
}

export const LISTENER_KEYS: ReadonlySet<string> = new Set(['type', 'events', 'buffer_size', 'result_handler']);
export const LISTENER_DEFAULT_PRIORITY = -1;
export const DEFAULT_BUFFER_SIZE = 10;

export function isListenerConfig(config: unknown): config is EventListenerConfig {
  return typeof config === 'object' && config !== null && (config as { type?: unknown }).type === 'eventlistener';
}

/** The checks supervisord makes on an `[eventlistener:x]` section, in its order; returns the pool spec. */
export function listenerPoolSpec(
  section: string,
  values: { buffer_size?: unknown; result_handler?: unknown; events?: unknown; redirect_stderr?: unknown },
): ListenerPoolSpec & { option?: string } {
  const fail = (message: string, option: string): never => {
    throw new ConfigError(message, { section, option });
  };
  const bufferSize = values.buffer_size ?? DEFAULT_BUFFER_SIZE;
  if (typeof bufferSize !== 'number' || !Number.isInteger(bufferSize))
    fail(`[${section}] option 'buffer_size' must be an integer, got ${valueText(bufferSize)}`, 'buffer_size');
  if ((bufferSize as number) < 1) fail(`[${section}] section sets invalid buffer_size (${valueText(bufferSize)})`, 'buffer_size');
  const handler = values.result_handler ?? DEFAULT_RESULT_HANDLER;
  if (typeof handler !== 'string' || pyStrip(handler) !== DEFAULT_RESULT_HANDLER) {
    fail(`${valueText(handler)} cannot be resolved within [${section}] (procvisor runs only the default handler, ${DEFAULT_RESULT_HANDLER})`, 'result_handler');
  }
  const raw = values.events;
  const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? (raw as unknown[]).map(String) : [];
  const names = [...new Set(list.map((x) => pyStrip(x).toUpperCase()).filter((x) => x !== ''))];
  if (names.length === 0) fail(`[${section}] section requires an "events" line`, 'events');
  for (const n of names) if (!isEventTypeName(n)) fail(`Unknown event type ${n} in [${section}] events`, 'events');
  if (values.redirect_stderr === true) {
    fail(`[${section}] section sets redirect_stderr=true but this is not allowed because it will interfere with the eventlistener protocol`, 'redirect_stderr');
  }
  return { events: names as EventTypeName[], bufferSize: bufferSize as number, resultHandler: DEFAULT_RESULT_HANDLER };
}

/** Listener processes: no capture mode and no PROCESS_LOG events on stdout (the protocol channel). */
export function asListenerProcesses(spec: GroupSpec, listener: ListenerPoolSpec): GroupSpec {
  for (const p of spec.processes) p.stdout = { ...p.stdout, capture_maxbytes: 0, events_enabled: false };
  return { ...spec, listener };
}

/** Resolves an EventListenerConfig (the embedded API) into its group. */
export function resolveListenerGroup(config: EventListenerConfig, ctx: ResolveContext): GroupSpec {
  const name = typeof config.name === 'string' ? pyStrip(config.name) : String(config.name);
  const section = `eventlistener:${name}`;
  const listener = listenerPoolSpec(section, config);
  const { type: _type, events: _events, buffer_size: _size, result_handler: _handler, ...program } = config;
  // The pool's priority defaults to -1 (listeners start first, stop last); its processes keep the
  // program default, as in supervisord.
  const processes = resolveProgram(program, name, { ...ctx, section: ctx.section ?? section });
  const priority = typeof program.priority === 'number' ? program.priority : LISTENER_DEFAULT_PRIORITY;
  return asListenerProcesses({ name, priority, processes }, listener);
}

/** A configuration value as an error message shows it (an object as JSON, not [object Object]). */
function valueText(v: unknown): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}
