// PORT allocation per process, the pattern multi-tenant hosts use to proxy to daemons:
// deterministic (FNV-1a of the process's full name into a range, probing forward past ports that
// are taken) or ephemeral (a free port from the dynamic range). Listening ports are read from
// /proc/net/tcp{,6}, so allocation is synchronous.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** 32-bit FNV-1a of a UTF-8 string. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Ports some socket on this machine listens on (TCP, v4 and v6). Empty where /proc is missing. */
export function listeningPorts(): Set<number> {
  const out = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A') out.add(parseInt((f[1] ?? '').split(':')[1] ?? '0', 16));
    }
  }
  return out;
}

export interface PortRequest {
  key: string;
  mode: 'hash' | 'ephemeral';
  range: readonly [number, number];
}

/** Hands out ports within one manager: never the same port twice, never one in use. */
export class PortAllocator {
  readonly #taken = new Map<string, number>();

  /** The port for `key` (the same one again if it already has one). Throws ConfigError when the range is exhausted. */
  allocate(req: PortRequest, inUse: ReadonlySet<number> = listeningPorts()): number {
    const have = this.#taken.get(req.key);
    if (have !== undefined) return have;
    const [lo, hi] = req.mode === 'hash' ? req.range : ([32768, 60999] as const);
    const size = hi - lo + 1;
    const used = new Set(this.#taken.values());
    const start = req.mode === 'hash' ? fnv1a32(req.key) % size : Math.floor(Math.random() * size);
    for (let i = 0; i < size; i++) {
      const port = lo + ((start + i) % size);
      if (used.has(port) || inUse.has(port)) continue;
      this.#taken.set(req.key, port);
      return port;
    }
    throw new ConfigError(`no free port left in ${lo}-${hi} for '${req.key}'`, { option: 'port' });
  }

  has(key: string): boolean {
    return this.#taken.has(key);
  }

  /** The port `key` holds, if any. */
  get(key: string): number | undefined {
    return this.#taken.get(key);
  }

  release(key: string): void {
    this.#taken.delete(key);
  }
}
