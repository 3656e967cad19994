// The JSON HTTP API under /api/: programs as resources (a daemon-manager's "daemons" page),
// processes by namespec, logs (JSON or server-sent events) and quick runs. See docs/json-api.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProcessManager } from '../supervisor/manager.js';
import type { Route } from './http-server.js';
import {
  ApiError,
  checkCrossSite,
  expectObject,
  queryBoolean,
  readJson,
  rejectUnknownFields,
  type Reply,
  type RequestContext,
  sendError,
  sendJson,
} from './json-api-http.js';
import { actOnProcess, getLogs, getProcess, getStatus } from './json-api-processes.js';
import { ProgramService } from './json-api-programs.js';
import { RunRegistry } from './json-api-runs.js';
import { MemoryProgramStore, type ProgramStore } from './json-api-store.js';
import { COMMAND_ACCESS_HINT, mayDefineCommands } from './command-access.js';

export type { ProgramStore, StoredProgram } from './json-api-store.js';
export { MemoryProgramStore } from './json-api-store.js';
export type { ProgramView, Applied } from './json-api-programs.js';
export type { RunView } from './json-api-runs.js';
export type { ProcessStatus, ActionResult } from './json-api-status.js';
export type { ApiErrorBody, ApiErrorCode } from './json-api-http.js';

export interface JsonApiOptions {
  /** The current manager (a getter: a daemon reload replaces it). */
  manager: () => ProcessManager;
  /** Where program definitions live. Default: a new MemoryProgramStore. */
  store?: ProgramStore;
  /** How long an ended quick run is kept when its output is not read. Default 10 minutes. */
  retentionMs?: number;
}

/** The API's route, plus what its owner needs around reloads and shutdown. */
export type JsonApi = Route & {
  readonly store: ProgramStore;
  /** Adds every enabled stored program missing from the current manager (call after a reload); returns their names. */
  sync(): Promise<string[]>;
  /** Drops quick-run timers and listeners (the manager's shutdown stops the processes). */
  close(): void;
};

type Handler = (ctx: RequestContext) => Reply | undefined | Promise<Reply | undefined>;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const NO_FIELDS: ReadonlySet<string> = new Set();

/** Defining or changing a command needs a trusted listener or real credentials (see command-access.ts). */
function requireCommandAccess(ctx: RequestContext): void {
  if (!mayDefineCommands(ctx.req)) throw new ApiError(403, 'FORBIDDEN', `forbidden: ${COMMAND_ACCESS_HINT}`);
}

