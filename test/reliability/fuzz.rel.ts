// Bad input (seeded fast-check; replay with FUZZ_SEED=<seed>):
// - the config reader (parseSupervisordConfig) may only throw ConfigError;
// - the daemon's XML-RPC endpoint (malformed XML, random methods and params, wrong types for every
//   method, entity expansion and DOCTYPE, bodies over 2 MiB, deep nesting, odd namespecs) and HTTP
//   paths (traversal in /logtail/… and elsewhere) and the JSON API (wrong types, unknown fields,
//   huge bodies, odd namespecs, traversal): every request gets an XML-RPC fault or a 4xx — never a
//   5xx, never a hang (each request is bounded) — the daemon stays up and the protected programs
//   keep their pids.
import fc from 'fast-check';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigError, parseSupervisordConfig } from '../../src/index.js';
import { decodeResponse } from '../../src/xmlrpc/decode.js';
import { XmlRpcFault } from '../../src/xmlrpc/types.js';
import { INTERNAL_ERROR_PAGE } from '../../src/server/rpc-python.js';
import { HangError, TestDaemon, type RawResponse, type Transport } from './daemon.js';
import {
  apiCase,
  badValues,
  confText,
  entityBodies,
  malformedXml,
  nestedBodies,
  randomCall,
  traversalPath,
  wrongTypeCalls,
  type ApiCase,
} from './fuzz-cases.js';
import { waitUntil } from '../helpers/wait-for.js';
import { cmdline, recordFigures, Rng, say, scale, seedFrom } from './lib.js';

const N = {
  config: scale(5000, 400),
  random: scale(1500, 200),
  malformed: scale(600, 100),
  badValues: scale(200, 50),
  wrongTypes: scale(1200, 200),
  paths: scale(400, 60),
  api: scale(2500, 300),
};
const PASSWD = /root:x?:0:0:/;

const seed = seedFrom('FUZZ_SEED', 'fuzz');
const daemon = new TestDaemon();
let keepPids: number[] = [];

/** Failures by target, with enough of the input to reproduce. */
const failures: Record<string, string[]> = {};
const cases: Record<string, number> = {};
const stats = {
  serverErrors: 0,
  /** supervisord's own 500 page for an argument Python's int() refuses (the real program answers so too). */
  pythonErrors: 0,
  hangs: 0,
  unexpected: 0,
  resetsAfter413: 0,
  resetsOversizedHead: 0,
  silentStreams: 0,
  faults: {} as Record<string, number>,
  statuses: {} as Record<string, number>,
};
const fail = (target: string, what: string) => (failures[target] ??= []).push(what.length > 600 ? `${what.slice(0, 600)}…` : what);
const count = (target: string) => (cases[target] = (cases[target] ?? 0) + 1);

const sample = <T>(arb: fc.Arbitrary<T>, n: number, offset: number): T[] => fc.sample(arb, { seed: (seed + offset) | 0, numRuns: n });

beforeAll(async () => {
  await daemon.start(`[program:keep]
command=sleep 1000
numprocs=3
process_name=keep_%(process_num)d
startsecs=0

[program:victim]
command=sleep 1000
startsecs=0
stopwaitsecs=1
autorestart=false
`);
  keepPids = await keepState();
  expect(keepPids.every((p) => p > 0)).toBe(true);
}, 30_000);

afterAll(async () => {
  const stopped = await daemon.stop();
  await waitUntil(() => daemon.survivors().length === 0, 3000, 50);
  const survivors = daemon.survivors();
  for (const p of survivors) say('fuzz', `SURVIVOR of the daemon: ${p.pid} (ppid ${p.ppid}, pgrp ${p.pgrp}, state ${p.state}) ${cmdline(p.pid)}`);
  daemon.cleanup();
  const total = Object.values(cases).reduce((a, b) => a + b, 0);
  say(
    'fuzz',
    `${total} cases: ${JSON.stringify(cases)}; 5xx ${stats.serverErrors} (plus ${stats.pythonErrors} of supervisord's own 500 page for arguments int() refuses), hangs ${stats.hangs}, unexpected ${stats.unexpected}, resets after an early 413 ${stats.resetsAfter413}, resets on a request head over 16 KiB ${stats.resetsOversizedHead}, log streams of real processes that sent nothing yet ${stats.silentStreams}`,
  );
  say('fuzz', `XML-RPC faults ${JSON.stringify(stats.faults)}; HTTP statuses ${JSON.stringify(stats.statuses)}`);
  say('fuzz', `daemon stopped ${stopped.clean ? 'cleanly' : `by ${String(stopped.signal)}`}, survivors ${survivors.length}`);
  recordFigures('fuzz', {
    seed,
    survivorsAfterStop: survivors.length,
    daemonStoppedCleanly: stopped.clean,
    processesLost: survivors.length + (recordedLost ?? 0),
  });
});
let recordedLost: number | undefined;

