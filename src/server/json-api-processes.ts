// Processes by namespec: status, start / stop / restart / signal, and their logs (a byte range as
// JSON, or a live stream of lines as server-sent events).
import type { ServerResponse } from 'node:http';
import { isSupervisorError, NotRunningError } from '../errors.js';
import { readRange } from '../logs/tail.js';
import type { ProcessManager, ProcessResult } from '../supervisor/manager.js';
import { parseNamespec } from '../supervisor/names.js';
import type { SignalSpec } from '../supervisor/signals.js';
import {
  ApiError,
  expectObject,
  invalid,
  queryBoolean,
  queryChoice,
  queryInteger,
  rejectUnknownFields,
  type Reply,
  type RequestContext,
} from './json-api-http.js';
import type { ProgramService } from './json-api-programs.js';
import { toActionResult, toStatus } from './json-api-status.js';
import { statusesWithUsage, statusWithUsage } from './process-usage-view.js';
import { cutIfStalled, endEvent, followerLimits, SlowFollowerError } from './follow-limits.js';

export type ProcessAction = 'start' | 'stop' | 'restart' | 'signal';

/** How many output lines a SPAWN_ERROR / ABNORMAL_TERMINATION error carries. */
const ERROR_LOG_LINES = 20;
/** Bytes a log request without `offset` returns (supervisorctl tail's 1600). */
const DEFAULT_TAIL_BYTES = 1600;
const NO_FIELDS: ReadonlySet<string> = new Set();
const SIGNAL_FIELDS: ReadonlySet<string> = new Set(['signal']);

export function getStatus(ctx: RequestContext): Reply {
  return { status: 200, body: { supervisor: ctx.pm.getState(), processes: statusesWithUsage(ctx.pm) } };
}

export function getProcess(ctx: RequestContext): Reply {
  return { status: 200, body: statusWithUsage(ctx.pm, ctx.params.namespec ?? '') };
}

/** A failed start with the process's last output lines attached. */
function withLogs(pm: ProcessManager, namespec: string, e: unknown): unknown {
  if (!isSupervisorError(e) || (e.code !== 'SPAWN_ERROR' && e.code !== 'ABNORMAL_TERMINATION')) return e;
  const lines = (stream: 'stdout' | 'stderr') => {
    try {
      return pm.lastLines(namespec, ERROR_LOG_LINES, stream);
    } catch {
      return [];
    }
  };
  return new ApiError(422, e.code, e.faultString, { logs: { stdout: lines('stdout'), stderr: lines('stderr') } });
}

function parseSignal(body: unknown): SignalSpec {
  const obj = expectObject(body, true);
  rejectUnknownFields(obj, SIGNAL_FIELDS);
  const sig = obj.signal;
  if (typeof sig === 'string' || (typeof sig === 'number' && Number.isInteger(sig))) return sig;
  throw invalid('signal', 'field \'signal\' is required: a signal name ("HUP", "SIGUSR1") or number');
}

/** POST /api/processes/:namespec/:action — one process, or a group with `group:*`. */
export async function actOnProcess(ctx: RequestContext, programs: ProgramService, action: ProcessAction): Promise<Reply> {
  const namespec = ctx.params.namespec ?? '';
  const wait = queryBoolean(ctx.url, 'wait', true);
  const signal = action === 'signal' ? parseSignal(ctx.body) : undefined;
  if (action !== 'signal') rejectUnknownFields(expectObject(ctx.body, false), NO_FIELDS);
  const { group, process } = parseNamespec(namespec);
  const pm = ctx.pm;
  const opts = { wait, signal: ctx.signal };
  if (process === null) {
    if (signal !== undefined) return results(pm.signalProcessGroup(group, signal));
    if (action === 'stop') return results(await pm.stopProcessGroup(group, opts));
    if (action === 'restart') await pm.stopProcessGroup(group, { ...opts, wait: true });
    await programs.prepareStart(group);
    return results(await pm.startProcessGroup(group, opts));
  }
  try {
    if (signal !== undefined) pm.signalProcess(namespec, signal);
    else if (action === 'stop') await pm.stopProcess(namespec, opts);
    else {
      if (action === 'restart') await stopIfRunning(pm, namespec, ctx.signal);
      await programs.prepareStart(group);
      await pm.startProcess(namespec, opts);
    }
  } catch (e) {
    throw withLogs(pm, namespec, e);
  }
  return { status: 200, body: { process: toStatus(pm.getProcessStatus(namespec)) } };
}

