// A program's `user`, taken the way supervisord's forked child takes it (`drop_privileges`, then
// chdir, then exec): supplementary groups (the user's primary gid, then every group that lists the
// user), gid, uid, and only then the program's `directory`, entered as that user, so a directory
// only root may enter fails as it does under supervisord. Node's spawn can set only uid and gid
// (libuv clears the supplementary groups) and enters `cwd` before it drops them; so a root host runs
// such a child as a short Perl script that does the steps in supervisord's order, reports a failure
// with supervisord's two lines and exit status 127, and execs the command in place: same pid, same
// process group, argv[0] as configured.
import { findPerl } from './perl.js';
import { lookupUser, supplementaryGroups } from '../dialect/users.js';

// Arguments: UID GID GROUPS DIRECTORY REDIRECT FILE ARGV0 ARGS... (GROUPS space-separated, primary
// first; DIRECTORY '' for none; REDIRECT '1' makes fd 2 the stdout pipe first, as supervisord's
// dup2 does before anything can fail). Variables that would change how this perl starts arrive
// renamed (SHIM_PREFIX) and are restored for the program.
const SHIM_PREFIX = 'PROCVISOR_SHIM_';
const SHIM = String.raw`
my ($uid, $gid, $groups, $dir, $redirect, $file, @argv) = @ARGV;
open(STDERR, '>&', \*STDOUT) if $redirect;
delete $ENV{PERL_BADLANG};
for (grep { /^${SHIM_PREFIX}PERL/ } keys %ENV) { $ENV{substr $_, ${SHIM_PREFIX.length}} = delete $ENV{$_} }
sub errname { my $n = 0 + $!; local $! = $n; (eval q{ (grep { $!{$_} } keys %!)[0] }) || $n }
sub failed { print STDERR "supervisor: $_[0]\nsupervisor: child process was not spawned\n"; exit 127 }
$! = 0; $) = "$gid $groups"; failed("couldn't setuid to $uid: Could not set groups of effective user") if $!;
$! = 0; $( = $gid; failed("couldn't setuid to $uid: Could not set group id of effective user") if $!;
$! = 0; ($<, $>) = ($uid, $uid); failed("couldn't setuid to $uid: Could not set user id of effective user") if $! || $> != $uid;
if ($dir ne '') { chdir $dir or failed("couldn't chdir to $dir: " . errname()) }
exec { $file } @argv;
failed("couldn't exec $file: " . errname());
`;

/** The ids a child takes when it becomes `user`: uid, gid, and its groups (primary first). */
export interface Identity {
  uid: number;
  gid: number;
  groups: number[];
}

/**
 * The identity a child of this host takes for `user`, or undefined when it keeps the host's:
 * supervisord changes nothing when the user is the one it runs as, and cannot when it is not root
 * (the spawner reports that as a child-side failure).
 */
export function identityFor(user: string): Identity | undefined {
  const entry = lookupUser(user);
  if (!entry || process.getuid?.() !== 0 || entry.uid === 0) return undefined;
  return { uid: entry.uid, gid: entry.gid, groups: supplementaryGroups(entry.uid) ?? [entry.gid] };
}

/** What to spawn so that the child takes `identity`, enters `directory` and execs `file`. */
export interface DroppedExec {
  file: string;
  args: string[];
  env: Record<string, string | undefined>;
}

/**
 * The Perl script that becomes `identity` and then execs `file` with `argv` (argv[0] included), or
 * undefined where there is no perl: then the caller falls back to spawn's own uid and gid.
 */
export function droppedExec(
  identity: Identity,
  target: { file: string; argv: readonly string[]; directory: string | null; redirectStderr: boolean },
  env: Readonly<Record<string, string | undefined>>,
): DroppedExec | undefined {
  const perl = findPerl();
  if (!perl) return undefined;
  const shimEnv: Record<string, string | undefined> = { PERL_BADLANG: '0' };
  for (const [k, v] of Object.entries(env)) shimEnv[k.startsWith('PERL') ? SHIM_PREFIX + k : k] = v;
  const { uid, gid, groups } = identity;
  return {
    file: perl,
    args: ['-e', SHIM, '--', String(uid), String(gid), groups.join(' '), target.directory ?? '', target.redirectStderr ? '1' : '', target.file, ...target.argv],
    env: shimEnv,
  };
}
