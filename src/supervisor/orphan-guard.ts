// The no-orphan guarantee. One small watchdog process per host process holds the read end of a
// pipe from the host; the host writes the pid of every child it spawns (each child leads its own
// session and process group). When the host dies for any reason — even SIGKILL — the pipe reaches
// EOF and the watchdog ends every registered group and session and every descendant of the
// registered children: SIGTERM, then SIGKILL one second later. No native addon: the watchdog is a
// Perl script (perl-base is part of every Debian system; ~5 MB instead of Node's ~40 MB), or the
// same program in Node where there is no perl.
import { spawn, type ChildProcess } from 'node:child_process';
import { findPerl } from './perl.js';

/**
 * The watchdog in Perl, with no module: `perl -e SOURCE TOKEN`. Reads `+PID` / `-PID` lines; acts
 * on EOF exactly as the Node version below.
 */
const PERL_WATCHDOG = String.raw`
my $mark = 'PROCVISOR_GUARD=' . $ARGV[0] . ':';
my (%roots, %known);
my $buf = '';
for (;;) {
  my $n = sysread(STDIN, my $chunk, 65536);
  if (!defined $n) { next if $!{EINTR}; last; }
  last if $n == 0;
  $buf .= $chunk;
  while ((my $i = index($buf, "
")) >= 0) {
    my $line = substr($buf, 0, $i + 1, '');
    next unless $line =~ /^([+-])(\d+)
$/ && $2 > 1;
    if ($1 eq '+') { $roots{$2} = 1 } else { delete $roots{$2} }
  }
}
sub marked {
  open(my $fh, '<', "/proc/$_[0]/environ") or return 0;
  local $/;
  my $env = <$fh>;
  return defined $env && index($env, $mark) >= 0;
}
sub table {
  my @rows;
  opendir(my $d, '/proc') or return ();
  for my $name (readdir $d) {
    next unless $name =~ /^\d+$/;
    open(my $fh, '<', "/proc/$name/stat") or next;
    my $stat = <$fh>;
    next unless defined $stat;
    my @f = split / /, substr($stat, rindex($stat, ')') + 2);
    push @rows, [$name + 0, $f[1], $f[2], $f[3], $f[19], $f[0] eq 'Z'];
  }
  return @rows;
}
# Every process ever seen in the family stays a target (while the same process holds its pid), so
# a descendant that left the group is still found after its parent died and init adopted it.
sub targets {
  my @rows = table();
  my (%fam, %start, %zombie);
  for my $r (@rows) {
    my ($pid, $ppid, $pgrp, $sid, $st, $z) = @$r;
    $start{$pid} = $st;
    $zombie{$pid} = $z;
    $fam{$pid} = 1 if $roots{$pid} || $roots{$pgrp} || $roots{$sid} || (defined $known{$pid} && $known{$pid} eq $st) || marked($pid);
  }
  for (my $grew = 1; $grew; ) {
    $grew = 0;
    for my $r (@rows) { if (!$fam{$r->[0]} && $fam{$r->[1]}) { $fam{$r->[0]} = 1; $grew = 1 } }
  }
  my @out;
  for my $pid (keys %fam) {
    $known{$pid} = $start{$pid};
    push @out, $pid if !$zombie{$pid} && $pid != $$;
  }
  return @out;
}
sub send_all {
  my $sig = shift;
  my @t = targets();
  kill "-$sig", $_ for keys %roots;
  kill $sig, $_ for @t;
  return scalar @t;
}
# Seconds since boot, to the hundredth (perl-base has no sub-second clock of its own).
sub now {
  open(my $fh, '<', '/proc/uptime') or return time;
  my $line = <$fh>;
  return (split / /, $line)[0];
}
exit 0 if send_all('TERM') == 0 && !%roots;
# One second after SIGTERM, whatever a scan of a busy machine's /proc costs, comes SIGKILL.
my $deadline = now() + 1;
while (now() < $deadline) {
  select(undef, undef, undef, 0.05);
  exit 0 if !targets();
}
send_all('KILL');
select(undef, undef, undef, 0.05);
send_all('KILL');
exit 0;
`;

/** The watchdog in Node, where there is no perl: `node -e SOURCE TOKEN`. */
const NODE_WATCHDOG = String.raw`
const fs = require('node:fs');
const roots = new Set();
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    const pid = Number(line.slice(1));
    if (!(pid > 1)) continue;
    if (line[0] === '+') roots.add(pid); else roots.delete(pid);
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
const known = new Map();
// Every child carries PROCVISOR_GUARD=<token>, and so do its descendants unless they clear their
// environment: that finds a grandchild that left the session after its parent died.
const MARK = Buffer.from('PROCVISOR_GUARD=' + process.argv[1] + ':');
function marked(pid) {
  try { return fs.readFileSync('/proc/' + pid + '/environ').includes(MARK); } catch { return false; }
}
function table() {
  const rows = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync('/proc/' + name + '/stat', 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      rows.push({ pid: Number(name), ppid: Number(f[1]), pgrp: Number(f[2]), sid: Number(f[3]), start: f[19], zombie: f[0] === 'Z' });
    } catch {}
  }
  return rows;
}
// Every process ever seen in the family stays a target (while the same process holds its pid), so
// a descendant that left the group is still found after its parent died and init adopted it.
function targets() {
  let rows = [];
  try { rows = table(); } catch { return new Set(); }
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const fam = new Set();
  for (const r of rows) if (roots.has(r.pid) || roots.has(r.pgrp) || roots.has(r.sid) || known.get(r.pid) === r.start || marked(r.pid)) fam.add(r.pid);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) if (!fam.has(r.pid) && fam.has(r.ppid)) { fam.add(r.pid); grew = true; }
  }
  const out = new Set();
  for (const pid of fam) {
    const r = byPid.get(pid);
    known.set(pid, r.start);
    if (!r.zombie && pid !== process.pid) out.add(pid);
  }
  return out;
}
function send(sig) {
  const t = targets(); // before signalling, so the whole family is known
  for (const g of roots) { try { process.kill(-g, sig); } catch {} }
  for (const p of t) { try { process.kill(p, sig); } catch {} }
  return t.size;
}
let reaping = false;
function reap() {
  if (reaping) return;
  reaping = true;
  if (send('SIGTERM') === 0 && roots.size === 0) process.exit(0);
  const deadline = Date.now() + 1000;
  const check = () => {
    if (targets().size === 0) process.exit(0);
    if (Date.now() >= deadline) { send('SIGKILL'); setTimeout(() => { send('SIGKILL'); process.exit(0); }, 50); return; }
    setTimeout(check, 50);
  };
  setTimeout(check, 50);
}
`;

