// The syslog datagrams supervisord's Python makes through glibc, and the main log's use of them.
import { describe, expect, it } from 'vitest';
import { NoFileError } from '../../../src/errors.js';
import { MainLog } from '../../../src/logs/main-log.js';
import { Syslog, syslogHeader, syslogLines, type DatagramSender } from '../../../src/logs/syslog.js';

/** A sender that keeps what it is given; `fail` makes every send reject. */
function recorder(fail = false): DatagramSender & { sent: Array<[string, string]> } {
  const sent: Array<[string, string]> = [];
  return {
    sent,
    send(path, message) {
      sent.push([path, message]);
      return fail ? Promise.reject(new Error('ENOENT')) : Promise.resolve();
    },
  };
}

// 2026-03-05 07:08:09.250 local time (the machine's zone).
const MARCH_5 = new Date(2026, 2, 5, 7, 8, 9, 250).getTime();

describe('syslog datagrams', () => {
  it("glibc's header: priority 14, `%h %e %T` local time (day padded with a space), ident supervisord", () => {
    expect(syslogHeader(MARCH_5)).toBe('<14>Mar  5 07:08:09 supervisord: ');
    expect(syslogHeader(new Date(2026, 11, 25, 23, 59, 0).getTime())).toBe('<14>Dec 25 23:59:00 supervisord: ');
  });

  it('a record is split as supervisord splits it: trailing newlines dropped, every line kept', () => {
    expect(syslogLines('one\n\ntwo\n\n')).toEqual(['one', '', 'two']);
    expect(syslogLines('\n')).toEqual(['']);
    expect(syslogLines('a\r\nb')).toEqual(['a\r', 'b']);
  });

  it('sends each line to /dev/log, formatted, in order; a failing or missing sender is silent', async () => {
    const r = recorder();
    new Syslog(() => r, { now: () => MARCH_5 }).record('a\nb\n', (l) => `web ${l}`);
    expect(r.sent).toEqual([
      ['/dev/log', '<14>Mar  5 07:08:09 supervisord: web a'],
      ['/dev/log', '<14>Mar  5 07:08:09 supervisord: web b'],
    ]);
    const failing = recorder(true);
    expect(() => new Syslog(() => failing).record('x', (l) => l)).not.toThrow();
    await new Promise((r) => setImmediate(r)); // the rejection is handled (no unhandled rejection)
    expect(() =>
      new Syslog(() => {
        throw new Error('no perl');
      }).record('x', (l) => l),
    ).not.toThrow();
  });

  it('logfile=syslog: each line of a record with its time and level, and no file to read or clear', () => {
    const r = recorder();
    const log = new MainLog({ now: () => MARCH_5, syslog: new Syslog(() => r, { now: () => MARCH_5 }) });
    log.info("spawned: 'web' with pid 42");
    log.debug('not at this level');
    log.warn('two\nlines');
    expect(r.sent.map(([, m]) => m)).toEqual([
      "<14>Mar  5 07:08:09 supervisord: 2026-03-05 07:08:09,250 INFO spawned: 'web' with pid 42\n",
      '<14>Mar  5 07:08:09 supervisord: 2026-03-05 07:08:09,250 WARN two\n',
      '<14>Mar  5 07:08:09 supervisord: 2026-03-05 07:08:09,250 WARN lines\n',
    ]);
    expect(() => log.readLog(0, 0)).toThrow(NoFileError);
    expect(() => log.readLog(0, 0)).toThrow('NO_FILE: syslog');
    expect(() => log.tail(0, 100)).toThrow('NO_FILE: syslog');
    expect(() => log.clear()).toThrow(NoFileError);
  });
});
