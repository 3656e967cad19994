// /api/fleet: the fleet's resources on every node's JSON API (see docs/fleet.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../server/http-server.js';
import { ApiError, checkCrossSite, expectObject, queryInteger, readJson, rejectUnknownFields, sendError, sendJson } from '../server/json-api-http.js';
import { COMMAND_ACCESS_HINT, mayDefineCommands } from '../server/command-access.js';
import type { FleetService } from './service.js';

const PREFIX = '/api/fleet';
const NO_FIELDS: ReadonlySet<string> = new Set();

/** The route; `service()` is undefined while the daemon has no [fleet] (then 404). */
export function createFleetApi(service: () => FleetService | undefined): Route {
  const serve = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const fleet = service();
    if (!fleet) throw new ApiError(404, 'NOT_FOUND', 'this daemon is not in a fleet (no [fleet] section in its configuration)');
    let parts: string[];
    try {
      parts = url.pathname.slice(PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new ApiError(400, 'INVALID', `malformed URL path ${url.pathname}`);
    }
    const method = req.method ?? 'GET';
    const allow = (methods: string[]) => {
      if (!methods.includes(method))
        throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname} (allowed: ${methods.join(', ')})`, {
          allow: methods.join(', '),
        });
    };
    checkCrossSite(req);
    const body = method === 'GET' ? undefined : await readJson(req);
    const defining = () => {
      if (!mayDefineCommands(req)) throw new ApiError(403, 'FORBIDDEN', `forbidden: ${COMMAND_ACCESS_HINT}`);
    };
    const [resource, name, action, ...rest] = parts;
    if (rest.length > 0) throw new ApiError(404, 'NOT_FOUND', `no such endpoint: ${url.pathname}`);
    if (resource === undefined) return (allow(['GET']), sendJson(res, 200, fleet.info()));
    if (resource === 'nodes' && name === undefined) return (allow(['GET']), sendJson(res, 200, { nodes: await fleet.nodes() }));
    if (resource === 'processes' && name === undefined) return (allow(['GET']), sendJson(res, 200, { processes: await fleet.processes() }));
    if (resource !== 'programs') throw new ApiError(404, 'NOT_FOUND', `no such endpoint: ${url.pathname}`);
    if (name === undefined) {
      allow(['GET', 'POST']);
      if (method === 'GET') return sendJson(res, 200, { programs: await fleet.programs() });
      defining();
      return sendJson(res, 201, { program: await fleet.create(body) });
    }
    if (action === undefined) {
      allow(['GET', 'PUT', 'PATCH', 'DELETE']);
      if (method === 'GET') return sendJson(res, 200, { program: await fleet.program(name) });
      if (method === 'DELETE') {
        rejectUnknownFields(expectObject(body, false), NO_FIELDS);
        await fleet.delete(name);
        return sendJson(res, 200, { deleted: name });
      }
      defining();
      return sendJson(res, 200, { program: await fleet.edit(name, body, method === 'PATCH') });
    }
    if (action !== 'start' && action !== 'stop' && action !== 'restart') throw new ApiError(404, 'NOT_FOUND', `no such endpoint: ${url.pathname}`);
    allow(['POST']);
    rejectUnknownFields(expectObject(body, false), NO_FIELDS);
    const timeout = queryInteger(url, 'timeout') ?? 30;
    if (timeout < 1 || timeout > 600) throw new ApiError(400, 'INVALID', `timeout must be 1..600 seconds, got ${timeout}`, { field: 'timeout' });
    return sendJson(res, 200, { results: await fleet.act(name, action, timeout * 1000) });
  };

  return async (req, res, url) => {
    if (url.pathname !== PREFIX && !url.pathname.startsWith(`${PREFIX}/`)) return false;
    try {
      await serve(req, res, url);
    } catch (e) {
      sendError(res, e);
    }
    return true;
  };
}
