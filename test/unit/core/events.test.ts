// supervisord's events without child processes: the type tree, payloads and header lengths, the
// bus (serials, overlapping subscriptions, TICK timers on a fake clock), capture mode's token
// handling, and the [eventlistener:x] configuration checks (objects, INI text, emitted text).
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/supervisor/event-bus.js';
import { isSubtype, payloadLength, renderPayload, type EventData } from '../../../src/supervisor/event-types.js';
import { CaptureChannel } from '../../../src/supervisor/capture.js';
import { resolveGroup } from '../../../src/supervisor/config.js';
import { parseSupervisordConfig } from '../../../src/config-file/config-file.js';
import { toSupervisordConf } from '../../../src/config-file/emit.js';
import { ConfigError } from '../../../src/errors.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const noError = (e: Error) => {
  throw e;
};

describe('event types and payloads', () => {
  it('abstract types cover their subtrees, and EVENT covers everything', () => {
    expect(isSubtype('PROCESS_STATE_EXITED', 'PROCESS_STATE')).toBe(true);
    expect(isSubtype('TICK_60', 'TICK')).toBe(true);
    expect(isSubtype('TICK_60', 'TICK_5')).toBe(false);
    expect(isSubtype('PROCESS_LOG_STDERR', 'PROCESS_COMMUNICATION')).toBe(false);
    expect(isSubtype('PROCESS_GROUP_REMOVED', 'EVENT')).toBe(true);
  });

  it('renders payloads as supervisord 4.2.5 sends them', () => {
    const cases: Array<[EventData, string]> = [
      [
        { type: 'PROCESS_STATE_STARTING', processname: 'w', groupname: 'g', from_state: 'STOPPED', tries: 0 },
        'processname:w groupname:g from_state:STOPPED tries:0',
      ],
      [
        { type: 'PROCESS_STATE_EXITED', processname: 'w', groupname: 'g', from_state: 'RUNNING', expected: false, pid: 12 },
        'processname:w groupname:g from_state:RUNNING expected:0 pid:12',
      ],
      [{ type: 'PROCESS_STATE_FATAL', processname: 'w', groupname: 'g', from_state: 'BACKOFF' }, 'processname:w groupname:g from_state:BACKOFF'],
      [
        { type: 'PROCESS_LOG_STDERR', processname: 'w', groupname: 'g', pid: 7, data: Buffer.from('oops\n') },
        'processname:w groupname:g pid:7 channel:stderr\noops\n',
      ],
      [
        { type: 'PROCESS_COMMUNICATION_STDOUT', processname: 'w', groupname: 'g', pid: 7, data: Buffer.from([0xff]) },
        "processname:w groupname:g pid:7\nUndecodable: b'\\xff'",
      ],
      [{ type: 'REMOTE_COMMUNICATION', commType: 'hi', data: 'there' }, 'type:hi\nthere'],
      [{ type: 'SUPERVISOR_STATE_CHANGE_RUNNING' }, ''],
      [{ type: 'TICK_60', when: 1796306640 }, 'when:1796306640'],
      [{ type: 'PROCESS_GROUP_ADDED', groupname: 'g' }, 'groupname:g\n'],
    ];
    for (const [event, payload] of cases) expect(renderPayload(event)).toBe(payload);
  });

  it('counts the header length in code points, as Python counts a str', () => {
    expect(payloadLength('type:mytype\nhello dataé')).toBe(23);
    expect(payloadLength('😀')).toBe(1);
  });
});

