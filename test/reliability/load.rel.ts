// Load: 200 concurrent API clients — half XML-RPC over the unix socket, half the JSON API over
// loopback TCP, all keep-alive — issuing status/start/stop against 200 programs (`sleep 1000`,
// startsecs=0) for 60 s. No error other than the documented race faults (ALREADY_STARTED,
// NOT_RUNNING, ABNORMAL_TERMINATION for a start that meets a stop in progress); p50/p99 latency per
// operation and the throughput are reported; afterwards every program is RUNNING or STOPPED with a
// consistent pid, no stray child exists, and nothing survives the daemon.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeMethodCall } from '../../src/xmlrpc/encode.js';
import { decodeResponse } from '../../src/xmlrpc/decode.js';
import { XmlRpcFault } from '../../src/xmlrpc/types.js';
import { TestDaemon } from './daemon.js';
import { waitUntil } from '../helpers/wait-for.js';
import { cmdline, percentile, procs, readProc, recordFigures, Rng, say, scale } from './lib.js';

const PROGRAMS = 200;
const CLIENTS = 200;
const SECONDS = scale(60, 8);
const REQUEST_TIMEOUT_MS = 30_000;
/** Faults a racing status/start/stop may get (XML-RPC codes, and the JSON API's error codes). */
const RACE_FAULTS = new Set([60, 70, 40]);
const RACE_CODES = new Set(['ALREADY_STARTED', 'NOT_RUNNING', 'ABNORMAL_TERMINATION']);

const daemon = new TestDaemon();
const names = Array.from({ length: PROGRAMS }, (_, i) => `p:p_${String(i).padStart(3, '0')}`);

beforeAll(async () => {
  await daemon.start(`[program:p]
command=sleep 1000
numprocs=${PROGRAMS}
process_name=p_%(process_num)03d
startsecs=0
stopwaitsecs=5
`);
}, 60_000);

afterAll(() => daemon.cleanup());

type Op = 'status' | 'start' | 'stop';

interface Outcome {
  ok: boolean;
  /** A documented race fault. */
  race?: string;
  error?: string;
}

