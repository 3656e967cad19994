// GET /api/events: a snapshot on connect, one `state` event per transition with the process's
// settled status, group events, heartbeats, listener cleanup and manager replacement (reload).
import { describe, expect, it } from 'vitest';
import { openSse, type SseEvent, startStatusServer } from '../../e2e/status-page-server.js';
import { createTestManager } from '../../helpers/manager.js';
import { until, waitForState } from '../../helpers/wait-for.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SLEEP = { command: 'sleep 1000', startsecs: 0, stopwaitsecs: 1 };
const json = (e: SseEvent): Json => JSON.parse(e.data);
const isState = (name: string, to: string) => (e: SseEvent) => e.event === 'state' && json(e).process.name === name && json(e).to === to;

describe('GET /api/events', () => {
  it('starts with a snapshot of every process and the supervisor state', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'a', ...SLEEP, autostart: false });
    pm.addProcessGroup({ name: 'b', ...SLEEP, autostart: false, numprocs: 2, process_name: 'b%(process_num)d' });
    const sse = await openSse(`${base}/api/events`);
    expect(sse.status).toBe(200);
    expect(sse.contentType).toBe('text/event-stream; charset=utf-8');
    const snap = json(await sse.next((e) => e.event === 'snapshot'));
    expect(snap.supervisor).toEqual({ statecode: 1, statename: 'RUNNING' });
    expect(snap.processes.map((p: Json) => `${p.namespec} ${p.statename} ${p.description}`)).toEqual([
      'a STOPPED Not started',
      'b:b0 STOPPED Not started',
      'b:b1 STOPPED Not started',
    ]);
    sse.close();
  });

  it('sends one state event per transition, each with the status settled after it (pid set on STARTING, cleared after the exit; restarts)', async () => {
    const { pm, base } = await startStatusServer();
    const sse = await openSse(`${base}/api/events`);
    await sse.next((e) => e.event === 'snapshot');
    pm.addProcessGroup({ name: 'a', ...SLEEP });
    const added = json(await sse.next((e) => e.event === 'group'));
    expect(added).toMatchObject({ action: 'added', name: 'a', processes: [{ namespec: 'a', statename: 'STOPPED' }] });
    const starting = json(await sse.next(isState('a', 'STARTING')));
    expect(starting).toMatchObject({ from: 'STOPPED', to: 'STARTING', process: { statename: 'STARTING', state: 10 } });
    expect(starting.process.pid).toBeGreaterThan(0);
    const running = json(await sse.next(isState('a', 'RUNNING')));
    expect(running.process).toMatchObject({ statename: 'RUNNING', pid: starting.process.pid, uptime: 0 });
    expect(running.process.description).toBe(`pid ${starting.process.pid}, uptime 0:00:00`);
    void pm.stopProcess('a');
    expect(json(await sse.next(isState('a', 'STOPPING'))).process).toMatchObject({ statename: 'STOPPING', pid: starting.process.pid });
    const stopped = json(await sse.next(isState('a', 'STOPPED')));
    expect(stopped.process).toMatchObject({ statename: 'STOPPED', pid: 0, exitstatus: -1 });
    expect(typeof stopped.time).toBe('number');
    expect(starting.process.restarts).toBe(0);
    void pm.startProcess('a');
    expect(json(await sse.next(isState('a', 'STARTING'))).process.restarts).toBe(1); // the manager's counter
    sse.close();
  });

  it('keeps each transition its own status when two follow at once (RUNNING then EXITED)', async () => {
    const { pm, base } = await startStatusServer();
    const sse = await openSse(`${base}/api/events`);
    await sse.next((e) => e.event === 'snapshot');
    pm.addProcessGroup({ name: 'quick', command: "sh -c 'exit 3'", startsecs: 0, autorestart: false });
    const states: Json[] = [];
    for (const to of ['STARTING', 'RUNNING', 'EXITED']) states.push(json(await sse.next(isState('quick', to))));
    expect(states.map((s) => `${s.from}->${s.to} ${s.process.statename}`)).toEqual([
      'STOPPED->STARTING STARTING',
      'STARTING->RUNNING RUNNING',
      'RUNNING->EXITED EXITED',
    ]);
    expect(states[2].process).toMatchObject({ pid: 0, exitstatus: 3, spawnerr: 'Bad exit code 3' });
    expect(states[2].expected).toBe(false);
    sse.close();
  });

  it('sends group events on removal, and supervisor events', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'gone', ...SLEEP, autostart: false });
    const sse = await openSse(`${base}/api/events`);
    await sse.next((e) => e.event === 'snapshot');
    pm.removeProcessGroup('gone');
    expect(json(await sse.next((e) => e.event === 'group'))).toEqual({ action: 'removed', name: 'gone' });
    void pm.shutdown();
    expect(json(await sse.next((e) => e.event === 'supervisor'))).toEqual({ statecode: -1, statename: 'SHUTDOWN' });
    sse.close();
  });

  it('writes a keepalive comment every heartbeatMs', async () => {
    const { base } = await startStatusServer({ heartbeatMs: 30 });
    const sse = await openSse(`${base}/api/events`);
    await sse.next((e) => e.event === 'snapshot');
    await until(
      () => sse.raw.filter((l) => l === ': keepalive').length >= 2,
      () => `lines: ${JSON.stringify(sse.raw.slice(-5))}`,
      2000,
    );
    sse.close();
  });

  it('shares one set of listeners among clients and removes it when the last one leaves', async () => {
    const { pm, base, events } = await startStatusServer();
    const before = pm.listenerCount('processState');
    // The manager's own event hub listens too (PROCESS_GROUP_ADDED and friends): count from there.
    const groupsBefore = pm.listenerCount('processGroupAdded');
    const moodBefore = pm.listenerCount('supervisorState');
    const one = await openSse(`${base}/api/events`);
    const two = await openSse(`${base}/api/events`);
    await one.next((e) => e.event === 'snapshot');
    await two.next((e) => e.event === 'snapshot');
    expect(events.clientCount).toBe(2);
    expect(pm.listenerCount('processState')).toBe(before + 1);
    expect(pm.listenerCount('processGroupAdded')).toBe(groupsBefore + 1);
    one.close();
    await until(
      () => events.clientCount === 1,
      () => `clients: ${events.clientCount}`,
    );
    expect(pm.listenerCount('processState')).toBe(before + 1);
    two.close();
    await until(
      () => events.clientCount === 0,
      () => `clients: ${events.clientCount}`,
    );
    expect(pm.listenerCount('processState')).toBe(before);
    expect(pm.listenerCount('processGroupAdded')).toBe(groupsBefore);
    expect(pm.listenerCount('supervisorState')).toBe(moodBefore);
  });

  it('follows a replaced manager (daemon reload): a new snapshot, then its events; the old one is let go', async () => {
    const server = await startStatusServer({ rebindCheckMs: 20 });
    const old = server.pm;
    const oldGroupsBefore = old.listenerCount('processGroupAdded');
    old.addProcessGroup({ name: 'old', ...SLEEP, autostart: false });
    const sse = await openSse(`${server.base}/api/events`);
    await sse.next((e) => e.event === 'snapshot');
    const next = createTestManager();
    await next.start();
    next.addProcessGroup({ name: 'new', ...SLEEP, autostart: false });
    server.replaceManager(next);
    const snap = json(await sse.next((e) => e.event === 'snapshot'));
    expect(snap.processes.map((p: Json) => p.namespec)).toEqual(['new']);
    expect(old.listenerCount('processGroupAdded')).toBe(oldGroupsBefore);
    void next.startProcess('new');
    expect(json(await sse.next(isState('new', 'RUNNING'))).process.namespec).toBe('new');
    sse.close();
  });

  it('rebind() switches at once, without waiting for the periodic check', async () => {
    const server = await startStatusServer({ rebindCheckMs: 60_000 });
    const sse = await openSse(`${server.base}/api/events`);
    await sse.next((e) => e.event === 'snapshot');
    const next = createTestManager();
    next.addProcessGroup({ name: 'fresh', ...SLEEP, autostart: false });
    server.replaceManager(next);
    server.events.rebind();
    const snap = json(await sse.next((e) => e.event === 'snapshot', 500));
    expect(snap.processes.map((p: Json) => p.namespec)).toEqual(['fresh']);
    sse.close();
  });

  it('answers other methods with 405 in the JSON API error shape; other /api/ paths still reach the JSON API', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'a', ...SLEEP });
    await waitForState(pm, 'a', 'RUNNING');
    const post = await fetch(`${base}/api/events`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect(((await post.json()) as { error: unknown }).error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', faultCode: null });
    const status = (await (await fetch(`${base}/api/status`)).json()) as { processes: { statename: string }[] };
    expect(status.processes.map((p) => p.statename)).toEqual(['RUNNING']);
  });
});
