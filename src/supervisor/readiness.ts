// Readiness checks: a STARTING process becomes RUNNING only once startsecs has passed AND every
// check passes — a TCP port accepting connections, an HTTP URL answering with the expected status,
// a log line matching a pattern (n times), a file appearing, a custom async function, or (like
// systemd's Type=notify) READY=1 sent to the $NOTIFY_SOCKET the process is given.
import { access } from 'node:fs/promises';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { longSleep } from './clock.js';

export type ReadyCheck =
  | { tcp: number | string }
  | { http: string; status?: number }
  | { log: string | RegExp; count?: number; stream?: 'stdout' | 'stderr' }
  | { file: string }
  | { custom: (ctx: ReadyContext) => Promise<boolean | void> | boolean | void }
  /** READY=1 on $NOTIFY_SOCKET; with `watchdog` (seconds) WATCHDOG=1 must follow at least that often. */
  | { notify: true; watchdog?: number };

export interface ReadinessConfig {
  /** Every check must pass. */
  checks: readonly ReadyCheck[];
  /** Seconds from the spawn; a timeout is a failed start (BACKOFF). Required. */
  timeout: number;
  /** Milliseconds between attempts of polled checks (tcp, http, file, custom). Default 100. */
  interval?: number;
}

export interface ReadyContext {
  pid: number;
  name: string;
  signal: AbortSignal;
  /** The process's notification messages (for `notify` checks), as fields; returns the unsubscriber. */
  notifications?: ((fn: (fields: Record<string, string>) => void) => () => void) | undefined;
}

/** Lines a process writes, for log checks: calls `fn` per line until the returned function is called. */
export type LineSource = (stream: 'stdout' | 'stderr', fn: (line: string) => void) => () => void;

function describeCheck(c: ReadyCheck): string {
  if ('tcp' in c) return `tcp ${c.tcp}`;
  if ('http' in c) return `http ${c.http}${c.status ? ` (status ${c.status})` : ''}`;
  if ('log' in c) return `log /${c.log instanceof RegExp ? c.log.source : c.log}/${(c.count ?? 1) > 1 ? ` ×${c.count}` : ''}`;
  if ('file' in c) return `file ${c.file}`;
  if ('notify' in c) return 'READY=1 on NOTIFY_SOCKET';
  return 'custom check';
}

function tcpOnce(target: number | string, signal: AbortSignal): Promise<boolean> {
  const [host, port] =
    typeof target === 'number'
      ? ['127.0.0.1', target]
      : target.includes(':')
        ? [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))]
        : ['127.0.0.1', Number(target)];
  return new Promise((resolve) => {
    const s = connect({ host: host || '127.0.0.1', port, signal });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => (s.destroy(), resolve(false)));
  });
}

function httpOnce(url: string, status: number | undefined, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? httpsRequest : request)(url, { method: 'GET', signal, timeout: 2000 }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(status !== undefined ? code === status : code >= 200 && code < 400);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

async function fileOnce(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return longSleep(ms, signal);
}

async function poll(once: () => Promise<boolean>, interval: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    if (await once()) return;
    await sleep(interval, signal);
  }
}

function logCheck(c: { log: string | RegExp; count?: number; stream?: 'stdout' | 'stderr' }, lines: LineSource, signal: AbortSignal): Promise<void> {
  const re = c.log instanceof RegExp ? c.log : new RegExp(c.log);
  const need = c.count ?? 1;
  return new Promise((resolve) => {
    let seen = 0;
    const stop = lines(c.stream ?? 'stdout', (line) => {
      if (re.test(line) && ++seen >= need) {
        stop();
        resolve();
      }
    });
    signal.addEventListener('abort', () => (stop(), resolve()), { once: true });
  });
}

function notifyCheck(ctx: ReadyContext): Promise<void> {
  const { signal, notifications } = ctx;
  return new Promise((resolve) => {
    if (!notifications) return signal.addEventListener('abort', () => resolve(), { once: true });
    const stop = notifications((fields) => {
      if (fields.READY === '1') {
        stop();
        resolve();
      }
    });
    signal.addEventListener('abort', () => (stop(), resolve()), { once: true });
  });
}

/** The `notify` check of a readiness configuration, if it has one. */
export function notifyCheckOf(config: ReadinessConfig | null): { notify: true; watchdog?: number } | undefined {
  return config?.checks.find((c): c is { notify: true; watchdog?: number } => 'notify' in c);
}

/**
 * Runs every check until all pass (resolves) or `signal` aborts (resolves too: the caller owns the
 * timeout). Returns the checks still failing, described, so a timeout can say which.
 */
export async function runChecks(config: ReadinessConfig, ctx: ReadyContext, lines: LineSource): Promise<string[]> {
  const interval = config.interval ?? 100;
  const pending = new Set(config.checks.map((c, i) => i));
  await Promise.all(
    config.checks.map(async (c, i) => {
      const { signal } = ctx;
      if ('tcp' in c) await poll(() => tcpOnce(c.tcp, signal), interval, signal);
      else if ('http' in c) await poll(() => httpOnce(c.http, c.status, signal), interval, signal);
      else if ('file' in c) await poll(() => fileOnce(c.file), interval, signal);
      else if ('log' in c) await logCheck(c, lines, signal);
      else if ('notify' in c) await notifyCheck(ctx);
      else await poll(async () => (await c.custom(ctx)) !== false, interval, signal);
      if (!signal.aborted) pending.delete(i);
    }),
  );
  return [...pending].map((i) => describeCheck(config.checks[i] as ReadyCheck));
}

/** A running readiness gate for one child. */
export interface ReadinessGate {
  abort(): void;
}

/**
 * Starts the checks for one child: `onReady()` when all pass, `onTimeout(reason)` when `timeout`
 * (seconds, measured with `setTimer`) passes first. Aborting stops everything silently.
 */
export function startReadiness(
  config: ReadinessConfig,
  ctx: Omit<ReadyContext, 'signal'>,
  lines: LineSource,
  timers: { set(fn: () => void, ms: number): unknown; clear(h: unknown): void },
  on: { ready(): void; timeout(reason: string): void },
): ReadinessGate {
  const ac = new AbortController();
  let pending: string[] = config.checks.map((c) => describeCheck(c));
  const timer = timers.set(() => {
    if (ac.signal.aborted) return;
    ac.abort();
    on.timeout(`readiness check timed out after ${config.timeout}s: ${pending.join(', ')}`);
  }, config.timeout * 1000);
  runChecks(config, { ...ctx, signal: ac.signal }, lines).then(
    (left) => {
      pending = left;
      if (ac.signal.aborted) return;
      timers.clear(timer);
      on.ready();
    },
    () => {},
  );
  return {
    abort: () => {
      timers.clear(timer);
      ac.abort();
    },
  };
}

/** Splits chunks into lines for log checks (a partial line waits for its end). */
export function lineSplitter(fn: (line: string) => void): (chunk: Buffer) => void {
  let rest = '';
  return (chunk) => {
    const text = rest + chunk.toString('utf8');
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) fn(p.endsWith('\r') ? p.slice(0, -1) : p);
  };
}
