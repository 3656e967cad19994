// Bounds on what HTTP clients following a log (`logs?follow=true`) may cost. A client that stops
// reading leaves lines queued in the daemon; on a busy program that grew without bound. Each
// follower may queue FOLLOWER_MAX_BYTES and all of them together FOLLOWERS_MAX_BYTES; a follower
// past either is ended with an `end` event that says why (it can reconnect), and its connection
// is cut if the client still does not read.
import type { ServerResponse } from 'node:http';
import { FollowBudget, type LinesOptions, SlowFollowerError } from '../logs/live-lines.js';

/** What one follower may queue (estimated bytes). */
export const FOLLOWER_MAX_BYTES = 1024 * 1024;
/** What every HTTP follower of this process together may queue. */
export const FOLLOWERS_MAX_BYTES = 32 * 1024 * 1024;
/** Longest line a follower holds while it is unfinished; longer ones arrive in pieces. */
const FOLLOWER_MAX_LINE_BYTES = 64 * 1024;
/** How long an ended slow follower's connection may stay to take its last bytes. */
const DROP_GRACE_MS = 5_000;

const budget = new FollowBudget(FOLLOWERS_MAX_BYTES);

/** Estimated bytes queued now by every HTTP follower (for tests and diagnostics). */
export function followersQueuedBytes(): number {
  return budget.used;
}

/** Options for ProcessManager.logLines that bound an HTTP follower; `onOverflow` runs when it is ended. */
export function followerLimits(onOverflow: (err: SlowFollowerError) => void): LinesOptions {
  return { onSlowConsumer: 'end', maxQueuedChars: FOLLOWER_MAX_BYTES, maxLineBytes: FOLLOWER_MAX_LINE_BYTES, budget, onOverflow };
}

/** The stream's last event: empty when the log ended, the reason when the follower was dropped. */
export function endEvent(reason: unknown): string {
  if (!(reason instanceof SlowFollowerError)) return 'event: end\ndata: \n\n';
  return `event: end\ndata: dropped: the client read too slowly (${reason.message}); reconnect to follow again\n\n`;
}

/** After a dropped follower's response ended: cut the connection if the client still does not read. */
export function cutIfStalled(res: ServerResponse): void {
  if (res.writableFinished) return;
  const timer = setTimeout(() => res.destroy(), DROP_GRACE_MS).unref();
  res.once('close', () => clearTimeout(timer));
  res.once('finish', () => clearTimeout(timer));
}

export { SlowFollowerError };
