// GET /api/logs: the lines of many processes merged into one server-sent-events stream (what
// `procvisorctl logs -f` reads). First the recent lines (the last `lines`, or all kept since
// `since`), then, with `follow` (the default), each new line as it is written, until the client
// leaves or the supervisor shuts down. Each event is `event: line` with the JSON of a LogLine.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadNameError } from '../errors.js';
import type { ProcessManager } from '../supervisor/manager.js';
import { parseNamespec } from '../supervisor/names.js';
import type { SupervisorState } from '../supervisor/states.js';
import type { Route } from './http-server.js';
import { ApiError, invalid, queryBoolean, queryChoice, queryInteger, sendError } from './json-api-http.js';
import { LogHub, type LogFilter, type LogLine } from './log-hub.js';

export interface LogsApiOptions {
  /** The current manager (a getter: a daemon reload replaces it). */
  manager: () => ProcessManager;
  /** Interval of the keepalive comment. Default 15 s. */
  heartbeatMs?: number;
  /** A client with more unsent bytes than this is dropped. Default 4 MiB. */
  maxBufferedBytes?: number;
}

export type LogsApi = Route & {
  /** Stops collecting lines and ends every stream. */
  close(): void;
};

const PATH = '/api/logs';
/** Lines sent first when neither `lines` nor `since` is given. */
const DEFAULT_LINES = 20;

/** `since`: epoch milliseconds, or an ISO 8601 date. */
function parseSince(url: URL): number | undefined {
  const v = url.searchParams.get('since');
  if (v === null) return undefined;
  const n = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(n)) throw invalid('since', `query parameter 'since' must be epoch milliseconds or an ISO 8601 date, got ${JSON.stringify(v)}`);
  return n;
}

/** The `name` parameters (repeated, or comma-separated); each must name a group or process. */
function parseNames(url: URL, pm: ProcessManager): string[] {
  const names = url.searchParams
    .getAll('name')
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    const { group, process } = parseNamespec(n);
    const g = pm.getGroupDetails(group);
    if (!g || (process !== null && process !== group && !g.processes.some((p) => p.name === process))) throw new BadNameError(n);
  }
  return names;
}

function frame(l: LogLine): string {
  return `event: line\ndata: ${JSON.stringify(l)}\n\n`;
}

/**
 * The merged log stream as a route for createHandler; put it before the JSON API's route, which
 * answers every other path under /api/. It starts collecting lines when created.
 *
 * @example
 * const logs = createLogsApi({ manager: () => daemon.pm });
 * createHandler({ supervisor: daemon, routes: [logs, createJsonApi({ manager: () => daemon.pm })] });
 */
export function createLogsApi(options: LogsApiOptions): LogsApi {
  let hub: LogHub | undefined;
  const streams = new Set<ServerResponse>();
  const hubFor = (pm: ProcessManager): LogHub => {
    if (hub?.pm !== pm) {
      hub?.close();
      hub = new LogHub(pm);
    }
    return hub;
  };
  hubFor(options.manager());

  const serve = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    if (req.method !== 'GET') throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? ''} is not allowed on ${PATH} (allowed: GET)`, { allow: 'GET' });
    const pm = options.manager();
    const h = hubFor(pm);
    const filter: LogFilter = { names: parseNames(url, pm) };
    const stream = queryChoice(url, 'stream', ['both', 'stdout', 'stderr'] as const, 'both');
    if (stream !== 'both') filter.stream = stream;
    const since = parseSince(url);
    const lines = queryInteger(url, 'lines');
    if (lines !== undefined && lines < 0) throw invalid('lines', "query parameter 'lines' must not be negative");
    const follow = queryBoolean(url, 'follow', true);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    const backlog = h.history(filter, { since, lines: since === undefined ? (lines ?? DEFAULT_LINES) : lines });
    res.write(backlog.map(frame).join(''));
    if (!follow) {
      res.end('event: end\ndata: \n\n');
      return;
    }
    const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    const unsubscribe = h.subscribe(filter, (l) => {
      if (res.writableLength > maxBuffered) res.destroy();
      else res.write(frame(l));
    });
    const heartbeat = setInterval(() => res.write(': keepalive\n\n'), options.heartbeatMs ?? 15_000).unref();
    const onMood = (state: SupervisorState) => {
      if (state === 'SHUTDOWN') end();
    };
    const end = () => {
      cleanup();
      if (!res.writableEnded) res.end('event: end\ndata: \n\n');
    };
    const cleanup = () => {
      unsubscribe();
      clearInterval(heartbeat);
      pm.off('supervisorState', onMood);
      streams.delete(res);
    };
    streams.add(res);
    pm.on('supervisorState', onMood);
    res.on('close', cleanup);
  };

  const route = (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (url.pathname !== PATH && url.pathname !== `${PATH}/`) return false;
    try {
      serve(req, res, url);
    } catch (e) {
      sendError(res, e);
    }
    return true;
  };
  return Object.assign(route, {
    close: () => {
      for (const res of [...streams]) res.end('event: end\ndata: \n\n');
      streams.clear();
      hub?.close();
      hub = undefined;
    },
  });
}
