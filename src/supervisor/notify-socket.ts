// systemd's notification protocol (sd_notify(3)): newline-separated `KEY=VALUE` assignments such as
// `READY=1`, each message one datagram on the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or
// `@name` for the abstract namespace). Node has no unix datagram sockets (`dgram` is UDP only), so
// one small helper process does the socket calls: perl with its core Socket module, which Debian
// ships in perl-base, an Essential package present in every Debian image, slim ones included.
// The helper costs a few MB, starts only when something needs it, and exits when its stdin closes
// (this process's end), removing its sockets (and the per-supervisor socket directory, when empty). It speaks lines on stdin/stdout, payloads hex-encoded:
//   in:  `send ID PATHHEX MSGHEX`   `bind ID PATHHEX`   `close ID`
//   out: `ok ID`   `err ID TEXT`   `msg ID MSGHEX`
import { type ChildProcess, spawn } from 'node:child_process';
import { findPerl } from './perl.js';

const HELPER = String.raw`
use strict; use warnings; use Socket; use IO::Handle;
$SIG{$_} = 'IGNORE' for qw(INT TERM HUP QUIT USR1 USR2 PIPE);
STDOUT->autoflush(1);
my (%sock, %path, %dir);
socket(my $tx, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
sub addr { my $p = pack('H*', shift); $p =~ s/^\@/\0/; return pack_sockaddr_un($p); }
sub reply { print join(' ', @_), "\n"; }
my $buf = '';
while (1) {
  my $rin = ''; vec($rin, fileno(STDIN), 1) = 1;
  vec($rin, fileno($sock{$_}), 1) = 1 for keys %sock;
  my $n = select(my $rout = $rin, undef, undef, undef);
  next if $n < 0;
  for my $id (keys %sock) {
    next unless vec($rout, fileno($sock{$id}), 1);
    my $data = ''; recv($sock{$id}, $data, 65536, 0);
    reply('msg', $id, unpack('H*', $data)) if length $data;
  }
  next unless vec($rout, fileno(STDIN), 1);
  my $got = sysread(STDIN, $buf, 65536, length $buf);
  last unless $got;
  while ($buf =~ s/^([^\n]*)\n//) {
    my ($op, $id, @a) = split / /, $1;
    next unless defined $id;
    if ($op eq 'send') {
      if (send($tx, pack('H*', $a[1] // ''), 0, addr($a[0] // ''))) { reply('ok', $id) } else { reply('err', $id, "$!") }
    } elsif ($op eq 'bind') {
      my $p = pack('H*', $a[0] // '');
      unlink $p if $p !~ /^\@/;
      my $s; socket($s, AF_UNIX, SOCK_DGRAM, 0) or (reply('err', $id, "$!"), next);
      if (bind($s, addr($a[0]))) {
        if ($p !~ /^\@/) { chmod 0666, $p; (my $d = $p) =~ s{/[^/]*$}{}; $dir{$d} = 1 if $d =~ m{/procvisor-notify-\d+$}; }
        $sock{$id} = $s; $path{$id} = $p; reply('ok', $id);
      }
      else { reply('err', $id, "$!") }
    } elsif ($op eq 'close') {
      if (my $s = delete $sock{$id}) { close $s; my $p = delete $path{$id}; unlink $p if $p !~ /^\@/; }
      reply('ok', $id);
    }
  }
}
unlink $_ for grep { !/^\@/ } values %path;
rmdir $_ for keys %dir;
`;

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

/** Parses one notification message into its assignments (`READY=1\nSTATUS=x` → {READY: '1', STATUS: 'x'}). */
export function parseNotifyMessage(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of message.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** One helper process doing the datagram socket calls for this process. */
export class NotifySockets {
  #child: ChildProcess | undefined;
  #next = 1;
  readonly #pending = new Map<string, { resolve(): void; reject(e: Error): void }>();
  readonly #listeners = new Map<string, (message: string) => void>();
  #rest = '';
  #failed: Error | undefined;

  /** Whether a helper can run here (perl is installed). */
  static available(): boolean {
    return findPerl() !== undefined;
  }

  #helper(): ChildProcess {
    if (this.#failed) throw this.#failed;
    if (this.#child) return this.#child;
    const perl = findPerl();
    if (!perl) throw (this.#failed = new Error('unix datagram sockets need perl (Debian: perl-base), which is not installed'));
    // Its own process group: a terminal's Ctrl-C must not end it before STOPPING=1 is sent.
    const child = spawn(perl, ['-e', HELPER], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    child.stdin?.on('error', () => {});
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.#read(chunk));
    child.once('exit', () => {
      this.#child = undefined;
      const e = new Error('the notification socket helper exited');
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    });
    child.once('error', (e) => {
      this.#failed = e;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    });
    this.#child = child;
    return child;
  }

  /**
   * The helper keeps this process alive only while a call is pending: a listening socket does not
   * (the program it serves does, while it runs).
   */
  #updateRef(): void {
    const child = this.#child;
    if (!child) return;
    const busy = this.#pending.size > 0;
    for (const h of [child, child.stdin, child.stdout] as Array<{ ref?: () => void; unref?: () => void } | null>) {
      if (busy) h?.ref?.();
      else h?.unref?.();
    }
  }

  #read(chunk: string): void {
    const lines = (this.#rest + chunk).split('\n');
    this.#rest = lines.pop() ?? '';
    for (const line of lines) {
      const [op, id = '', arg = ''] = line.split(' ');
      if (op === 'msg') this.#listeners.get(id)?.(Buffer.from(arg, 'hex').toString('utf8'));
      else {
        const p = this.#pending.get(id);
        this.#pending.delete(id);
        if (op === 'ok') p?.resolve();
        else p?.reject(new Error(line.split(' ').slice(2).join(' ')));
      }
    }
    this.#updateRef();
  }

  #call(words: string[]): { id: string; done: Promise<void> } {
    const child = this.#helper();
    const id = String(this.#next++);
    const done = new Promise<void>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    child.stdin?.write(`${words[0]} ${id} ${words.slice(1).join(' ')}\n`);
    this.#updateRef();
    return { id, done };
  }

  /** Sends one message to `socket` ($NOTIFY_SOCKET's value). Rejects with the socket error. */
  send(socket: string, message: string): Promise<void> {
    return this.#call(['send', hex(socket), hex(message)]).done;
  }

  /**
   * Creates a socket at `path` (mode 0666, replacing a stale file) and calls `onMessage` for each
   * message it receives. Resolves with a function that closes and removes it.
   */
  async listen(path: string, onMessage: (message: string) => void): Promise<() => void> {
    const { id, done } = this.#call(['bind', hex(path)]);
    this.#listeners.set(id, onMessage);
    try {
      await done;
    } catch (e) {
      this.#listeners.delete(id);
      throw e;
    }
    return () => {
      if (!this.#listeners.delete(id) || !this.#child) return;
      this.#call(['close', id]).done.catch(() => {});
      this.#updateRef();
    };
  }

  /** The one helper of this process, started on first use. */
  static shared(): NotifySockets {
    return (sharedSockets ??= new NotifySockets());
  }

  /** Ends the helper (its sockets are removed); later calls fail. */
  close(): void {
    this.#failed ??= new Error('the unix datagram helper was closed');
    this.#child?.stdin?.end();
    this.#child = undefined;
  }
}

let sharedSockets: NotifySockets | undefined;
