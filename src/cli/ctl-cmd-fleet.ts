// `procvisorctl fleet ...`: the fleet's nodes, programs and processes through the daemon's JSON
// API (/api/fleet/...), which any node of the fleet serves. On the command line the words are
// taken as the shell split them; typed in the interactive shell, a line is split with '…' and
// "…" quoting. API errors print the API's message and exit 1; bad arguments exit 2.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseServerUrl } from '../xmlrpc/client.js';
import { EXIT, STATUS_EXIT, type Command, type Controller } from './ctl-controller.js';
import { showHelp } from './ctl-help.js';
import { FleetArgError, createBody, isJsonFileArgument, parseProgramArgs, patchBody, splitWords } from './ctl-fleet-args.js';
import {
  actionSucceeded,
  formatActionResults,
  formatNodes,
  formatProcesses,
  formatPrograms,
  placementText,
  type FleetActionResult,
  type FleetNode,
  type FleetProcessRow,
  type FleetProgram,
} from './ctl-fleet-format.js';

const READ_TIMEOUT_MS = 10_000;
// start/stop/restart wait for every node's answer through etcd.
const WRITE_TIMEOUT_MS = 60_000;

/** The API answered with an error (its message), or not at all. */
class FleetApiError extends Error {
  override name = 'FleetApiError';
}

interface Answer {
  status: number;
  body: string;
}