function results(list: ProcessResult[]): Reply {
  return { status: 200, body: { results: list.map(toActionResult) } };
}

async function stopIfRunning(pm: ProcessManager, namespec: string, signal: AbortSignal): Promise<void> {
  try {
    await pm.stopProcess(namespec, { wait: true, signal });
  } catch (e) {
    if (!(e instanceof NotRunningError)) throw e;
  }
}

/**
 * GET /api/processes/:namespec/logs. Without `offset`: the last `length` bytes (tail). With
 * `offset` ≥ 0: the bytes from there (up to `length`), and the offset to ask for next. With a
 * negative `offset`: the last |offset| bytes. `follow=true` streams lines instead.
 */
export async function getLogs(ctx: RequestContext): Promise<Reply | undefined> {
  const namespec = ctx.params.namespec ?? '';
  const stream = queryChoice(ctx.url, 'stream', ['stdout', 'stderr'] as const, 'stdout');
  if (queryBoolean(ctx.url, 'follow', false)) return followLogs(ctx, namespec, stream);
  const offset = queryInteger(ctx.url, 'offset');
  const length = queryInteger(ctx.url, 'length');
  const pm = ctx.pm;
  const tail = (o: number, l: number) => (stream === 'stdout' ? pm.tailProcessStdoutLog(namespec, o, l) : pm.tailProcessStderrLog(namespec, o, l));
  const read = (o: number, l: number) => (stream === 'stdout' ? pm.readProcessStdoutLog(namespec, o, l) : pm.readProcessStderrLog(namespec, o, l));
  if (offset === undefined) {
    if (length !== undefined && length < 0) throw invalid('length', "query parameter 'length' must not be negative");
    const [data, next, overflow] = tail(0, length ?? DEFAULT_TAIL_BYTES);
    return { status: 200, body: { data, offset: next, overflow } };
  }
  readRange(0, offset, length ?? 0); // BAD_ARGUMENTS for supervisord's invalid combinations
  const [, size] = tail(0, 0);
  if (offset < 0) return { status: 200, body: { data: size > 0 ? read(offset, 0) : '', offset: size, overflow: false } };
  const available = Math.max(0, size - offset);
  const n = length ? Math.min(length, available) : available;
  const data = n > 0 ? read(offset, n) : '';
  return { status: 200, body: { data, offset: offset >= size ? size : offset + n, overflow: offset + n < size } };
}

/** One SSE event per line; a carriage return inside a line becomes a line break of the event. */
function sseEvent(line: string): string {
  return `${line
    .split(/\r\n|\r|\n/)
    .map((s) => `data: ${s}`)
    .join('\n')}\n\n`;
}

function drained(res: ServerResponse, dropped: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      dropped.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    dropped.addEventListener('abort', done);
  });
}

/** Heartbeat comments keep idle proxies from closing the stream. */
const HEARTBEAT_MS = 15_000;

/** `text/event-stream` of the process's lines until the client leaves or the process is removed. */
async function followLogs(ctx: RequestContext, namespec: string, stream: 'stdout' | 'stderr'): Promise<undefined> {
  const { res } = ctx;
  const ac = new AbortController();
  // Aborted (with the reason) when this follower queued too much: it is ended, not buffered.
  const dropped = new AbortController();
  const lines = ctx.pm.logLines(namespec, { stream, follow: true, signal: ac.signal, ...followerLimits((e) => dropped.abort(e)) });
  res.on('close', () => ac.abort());
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
  res.write(`: ${stream} of ${namespec.replace(/[\r\n]/g, ' ')}\n\n`);
  const heartbeat = setInterval(() => res.write(': keepalive\n\n'), HEARTBEAT_MS).unref();
  try {
    for await (const line of lines) {
      if (!res.write(sseEvent(line))) await drained(res, dropped.signal);
      if (res.destroyed || dropped.signal.aborted) break;
    }
  } catch (e) {
    if (!(e instanceof SlowFollowerError)) throw e;
  } finally {
    clearInterval(heartbeat);
    if (!res.destroyed && !res.writableEnded) res.write(endEvent(dropped.signal.reason));
    res.end();
    if (dropped.signal.aborted) cutIfStalled(res);
  }
  return undefined;
}