let watchdog: ChildProcess | undefined;

/** This host's mark; each child gets PROCVISOR_GUARD=<token>:<manager id> (inherited by its descendants). */
export const GUARD_TOKEN = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
export const GUARD_VARIABLE = 'PROCVISOR_GUARD';
let managers = 0;

/** The PROCVISOR_GUARD value for the children of a new manager. */
export function newGuardValue(): string {
  return `${GUARD_TOKEN}:${++managers}`;
}

function startWatchdog(): ChildProcess {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  const perl = findPerl();
  const [file, args] = perl ? [perl, ['-e', PERL_WATCHDOG, GUARD_TOKEN]] : [process.execPath, ['--max-old-space-size=16', '-e', NODE_WATCHDOG, GUARD_TOKEN]];
  const child = spawn(file, args, {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
  });
  // The watchdog must never keep the host alive, and an error on its pipe must not crash it.
  child.unref();
  child.stdin?.on('error', () => {});
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child.on('error', () => {
    if (watchdog === child) watchdog = undefined;
  });
  child.on('exit', () => {
    if (watchdog === child) watchdog = undefined;
  });
  return child;
}

// Lines for the watchdog are gathered and written together. Registrations go out at the end of
// the current turn of the event loop (a microtask): a start-all of 500 programs is then one pipe
// write and one wake-up of the watchdog instead of 500 (about 0.15 ms of the host's CPU each, plus
// the watchdog's). Should the host die within that turn, a child not yet registered is still
// found: every child carries the PROCVISOR_GUARD mark in its environment, which the watchdog
// searches for at EOF. Releases wait for the next write or 50 ms, whichever comes first: a
// release only stops the watchdog from targeting a group that is already empty, so holding it
// back briefly risks nothing. Lines keep their order.
let pending = '';
let writeQueued = false;
let releaseTimer: NodeJS.Timeout | undefined;

function writePending(): void {
  writeQueued = false;
  clearTimeout(releaseTimer);
  releaseTimer = undefined;
  if (pending && watchdog) watchdog.stdin?.write(pending);
  pending = ''; // without a watchdog, what it knew is gone with it
}

function supported(): boolean {
  return process.platform === 'linux' || process.platform === 'darwin' || process.platform === 'freebsd';
}

/** Registers a child (a session and process-group leader) with the host's watchdog. */
export function guardChild(pid: number): void {
  if (!supported()) return;
  watchdog ??= startWatchdog();
  pending += `+${pid}\n`;
  if (!writeQueued) {
    writeQueued = true;
    queueMicrotask(writePending);
  }
}

/** Forgets a child whose group is gone (so a recycled pid is never targeted). */
export function releaseChild(pid: number): void {
  if (!watchdog) return;
  pending += `-${pid}\n`;
  releaseTimer ??= setTimeout(writePending, 50).unref();
}

let holders = 0;

/**
 * A manager that runs guarded children holds the watchdog from construction to the end of its
 * shutdown. When the last holder lets go, the watchdog is told (EOF on its pipe) to end whatever
 * is left of the host's families and exit, so nothing procvisor started outlives the last
 * manager. The returned function lets go; it resolves once the watchdog has exited (at most ~2 s).
 */
export function holdWatchdog(): () => Promise<void> {
  holders++;
  let held = true;
  return () => {
    if (!held) return Promise.resolve();
    held = false;
    return --holders === 0 ? closeWatchdog() : Promise.resolve();
  };
}

function closeWatchdog(): Promise<void> {
  const w = watchdog;
  clearTimeout(releaseTimer);
  releaseTimer = undefined;
  if (!w || w.exitCode !== null || w.signalCode !== null) {
    pending = '';
    return Promise.resolve();
  }
  watchdog = undefined;
  return new Promise<void>((resolve) => {
    // Bounded: the watchdog gives what is left one second after SIGTERM before SIGKILL. The timer
    // is not unref'd: the watchdog is, so this timer is what keeps a script that awaits shutdown()
    // at its top level alive until the watchdog has exited (else Node ends it with exit code 13).
    const timer = setTimeout(resolve, 2500);
    w.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    w.stdin?.end(pending);
    pending = '';
  });
}

/** The watchdog's pid, for tests. @internal */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}
