// What supervisord's RPC methods do with loosely typed arguments: offsets and lengths go through
// Python's int() (so '3' and 1.5 work), and the Python exceptions that escape a method become an
// HTTP 500 (a CRIT line in the main log) for a plain call, or a FAILED fault naming the exception's
// class inside system.multicall. A TypeError is INCORRECT_PARAMETERS, as supervisord's dispatcher
// maps it.
import type { ServerResponse } from 'node:http';
import { IncorrectParametersError } from '../errors.js';
import { pyInt, pyRepr } from '../dialect/python.js';
import type { Supervisor } from './rpc-methods.js';

/** A Python exception supervisord does not turn into a fault (`pyClass` is its class name). */
export class UnexpectedPythonError extends Error {
  constructor(
    readonly pyClass: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnexpectedPythonError';
  }

  /** The faultString supervisord's multicall reports: `FAILED: <class 'ValueError'>:message`. */
  get faultString(): string {
    return `FAILED: <class '${this.pyClass}'>:${this.message}`;
  }
}

/** Python's int() of an XML-RPC value. @throws UnexpectedPythonError (ValueError, OverflowError), IncorrectParametersError (TypeError) */
export function pyIntArg(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) throw new UnexpectedPythonError('ValueError', 'cannot convert float NaN to integer');
    if (!Number.isFinite(v)) throw new UnexpectedPythonError('OverflowError', 'cannot convert float infinity to integer');
    const n = Math.trunc(v);
    return n === 0 ? 0 : n;
  }
  if (typeof v === 'string') {
    try {
      return pyInt(v, 10);
    } catch (e) {
      throw new UnexpectedPythonError('ValueError', (e as Error).message);
    }
  }
  throw new IncorrectParametersError();
}

/**
 * What readLog and read*Log do with a ValueError from int(): they look its text up as a fault
 * name, which fails with an AttributeError.
 */
export function asFaultLookup(e: unknown): unknown {
  if (e instanceof UnexpectedPythonError && e.pyClass === 'ValueError') {
    return new UnexpectedPythonError('AttributeError', `type object 'Faults' has no attribute '${e.message}'`);
  }
  return e;
}

/** medusa's error page for an HTTP 500, as supervisord sends it. */
export const INTERNAL_ERROR_PAGE = [
  '<head>',
  '<title>Error response</title>',
  '</head>',
  '<body>',
  '<h1>Error response</h1>',
  '<p>Error code 500.',
  '<p>Message: Internal Server Error.',
  '</body>',
  '',
].join('\r\n');

/** A plain call that raised: supervisord logs it at CRIT and answers 500 with medusa's page. */
export function internalError(s: Supervisor, res: ServerResponse, request: string, e: UnexpectedPythonError): void {
  s.pm.mainLog.critical(`Handling XML-RPC request with data ${pyRepr(request)} raised an unexpected exception: ${e.pyClass}: ${e.message}`);
  res.writeHead(500, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(INTERNAL_ERROR_PAGE) });
  res.end(INTERNAL_ERROR_PAGE);
}