async function keepState(): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await daemon.rpc('unix', 'supervisor.getProcessInfo', [`keep:keep_${i}`]);
    out.push('value' in r && (r.value as { statename?: string }).statename === 'RUNNING' ? ((r.value as { pid: number }).pid ?? 0) : 0);
  }
  return out;
}

/** Sends one request and classifies the answer; returns it when there was one. */
async function send(
  target: string,
  transport: Transport,
  opts: Parameters<TestDaemon['request']>[1],
  describe: string,
  check?: (r: RawResponse) => string | undefined,
): Promise<RawResponse | undefined> {
  // Node refuses request heads over 16 KiB (431) and closes at once: a client still sending sees a reset.
  const oversizedHead = Buffer.byteLength(opts?.path ?? '') + JSON.stringify(opts?.headers ?? {}).length > 16 * 1024;
  return exchange(target, () => daemon.request(transport, { timeoutMs: 5000, ...opts }), describe, check, { oversizedHead, path: opts?.path ?? '' });
}

/**
 * GET /logtail/NAMESPEC[/CHANNEL] of a real process streams its log (tail -f) by design; with
 * nothing logged yet not even the headers come, so such a request is not a hang.
 */
function isLogStream(path: string): boolean {
  if (path === '/mainlogtail') return true;
  // The merged stream of every process's output follows by default (server-sent events).
  if (new URL(path, 'http://localhost').pathname === '/api/logs') return true;
  if (!path.startsWith('/logtail/')) return false;
  let parts: string[];
  try {
    parts = new URL(path, 'http://localhost').pathname
      .slice('/logtail/'.length)
      .split('/')
      .map((p) => decodeURIComponent(p));
  } catch {
    return false;
  }
  const [name = '', channel = 'stdout'] = parts;
  return ['victim', 'victim:victim', 'keep:keep_0', 'keep:keep_1', 'keep:keep_2'].includes(name) && (channel === 'stdout' || channel === 'stderr');
}

/** The same over a bare socket (bodies the server refuses before reading them). */
async function sendOverSocket(
  target: string,
  transport: Transport,
  body: string,
  describe: string,
  extra: { chunked?: boolean; headers?: Record<string, string | number>; path?: string } = {},
): Promise<RawResponse | undefined> {
  // 413, or — when the server refused the body early and closed while it was still being sent —
  // a reset before the answer could be read (a Node client then loses the 413; curl reads it).
  const expect413 = (r: RawResponse) => {
    if (r.status === 413) return undefined;
    if (r.status === 0 && r.writeError !== undefined) return void stats.resetsAfter413++;
    return `expected 413, got ${r.status || 'nothing'}${r.writeError ? ` (${r.writeError})` : ''}`;
  };
  return exchange(
    target,
    () =>
      daemon.requestOverSocket(transport, {
        body: Buffer.from(body),
        headers: { 'Content-Type': 'text/xml', ...extra.headers },
        chunked: extra.chunked,
        path: extra.path,
        timeoutMs: 15_000,
      }),
    describe,
    expect413,
  );
}

