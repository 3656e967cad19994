// Downloads for the status page: a process's whole log file (GET /status-page/log/:namespec/:stream,
// sent as an attachment) and the usage numbers (GET /status-page/usage.json). Read-only; the
// server's authentication applies as to every route.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProcessManager } from '../../supervisor/manager.js';
import type { UsageSampler } from './usage.js';

type Send = (status: number, body: string, headers: Record<string, string>) => void;
const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

/** `web-stdout.log`, `pool_w0-stderr.log`: a file name without path or quoting characters. */
export function downloadName(namespec: string, stream: string): string {
  return `${namespec.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stream}.log`;
}

/** Sends the log file of `rest` (`<namespec>/<stdout|stderr>`, URL-encoded) as an attachment. */
export async function serveLogFile(
  req: IncomingMessage,
  res: ServerResponse,
  pm: ProcessManager,
  rest: string,
  send: Send,
  headers: Record<string, string>,
): Promise<void> {
  const slash = rest.lastIndexOf('/');
  let namespec: string;
  try {
    namespec = decodeURIComponent(rest.slice(0, slash));
  } catch {
    return send(400, 'Bad Request: malformed process name\n', TEXT);
  }
  const stream = rest.slice(slash + 1);
  if (slash < 0 || (stream !== 'stdout' && stream !== 'stderr')) return send(404, 'Not Found: expected /status-page/log/<namespec>/stdout or /stderr\n', TEXT);
  let path: string;
  try {
    const info = pm.getProcessInfo(namespec);
    path = stream === 'stdout' ? info.stdout_logfile : info.stderr_logfile;
  } catch {
    return send(404, `Not Found: no process ${namespec}\n`, TEXT);
  }
  const size = path
    ? await stat(path)
        .then((s) => s.size)
        .catch(() => undefined)
    : undefined;
  if (size === undefined) return send(404, `Not Found: ${namespec} has no ${stream} log file\n`, TEXT);
  res.writeHead(200, {
    ...headers,
    ...TEXT,
    'Content-Length': size,
    'Content-Disposition': `attachment; filename="${downloadName(namespec, stream)}"`,
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') return void res.end();
  // Exactly the bytes present when asked: a log that grows meanwhile is cut at that size.
  createReadStream(path, { start: 0, end: Math.max(0, size - 1) })
    .on('error', () => res.destroy())
    .pipe(res);
  if (size === 0) res.end();
}

/** The usage numbers as JSON. */
export function serveUsage(pm: ProcessManager, sampler: UsageSampler, send: Send): void {
  send(200, JSON.stringify(sampler.sample(pm)), { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
}
