// The web status page: GET / renders every process on the server (a complete, read-only page
// without JavaScript); the client under /static/status-page/ keeps it live from /api/events and
// acts through the JSON API; /status-page/usage.json and /status-page/log/… give it CPU and memory
// numbers and log downloads. See docs/status-page.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProcessManager } from '../../supervisor/manager.js';
import { PROCESS_STATES } from '../../supervisor/states.js';
import { isCrossSite, type Route } from '../http-server.js';
import { allStatuses } from '../events-api.js';
import { findAsset } from './assets.js';
import { ASSET_PREFIX, MARK_SCRIPTING_HASH, renderPage } from './page.js';
import { serveLogFile, serveUsage } from './downloads.js';
import { UsageSampler } from './usage.js';
import { pyQuote, runWebAction, tailView, UnknownWebAction, type FaultOf, type RpcCall } from './web-actions.js';
import { escapeHtml } from './view.js';

/** Read-only data the page asks for besides its assets: usage numbers and log downloads. */
const DATA_PREFIX = '/status-page/';

export interface StatusPageOptions {
  /** The current manager (a getter: a daemon reload replaces it). */
  manager: () => ProcessManager;
  /** XML-RPC with supervisord's semantics: enables supervisord's action links (web-actions.ts). */
  rpc?: { call: RpcCall; faultOf: FaultOf };
}

/** Scripts and styles only from this server, no inline code, never framed, no referrer leaks. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': `default-src 'none'; script-src 'self' ${MARK_SCRIPTING_HASH}; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

function send(req: IncomingMessage, res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function refuseMethod(req: IncomingMessage, res: ServerResponse): void {
  send(req, res, 405, `${req.method ?? ''} is not allowed here (allowed: GET, HEAD)\n`, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' });
}

function servePage(req: IncomingMessage, res: ServerResponse, url: URL, pm: ProcessManager): void {
  const state = url.searchParams.get('state') ?? '';
  const html = renderPage({
    identifier: pm.identifier,
    supervisor: pm.getState().statename,
    processes: allStatuses(pm),
    filter: { text: url.searchParams.get('q') ?? '', state: (PROCESS_STATES as readonly string[]).includes(state) ? state : '' },
    renderedAt: new Date(),
    ...(url.searchParams.get('message') ? { message: url.searchParams.get('message') as string } : {}),
  });
  send(req, res, 200, html, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
}

async function serveAsset(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const asset = await findAsset(name);
  if (!asset) return send(req, res, 404, 'Not Found\n', { 'Content-Type': 'text/plain; charset=utf-8' });
  const headers = { 'Content-Type': asset.type, ETag: asset.etag, 'Cache-Control': 'no-cache' };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, { ...SECURITY_HEADERS, ETag: asset.etag, 'Cache-Control': 'no-cache' });
    res.end();
    return;
  }
  send(req, res, 200, asset.body, headers);
}

/** The short page supervisord's server sends with a redirect or an error. */
function errorPage(code: number, reason: string): string {
  return `<head>\n<title>Error response</title>\n</head>\n<body>\n<h1>Error response</h1>\n<p>Error code ${code}.\n<p>Message: ${reason}.\n</body>`;
}

/** supervisord's `index.html?processname=…&action=…`: act, then 301 to `/?message=…`. */
async function serveAction(req: IncomingMessage, res: ServerResponse, url: URL, rpc: NonNullable<StatusPageOptions['rpc']>): Promise<void> {
  const html = { 'Content-Type': 'text/html' };
  if (isCrossSite(req)) return send(req, res, 403, 'Forbidden: cross-site request\n', { 'Content-Type': 'text/plain; charset=utf-8' });
  let message: string;
  try {
    message = await runWebAction(rpc.call, rpc.faultOf, url.searchParams.get('processname'), url.searchParams.get('action') ?? '');
  } catch (e) {
    if (!(e instanceof UnknownWebAction)) throw e;
    return send(req, res, 500, errorPage(500, 'Internal Server Error'), html);
  }
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const location = `${scheme}://${req.headers.host ?? 'localhost'}/?message=${pyQuote(message)}`;
  send(req, res, 301, errorPage(301, 'Moved Permanently'), { ...html, Location: location, 'Cache-Control': 'no-cache' });
}

/** supervisord's `tail.html?processname=NAME&limit=N`: the end of a process's stdout log, as a page. */
async function serveTail(req: IncomingMessage, res: ServerResponse, url: URL, rpc: NonNullable<StatusPageOptions['rpc']>): Promise<void> {
  // supervisord's form drops empty parameters: `processname=` is no process name at all.
  const view = await tailView(rpc.call, rpc.faultOf, url.searchParams.get('processname') || null, url.searchParams.get('limit'));
  const refresh =
    view.processname === null
      ? ''
      : `<p><a href="tail.html?processname=${escapeHtml(pyQuote(view.processname))}&amp;limit=${view.limit}">Refresh</a> · <a href="/">All processes</a></p>\n`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Supervisor tail of process ${escapeHtml(view.processname ?? 'None')}</title>
<link rel="stylesheet" href="${ASSET_PREFIX}style.css">
</head>
<body>
<pre id="tailbody">${escapeHtml(view.text)}</pre>
${refresh}</body>
</html>
`;
  send(req, res, 200, html, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
}

/**
 * The status page as a route for createHandler: `/` (and `/index.html`, with supervisord's action
 * links and `tail.html` when `rpc` is given), its assets under `/static/status-page/`, and its
 * read-only data under `/status-page/`. Authentication is the server's. Put it after the events
 * route and the JSON API; it claims nothing under /api/.
 *
 * @example
 * createHandler({ supervisor: daemon, routes: [createEventsApi({ manager }), createJsonApi({ manager }), createStatusPage({ manager })] });
 */
export function createStatusPage(options: StatusPageOptions): Route {
  const sampler = new UsageSampler();
  return async (req, res, url) => {
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    if (url.pathname === '/tail.html' && options.rpc) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return (refuseMethod(req, res), true);
      await serveTail(req, res, url, options.rpc);
      return true;
    }
    const isAsset = url.pathname.startsWith(ASSET_PREFIX);
    const isData = url.pathname.startsWith(DATA_PREFIX);
    if (!isPage && !isAsset && !isData) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return (refuseMethod(req, res), true);
    const reply = (status: number, body: string, headers: Record<string, string>) => send(req, res, status, body, headers);
    if (isData) {
      const rest = url.pathname.slice(DATA_PREFIX.length);
      if (rest === 'usage.json') serveUsage(options.manager(), sampler, reply);
      else if (rest.startsWith('log/')) await serveLogFile(req, res, options.manager(), rest.slice(4), reply, SECURITY_HEADERS);
      else reply(404, 'Not Found\n', { 'Content-Type': 'text/plain; charset=utf-8' });
      return true;
    }
    if (isPage && options.rpc && req.method === 'GET' && url.searchParams.get('action')) await serveAction(req, res, url, options.rpc);
    else if (isPage) servePage(req, res, url, options.manager());
    else await serveAsset(req, res, url.pathname.slice(ASSET_PREFIX.length));
    return true;
  };
}