describe('EventBus', () => {
  it('gives a serial only to consumed events, and an event matching two subscriptions keeps one serial', () => {
    const bus = new EventBus(new FakeClock(), noError);
    const seen: Array<[string, number]> = [];
    bus.notify({ type: 'PROCESS_GROUP_ADDED', groupname: 'nobody-listens' });
    bus.subscribe(['PROCESS_GROUP', 'PROCESS_GROUP_ADDED'], (e) => seen.push([e.type, e.serial]));
    bus.subscribe('EVENT', (e) => seen.push([`all:${e.type}`, e.serial]));
    bus.notify({ type: 'PROCESS_GROUP_ADDED', groupname: 'a' });
    bus.notify({ type: 'SUPERVISOR_STATE_CHANGE_RUNNING' });
    expect(seen).toEqual([
      ['PROCESS_GROUP_ADDED', 0],
      ['all:PROCESS_GROUP_ADDED', 0],
      ['all:SUPERVISOR_STATE_CHANGE_RUNNING', 1],
    ]);
  });

  it('rejects unknown type names', () => {
    const bus = new EventBus(new FakeClock(), noError);
    expect(() => bus.subscribe('PROCESS_STATE_NOPE' as 'EVENT', () => {})).toThrow('Unknown event type PROCESS_STATE_NOPE');
  });

  it('TICK events come at period boundaries with the period start, only while subscribed', () => {
    // 01:00:02.5 UTC: the next 5 s boundary is 01:00:05, the next minute 01:01:00.
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 1, 0, 2, 500));
    const bus = new EventBus(clock, noError);
    const offState = bus.subscribe('PROCESS_STATE', () => {});
    expect(clock.pendingCount).toBe(0); // no TICK subscriber: no timer at all
    const ticks: string[] = [];
    const off = bus.subscribe('TICK', (e) => ticks.push(`${e.type}@${(e as { when: number }).when - Date.UTC(2026, 10, 22, 1, 0, 0) / 1000}`));
    expect(clock.pendingCount).toBe(1);
    clock.advance(2_499);
    expect(ticks).toEqual([]);
    clock.advance(1);
    expect(ticks).toEqual(['TICK_5@5']);
    clock.advance(55_000);
    expect(ticks.slice(-2)).toEqual(['TICK_5@60', 'TICK_60@60']);
    expect(ticks).toHaveLength(13);
    off();
    expect(clock.pendingCount).toBe(0);
    clock.advance(3_600_000);
    expect(ticks).toHaveLength(13);
    offState();
  });

  it('a TICK_3600-only subscriber sleeps until the hour', () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 1, 59, 0));
    const bus = new EventBus(clock, noError);
    const whens: number[] = [];
    bus.subscribe('TICK_3600', (e) => whens.push(e.when));
    clock.advance(59_999);
    expect(whens).toEqual([]);
    clock.advance(1);
    expect(whens).toEqual([Date.UTC(2026, 10, 22, 2, 0, 0) / 1000]);
    bus.close();
    expect(clock.pendingCount).toBe(0);
  });
});

describe('capture mode', () => {
  function run(maxbytes: number, chunks: string[]) {
    const c = new CaptureChannel(maxbytes);
    const out: string[] = [];
    for (const chunk of chunks) {
      c.feed(Buffer.from(chunk), {
        output: (part, toLog) => out.push(`${toLog ? 'log' : 'cap'}:${part.toString()}`),
        communication: (data) => out.push(`COMM:${data.toString()}`),
      });
    }
    return out;
  }
  const B = '<!--XSUPERVISOR:BEGIN-->';
  const E = '<!--XSUPERVISOR:END-->';

  it('diverts text between the tokens, and holds back a short tail after the end token', () => {
    expect(run(100, [`before${B}captured data${E}after\n`])).toEqual(['log:before', 'cap:captured data', 'COMM:captured data']);
  });

  it('finds tokens split across chunks', () => {
    expect(run(100, ['x<!--XSUPER', `VISOR:BEGIN-->abc<!--XSUPERVISOR:E`, `ND-->${'y'.repeat(30)}`])).toEqual([
      'log:x',
      'cap:abc',
      'COMM:abc',
      `log:${'y'.repeat(30)}`,
    ]);
  });

  it("bounds the captured text as supervisord's BoundIO does: each write past maxbytes drops as many leading bytes", () => {
    // 'aaaa' waits (shorter than the end token), then 28 bytes come at once, then 'cc' drops 2.
    const out = run(4, [`${B}aaaa`, 'b'.repeat(24), `cc${E}`]);
    expect(out.at(-1)).toBe(`COMM:aa${'b'.repeat(24)}cc`);
    expect(run(4, [`${B}${'a'.repeat(30)}`, `${'b'.repeat(30)}${E}`]).at(-1)).toBe(`COMM:${'b'.repeat(30)}`);
  });
});