function send(ctl: Controller, method: string, urlPath: string, body: unknown, timeoutMs: number): Promise<Answer> {
  const { serverurl, username, password } = ctl.options;
  const address = parseServerUrl(serverurl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  if (username && password) headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const target = address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target, method, path: urlPath, headers, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

// The API's {error: {code, message, field?}} as one line; the HTTP status when the body is not that.
function errorMessage(answer: Answer): string {
  try {
    const e = (JSON.parse(answer.body) as { error?: { code?: string; message?: string; field?: string } }).error;
    if (e?.message) return `${e.message}${e.code ? ` (${e.code})` : ''}`;
  } catch {
    // not JSON
  }
  return `HTTP ${answer.status}${answer.body.trim() ? `: ${answer.body.trim().slice(0, 200)}` : ''}`;
}

/** Calls the fleet API and resolves with the parsed 2xx body; FleetApiError otherwise. */
async function call<T>(ctl: Controller, method: string, urlPath: string, body?: unknown): Promise<T> {
  let answer: Answer;
  try {
    answer = await send(ctl, method, urlPath, body, method === 'GET' ? READ_TIMEOUT_MS : WRITE_TIMEOUT_MS);
  } catch (e) {
    throw new FleetApiError(`${ctl.options.serverurl}: ${(e as Error).message}`);
  }
  if (answer.status < 200 || answer.status > 299) throw new FleetApiError(errorMessage(answer));
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new FleetApiError(`${method} ${urlPath}: the answer is not JSON (HTTP ${answer.status})`);
  }
}

const programPath = (name: string): string => `/api/fleet/programs/${encodeURIComponent(name)}`;

/** A program answer: {program: FleetProgram} (the JSON API's convention), or the program itself. */
async function callProgram(ctl: Controller, method: string, urlPath: string, body?: unknown): Promise<FleetProgram> {
  const answer = await call<{ program?: FleetProgram } & Partial<FleetProgram>>(ctl, method, urlPath, body);
  return answer.program && typeof answer.program === 'object' ? answer.program : (answer as FleetProgram);
}

/** GET /api/fleet. */
interface FleetInfo {
  node: string;
  labels?: Record<string, string>;
  prefix: string;
  connected: boolean;
  lastError?: string;
  running?: string[];
  statusQueued?: boolean;
}

function readJsonFile(ctl: Controller, file: string): Record<string, unknown> {
  const full = path.resolve(ctl.io.cwd ?? process.cwd(), file);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(full, 'utf8'));
  } catch (e) {
    throw new FleetArgError(`${file}: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FleetArgError(`${file}: expected a JSON object (a program definition)`);
  return value as Record<string, unknown>;
}

function oneName(words: readonly string[], sub: string): string {
  if (words.length !== 1 || words[0]!.startsWith('-')) throw new FleetArgError(`fleet ${sub} takes one program name`);
  return words[0]!;
}

async function showInfo(ctl: Controller): Promise<void> {
  const info = await call<FleetInfo>(ctl, 'GET', '/api/fleet');
  const state = info.connected ? 'connected' : `NOT connected${info.lastError ? ` (${info.lastError})` : ''}`;
  const labels = Object.entries(info.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  ctl.output(`node ${info.node}${labels.length > 0 ? ` (${labels.join(',')})` : ''}, prefix ${info.prefix}, etcd ${state}`);
  if (info.running) ctl.output(`fleet programs running here: ${info.running.length > 0 ? info.running.join(', ') : 'none'}`);
  if (info.statusQueued && !info.connected) ctl.output('status changes queued until etcd answers');
  if (!info.connected) ctl.exitstatus = EXIT.GENERIC;
}

async function showStatus(ctl: Controller, programs: readonly string[]): Promise<void> {
  const { processes } = await call<{ processes: FleetProcessRow[] }>(ctl, 'GET', '/api/fleet/processes');
  const shown = programs.length === 0 ? processes : processes.filter((p) => programs.includes(p.program ?? p.group));
  const missing = programs.filter((name) => !shown.some((p) => (p.program ?? p.group) === name));
  for (const line of formatProcesses(shown)) ctl.output(line);
  for (const name of missing) ctl.output(`${name}: no process reported by any node`);
  if (missing.length > 0) ctl.exitstatus = STATUS_EXIT.UNKNOWN;
  else if (shown.some((p) => p.statename !== 'RUNNING' || p.alive === false)) ctl.exitstatus = STATUS_EXIT.NOT_RUNNING;
}

async function addProgram(ctl: Controller, words: readonly string[]): Promise<void> {
  const body = isJsonFileArgument(words) ? readJsonFile(ctl, words[0]!) : createBody(parseProgramArgs(words));
  const program = await callProgram(ctl, 'POST', '/api/fleet/programs', body);
  ctl.output(`${program.name}: added (${placementText(program.placement)})`);
}

async function editProgram(ctl: Controller, words: readonly string[]): Promise<void> {
  let program: FleetProgram;
  if (isJsonFileArgument(words)) {
    const body = readJsonFile(ctl, words[0]!);
    if (typeof body.name !== 'string') throw new FleetArgError(`${words[0]}: "name" is required to replace a program`);
    program = await callProgram(ctl, 'PUT', programPath(body.name), body);
  } else {
    const args = parseProgramArgs(words);
    program = await callProgram(ctl, 'PATCH', programPath(args.name), patchBody(args));
  }
  ctl.output(`${program.name}: updated (${placementText(program.placement)})`);
}

async function act(ctl: Controller, action: string, words: readonly string[]): Promise<void> {
  const name = oneName(words, action);
  const { results } = await call<{ results: FleetActionResult[] }>(ctl, 'POST', `${programPath(name)}/${action}`);
  for (const line of formatActionResults(action, results)) ctl.output(line);
  if (!actionSucceeded(results)) ctl.exitstatus = EXIT.GENERIC;
}

async function runFleet(ctl: Controller, sub: string, words: string[]): Promise<void> {
  switch (sub) {
    case '':
    case 'info':
      return showInfo(ctl);
    case 'nodes': {
      const { nodes } = await call<{ nodes: FleetNode[] }>(ctl, 'GET', '/api/fleet/nodes');
      for (const line of formatNodes(nodes, Date.now())) ctl.output(line);
      return;
    }
    case 'programs': {
      const { programs } = await call<{ programs: FleetProgram[] }>(ctl, 'GET', '/api/fleet/programs');
      for (const line of formatPrograms(programs)) ctl.output(line);
      return;
    }
    case 'show':
      ctl.output(JSON.stringify(await callProgram(ctl, 'GET', programPath(oneName(words, sub))), null, 2));
      return;
    case 'status':
      return showStatus(ctl, words);
    case 'add':
      return addProgram(ctl, words);
    case 'edit':
      return editProgram(ctl, words);
    case 'remove': {
      const { deleted } = await call<{ deleted: string }>(ctl, 'DELETE', programPath(oneName(words, sub)));
      ctl.output(`${deleted}: removed`);
      return;
    }
    case 'start':
    case 'stop':
    case 'restart':
      return act(ctl, sub, words);
    default:
      throw new FleetArgError(`unknown fleet command ${JSON.stringify(sub)}`);
  }
}

/** The words of the line: argv as given when the line is the command line's, else split here. */
function fleetWords(ctl: Controller, arg: string): string[] {
  const argv = ctl.options.args;
  if (argv[0] === 'fleet' && argv.slice(1).join(' ').trim() === arg) return argv.slice(1);
  return splitWords(arg);
}

/** `fleet [info|nodes|programs|status|show|add|edit|remove|start|stop|restart] ...`. */
export const doFleet: Command = async (ctl, arg) => {
  try {
    const [sub = '', ...words] = fleetWords(ctl, arg);
    await runFleet(ctl, sub, words);
  } catch (e) {
    if (e instanceof FleetArgError) {
      ctl.output(`Error: ${e.message}`);
      showHelp(ctl, 'fleet');
      ctl.exitstatus = EXIT.INVALID_ARGS;
    } else if (e instanceof FleetApiError) {
      ctl.output(`Error: ${e.message}`);
      ctl.exitstatus = EXIT.GENERIC;
    } else {
      throw e;
    }
  }
};