async function exchange(
  target: string,
  run: () => Promise<RawResponse>,
  describe: string,
  check?: (r: RawResponse) => string | undefined,
  about: { oversizedHead?: boolean; path?: string } = {},
): Promise<RawResponse | undefined> {
  count(target);
  let res: RawResponse;
  try {
    res = await run();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (about.oversizedHead && (code === 'ECONNRESET' || code === 'EPIPE')) {
      stats.resetsOversizedHead++;
      return undefined;
    }
    if (e instanceof HangError && about.path !== undefined && isLogStream(about.path)) {
      stats.silentStreams++;
      return undefined;
    }
    if (e instanceof HangError) {
      stats.hangs++;
      fail(target, `HANG ${describe}`);
    } else {
      stats.unexpected++;
      fail(target, `NO ANSWER (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}) ${describe}`);
    }
    return undefined;
  }
  stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
  if (target === 'xmlrpc' && res.status === 500 && res.body.toString('utf8') === INTERNAL_ERROR_PAGE) {
    // e.g. readLog('x', 1): supervisord's int() raises inside medusa, which answers this 500 page.
    stats.pythonErrors++;
  } else if (res.status >= 500) {
    stats.serverErrors++;
    fail(target, `HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)} <- ${describe}`);
  } else if (PASSWD.test(res.body.toString('latin1'))) {
    stats.unexpected++;
    fail(target, `LEAKED /etc/passwd <- ${describe}`);
  } else {
    const problem = check?.(res);
    if (problem) {
      stats.unexpected++;
      fail(target, `${problem} <- ${describe}`);
    }
  }
  return res;
}

/** An XML-RPC answer must be 4xx, or 200 with a methodResponse (value or fault). */
function checkRpc(res: RawResponse): string | undefined {
  if (res.status >= 400) return undefined;
  if (res.status !== 200) return `HTTP ${res.status}`;
  try {
    decodeResponse(res.body.toString('utf8'));
  } catch (e) {
    if (e instanceof XmlRpcFault) {
      const name = `${e.faultCode}`;
      stats.faults[name] = (stats.faults[name] ?? 0) + 1;
      // FAILED means a failure inside procvisor, never bad input.
      if (e.faultCode === 30) return `FAILED fault: ${e.faultString}`;
      return undefined;
    }
    return `undecodable 200 answer: ${res.body.toString('utf8').slice(0, 200)}`;
  }
  return undefined;
}

const rpcOpts = (body: string | Buffer, extra: Parameters<TestDaemon['request']>[1] = {}) => ({
  method: 'POST',
  path: '/RPC2',
  headers: { 'Content-Type': 'text/xml' },
  body,
  ...extra,
});
const show = (body: string) => JSON.stringify(body.length > 300 ? `${body.slice(0, 300)}…(${body.length} chars)` : body);

async function assertUp(where: string): Promise<void> {
  const r = await daemon.rpc(where.length % 2 ? 'tcp' : 'unix', 'supervisor.getState').catch((e: unknown) => ({ error: String(e) }));
  if (!('value' in r)) fail('daemon', `getState failed after ${where}: ${JSON.stringify(r)}`);
}

it(`the config reader throws only ConfigError (${N.config} generated files)`, () => {
  const here = mkdtempSync(join(tmpdir(), 'procvisor-fuzz-conf-'));
  try {
    mkdirSync(join(here, 'inc'));
    writeFileSync(join(here, 'inc/good.conf'), '[program:inc]\ncommand=sleep 1\n');
    writeFileSync(join(here, 'inc/broken.conf'), '[program:inc2\ncommand=\n');
    writeFileSync(join(here, 'inc/other.conf'), '[group:g]\nprograms=nosuch\n');
    let slowest = 0;
    let ok = 0;
    for (const text of sample(confText, N.config, 1)) {
      count('config');
      const t = performance.now();
      try {
        parseSupervisordConfig(text, { here, env: { HOME: '/root', USER: 'root', X: '1' } });
        ok++;
      } catch (e) {
        if (!(e instanceof ConfigError)) {
          stats.unexpected++;
          fail('config', `${(e as Error)?.constructor?.name ?? typeof e}: ${(e as Error)?.message ?? String(e)} <- ${show(text)}`);
        }
      }
      slowest = Math.max(slowest, performance.now() - t);
    }
    say('fuzz', `config reader: ${N.config} files, ${ok} parsed, ${N.config - ok} ConfigError, slowest ${slowest.toFixed(0)} ms`);
  } finally {
    rmSync(here, { recursive: true, force: true });
  }
  expect(failures.config ?? []).toEqual([]);
});

