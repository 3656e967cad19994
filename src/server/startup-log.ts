// The lines supervisord logs each time it (re)starts, and the RPC namespaces it serves: its HTTP
// servers are made after the groups, inet first, then unix; for each it logs one `RPC interface
// 'x' initialized` per `[rpcinterface:x]`, then a CRIT when the server has no credentials. A
// `[rpcinterface:x]` with the main factory serves the supervisor methods under `x.`; without any,
// only `system.*` is served.
import { pyRepr, pyStrip } from '../dialect/python.js';
import type { DaemonConfig } from './daemon-config.js';

const MAIN_FACTORY = 'supervisor.rpcinterface:make_main_rpcinterface';

/** The namespaces the supervisor methods are served under, in the file's order. */
export function rpcNamespaces(config: DaemonConfig): string[] {
  return (config.raw.rpcinterface ?? []).filter((r) => pyStrip(r.factory) === MAIN_FACTORY).map((r) => r.name);
}

export type StartupLine = ['info' | 'critical', string];

/** What supervisord logs while it makes its HTTP servers. */
export function serverLines(config: DaemonConfig): StartupLine[] {
  const out: StartupLine[] = [];
  const servers: Array<[string, boolean]> = [];
  if (config.inet) servers.push(['inet_http_server', config.inet.credentials !== undefined]);
  if (config.unix) servers.push(['unix_http_server', config.unix.credentials !== undefined]);
  for (const [section, authenticated] of servers) {
    for (const name of rpcNamespaces(config)) out.push(['info', `RPC interface ${pyRepr(name)} initialized`]);
    if (!authenticated) out.push(['critical', `Server ${pyRepr(section)} running without any HTTP authentication checking`]);
  }
  return out;
}
