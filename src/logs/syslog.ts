// supervisord's syslog handler: `[supervisord] logfile=syslog` (the activity log) and a program's
// `stdout_syslog` / `stderr_syslog` (its output). Each line of a record is one syslog(3) call of
// Python's syslog module in supervisord: facility user and priority info whatever the record's
// level, ident `supervisord`, no pid. glibc sends that to /dev/log as the datagram
// `<14>Mmm dd hh:mm:ss supervisord: TEXT` (local time, the day padded with a space), and drops it
// without a word when no syslog daemon listens there; so does this.

/** Where glibc's syslog(3) sends (`_PATH_LOG`). */
export const SYSLOG_SOCKET = '/dev/log';

/** Sends one datagram to a unix socket path. */
export interface DatagramSender {
  send(path: string, message: string): Promise<void>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** glibc's `<PRI>%h %e %T IDENT: ` for LOG_USER|LOG_INFO and ident `supervisord`, at `epochMs` local time. */
export function syslogHeader(epochMs: number): string {
  const d = new Date(epochMs);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, ' ');
  return `<14>${MONTHS[d.getMonth()]} ${day} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} supervisord: `;
}

/** A record's lines as supervisord's SyslogHandler splits them: trailing newlines dropped, then each line. */
export function syslogLines(message: string): string[] {
  return message.replace(/\n+$/, '').split('\n');
}

/** The syslog of one supervisor: messages go out in order, through a sender made on first use. */
export class Syslog {
  readonly #sender: () => DatagramSender;
  readonly #path: string;
  readonly #now: () => number;

  constructor(sender: () => DatagramSender, options: { path?: string; now?: () => number } = {}) {
    this.#sender = sender;
    this.#path = options.path ?? SYSLOG_SOCKET;
    this.#now = options.now ?? Date.now;
  }

  /** Sends each line of `message`, as `format(line)` (the handler's format). Never throws. */
  record(message: string, format: (line: string) => string): void {
    const header = syslogHeader(this.#now());
    try {
      const sender = this.#sender();
      for (const line of syslogLines(message)) sender.send(this.#path, header + format(line)).catch(() => {});
    } catch {
      // No helper (no perl here, or it was closed): as without a syslog daemon.
    }
  }
}
