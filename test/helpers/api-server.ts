// A manager's JSON API (and any other routes) served on 127.0.0.1:random for tests, behind a
// stand-in Supervisor, with JSON helpers. Close it with the returned close().
import type { AddressInfo } from 'node:net';
import { createHandler, listenInet, type Route } from '../../src/server/http-server.js';
import type { Supervisor } from '../../src/server/rpc-methods.js';
import type { ProcessManager } from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/**
 * A Supervisor whose daemon-level operations do nothing: the routes under test use only `pm`
 * (pass a getter when the test replaces the manager, as a daemon reload does).
 */
export function standInSupervisor(pm: ProcessManager | (() => ProcessManager)): Supervisor {
  const current = typeof pm === 'function' ? pm : () => pm;
  return {
    get pm() {
      return current();
    },
    pid: process.pid,
    shutdown() {},
    restart() {},
    reloadConfig: () => [[], [], []],
    addProcessGroup() {},
    removeProcessGroup() {},
    getAllConfigInfo: () => [],
  };
}

export async function serveRoutes(pm: ProcessManager, routes: Route[]) {
  const server = await listenInet(createHandler({ supervisor: standInSupervisor(pm), routes }), { host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  /** A JSON request; the body is parsed when there is one. */
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const init: RequestInit = { method };
    if (body !== undefined) Object.assign(init, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const res = await fetch(base + path, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  /** Any request; the body is parsed only when the answer is JSON. */
  const raw = async (method: string, path: string, init: RequestInit = {}) => {
    const res = await fetch(base + path, { method, ...init });
    const text = await res.text();
    const body: Json = res.headers.get('content-type') === 'application/json' ? JSON.parse(text) : undefined;
    return { status: res.status, headers: res.headers, body };
  };
  return { base, call, raw, close };
}
