// A ProcessManager behind createHandler with the status page, the events stream and the JSON API,
// on 127.0.0.1:random, closed after each test; and a small server-sent-events reader.
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { createEventsApi, type EventsApi } from '../../src/server/events-api.js';
import { standInSupervisor } from '../helpers/api-server.js';
import { createHandler, type Credentials, listenInet, type Route } from '../../src/server/http-server.js';
import { createJsonApi } from '../../src/server/json-api.js';
import { createStatusPage } from '../../src/server/status-page/status-page.js';
import type { ProgramConfig } from '../../src/supervisor/config.js';
import type { ProcessManager } from '../../src/supervisor/manager.js';
import { createTestManager } from '../helpers/manager.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

export interface StatusServer {
  pm: ProcessManager;
  base: string;
  events: EventsApi;
  /** Replaces the manager the routes see (as a daemon reload does). */
  replaceManager(next: ProcessManager): void;
}

export interface StatusServerOptions {
  credentials?: Credentials;
  heartbeatMs?: number;
  rebindCheckMs?: number;
  /** Start the manager (autostart). Default true. */
  start?: boolean;
  /** Routes tried before the others (fixtures of endpoints served elsewhere). */
  before?: Route[];
}

/** Routes in the order the daemon should use: events, JSON API, status page. */
export async function startStatusServer(options: StatusServerOptions = {}): Promise<StatusServer> {
  let pm: ProcessManager = createTestManager();
  if (options.start !== false) await pm.start();
  const manager = () => pm;
  const events = createEventsApi({ manager, heartbeatMs: options.heartbeatMs, rebindCheckMs: options.rebindCheckMs });
  const api = createJsonApi({ manager });
  const supervisor = standInSupervisor(() => pm);
  const routes = [...(options.before ?? []), events, api, createStatusPage({ manager })];
  const server = await listenInet(createHandler({ supervisor, credentials: options.credentials, routes }), { host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    events.close();
    api.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return {
    get pm() {
      return pm;
    },
    base,
    events,
    replaceManager(next) {
      pm = next;
    },
  };
}

/**
 * Adds many programs in one call, as the daemon adds a configuration file's groups
 * (addProcessGroup one by one re-reads /proc/net/tcp for PORT allocation each time).
 */
export function addPrograms(pm: ProcessManager, configs: readonly ProgramConfig[]): void {
  pm.addProcessGroups(configs);
}

export interface SseEvent {
  event: string;
  data: string;
}

export interface SseReader {
  /** Resolves with the next event matching `predicate` (skipping others); rejects after timeoutMs listing what came. */
  next(predicate?: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Every line received so far, comments included. */
  readonly raw: string[];
  close(): void;
}

/** Opens an event stream with fetch and parses it (EventSource is a browser API). */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader & { status: number; contentType: string }> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const queue: SseEvent[] = [];
  const raw: string[] = [];
  const waiters = new Set<() => void>();
  const seen: string[] = [];
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    let current: SseEvent = { event: 'message', data: '' };
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 1);
          raw.push(line);
          if (line === '') {
            if (current.data !== '' || current.event !== 'message') queue.push(current);
            current = { event: 'message', data: '' };
            for (const w of waiters) w();
          } else if (line.startsWith('event: ')) current.event = line.slice(7);
          else if (line.startsWith('data: ')) current.data = current.data ? `${current.data}\n${line.slice(6)}` : line.slice(6);
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    raw,
    next(predicate = () => true, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          while (queue.length) {
            const e = queue.shift() as SseEvent;
            seen.push(e.event);
            if (predicate(e)) {
              clearTimeout(timer);
              waiters.delete(check);
              resolve(e);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for an event; saw [${seen.join(', ')}]`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => ac.abort(),
  };
}