describe('[eventlistener:x] configuration', () => {
  const ctx = { env: {}, origin: 'api' as const };
  const base = { type: 'eventlistener' as const, name: 'lis', command: 'cat' };

  it('resolves a pool: default priority -1 and buffer 10, upper-cased events, stdout never captured', () => {
    const spec = resolveGroup(
      { ...base, events: 'process_state, TICK_5', stdout_capture_maxbytes: 100, stdout_events_enabled: true, stderr_events_enabled: true },
      ctx,
    );
    expect(spec.priority).toBe(-1);
    expect(spec.listener).toEqual({ events: ['PROCESS_STATE', 'TICK_5'], bufferSize: 10, resultHandler: 'supervisor.dispatchers:default_handler' });
    expect(spec.processes[0]?.stdout).toMatchObject({ capture_maxbytes: 0, events_enabled: false });
    expect(spec.processes[0]?.stderr.events_enabled).toBe(true);
  });

  it.each([
    [{ events: '' }, '[eventlistener:lis] section requires an "events" line'],
    [{ events: ['PROCESS_STATE', 'NOPE'] }, 'Unknown event type NOPE in [eventlistener:lis] events'],
    [{ events: 'TICK', buffer_size: 0 }, '[eventlistener:lis] section sets invalid buffer_size (0)'],
    [{ events: 'TICK', result_handler: 'mymod:handler' }, 'mymod:handler cannot be resolved within [eventlistener:lis]'],
    [
      { events: 'TICK', redirect_stderr: true },
      '[eventlistener:lis] section sets redirect_stderr=true but this is not allowed because it will interfere with the eventlistener protocol',
    ],
  ])('refuses %j', (extra, message) => {
    expect(() => resolveGroup({ ...base, ...extra }, ctx)).toThrow(ConfigError);
    expect(() => resolveGroup({ ...base, ...extra }, ctx)).toThrow(message);
  });

  it('reads [eventlistener:x] from a file, with the line of the bad option', () => {
    const ok = parseSupervisordConfig(
      '[supervisord]\n[program:w]\ncommand=cat\n[eventlistener:lis]\ncommand=cat\nevents=PROCESS_STATE_EXITED,tick_60\nbuffer_size=3\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)d\n',
      { file: 'x.conf' },
    );
    const lis = ok.specs.find((s) => s.name === 'lis');
    expect(ok.specs.map((s) => s.name)).toEqual(['lis', 'w']);
    expect(lis?.listener).toMatchObject({ events: ['PROCESS_STATE_EXITED', 'TICK_60'], bufferSize: 3 });
    expect(lis?.priority).toBe(-1);
    // The pool starts first; its processes keep the program default priority (supervisord's process_prio).
    expect(lis?.processes.map((p) => [p.name, p.priority])).toEqual([
      ['lis_0', 999],
      ['lis_1', 999],
    ]);
    let err: unknown;
    try {
      parseSupervisordConfig('[supervisord]\n[eventlistener:lis]\ncommand=cat\nevents=PROCESS_STATE\nresult_handler=foo.bar:baz\n', { file: 'x.conf' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ line: 5, option: 'result_handler' });
    expect((err as Error).message).toContain('foo.bar:baz cannot be resolved within [eventlistener:lis]');
  });

  it('is written back as [eventlistener:x] and read again the same', () => {
    const read = parseSupervisordConfig('[supervisord]\n[eventlistener:lis]\ncommand=cat\nevents=PROCESS_STATE,TICK_5\nbuffer_size=3\npriority=5\n', {
      file: 'x.conf',
    });
    const text = toSupervisordConf(read);
    expect(text).toContain('[eventlistener:lis]');
    const again = parseSupervisordConfig(text, { file: 'x.conf' });
    expect(again.specs).toEqual(read.specs);
    expect(again.groups).toEqual(read.groups);
  });
});
