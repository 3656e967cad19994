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

/** Basic credentials a test may send (serveRoutes sets none, so any are accepted). */
export const TEST_CREDENTIALS = { username: 'test', password: 'test-secret' };
export const AUTHORIZATION = `Basic ${Buffer.from(`${TEST_CREDENTIALS.username}:${TEST_CREDENTIALS.password}`).toString('base64')}`;

/**
 * Serves `routes` on 127.0.0.1 without credentials, trusted as the daemon's owner-only unix socket
 * is (so the JSON API may define commands; test/integration/server/command-access.test.ts covers
 * the refusal on an untrusted listener).
 */
export async function serveRoutes(pm: ProcessManager, routes: Route[]) {
  const server = await listenInet(createHandler({ supervisor: standInSupervisor(pm), routes, ownerOnly: true }), { host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  /** A JSON request; the body is parsed when there is one. */
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const init: RequestInit = { method, headers: { authorization: AUTHORIZATION } };
    if (body !== undefined) Object.assign(init, { body: JSON.stringify(body), headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' } });
    const res = await fetch(base + path, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  /** Any request; the body is parsed only when the answer is JSON. */
  const raw = async (method: string, path: string, init: RequestInit = {}) => {
    const res = await fetch(base + path, {
      method,
      ...init,
      headers: { authorization: AUTHORIZATION, ...(init.headers as Record<string, string> | undefined) },
    });
    const text = await res.text();
    const body: Json = res.headers.get('content-type') === 'application/json' ? JSON.parse(text) : undefined;
    return { status: res.status, headers: res.headers, body };
  };
  return { base, call, raw, close };
}
