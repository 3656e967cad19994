// The status page's pure helpers for its new columns and controls (which buttons apply, numbers
// in words, the history chart, times in log lines) and its usage sampler against /proc.
import { describe, expect, it } from 'vitest';
import { readProcEntry } from '../../../src/supervisor/proc-table.js';
import { UsageSampler } from '../../../src/server/status-page/usage.js';
import { downloadName } from '../../../src/server/status-page/downloads.js';
import { bytesText, canApply, cpuText, sparklinePoints, splitLogLine } from '../../../src/server/status-page/view.js';
import { createTestManager } from '../../helpers/manager.js';
import { waitForState } from '../../helpers/wait-for.js';

describe('status page helpers', () => {
  it('enables start, stop and restart exactly where supervisord would not refuse them', () => {
    const table: [string, boolean, boolean, boolean][] = [
      ['STOPPED', true, false, true],
      ['EXITED', true, false, true],
      ['FATAL', true, false, true],
      ['STARTING', false, true, true],
      ['RUNNING', false, true, true],
      ['BACKOFF', false, true, true],
      ['STOPPING', false, false, false],
    ];
    for (const [state, start, stop, restart] of table)
      expect([state, canApply('start', [state]), canApply('stop', [state]), canApply('restart', [state])]).toEqual([state, start, stop, restart]);
    expect(canApply('stop', ['STOPPED', 'RUNNING'])).toBe(true); // a group: any member
    expect(canApply('start', ['RUNNING', 'BACKOFF'])).toBe(false);
    expect(canApply('clear', ['STOPPING'])).toBe(true);
  });

  it('puts numbers in words', () => {
    expect([cpuText(null), cpuText(0), cpuText(3.14159), cpuText(12.6), cpuText(250)]).toEqual(['', '0.0%', '3.1%', '13%', '250%']);
    expect([
      bytesText(undefined),
      bytesText(512),
      bytesText(812 * 1024),
      bytesText(42.13 * 1024 * 1024),
      bytesText(300 * 1024 * 1024),
      bytesText(1.25 * 1024 ** 3),
    ]).toEqual(['', '512 B', '812 KB', '42.1 MB', '300 MB', '1.3 GB']);
  });

  it('draws the newest sample at the right edge, scaled to the peak or the floor', () => {
    expect(sparklinePoints([], 60, 16, 30, 100)).toBe('');
    expect(sparklinePoints([50], 60, 16, 30, 100)).toBe('60.0,8.0');
    const pts = sparklinePoints([0, 200, 100], 60, 16, 3, 100).split(' ');
    expect(pts).toEqual(['0.0,15.0', '30.0,1.0', '60.0,8.0']);
  });

  it('splits a time off a log line when it has one (ISO 8601 prefix or a JSON line)', () => {
    expect(splitLogLine('2026-12-03T14:02:11.123Z GET / 200')).toEqual({ time: '2026-12-03T14:02:11.123Z', text: 'GET / 200' });
    expect(splitLogLine('[2026-12-03 14:02:11,001+01:00] started')).toEqual({ time: '2026-12-03 14:02:11,001+01:00', text: 'started' });
    expect(splitLogLine('{"time":"2026-12-03T14:02:12.000Z","process":"web","stream":"stdout","line":"hi"}')).toEqual({
      time: '2026-12-03T14:02:12.000Z',
      text: 'hi',
    });
    expect(splitLogLine('{"level":"info"}')).toEqual({ time: '', text: '{"level":"info"}' });
    expect(splitLogLine('2026-12-03 is a date, not a time')).toEqual({ time: '', text: '2026-12-03 is a date, not a time' });
    expect(splitLogLine('[2026-12-03T14:02:11Z unbalanced')).toEqual({ time: '', text: '[2026-12-03T14:02:11Z unbalanced' });
  });

  it('names downloads without path or quoting characters', () => {
    expect(downloadName('web', 'stdout')).toBe('web-stdout.log');
    expect(downloadName('pool:w0', 'stderr')).toBe('pool_w0-stderr.log');
    expect(downloadName('a"/b', 'stdout')).toBe('a_b-stdout.log');
  });
});

describe('UsageSampler', () => {
  it('reports memory of running processes from /proc, CPU from the second reading on, and reads at most once a second', async () => {
    const pm = createTestManager();
    try {
      pm.addProcessGroup({ name: 'web', command: 'sleep 1000', startsecs: 0 });
      pm.addProcessGroup({ name: 'idle', command: 'sleep 1000', autostart: false });
      await pm.start();
      await waitForState(pm, 'web', 'RUNNING');
      const sampler = new UsageSampler();
      const t0 = Date.now();
      const first = sampler.sample(pm, t0);
      expect(Object.keys(first.processes)).toEqual(['web']);
      expect(first.processes.web?.cpu).toBeNull();
      const rss = (readProcEntry(pm.getProcessInfo('web').pid)?.rsspages ?? 0) * 4096;
      expect(first.processes.web?.rss).toBe(rss);
      expect(sampler.sample(pm, t0 + 500)).toBe(first);
      const second = sampler.sample(pm, t0 + 1500);
      expect(second).not.toBe(first);
      expect(second.processes.web?.cpu).toBeGreaterThanOrEqual(0);
      expect(second.processes.web?.cpu).toBeLessThan(50); // sleep uses no CPU
    } finally {
      await pm.shutdown();
    }
  });
});