/** One request on a keep-alive agent, bounded. */
function call(
  agent: http.Agent,
  transport: 'unix' | 'tcp',
  method: string,
  path: string,
  body?: string,
  contentType?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = transport === 'unix' ? { socketPath: daemon.socket } : { host: '127.0.0.1', port: daemon.port };
    const headers: Record<string, string | number> = {};
    if (body !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request({ ...target, method, path, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: text });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}

async function xmlrpc(agent: http.Agent, op: Op, ns: string): Promise<Outcome> {
  const method = op === 'status' ? 'supervisor.getProcessInfo' : op === 'start' ? 'supervisor.startProcess' : 'supervisor.stopProcess';
  const res = await call(agent, 'unix', 'POST', '/RPC2', encodeMethodCall(method, [ns]), 'text/xml');
  if (res.status !== 200) return { ok: false, error: `HTTP ${res.status}: ${res.body.slice(0, 200)}` };
  try {
    decodeResponse(res.body);
    return { ok: true };
  } catch (e) {
    if (e instanceof XmlRpcFault)
      return RACE_FAULTS.has(e.faultCode) ? { ok: false, race: e.faultString.split(':')[0] } : { ok: false, error: `fault ${e.faultCode} ${e.faultString}` };
    return { ok: false, error: `undecodable: ${res.body.slice(0, 200)}` };
  }
}

async function json(agent: http.Agent, op: Op, ns: string): Promise<Outcome> {
  const path = `/api/processes/${encodeURIComponent(ns)}${op === 'status' ? '' : `/${op}`}`;
  const res = await call(agent, 'tcp', op === 'status' ? 'GET' : 'POST', path);
  if (res.status === 200) return { ok: true };
  try {
    const code = (JSON.parse(res.body) as { error?: { code?: string } }).error?.code ?? '';
    if (RACE_CODES.has(code)) return { ok: false, race: code };
    return { ok: false, error: `HTTP ${res.status} ${res.body.slice(0, 200)}` };
  } catch {
    return { ok: false, error: `HTTP ${res.status} ${res.body.slice(0, 200)}` };
  }
}

it(
  `${CLIENTS} concurrent clients (XML-RPC over the unix socket, JSON over TCP) for ${SECONDS} s against ${PROGRAMS} programs: only documented faults`,
  async () => {
    // Every program up first.
    const up = await daemon.rpc('unix', 'supervisor.getAllProcessInfo');
    expect('value' in up && (up.value as { statename: string }[]).filter((p) => p.statename === 'RUNNING').length).toBe(PROGRAMS);

    const latencies = new Map<string, number[]>();
    const races: Record<string, number> = {};
    const errors: string[] = [];
    let requests = 0;
    const end = performance.now() + SECONDS * 1000;
    const client = async (i: number) => {
      const proto = i % 2 === 0 ? 'xmlrpc' : 'json';
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const rng = new Rng(1000 + i);
      try {
        while (performance.now() < end) {
          const roll = rng.next();
          const op: Op = roll < 0.5 ? 'status' : roll < 0.75 ? 'start' : 'stop';
          const ns = rng.pick(names);
          const t0 = performance.now();
          let out: Outcome;
          try {
            out = proto === 'xmlrpc' ? await xmlrpc(agent, op, ns) : await json(agent, op, ns);
          } catch (e) {
            out = { ok: false, error: `${(e as NodeJS.ErrnoException).code ?? ''} ${(e as Error).message}` };
          }
          const ms = performance.now() - t0;
          requests++;
          const key = `${proto} ${op}`;
          let list = latencies.get(key);
          if (!list) latencies.set(key, (list = []));
          list.push(ms);
          if (out.race) races[`${key}: ${out.race}`] = (races[`${key}: ${out.race}`] ?? 0) + 1;
          if (out.error !== undefined) errors.push(`${key} ${ns}: ${out.error}`);
        }
      } finally {
        agent.destroy();
      }
    };
    const cpu0 = daemonCpuSeconds();
    const clientCpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    const seconds = (performance.now() - t0) / 1000;
    const daemonCpu = Math.round(((daemonCpuSeconds() - cpu0) / seconds) * 100);
    const used = process.cpuUsage(clientCpu0);
    const clientCpu = Math.round(((used.user + used.system) / 1e6 / seconds) * 100);

    // Afterwards: every program RUNNING (pid alive, the daemon's child) or STOPPED (pid 0); no stray child.
    const infoRes = await daemon.rpc('unix', 'supervisor.getAllProcessInfo');
    const infos = 'value' in infoRes ? (infoRes.value as { name: string; statename: string; pid: number }[]) : [];
    const owned = new Set(infos.map((p) => p.pid).filter((p) => p !== 0));
    const lost: string[] = [];
    for (const p of infos) {
      if (p.statename === 'RUNNING') {
        const proc = readProc(p.pid);
        if (!proc || proc.ppid !== daemon.pid || proc.state === 'Z')
          lost.push(`${p.name} RUNNING with pid ${p.pid}, which is ${proc ? `${proc.state} child of ${proc.ppid}` : 'gone'}`);
      } else if (p.statename !== 'STOPPED' || p.pid !== 0) lost.push(`${p.name} is ${p.statename} with pid ${p.pid}`);
    }
    await waitUntil(
      () => procs().filter((p) => p.ppid === daemon.pid && p.state !== 'Z' && !owned.has(p.pid) && cmdline(p.pid).startsWith('sleep')).length === 0,
      2000,
      50,
    );
    const strays = procs().filter((p) => p.ppid === daemon.pid && p.state !== 'Z' && !owned.has(p.pid) && cmdline(p.pid).startsWith('sleep'));
    for (const s of strays) lost.push(`stray child ${s.pid} (${cmdline(s.pid)}) owned by no program`);
    const running = infos.filter((p) => p.statename === 'RUNNING').length;

    const stop = await daemon.stop(60_000);
    await waitUntil(() => daemon.survivors().length === 0, 3000, 50);
    const survivors = daemon.survivors();
    for (const s of survivors) lost.push(`survivor after daemon stop: ${s.pid} ${cmdline(s.pid)}`);

    const all = [...latencies.values()].flat().sort((a, b) => a - b);
    const ops: Record<string, { count: number; p50: number; p99: number }> = {};
    for (const [key, list] of [...latencies.entries()].sort()) {
      list.sort((a, b) => a - b);
      ops[key] = { count: list.length, p50: round(percentile(list, 50)), p99: round(percentile(list, 99)) };
    }
    const rps = Math.round(requests / seconds);
    say(
      'load',
      `${CLIENTS} clients x ${seconds.toFixed(1)} s against ${PROGRAMS} programs: ${requests} requests, ${rps} req/s, p50 ${round(percentile(all, 50))} ms, p99 ${round(percentile(all, 99))} ms`,
    );
    for (const [k, v] of Object.entries(ops)) say('load', `  ${k.padEnd(14)} ${String(v.count).padStart(7)} req  p50 ${v.p50} ms  p99 ${v.p99} ms`);
    say('load', `CPU during the run: daemon ${daemonCpu}% of one core, the 200 clients (this process) ${clientCpu}%`);
    say(
      'load',
      `documented race faults ${JSON.stringify(races)}; unexpected errors ${errors.length}; afterwards ${running} RUNNING, ${PROGRAMS - running} STOPPED; processes lost ${lost.length}; daemon stopped ${stop.clean ? 'cleanly' : `by ${String(stop.signal)}`}`,
    );
    for (const e of errors.slice(0, 15)) say('load', `ERROR ${e}`);
    for (const l of lost.slice(0, 15)) say('load', `LOST ${l}`);
    recordFigures('load', {
      clients: CLIENTS,
      programs: PROGRAMS,
      seconds: Number(seconds.toFixed(1)),
      requests,
      requestsPerSecond: rps,
      p50: round(percentile(all, 50)),
      p99: round(percentile(all, 99)),
      ops,
      raceFaults: races,
      errors: errors.length,
      runningAfter: running,
      daemonCpuPercent: daemonCpu,
      clientCpuPercent: clientCpu,
      processesLost: lost.length,
    });
    expect(errors.slice(0, 15)).toEqual([]);
    expect(lost).toEqual([]);
    expect(stop.clean).toBe(true);
  },
  (SECONDS + 120) * 1000,
);

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** CPU seconds (user + system) the daemon has used so far. */
function daemonCpuSeconds(): number {
  try {
    const stat = readFileSync(`/proc/${daemon.pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}
