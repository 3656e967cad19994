// Chaos: a seeded random schedule of SIGKILL/SIGSTOP/SIGCONT sent to children and grandchildren,
// interleaved with startProcess/stopProcess/restart/signalProcess calls that are not awaited (they
// race each other and the exits). After every step the invariants are checked; at the end, after
// shutdown, nothing the manager ever started may be left. Replay a run with CHAOS_SEED=<seed>.
//
// Invariants (a violation must persist for PERSIST_MS to count: an exit the kernel has reported
// but the manager has not processed yet — child reaped, pipes still draining — is a legal window):
// - one processState event per transition: each event's `from` is the previous event's `to` for
//   that process, from != to, and the process is in `to` when the event is emitted;
// - info.pid != 0 ⇔ state ∈ {STARTING, RUNNING, STOPPING} ⇔ the pid is our child in /proc (alive,
//   stopped, or a zombie not yet reaped);
// - never two live children for one process (our direct children, by SUPERVISOR_PROCESS_NAME),
//   and no live child of ours that no process owns;
// - no UNKNOWN state, no `error` event, no unhandled rejection, no call failing with anything but
//   the documented race faults, no call left pending at the end.
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { FAULTS, isSupervisorError, type ProcessManager, type ProcessState, type ProcessStateEvent } from '../../src/index.js';
import { watchdogPid } from '../../src/supervisor/orphan-guard.js';
import { createTestManager, node } from '../helpers/manager.js';
import { sleep, waitUntil } from '../helpers/wait-for.js';
import { bounded, cmdline, envOf, markedProcs, procs, recordFigures, Rng, say, scale, SeenProcesses, seedFrom, zombieChildren, type Proc } from './lib.js';

const STEPS = scale(600, 120);
const PERSIST_MS = 1000;
const MARK_KEY = 'PROCVISOR_CHAOS_MARK';

const LIVE_STATES: ReadonlySet<ProcessState> = new Set(['STARTING', 'RUNNING', 'STOPPING']);
/** Faults a racing call may legitimately get. */
const RACE_FAULTS: ReadonlySet<string> = new Set(['ALREADY_STARTED', 'NOT_RUNNING', 'SPAWN_ERROR', 'ABNORMAL_TERMINATION']);

const removeOnEnd: (() => void)[] = [];
afterEach(() => {
  for (const fn of removeOnEnd.splice(0)) fn();
});

function addPrograms(pm: ProcessManager): void {
  const common = { startsecs: 0, autorestart: true as const, stopwaitsecs: 0.5, stdout_logfile: 'NONE', stderr_logfile: 'NONE' };
  // Children that fork grandchildren into their own process group, stopped as a group.
  pm.addProcessGroup({
    name: 'tree',
    command: "sh -c 'sleep 1000 & sleep 1000 & wait'",
    ...common,
    stopasgroup: true,
    numprocs: 2,
    process_name: 'tree_%(process_num)d',
  });
  // Grandchildren that stay behind: one in the child's group, one in a session of its own.
  pm.addProcessGroup({ name: 'leaky', command: "sh -c 'sleep 1000 & setsid sleep 1000 & wait'", ...common });
  // Stubborn children (SIGTERM ignored) with a small stopwaitsecs: SIGKILL escalation.
  pm.addProcessGroup({ name: 'stubborn', command: `sh -c 'trap "" TERM; while :; do sleep 0.5; done'`, ...common, stopwaitsecs: 0.3 });
  pm.addProcessGroup({
    name: 'stubborn_group',
    command: `sh -c 'trap "" TERM; sleep 1000 & while :; do sleep 0.5; done'`,
    ...common,
    stopwaitsecs: 0.3,
    stopasgroup: true,
  });
  pm.addProcessGroup({ name: 'node_stubborn', command: node('ignore-sigterm.mjs'), ...common, stopwaitsecs: 0.3 });
  // A Node child with grandchildren, one of which leaves the session (setsid).
  pm.addProcessGroup({ name: 'forktree', command: node('fork-tree.mjs', '--setsid'), ...common, stopasgroup: true });
  // Exits on its own after RUNNING (autorestart), one that never stays up (BACKOFF -> FATAL),
  // and a tight crash loop.
  pm.addProcessGroup({ name: 'flappy', command: "sh -c 'sleep 0.4; exit 3'", ...common, startsecs: 0.2 });
  pm.addProcessGroup({ name: 'failing', command: "sh -c 'sleep 0.1; exit 1'", ...common, startsecs: 1, startretries: 2 });
  pm.addProcessGroup({ name: 'crashloop', command: "sh -c 'exit 1'", ...common });
}

