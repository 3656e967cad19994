// Helpers shared by the workloads: temp dirs, alternating order, bounded child runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, killQuietly, sleep } from '../lib.mjs';

export const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
export const floorScript = (name) => fileURLToPath(new URL(`../floors/${name}`, import.meta.url));

export const live = new Set(); // bare children the bench started itself (floors), for cleanup

export function tempDir(ctx) {
  const d = mkdtempSync(join(tmpdir(), 'procvisor-bench-'));
  ctx.dirs.push(d);
  return d;
}

export function dropDir(ctx, d) {
  if (ctx.keep) return;
  rmSync(d, { recursive: true, force: true });
  ctx.dirs.splice(ctx.dirs.indexOf(d), 1);
}

/** The same list rotated by `rep`, so every peer runs in every position across repetitions. */
export function rotate(list, rep) {
  const k = rep % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

export function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Spawns a bench-owned child; resolves when it exits or after capMs (then SIGKILLs it). */
export function runBounded(cmd, args, opts, capMs) {
  const c = spawn(cmd, args, { env: childEnv(), ...opts });
  live.add(c);
  return new Promise((resolve) => {
    const timer = setTimeout(() => killQuietly(c.pid, 'SIGKILL'), capMs);
    c.on('exit', (code, sig) => {
      clearTimeout(timer);
      live.delete(c);
      resolve({ code, sig });
    });
  });
}

export async function withPeer(peer, programs, dir, opts, fn) {
  await peer.launch(programs, dir, opts);
  try {
    return await fn();
  } finally {
    await peer.close();
  }
}

export { sleep };

/**
 * When a steady idle window begins, in seconds after all programs were RUNNING: past the one-off
 * work that follows a burst of starts (a supervisor's own compaction, V8's memory reducer some 8 s
 * later), so that a timer that keeps waking an idle supervisor is what it shows.
 */
export const STEADY_AFTER_S = 15;
