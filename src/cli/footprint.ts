// Memory settings of the daemon's own process (never of an embedder's host, which owns its V8).
//
// Starting many programs is a burst: configuration parsing, one spawn, pipe set and log file per
// process, and a state event each, most of it garbage seconds later. V8 grows its heap for the
// burst and gives the pages back only when its memory reducer happens to run (8 s or more later,
// and only once the process looks idle), so the resident size of a daemon holding 500 programs
// ranged from ~60 to ~110 MB for the same state, depending on when it was read. Once the burst is
// over, two full collections return the garbage's pages at once (the live heap is ~12 MB).
//
// This module is procvisor.ts's first import: it sets the flags while it is evaluated, before the
// rest of the daemon is loaded (loading it is itself a burst that grew the young generation to 8 MB
// when the flags came later, in the entry module's body).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What {@link compactAfterStartup} listens to: the manager's state changes. */
export interface StateSource {
  on(event: 'processState', listener: () => void): unknown;
  off(event: 'processState', listener: () => void): unknown;
}

/**
 * V8 flags for the daemon's process, set before the configuration is read:
 * - the young generation keeps its initial 1 MB semi-spaces instead of growing to 16 MB after the
 *   burst (it never shrinks back; the extra scavenges are cheap for a process that mostly waits);
 * - `gc` is made reachable for {@link compactAfterStartup};
 * - V8's memory reducer, which still runs once some 8 s after that compaction (a full collection
 *   that shrinks the heap's committed pages, worth its few milliseconds), runs one collection
 *   instead of two: the second freed ~0.2 MB and was the idle daemon's last wake-up.
 */
export function tuneDaemonHeap(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--memory-reducer-single-gc');
  setFlagsFromString('--expose-gc');
}

/** V8's `gc` when --expose-gc is set, else undefined. */
function exposedGc(): (() => void) | undefined {
  try {
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** True in the daemon's own process: its entry script is procvisor.js next to this module. */
function isDaemonProcess(): boolean {
  try {
    const entry = process.argv[1];
    return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(new URL('./procvisor.js', import.meta.url)));
  } catch {
    return false;
  }
}

if (isDaemonProcess()) tuneDaemonHeap();

/**
 * Runs two full garbage collections once the startup burst has gone quiet: when no process
 * changed state for `quietMs` (1 s) after `source` started. `gc` defaults to V8's exposed one. Timers are unref'd, and the
 * listener is removed after the collection, so an idle daemon does nothing afterwards.
 */
export function compactAfterStartup(source: StateSource, quietMs = 1000, gc: (() => void) | undefined = exposedGc()): void {
  if (!gc) return; // --expose-gc was not set (not the daemon's own process): nothing to do
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      source.off('processState', arm);
      // The first collection frees the garbage; pages are handed back once the second finds
      // them empty (a single one left 14-26 MB of old space committed for 12 MB live).
      gc();
      gc();
    }, quietMs);
    timer.unref();
  };
  source.on('processState', arm);
  arm();
}