it('XML-RPC: random calls, malformed XML, bad values, wrong types for every method — a fault or a 4xx, never a 5xx or a hang', async () => {
  const all: { kind: string; body: string }[] = [
    ...sample(randomCall, N.random, 2),
    ...sample(malformedXml, N.malformed, 3),
    ...sample(badValues, N.badValues, 4),
  ];
  const wrong = wrongTypeCalls();
  const rng = new Rng(seed + 5);
  for (let i = 0; i < N.wrongTypes; i++) all.push(rng.pick(wrong));
  let i = 0;
  for (const c of all) {
    await send('xmlrpc', i % 2 ? 'tcp' : 'unix', rpcOpts(c.body), `${c.kind}: ${show(c.body)}`, checkRpc);
    if (++i % 250 === 0) await assertUp(`xmlrpc case ${i}`);
  }
  say(
    'fuzz',
    `XML-RPC: ${all.length} calls (${N.random} random, ${N.malformed} malformed, ${N.badValues} bad values, ${N.wrongTypes} of ${wrong.length} wrong-type shapes)`,
  );
  expect(failures.xmlrpc ?? []).toEqual([]);
});

it('XML-RPC: entity expansion, DOCTYPE, deep nesting, bodies over 2 MiB, non-POST, odd content — a fault or a 4xx', async () => {
  for (const c of entityBodies()) await send('xmlrpc-hostile', 'unix', rpcOpts(c.body), `${c.kind}: ${show(c.body)}`, checkRpc);
  for (const c of nestedBodies()) {
    const what = `${c.kind} (${c.bytes} bytes): ${show(c.body)}`;
    if (c.bytes > 2 * 1024 * 1024) await sendOverSocket('xmlrpc-hostile', 'tcp', c.body, what);
    else await send('xmlrpc-hostile', 'tcp', rpcOpts(c.body), what, checkRpc);
  }
  const big = (n: number) =>
    `<?xml version="1.0"?><methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value><string>${'x'.repeat(n)}</string></value></param></params></methodCall>`;
  await sendOverSocket('xmlrpc-hostile', 'unix', big(2 * 1024 * 1024 + 10), '2 MiB + 10 bytes, Content-Length');
  await sendOverSocket('xmlrpc-hostile', 'tcp', big(3 * 1024 * 1024), '3 MiB, Content-Length');
  await sendOverSocket('xmlrpc-hostile', 'unix', big(3 * 1024 * 1024), '3 MiB chunked (no Content-Length)', { chunked: true });
  await sendOverSocket('xmlrpc-hostile', 'tcp', big(20 * 1024 * 1024), '20 MiB chunked', { chunked: true });
  await send('xmlrpc-hostile', 'unix', rpcOpts(big(2 * 1024 * 1024 - 500)), 'just under 2 MiB', checkRpc);
  await send('xmlrpc-hostile', 'unix', rpcOpts(Buffer.from(big(10)), { headers: { 'Content-Length': '999999999999' } }), 'Content-Length lies (huge)', (r) =>
    r.status >= 400 ? undefined : `expected 4xx, got ${r.status}`,
  );
  await send('xmlrpc-hostile', 'tcp', rpcOpts('', { headers: { 'Content-Type': 'text/xml' } }), 'empty body', checkRpc);
  await send('xmlrpc-hostile', 'tcp', rpcOpts(Buffer.from([0xff, 0xfe, 0x00, 0x3c, 0x00])), 'binary body', checkRpc);
  await send('xmlrpc-hostile', 'unix', rpcOpts(Buffer.from(big(10), 'utf16le')), 'UTF-16 body', checkRpc);
  for (const method of ['GET', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'])
    await send('xmlrpc-hostile', 'unix', { method, path: '/RPC2' }, `${method} /RPC2`, checkRpc);
  for (const path of ['/RPC2/anything', '/RPC2?x=1', '/RPC2/../RPC2', '/RPC2%00', '//RPC2'])
    await send('xmlrpc-hostile', 'tcp', rpcOpts(big(3), { path }), `POST ${path}`, checkRpc);
  await assertUp('hostile XML-RPC');
  expect(failures['xmlrpc-hostile'] ?? []).toEqual([]);
});

it(`HTTP paths: ${N.paths} traversal attempts (/logtail, /mainlogtail, /api) answer 4xx and never a file outside the logs`, async () => {
  const paths = sample(traversalPath, N.paths, 6);
  paths.push(
    '/logtail/../../etc/passwd',
    '/logtail/..%2f..%2fetc%2fpasswd/stdout',
    '/logtail/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/logtail/victim/../../../../etc/passwd',
    '/mainlogtail/../etc/passwd',
    '/logtail/victim/stdout/../../../etc/passwd',
    '/logtail/%2Fetc%2Fpasswd/stdout',
  );
  let streamed = 0;
  for (const [i, path] of paths.entries()) {
    // A valid log name streams (tail -f) by design: read briefly, then let go.
    const res = await send('paths', i % 2 ? 'tcp' : 'unix', { method: 'GET', path, readForMs: 300, timeoutMs: 2000 }, `GET ${path}`, (r) =>
      r.status >= 400 || r.status === 200 ? undefined : `unexpected status ${r.status}`,
    );
    if (res?.status === 200) streamed++;
  }
  say('fuzz', `HTTP paths: ${paths.length} requests, ${streamed} answered 200 (a real log or API resource), none leaked /etc/passwd`);
  await assertUp('paths');
  expect(failures.paths ?? []).toEqual([]);
});

it(`JSON API: ${N.api} requests with wrong types, unknown fields, odd names and bodies — a 4xx, never a 5xx or a hang`, async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const reqs: ApiCase[] = sample(apiCase, N.api, 7);
  let i = 0;
  for (const c of reqs) {
    await send(
      'jsonapi',
      'tcp',
      { method: c.method, path: c.path, headers: c.headers, body: c.body, agent: i % 3 === 0 ? false : agent },
      `${c.method} ${c.path} ${JSON.stringify(c.headers)} ${c.body === undefined ? '' : show(String(c.body))}`,
      (r) => (r.status < 600 ? undefined : `status ${r.status}`),
    );
    if (++i % 250 === 0) await assertUp(`json case ${i}`);
  }
  // Huge bodies.
  const huge = JSON.stringify({ name: 'huge', command: 'sleep 1000', environment: { X: 'x'.repeat(3 * 1024 * 1024) } });
  await sendOverSocket('jsonapi', 'tcp', huge, '3 MiB program body', { path: '/api/programs', headers: { 'Content-Type': 'application/json' } });
  await sendOverSocket('jsonapi', 'unix', huge, '3 MiB chunked run body', { path: '/api/run', headers: { 'Content-Type': 'application/json' }, chunked: true });
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  await send(
    'jsonapi',
    'tcp',
    { method: 'POST', path: '/api/programs', headers: { 'Content-Type': 'application/json' }, body: deep },
    'JSON nested 100,000 deep',
    (r) => (r.status >= 400 && r.status < 500 ? undefined : `expected 4xx, got ${r.status}`),
  );
  agent.destroy();
  say('fuzz', `JSON API: ${reqs.length + 3} requests`);
  await assertUp('json api');
  expect(failures.jsonapi ?? []).toEqual([]);
});

it('after the fuzz: the daemon answers on both transports and the protected programs kept their pids', async () => {
  const up = [await daemon.rpc('unix', 'supervisor.getState'), await daemon.rpc('tcp', 'supervisor.getState')];
  const after = await keepState();
  const daemonUp = daemon.alive && up.every((r) => 'value' in r && (r.value as { statename: string }).statename === 'RUNNING');
  const pidsUnchanged = JSON.stringify(after) === JSON.stringify(keepPids);
  recordedLost = after.filter((p, i) => p !== keepPids[i]).length;
  for (const [target, list] of Object.entries(failures)) for (const f of list.slice(0, 10)) say('fuzz', `FAILURE [${target}] ${f}`);
  recordFigures('fuzz', {
    seed,
    cases: {
      config: cases.config ?? 0,
      xmlrpc: (cases.xmlrpc ?? 0) + (cases['xmlrpc-hostile'] ?? 0),
      'http paths': cases.paths ?? 0,
      'json api': cases.jsonapi ?? 0,
    },
    serverErrors: stats.serverErrors,
    hangs: stats.hangs,
    resetsAfter413: stats.resetsAfter413,
    resetsOversizedHead: stats.resetsOversizedHead,
    silentLogStreams: stats.silentStreams,
    unexpected: stats.unexpected,
    faults: stats.faults,
    statuses: stats.statuses,
    failures: Object.fromEntries(Object.entries(failures).map(([k, v]) => [k, v.length])),
    daemonUp,
    pidsUnchanged,
    keepPids,
  });
  expect(failures.daemon ?? []).toEqual([]);
  expect(daemonUp).toBe(true);
  expect(after).toEqual(keepPids);
});