/** Path patterns relative to /api/; `:x` captures one URL-decoded segment. */
function buildRoutes(programs: ProgramService, runs: RunRegistry): [Method, string, Handler][] {
  const name = (ctx: RequestContext) => ctx.params.name ?? '';
  const wait = (ctx: RequestContext) => queryBoolean(ctx.url, 'wait', true);
  const noBody = (ctx: RequestContext) => rejectUnknownFields(expectObject(ctx.body, false), NO_FIELDS);
  const ok = (body: unknown, status = 200): Reply => ({ status, body });
  const edit = (merge: boolean) => async (ctx: RequestContext) => {
    requireCommandAccess(ctx);
    return ok(await programs.edit(name(ctx), ctx.body, { merge, restart: queryBoolean(ctx.url, 'restart', false), wait: wait(ctx) }));
  };
  const enable = (enabled: boolean) => async (ctx: RequestContext) => (noBody(ctx), ok({ program: await programs.setEnabled(name(ctx), enabled) }));
  const act = (action: 'start' | 'stop' | 'restart') => async (ctx: RequestContext) => (noBody(ctx), ok(await programs.act(name(ctx), action, wait(ctx))));
  return [
    ['GET', 'programs', async () => ok({ programs: await programs.list() })],
    ['POST', 'programs', async (ctx) => (requireCommandAccess(ctx), ok({ program: await programs.create(ctx.body) }, 201))],
    ['GET', 'programs/:name', async (ctx) => ok({ program: await programs.get(name(ctx)) })],
    ['PUT', 'programs/:name', edit(false)],
    ['PATCH', 'programs/:name', edit(true)],
    ['DELETE', 'programs/:name', async (ctx) => (noBody(ctx), await programs.remove(name(ctx)), { status: 204 })],
    ['POST', 'programs/:name/enable', enable(true)],
    ['POST', 'programs/:name/disable', enable(false)],
    ['POST', 'programs/:name/start', act('start')],
    ['POST', 'programs/:name/stop', act('stop')],
    ['POST', 'programs/:name/restart', act('restart')],
    ['GET', 'status', getStatus],
    ['GET', 'processes/:namespec', getProcess],
    ['POST', 'processes/:namespec/start', (ctx) => actOnProcess(ctx, programs, 'start')],
    ['POST', 'processes/:namespec/stop', (ctx) => actOnProcess(ctx, programs, 'stop')],
    ['POST', 'processes/:namespec/restart', (ctx) => actOnProcess(ctx, programs, 'restart')],
    ['POST', 'processes/:namespec/signal', (ctx) => actOnProcess(ctx, programs, 'signal')],
    ['GET', 'processes/:namespec/logs', getLogs],
    ['POST', 'processes/:namespec/clear-log', (ctx) => ({ status: 200, body: { cleared: ctx.pm.clearProcessLogs(ctx.params.namespec ?? '') } })],
    ['POST', 'run', async (ctx) => (requireCommandAccess(ctx), ok(await runs.create(ctx.body), 201))],
    ['GET', 'run', () => ok({ runs: runs.list() })],
    ['GET', 'run/:name', (ctx) => ok(runs.get(name(ctx)))],
    ['DELETE', 'run/:name', async (ctx) => (noBody(ctx), await runs.remove(name(ctx)), { status: 204 })],
    ['GET', 'run/:name/logs', (ctx) => ok(runs.logs(name(ctx)))],
  ];
}

/** Matches `segments` against a pattern; the captured parameters, or undefined. */
function match(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const seg = segments[i] as string;
    if (part.startsWith(':')) params[part.slice(1)] = seg;
    else if (part !== seg) return undefined;
  }
  return params;
}

/** The path below /api/ as decoded segments (one trailing slash ignored). */
function segmentsOf(pathname: string): string[] {
  const rest = pathname.slice('/api/'.length).replace(/\/$/, '');
  try {
    return rest.split('/').map((s) => decodeURIComponent(s));
  } catch {
    throw new ApiError(400, 'INVALID', `malformed URL path ${pathname}`);
  }
}

/**
 * The JSON API as a route for createHandler. Authentication is the server's; the route refuses
 * cross-site browser requests itself.
 *
 * @example
 * const api = createJsonApi({ manager: () => daemon.pm });
 * createHandler({ supervisor: daemon, routes: [api] });
 */
export function createJsonApi(options: JsonApiOptions): JsonApi {
  const store = options.store ?? new MemoryProgramStore();
  const programs = new ProgramService(options.manager, store);
  const runs = new RunRegistry({
    manager: options.manager,
    retentionMs: options.retentionMs,
    isReserved: async (name) => (await store.get(name)) !== undefined,
  });
  const table = buildRoutes(programs, runs);

  const serve = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const segments = segmentsOf(url.pathname);
    const candidates = table.map(([method, pattern, handler]) => ({ method, handler, params: match(pattern, segments) })).filter((c) => c.params);
    if (candidates.length === 0) throw new ApiError(404, 'NOT_FOUND', `no such endpoint: ${url.pathname}`);
    const found = candidates.find((c) => c.method === req.method);
    if (!found) {
      const allow = candidates.map((c) => c.method).join(', ');
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? ''} is not allowed on ${url.pathname} (allowed: ${allow})`, { allow });
    }
    checkCrossSite(req);
    const body = req.method === 'GET' ? undefined : await readJson(req);
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    const ctx: RequestContext = { req, res, url, params: found.params ?? {}, pm: options.manager(), body, signal: ac.signal };
    const reply = await found.handler(ctx);
    if (reply) sendJson(res, reply.status, reply.body);
  };

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return false;
    try {
      await serve(req, res, url);
    } catch (e) {
      sendError(res, e);
    }
    return true;
  };
  return Object.assign(route, {
    store,
    sync: () => programs.sync(),
    close: () => runs.close(),
  });
}
