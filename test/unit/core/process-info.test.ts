// getProcessInfo descriptions: per-state text, uptime and stop-time formats.
import { describe, expect, it } from 'vitest';
import { describeProcess, formatStopTime, formatUptime, type DescriptionFacts } from '../../../src/supervisor/process-info.js';
import { useTimeZone } from '../../helpers/time-zone.js';

useTimeZone('UTC');

const NOV22_0138 = Date.UTC(2026, 10, 22, 1, 38, 12) / 1000;
const facts = (over: Partial<DescriptionFacts>): DescriptionFacts => ({
  name: 'web',
  state: 'STOPPED',
  pid: 0,
  start: 0,
  stop: 0,
  now: NOV22_0138,
  spawnerr: '',
  ...over,
});

describe('formatUptime (Python timedelta)', () => {
  const rows: [number, string][] = [
    [0, '0:00:00'],
    [5, '0:00:05'],
    [59.9, '0:00:59'],
    [60, '0:01:00'],
    [12 * 3600 + 3 * 60 + 44, '12:03:44'],
    [86399, '23:59:59'],
    [86400 + 5, '1 day, 0:00:05'],
    [3 * 86400 + 4 * 3600 + 5 * 60 + 6, '3 days, 4:05:06'],
    [-5, '0:00:00'],
  ];
  for (const [s, want] of rows) it(`${s} s -> ${want}`, () => expect(formatUptime(s)).toBe(want));
});

describe('formatStopTime (%b %d %I:%M %p, local time)', () => {
  it('renders like strftime under TZ=UTC', () => {
    expect(formatStopTime(0)).toBe('Jan 01 12:00 AM');
    expect(formatStopTime(NOV22_0138)).toBe('Nov 22 01:38 AM');
    expect(formatStopTime(Date.UTC(2026, 6, 4, 12, 5) / 1000)).toBe('Jul 04 12:05 PM');
    expect(formatStopTime(Date.UTC(2026, 6, 4, 23, 59) / 1000)).toBe('Jul 04 11:59 PM');
  });
});

describe('describeProcess by state', () => {
  it('RUNNING: pid and uptime', () => {
    expect(describeProcess(facts({ state: 'RUNNING', pid: 18746, start: NOV22_0138 - 2 }))).toBe('pid 18746, uptime 0:00:02');
    expect(describeProcess(facts({ state: 'RUNNING', pid: 7, start: NOV22_0138 - 90061 }))).toBe('pid 7, uptime 1 day, 1:01:01');
    // clock set back
    expect(describeProcess(facts({ state: 'RUNNING', pid: 7, start: NOV22_0138 + 10 }))).toBe('pid 7, uptime 0:00:00');
  });

  it('BACKOFF and FATAL: spawnerr, or the tail hint when empty', () => {
    for (const state of ['BACKOFF', 'FATAL'] as const) {
      expect(describeProcess(facts({ state, spawnerr: "can't find command '/x'" }))).toBe("can't find command '/x'");
      expect(describeProcess(facts({ state, spawnerr: '' }))).toBe('unknown error (try "tail web")');
    }
  });

  it('STOPPED and EXITED: Not started when start is 0, else the stop time', () => {
    for (const state of ['STOPPED', 'EXITED'] as const) {
      expect(describeProcess(facts({ state }))).toBe('Not started');
      expect(describeProcess(facts({ state, start: NOV22_0138 - 60, stop: NOV22_0138 }))).toBe('Nov 22 01:38 AM');
    }
    // supervisord's quirk: stopped from BACKOFF without ever reaping a child -> stop time 0, the epoch.
    expect(describeProcess(facts({ state: 'STOPPED', start: NOV22_0138, stop: 0 }))).toBe('Jan 01 12:00 AM');
  });

  it('STARTING, STOPPING, UNKNOWN: empty', () => {
    for (const state of ['STARTING', 'STOPPING', 'UNKNOWN'] as const) {
      expect(describeProcess(facts({ state, pid: 5, start: NOV22_0138, spawnerr: 'x' }))).toBe('');
    }
  });
});
