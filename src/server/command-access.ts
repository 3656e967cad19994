// Who may define or change a command over HTTP. supervisord lets a client start and stop only
// what its configuration defines; the JSON API can define new commands (quick runs, programs,
// their environment, user and directory), so on a listener any local user can reach (TCP, or a
// unix socket whose mode lets others in) those endpoints need real credentials. The owner-only
// unix socket is trusted as its file mode already restricts it to its owner.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Credentials of a server section; `password` may be `{SHA}` + hex SHA-1. */
export interface Credentials {
  username: string;
  password: string;
}

const EMPTY_SHA = createHash('sha1').update('').digest('hex');

/**
 * Whether `creds` actually protect anything: a username and a non-empty password (`password=`
 * with nothing after it, or the SHA-1 of the empty string, does not count).
 */
export function hasCredentials(creds: Credentials | undefined): boolean {
  if (!creds || creds.username === '' || creds.password === '') return false;
  if (creds.password.startsWith('{SHA}')) {
    const hex = creds.password.slice(5).toLowerCase();
    return hex !== '' && hex !== EMPTY_SHA;
  }
  return true;
}

/** The 403 answer's text, and the daemon's startup notice. */
export const COMMAND_ACCESS_HINT =
  'defining or changing a command (POST /api/run, creating or editing a program) needs authentication on this listener: set username and a non-empty password in [inet_http_server] (or [unix_http_server] when its chmod lets other users in), or use the owner-only unix socket';

/** Requests that came through a trusted listener or with valid real credentials. */
const trusted = new WeakSet<IncomingMessage>();

/** Marks a request as allowed to define commands (the server's handler does this). */
export function trustRequest(req: IncomingMessage): void {
  trusted.add(req);
}

/** Whether `req` may define or change a command. */
export function mayDefineCommands(req: IncomingMessage): boolean {
  return trusted.has(req);
}

/** A unix socket mode that lets only its owner connect (no group or other bits). */
export function isOwnerOnly(mode: number | undefined): boolean {
  return ((mode ?? 0o700) & 0o077) === 0;
}
