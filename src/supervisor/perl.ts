// Perl for the small helpers that Node cannot be (a watchdog, a datagram socket, a privilege drop
// between fork and exec): perl-base is Essential on Debian, so it is in every Debian image, slim
// ones included, and starts in ~1 ms with ~5 MB.
import { existsSync } from 'node:fs';

let found: string | null | undefined;

/** The perl interpreter, or undefined where there is none. */
export function findPerl(): string | undefined {
  found ??= ['/usr/bin/perl', '/bin/perl', '/usr/local/bin/perl'].find((p) => existsSync(p)) ?? null;
  return found ?? undefined;
}
