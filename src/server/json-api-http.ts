// The JSON API's wire conventions: one error shape for every failure, supervisord faults mapped to
// HTTP statuses, strict body and query parsing (a bad request is a 4xx naming the field, never a
// 500), and the cross-site checks that keep a browser page from driving the API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError, FAULTS, type FaultName, isSupervisorError } from '../errors.js';
import type { ProcessManager } from '../supervisor/manager.js';
import { HttpError, readBody } from './http-server.js';
import { INLINE_DECODE_BYTES, OnePerTurn } from '../xmlrpc/decode-async.js';

/** What a JSON API handler is given. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameters, URL-decoded. */
  params: Readonly<Record<string, string>>;
  /** The manager serving this request (a daemon reload replaces it). */
  pm: ProcessManager;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
  /** Aborted when the client goes away (ends waits, never the operation). */
  signal: AbortSignal;
}

/** A handler's answer; undefined when the handler wrote the response itself (a stream). */
export interface Reply {
  status: number;
  body?: unknown;
}

/** Error codes of the JSON API: supervisord's fault names plus the API's own. */
export type ApiErrorCode =
  | FaultName
  | 'INVALID'
  | 'CONFLICT'
  | 'FLEET_UNAVAILABLE'
  | 'DISABLED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'FORBIDDEN'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_LARGE';

/** The body of every error response. */
export interface ApiErrorBody {
  error: {
    code: ApiErrorCode;
    /** supervisord's fault number, or null for the API's own codes. */
    faultCode: number | null;
    message: string;
    /** The request field (or config option) at fault, when there is one. */
    field?: string;
    /** The process's last output lines (SPAWN_ERROR, ABNORMAL_TERMINATION). */
    logs?: { stdout: string[]; stderr: string[] };
  };
}

/** A failure with its HTTP status already decided. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly extra: { field?: string | undefined; logs?: { stdout: string[]; stderr: string[] }; allow?: string } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 400 INVALID naming `field`. */
export function invalid(field: string | undefined, message: string): ApiError {
  return new ApiError(400, 'INVALID', message, { field });
}

const FAULT_STATUS: Partial<Record<FaultName, number>> = {
  BAD_NAME: 404,
  ALREADY_STARTED: 409,
  NOT_RUNNING: 409,
  STILL_RUNNING: 409,
  ALREADY_ADDED: 409,
  BAD_SIGNAL: 400,
  INCORRECT_PARAMETERS: 400,
  BAD_ARGUMENTS: 400,
  CANT_REREAD: 400,
  NO_FILE: 422,
  NOT_EXECUTABLE: 422,
  SPAWN_ERROR: 422,
  ABNORMAL_TERMINATION: 422,
  SHUTDOWN_STATE: 503,
  FAILED: 500,
};

/** The HTTP status a supervisord fault maps to. */
export function statusOfFault(code: FaultName): number {
  return FAULT_STATUS[code] ?? 500;
}

/** Turns anything thrown by a handler into a status and the API's error body. */
export function describeError(e: unknown): { status: number; body: ApiErrorBody; allow?: string } {
  if (e instanceof ApiError) {
    const faultCode = e.code in FAULTS ? FAULTS[e.code as FaultName] : null;
    const error: ApiErrorBody['error'] = { code: e.code, faultCode, message: e.message };
    if (e.extra.field !== undefined) error.field = e.extra.field;
    if (e.extra.logs) error.logs = e.extra.logs;
    return { status: e.status, body: { error }, ...(e.extra.allow ? { allow: e.extra.allow } : {}) };
  }
  if (e instanceof HttpError) {
    const code: ApiErrorCode = e.status === 413 ? 'TOO_LARGE' : 'INVALID';
    return { status: e.status, body: { error: { code, faultCode: null, message: e.message } } };
  }
  if (e instanceof ConfigError) {
    const error: ApiErrorBody['error'] = { code: 'CANT_REREAD', faultCode: e.faultCode, message: e.message };
    if (e.option !== undefined) error.field = e.option;
    return { status: 400, body: { error } };
  }
  if (isSupervisorError(e)) {
    return { status: statusOfFault(e.code), body: { error: { code: e.code, faultCode: e.faultCode, message: e.faultString } } };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { status: 500, body: { error: { code: 'FAILED', faultCode: FAULTS.FAILED, message: `FAILED: ${message}` } } };
}

/** Writes a JSON response (no body for 204). */
export function sendJson(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes the error response for `e`. */
export function sendError(res: ServerResponse, e: unknown): void {
  const { status, body, allow } = describeError(e);
  sendJson(res, status, body, allow ? { Allow: allow } : {});
}

const jsonTurns = new OnePerTurn();

const isJsonType = (type: string | undefined) => /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type ?? '');

/**
 * Refuses what a browser page on another site could send: a mutating request whose `Origin` is
 * not this server, or a body that is not declared JSON (a "simple" cross-site POST cannot declare
 * it without a CORS preflight, which this API never grants).
 */
export function checkCrossSite(req: IncomingMessage): void {
  if (req.method === 'GET' || req.method === 'HEAD') return;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw new ApiError(403, 'FORBIDDEN', `cross-site request refused (Origin: ${origin})`);
    }
    if (host !== req.headers.host) throw new ApiError(403, 'FORBIDDEN', `cross-site request refused (Origin: ${origin})`);
  } else if (origin === 'null') {
    throw new ApiError(403, 'FORBIDDEN', 'cross-site request refused (Origin: null)');
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') throw new ApiError(403, 'FORBIDDEN', 'cross-site request refused');
}

/**
 * Reads a JSON body: undefined when empty; otherwise it must be declared `application/json`.
 * @throws ApiError 400 (malformed), 415 (not JSON), HttpError 413 (too large)
 */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  if (raw.length === 0) return undefined;
  if (!isJsonType(req.headers['content-type'])) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `a request body must be sent as application/json, got ${req.headers['content-type'] ?? 'no Content-Type'}`,
    );
  }
  try {
    // Large bodies are parsed one per event-loop turn, so many at once never stall supervision.
    const text = raw.toString('utf8');
    return raw.length > INLINE_DECODE_BYTES ? await jsonTurns.run(() => JSON.parse(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (e) {
    throw invalid(undefined, `malformed JSON body: ${(e as Error).message}`);
  }
}

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body as an object; `required` turns an empty body into an error. */
export function expectObject(body: unknown, required: boolean): JsonObject {
  if (body === undefined && !required) return {};
  if (!isJsonObject(body)) throw invalid(undefined, 'the request body must be a JSON object');
  return body;
}

/** Refuses fields outside `allowed`, naming the first unknown one. */
export function rejectUnknownFields(body: JsonObject, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(body)) if (!allowed.has(key)) throw invalid(key, `unknown field '${key}'`);
}

/** A `true`/`false` query parameter. */
export function queryBoolean(url: URL, name: string, def: boolean): boolean {
  const v = url.searchParams.get(name);
  if (v === null) return def;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(name, `query parameter '${name}' must be true or false, got ${JSON.stringify(v)}`);
}

/** An integer query parameter, or undefined when absent. */
export function queryInteger(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  if (!/^-?\d{1,15}$/.test(v)) throw invalid(name, `query parameter '${name}' must be an integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** One of `choices`, or `def` when absent. */
export function queryChoice<T extends string>(url: URL, name: string, choices: readonly T[], def: T): T {
  const v = url.searchParams.get(name);
  if (v === null) return def;
  if (!(choices as readonly string[]).includes(v))
    throw invalid(name, `query parameter '${name}' must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}
