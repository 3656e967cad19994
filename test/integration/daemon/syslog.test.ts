// supervisord's syslog and strip_ansi. `[supervisord] logfile=syslog` sends the activity log to
// /dev/log (one datagram per line, `<14>Mmm dd hh:mm:ss supervisord: ` then the log line) and leaves
// no log file to read; `stdout_syslog` / `stderr_syslog` send a program's output, one datagram
// `NAME LINE` per line; `-t` / `strip_ansi=true` drops ANSI escapes from the output before it is
// logged (file and syslog). Compared with the real supervisord where it is installed. The test
// listens on /dev/log itself, so it runs only as root on a machine with no syslog daemon there
// (a container); elsewhere it is skipped with a notice.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../helpers/wait-for.js';
import { HAVE_PROCVISOR, HAVE_SUPERVISORD, LiveDaemon, marked, suiteDaemons, type Kind } from './daemon-pair.js';

const DEV_LOG = '/dev/log';
const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
const CAN_RUN = HAVE_PROCVISOR && process.getuid?.() === 0 && !existsSync(DEV_LOG) && PYTHON !== undefined;
if (HAVE_PROCVISOR && !CAN_RUN) process.stdout.write('\nNOTICE: needs root, python3 and a free /dev/log (no syslog daemon): syslog tests skipped.\n\n');
if (CAN_RUN && !HAVE_SUPERVISORD) process.stdout.write('\nNOTICE: supervisord not installed: syslog tests run without the comparison.\n\n');
const kinds: Kind[] = HAVE_SUPERVISORD ? ['supervisord', 'procvisor'] : ['procvisor'];

// Prints each datagram received on /dev/log as a JSON string on its own line.
const RECEIVER = `
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(${JSON.stringify(DEV_LOG)})
os.chmod(${JSON.stringify(DEV_LOG)}, 0o666)
print('ready', flush=True)
while True:
    print(json.dumps(s.recv(65536).decode('latin1')), flush=True)
`;

let receiver: ChildProcess | undefined;
let received: string[] = [];
const started = suiteDaemons();

beforeAll(async () => {
  if (!CAN_RUN) return;
  receiver = spawn(PYTHON, ['-c', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  let rest = '';
  let ready = false;
  receiver.stdout?.setEncoding('utf8').on('data', (s: string) => {
    const lines = (rest + s).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) {
      if (l === 'ready') ready = true;
      else received.push(JSON.parse(l) as string);
    }
  });
  await until(() => ready, 'the /dev/log receiver listening', 5_000);
});

afterAll(async () => {
  if (receiver) {
    const gone = new Promise((r) => receiver?.once('exit', r));
    receiver.kill('SIGTERM');
    await gone;
    rmSync(DEV_LOG, { force: true });
  }
});

function daemon(kind: Kind, supervisord: string[], program: string[]): LiveDaemon {
  const d = new LiveDaemon(kind);
  d.writeConfig(
    [
      '[unix_http_server]',
      `file=${d.socket}`,
      '[supervisord]',
      `pidfile=${d.pidfile}`,
      ...supervisord,
      '[rpcinterface:supervisor]',
      'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
      '[program:talk]',
      // One write per channel, so that each arrives in one read.
      `command=/bin/sh -c 'printf "one\\n\\n\\033[1;32mtwo\\033[0m\\n"; printf "\\033[31mred\\033[0m\\n" >&2; exec /bin/sleep 1000'`,
      'startsecs=0',
      'stdout_logfile=%(here)s/talk.out',
      'stderr_logfile=%(here)s/talk.err',
      ...program,
      '',
    ].join('\n'),
  );
  started.push(d);
  return d;
}

/** What the daemons sent (another program on this machine may use syslog while the suite runs). */
const ours = () => received.filter((m) => m.includes('supervisord') || m.includes('talk'));

/** A received datagram with its time masked. */
const masked = (m: string) =>
  m.replace(/^<14>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d supervisord: /, '<14>TIME supervisord: ').replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}/, 'ASCTIME');

describe.skipIf(!CAN_RUN)('syslog and strip_ansi', () => {
  it.each(kinds)(
    "%s: logfile=syslog and *_syslog send supervisord's datagrams; -t strips escapes from files and syslog",
    async (kind) => {
      received = [];
      const d = daemon(kind, ['logfile=syslog'], ['stdout_syslog=true', 'stderr_syslog=true']);
      d.start(['-n', '-t', '-c', d.conf]);
      await d.ready();
      const pid = (await d.info('talk')).pid as number;
      let seen: string[] = [];
      await until(
        () => {
          seen = received.map(masked);
          return seen.includes('<14>TIME supervisord: talk red') && seen.includes('<14>TIME supervisord: talk two');
        },
        `${kind}: the program's lines reached syslog`,
        8_000,
      ).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${seen.join('\n')}`);
      });
      expect(seen).toContain(`<14>TIME supervisord: ASCTIME INFO spawned: 'talk' with pid ${pid}\n`);
      expect(seen).toContain("<14>TIME supervisord: ASCTIME CRIT Server 'unix_http_server' running without any HTTP authentication checking\n");
      // stdout: one read, split into lines after the trailing newline is dropped; the empty line too.
      const out = seen.filter((m) => /^<14>TIME supervisord: talk (one|two|)$/.test(m));
      expect(out).toEqual(['<14>TIME supervisord: talk one', '<14>TIME supervisord: talk ', '<14>TIME supervisord: talk two']);
      expect(ours().every((m) => /^<14>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d supervisord: /.test(m))).toBe(true);
      expect(readFileSync(join(d.dir, 'talk.out'), 'utf8')).toBe('one\n\ntwo\n');
      expect(readFileSync(join(d.dir, 'talk.err'), 'utf8')).toBe('red\n');
      // There is no main log file to read or clear.
      expect(await d.call('supervisor.readLog', 0, 100)).toEqual({ fault: { code: 20, string: 'NO_FILE: syslog' } });
      expect(await d.call('supervisor.clearLog')).toEqual({ fault: { code: 20, string: 'NO_FILE' } });
      expect(existsSync(join(d.dir, 'syslog'))).toBe(false);
      expect(await d.stop(), `${kind}: processes left after the daemon stopped`).toEqual([]);
      expect(marked([d.dir])).toEqual([]);
    },
    30_000,
  );

  it.each(kinds)(
    '%s: without them, nothing goes to syslog and escapes stay',
    async (kind) => {
      received = [];
      const d = daemon(kind, [`logfile=%(here)s/main.log`], []);
      d.start();
      await d.ready();
      await until(() => readFileSync(join(d.dir, 'talk.err'), 'utf8').length > 0, `${kind}: talk wrote its stderr`, 8_000);
      expect(readFileSync(join(d.dir, 'talk.out'), 'utf8')).toBe('one\n\n\x1b[1;32mtwo\x1b[0m\n');
      expect(readFileSync(join(d.dir, 'talk.err'), 'utf8')).toBe('\x1b[31mred\x1b[0m\n');
      expect(ours()).toEqual([]);
      expect(await d.stop(), `${kind}: processes left after the daemon stopped`).toEqual([]);
    },
    30_000,
  );
});
