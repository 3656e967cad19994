// The status page's shared markup and wording (server render and browser client use the same code).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUptime as supervisordUptime } from '../../../src/supervisor/process-info.js';
import {
  describeFailure,
  detailText,
  escapeHtml,
  formatUptime,
  groupHtml,
  hasGroupRow,
  matchesFilter,
  type RowStatus,
  summaryText,
} from '../../../src/server/status-page/view.js';

const status = (over: Partial<RowStatus>): RowStatus => ({
  restarts: 0,
  nextRetryAt: null,
  name: 'web',
  group: 'web',
  namespec: 'web',
  state: 20,
  statename: 'RUNNING',
  pid: 42,
  uptime: 75,
  start: 1_700_000_000,
  stop: 0,
  exitstatus: 0,
  spawnerr: '',
  description: 'pid 42, uptime 0:01:15',
  ...over,
});

describe('status page view', () => {
  it('formats uptime exactly as supervisord (the browser copy of process-info formatUptime)', () => {
    fc.assert(fc.property(fc.integer({ min: -10, max: 10 * 86400 }), (s) => formatUptime(s) === supervisordUptime(s)));
  });

  it.each([
    [status({}), 'up 0:01:15'],
    [status({ statename: 'EXITED', pid: 0, uptime: null, exitstatus: 3, description: 'Nov 22 01:38 AM' }), 'exit status 3 at Nov 22 01:38 AM'],
    [status({ statename: 'STOPPED', pid: 0, uptime: null, description: 'Nov 22 01:38 AM' }), 'stopped at Nov 22 01:38 AM'],
    [status({ statename: 'STOPPED', pid: 0, uptime: null, start: 0, description: 'Not started' }), 'Not started'],
    [status({ statename: 'FATAL', pid: 0, uptime: null, spawnerr: 'Exited too quickly', description: 'Exited too quickly' }), ''],
    [status({ statename: 'STARTING', uptime: null, description: '' }), ''],
  ])('detail of %#', (s, text) => {
    expect(detailText(s)).toBe(text);
  });

  it('advances a RUNNING uptime from the client clock', () => {
    expect(detailText(status({}), 3601.9)).toBe('up 1:00:01');
  });

  it('escapes text and attribute values', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = groupHtml('g"<', [status({ name: 'p"<', group: 'g"<', namespec: 'g"<:p"<' })], true);
    expect(html).not.toMatch(/"<|<:|p"</);
    expect(html).toContain('aria-label="Start g&quot;&lt;:p&quot;&lt;"');
  });

  it('gives a group its own row (and group buttons) when it has several processes or a renamed one', () => {
    expect(hasGroupRow('web', [status({})])).toBe(false);
    expect(hasGroupRow('web', [status({ name: 'web_0', namespec: 'web:web_0' })])).toBe(true);
    expect(hasGroupRow('web', [status({}), status({ name: 'b', namespec: 'web:b' })])).toBe(true);
    const html = groupHtml('pool', [status({ name: 'a', group: 'pool', namespec: 'pool:a' }), status({ name: 'b', group: 'pool', namespec: 'pool:b' })], true);
    // Both processes RUNNING: the group's Start cannot apply and is disabled; Stop and Restart can.
    expect(html).toContain('data-target="pool:*" aria-label="Start group pool" disabled>Start</button>');
    expect(html).toContain('data-target="pool:*" aria-label="Stop group pool">Stop</button>');
    expect(html).toContain('aria-label="Collapse group pool"');
    expect(html).toContain('data-action="edit" data-target="pool" aria-label="Edit program pool" hidden>Edit</button>');
    expect(html).toContain('data-action="log" data-target="pool:a" aria-label="Show log of pool:a">Show log</button>');
  });

  it('filters by name, group or state, ignoring case', () => {
    const s = { namespec: 'api:worker_1', group: 'api', statename: 'BACKOFF' };
    expect(matchesFilter(s, 'WORKER', '')).toBe(true);
    expect(matchesFilter(s, 'api', '')).toBe(true);
    expect(matchesFilter(s, 'backoff', '')).toBe(true);
    expect(matchesFilter(s, ' back ', '')).toBe(true);
    expect(matchesFilter(s, 'web', '')).toBe(false);
    expect(matchesFilter(s, '', 'BACKOFF')).toBe(true);
    expect(matchesFilter(s, 'worker', 'RUNNING')).toBe(false);
  });

  it('puts failures in supervisorctl words, falling back to the API message', () => {
    expect(describeFailure('web', 'ALREADY_STARTED', 'ALREADY_STARTED: web')).toBe('web: already started');
    expect(describeFailure('web', 'NOT_RUNNING', 'NOT_RUNNING: web')).toBe('web: not running');
    expect(describeFailure('nope', 'BAD_NAME', 'BAD_NAME: nope')).toBe('nope: no such process');
    expect(describeFailure('web', 'FAILED', 'FAILED: web is in an unknown process state')).toBe('web: web is in an unknown process state');
    expect(describeFailure('web', 'HTTP 502', '')).toBe('web: http 502');
  });

  it('summarises counts per state', () => {
    expect(
      summaryText(
        new Map([
          ['RUNNING', 2],
          ['STOPPED', 0],
          ['FATAL', 1],
        ]),
      ),
    ).toBe('3 processes: 2 RUNNING, 1 FATAL');
    expect(summaryText(new Map([['RUNNING', 1]]))).toBe('1 process: 1 RUNNING');
    expect(summaryText(new Map())).toBe('0 processes');
  });
});