it(`a seeded chaos schedule (${STEPS} steps) never breaks the state machine, the pid bookkeeping or the no-orphan guarantee`, async () => {
  const seed = seedFrom('CHAOS_SEED', 'chaos');
  const rng = new Rng(seed);
  const mark = randomUUID();
  const env: Record<string, string | undefined> = { ...process.env, [MARK_KEY]: mark };
  delete env.NODE_EXTRA_CA_CERTS;
  const pm = createTestManager({ environment: env });
  addPrograms(pm);
  const namespecs = pm.getAllProcessInfo().map((i) => (i.group === i.name ? i.name : `${i.group}:${i.name}`));
  const groups = [...new Set(pm.getAllProcessInfo().map((i) => i.group))];

  // ---- recorders ----
  const violations: string[] = [];
  const last = new Map<string, ProcessState>();
  let transitions = 0;
  pm.on('processState', (e: ProcessStateEvent) => {
    transitions++;
    const key = `${e.group}:${e.name}`;
    const at = last.get(key) ?? 'STOPPED';
    if (e.from !== at || e.from === e.to) violations.push(`event chain: ${key} ${e.from}->${e.to} after ${at}`);
    last.set(key, e.to);
    const now = pm.getProcessInfo(key).statename;
    if (now !== e.to) violations.push(`event ${key} ${e.from}->${e.to} emitted while the state is ${now}`);
    if (e.to === 'UNKNOWN') violations.push(`${key} entered UNKNOWN`);
  });
  pm.on('error', (err: Error) => violations.push(`manager error event: ${err.message}`));
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  removeOnEnd.push(() => process.off('unhandledRejection', onUnhandled));

  const seen = new SeenProcesses();
  const faults = { sigkill: 0, sigstop: 0, sigcont: 0, toGrandchildren: 0 };
  const calls = { total: 0, ok: 0, faults: {} as Record<string, number>, unexpected: [] as string[] };
  const pending = new Set<Promise<unknown>>();

  const track = (what: string, call: () => unknown) => {
    calls.total++;
    let p: Promise<unknown>;
    try {
      p = Promise.resolve(call());
    } catch (e) {
      p = Promise.reject(e);
    }
    const settled = p.then(
      () => void calls.ok++,
      (e: unknown) => {
        if (isSupervisorError(e) && RACE_FAULTS.has(e.code)) calls.faults[e.code] = (calls.faults[e.code] ?? 0) + 1;
        else calls.unexpected.push(`${what}: ${isSupervisorError(e) ? `${e.code} ${e.message}` : String(e)}`);
      },
    );
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
  };

  // ---- the view from /proc ----
  const family = (): { table: Proc[]; marked: Proc[] } => {
    const table = procs();
    const marked = table.filter((p) => p.pid !== process.pid && envOf(p.pid, MARK_KEY) === mark);
    for (const p of marked) seen.add(p);
    return { table, marked };
  };

  /** Current violations of the pid invariants, keyed so that a persisting one can be recognised. */
  const pidViolations = (): Map<string, string> => {
    const out = new Map<string, string>();
    const { table } = family();
    const byPid = new Map(table.map((p) => [p.pid, p]));
    const owned = new Map<number, string>();
    for (const ns of namespecs) {
      const info = pm.getProcessInfo(ns);
      const live = LIVE_STATES.has(info.statename);
      if (info.statename === 'UNKNOWN') out.set(`unknown:${ns}`, `${ns} is UNKNOWN`);
      if (live !== (info.pid !== 0)) out.set(`pidstate:${ns}:${info.pid}:${info.statename}`, `${ns} is ${info.statename} with pid ${info.pid}`);
      if (info.pid !== 0) {
        owned.set(info.pid, ns);
        const p = byPid.get(info.pid);
        if (!p) out.set(`gone:${ns}:${info.pid}`, `${ns} (${info.statename}) has pid ${info.pid}, which does not exist`);
        else if (p.ppid !== process.pid) out.set(`notours:${ns}:${info.pid}`, `${ns} has pid ${info.pid}, whose parent is ${p.ppid}, not the manager`);
      }
    }
    const wd = watchdogPid();
    const liveChildren = new Map<string, number[]>();
    for (const p of table) {
      if (p.ppid !== process.pid || p.state === 'Z' || p.pid === wd) continue;
      const name = envOf(p.pid, 'SUPERVISOR_PROCESS_NAME');
      if (name === undefined) continue; // not started by a manager (e.g. a helper of the test runner)
      const group = envOf(p.pid, 'SUPERVISOR_GROUP_NAME') ?? name;
      const ns = group === name ? name : `${group}:${name}`;
      liveChildren.set(ns, [...(liveChildren.get(ns) ?? []), p.pid]);
      if (!owned.has(p.pid))
        out.set(
          `stray:${p.pid}`,
          `live child ${p.pid} of ${ns} is not the pid of any process (state ${pm.getProcessInfo(ns).statename}, pid ${pm.getProcessInfo(ns).pid})`,
        );
    }
    for (const [ns, pids] of liveChildren)
      if (pids.length > 1) out.set(`two:${ns}:${pids.join(',')}`, `${ns} has ${pids.length} live children: ${pids.join(', ')}`);
    return out;
  };

  /** Checks the pid invariants; a violation counts only if it persists for PERSIST_MS. */
  let checks = 0;
  const checkInvariants = async (when: string) => {
    checks++;
    const persisting = pidViolations();
    const start = performance.now();
    while (persisting.size > 0 && performance.now() - start < PERSIST_MS) {
      await sleep(20);
      const now = pidViolations();
      for (const k of [...persisting.keys()]) if (!now.has(k)) persisting.delete(k);
    }
    for (const v of persisting.values()) violations.push(`${when}: ${v}`);
  };

  // ---- the schedule ----
  await pm.start();
  await waitUntil(() => pm.getAllProcessInfo().every((i) => i.pid !== 0 || i.statename === 'BACKOFF'), 5000);
  const signalled = new Set<number>();
  const t0 = performance.now();
  for (let step = 0; step < STEPS; step++) {
    const actions = rng.int(1, 3);
    for (let a = 0; a < actions; a++) {
      const roll = rng.next();
      const ns = rng.pick(namespecs);
      if (roll < 0.45) {
        // A signal from outside: to a child (someone's kill -9) or to a grandchild.
        const sig = rng.pick(['SIGKILL', 'SIGKILL', 'SIGSTOP', 'SIGCONT'] as const);
        const toGrandchild = rng.chance(0.4);
        let target: number | undefined;
        const { marked } = family();
        if (toGrandchild) {
          const gc = marked.filter((p) => p.ppid !== process.pid && p.state !== 'Z');
          target = gc.length ? rng.pick(gc).pid : undefined;
        } else {
          target = pm.getProcessInfo(ns).pid || undefined;
        }
        // Only ever signal a process this run started (checked by its marker just before).
        if (target !== undefined && envOf(target, MARK_KEY) === mark) {
          try {
            process.kill(target, sig);
            signalled.add(target);
            if (sig === 'SIGKILL') faults.sigkill++;
            else if (sig === 'SIGSTOP') faults.sigstop++;
            else faults.sigcont++;
            if (toGrandchild) faults.toGrandchildren++;
          } catch {
            // it just exited
          }
        }
      } else if (roll < 0.62) {
        const wait = rng.chance(0.5);
        track(`startProcess(${ns}, wait=${wait})`, () => pm.startProcess(ns, { wait }));
      } else if (roll < 0.79) {
        const wait = rng.chance(0.5);
        track(`stopProcess(${ns}, wait=${wait})`, () => pm.stopProcess(ns, { wait }));
      } else if (roll < 0.88) {
        // restart: stop then start, chained but not awaited by the schedule
        track(`restart(${ns})`, async () => {
          await pm.stopProcess(ns).catch((e: unknown) => {
            if (!(isSupervisorError(e) && e.code === 'NOT_RUNNING')) throw e;
          });
          await pm.startProcess(ns, { wait: rng.chance(0.5) });
        });
      } else if (roll < 0.96) {
        const sig = rng.pick(['HUP', 'USR1', 'TERM', 'KILL', 'STOP', 'CONT', 'INT']);
        track(`signalProcess(${ns}, ${sig})`, () => pm.signalProcess(ns, sig));
      } else {
        const g = rng.pick(groups);
        const op = rng.chance(0.5) ? 'start' : 'stop';
        track(`${op}ProcessGroup(${g})`, () => (op === 'start' ? pm.startProcess(`${g}:*`, { wait: false }) : pm.stopProcess(`${g}:*`, { wait: false })));
      }
    }
    await sleep(rng.int(0, 40));
    await checkInvariants(`step ${step}`);
  }
  const seconds = (performance.now() - t0) / 1000;

  // ---- wind down: continue everything stopped, let the calls settle, check, shut down ----
  for (const p of markedProcs(MARK_KEY, mark)) {
    try {
      process.kill(p.pid, 'SIGCONT');
    } catch {
      // gone
    }
  }
  const settledInTime = await bounded(Promise.all([...pending]), 15_000, `${pending.size} calls still pending`).then(
    () => true,
    (e: unknown) => (violations.push(String(e)), false),
  );
  await checkInvariants('after the schedule');
  family();
  await bounded(pm.shutdown(), 30_000, 'shutdown');
  for (const i of pm.getAllProcessInfo()) {
    if (i.pid !== 0 || !['STOPPED', 'EXITED', 'FATAL'].includes(i.statename))
      violations.push(`after shutdown ${i.group}:${i.name} is ${i.statename} pid ${i.pid}`);
    // No transition without its event: the last event of each process names its final state.
    const lastTo = last.get(`${i.group}:${i.name}`) ?? 'STOPPED';
    if (lastTo !== i.statename) violations.push(`${i.group}:${i.name} is ${i.statename} but its last event said ${lastTo}`);
  }
  await waitUntil(() => seen.alive().length === 0, 2000, 20);
  const orphans = seen.alive();
  const zombies = zombieChildren();
  // Orphans that lead a session of their own (setsid) and were reparented to init.
  const escaped = orphans.filter((p) => p.sid === p.pid && p.ppid === 1).length;
  const orphanDescriptions = orphans.map((p) => `${p.pid} [${cmdline(p.pid)}] (ppid ${p.ppid}, pgrp ${p.pgrp}, sid ${p.sid}, ${p.state})`);
  // Leave nothing behind for the next suite (only processes of this run, by marker).
  for (const p of markedProcs(MARK_KEY, mark)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }

  const figures = {
    seed,
    steps: STEPS,
    seconds: Number(seconds.toFixed(1)),
    faultsInjected: faults.sigkill + faults.sigstop + faults.sigcont,
    ...faults,
    grandchildSignals: faults.toGrandchildren,
    apiCalls: calls.total,
    apiOk: calls.ok,
    apiFaults: calls.faults,
    unexpectedCallErrors: calls.unexpected.length,
    transitions,
    invariantChecks: checks,
    violations: violations.length,
    unhandledRejections: unhandled.length,
    pidsSeen: seen.size,
    orphans: orphans.length,
    escapedOrphans: escaped,
    zombies: zombies.length,
    // Processes the manager lost track of: live children no process owned, second children, orphans.
    processesLost: orphans.length + violations.filter((v) => /is not the pid of any process|live children/.test(v)).length,
  };
  say(
    'chaos',
    `${STEPS} steps in ${seconds.toFixed(1)} s; faults injected ${figures.faultsInjected} (SIGKILL ${faults.sigkill}, SIGSTOP ${faults.sigstop}, SIGCONT ${faults.sigcont}; ${faults.toGrandchildren} to grandchildren)`,
  );
  say(
    'chaos',
    `${calls.total} racing API calls: ${calls.ok} ok, faults ${JSON.stringify(calls.faults)}, unexpected ${calls.unexpected.length}; ${transitions} transitions`,
  );
  say(
    'chaos',
    `violations ${violations.length}, unhandled rejections ${unhandled.length}, pids seen ${seen.size}, orphans after shutdown ${orphans.length} (${escaped} in a session of their own, reparented to init), zombies ${zombies.length}`,
  );
  for (const o of orphanDescriptions.slice(0, 10)) say('chaos', `ORPHAN ${o}`);
  for (const v of violations.slice(0, 20)) say('chaos', `VIOLATION ${v}`);
  for (const v of calls.unexpected.slice(0, 20)) say('chaos', `UNEXPECTED ${v}`);
  recordFigures('chaos', figures);

  expect(settledInTime).toBe(true);
  expect(violations.slice(0, 20)).toEqual([]);
  expect(calls.unexpected.slice(0, 20)).toEqual([]);
  expect(unhandled.map(String)).toEqual([]);
  expect(orphanDescriptions).toEqual([]);
  expect(zombies).toEqual([]);
  void FAULTS;
});
