// supervisord's XML-RPC interface (namespaces `supervisor` and `system`) as a method table over a
// Supervisor. Each entry knows its signature (system.methodSignature), its help text and how many
// parameters it takes; every operation is the ProcessManager's own, so faults are the same
// whichever API is used.
import { FAULTS, IncorrectParametersError, isSupervisorError, ShutdownStateError } from '../errors.js';
import type { ProcessManager } from '../supervisor/manager.js';
import { LiveEncoded, type XmlRpcValue } from '../xmlrpc/types.js';
import { existsSync } from 'node:fs';
import { processInfoList } from './process-info-xml.js';
import { METHOD_HELP } from './rpc-help.js';
import { asFaultLookup, pyIntArg, UnexpectedPythonError } from './rpc-python.js';

/** What the RPC layer needs beyond the ProcessManager: the daemon's own operations. */
export interface Supervisor {
  readonly pm: ProcessManager;
  readonly pid: number;
  /** Begins an orderly shutdown (after the response is sent). */
  shutdown(): void;
  /** Stops everything, re-reads the configuration and starts again, in-process. */
  restart(): void;
  /** Re-reads the configuration without applying it: [added, changed, removed] group names. */
  reloadConfig(): [string[], string[], string[]];
  /** Activates a group from the last-read configuration. */
  addProcessGroup(name: string): void;
  removeProcessGroup(name: string): void;
  getAllConfigInfo(): Record<string, XmlRpcValue>[];
  /**
   * The names the supervisor methods are served under: one per `[rpcinterface:x]` with the main
   * factory (none: only system.*). Default `['supervisor']`.
   */
  readonly rpcNamespaces?: readonly string[];
}

export const API_VERSION = '3.0';
export const SUPERVISOR_VERSION = '4.2.5';

type Fn = (s: Supervisor, params: unknown[]) => unknown;

interface Method {
  signature: string[];
  help: string;
  /** Number of parameters accepted: [min, max]. */
  arity: [number, number];
  fn: Fn;
}

class Fault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(faultString);
  }
}

export function faultOf(e: unknown): { faultCode: number; faultString: string } {
  if (e instanceof Fault) return { faultCode: e.faultCode, faultString: e.faultString };
  if (e instanceof UnexpectedPythonError) return { faultCode: FAULTS.FAILED, faultString: e.faultString };
  if (isSupervisorError(e)) return { faultCode: e.faultCode, faultString: e.faultString };
  return { faultCode: FAULTS.FAILED, faultString: `FAILED: ${(e as Error)?.message ?? String(e)}` };
}

const str = (v: unknown, what = 'name'): string => {
  if (typeof v !== 'string') throw new IncorrectParametersError(`${what} must be a string`);
  return v;
};
const bool = (v: unknown, def: boolean): boolean => (v === undefined ? def : Boolean(v));
const sig = (v: unknown): string | number => {
  if (typeof v === 'string' || typeof v === 'number') return v;
  throw new IncorrectParametersError('signal must be a string or an integer');
};

/** A method; `optional` trailing parameters may be left out (supervisord's `wait=True`). */
function m(signature: string[], help: string, fn: Fn, optional = 0): Method {
  const params = signature.length - 1;
  return { signature, help, arity: [params - optional, params], fn };
}

/**
 * Offset and length through Python's int(), as supervisord converts them: after its own checks
 * (`first`, which throws BAD_NAME, NO_FILE, …), so those faults win over a bad number.
 */
function offsetAndLength(p: unknown[], from: number, first: () => void): [number, number] {
  try {
    return [pyIntArg(p[from]), pyIntArg(p[from + 1])];
  } catch (e) {
    first();
    throw e;
  }
}

const read = (channel: 'stdout' | 'stderr') => (s: Supervisor, p: unknown[]) => {
  const name = str(p[0]);
  const fn = (o: number, l: number) => (channel === 'stdout' ? s.pm.readProcessStdoutLog(name, o, l) : s.pm.readProcessStderrLog(name, o, l));
  let args: [number, number];
  try {
    args = offsetAndLength(p, 1, () => fn(0, 1));
  } catch (e) {
    throw asFaultLookup(e);
  }
  return fn(...args);
};
const tail = (channel: 'stdout' | 'stderr') => (s: Supervisor, p: unknown[]) => {
  const name = str(p[0]);
  const fn = (o: number, l: number) => (channel === 'stdout' ? s.pm.tailProcessStdoutLog(name, o, l) : s.pm.tailProcessStderrLog(name, o, l));
  let args: [number, number];
  try {
    args = offsetAndLength(p, 1, () => {
      const info = s.pm.getProcessInfo(name);
      const path = channel === 'stdout' ? info.stdout_logfile : info.stderr_logfile;
      // Without a log file supervisord answers before converting anything.
      if (!path || !existsSync(path)) throw new NoLog();
    });
  } catch (e) {
    if (e instanceof NoLog) return ['', 0, false];
    throw e;
  }
  return fn(...args);
};
class NoLog extends Error {}

const readLog = (s: Supervisor, p: unknown[]) => {
  let args: [number, number];
  try {
    args = offsetAndLength(p, 0, () => s.pm.readLog(0, 1));
  } catch (e) {
    throw asFaultLookup(e);
  }
  return s.pm.readLog(...args);
};

const SUPERVISOR: Record<string, Method> = {
  getAPIVersion: m(['string'], 'Return the version of the RPC API used by supervisord.', () => API_VERSION),
  getVersion: m(['string'], 'Alias of getAPIVersion (deprecated).', () => API_VERSION),
  getSupervisorVersion: m(['string'], 'Return the version of the supervisord package in use.', () => SUPERVISOR_VERSION),
  getIdentification: m(['string'], 'Return the identifying string of this supervisor.', (s) => s.pm.identifier),
  getState: m(['struct'], 'Return the current state of the supervisor as {statecode, statename}.', (s) => s.pm.getState()),
  getPID: m(['int'], 'Return the pid of the supervisor.', (s) => s.pid),
  readLog: m(['string', 'int', 'int'], 'Read length bytes from the main log starting at offset.', readLog),
  readMainLog: m(['string', 'int', 'int'], 'Alias of readLog.', readLog),
  clearLog: m(['boolean'], 'Clear the main log.', (s) => s.pm.clearLog()),
  shutdown: m(['boolean'], 'Shut the supervisor process down.', (s) => (s.shutdown(), true)),
  restart: m(['boolean'], 'Restart the supervisor process.', (s) => (s.restart(), true)),
  reloadConfig: m(['array'], 'Reload the configuration; returns [[added, changed, removed]].', (s) => [s.reloadConfig()]),
  addProcessGroup: m(['boolean', 'string'], 'Activate a process group from the configuration.', (s, p) => (s.addProcessGroup(str(p[0])), true)),
  removeProcessGroup: m(
    ['boolean', 'string'],
    'Remove a stopped process group from the active configuration.',
    (s, p) => (s.removeProcessGroup(str(p[0])), true),
  ),
  startProcess: m(
    ['boolean', 'string', 'boolean'],
    'Start a process (name or group:name or group:*); wait for RUNNING unless wait is false.',
    async (s, p) => {
      const r = await s.pm.startProcess(str(p[0]), { wait: bool(p[1], true) });
      return Array.isArray(r) ? r : true;
    },
    1,
  ),
  startProcessGroup: m(
    ['array', 'string', 'boolean'],
    'Start every process of a group.',
    (s, p) => s.pm.startProcessGroup(str(p[0]), { wait: bool(p[1], true) }),
    1,
  ),
  startAllProcesses: m(['array', 'boolean'], 'Start every process.', (s, p) => s.pm.startAllProcesses({ wait: bool(p[0], true) }), 1),
  stopProcess: m(
    ['boolean', 'string', 'boolean'],
    'Stop a process (name or group:name or group:*); wait for it to stop unless wait is false.',
    async (s, p) => {
      const r = await s.pm.stopProcess(str(p[0]), { wait: bool(p[1], true) });
      return Array.isArray(r) ? r : true;
    },
    1,
  ),
  stopProcessGroup: m(
    ['array', 'string', 'boolean'],
    'Stop every process of a group.',
    (s, p) => s.pm.stopProcessGroup(str(p[0]), { wait: bool(p[1], true) }),
    1,
  ),
  stopAllProcesses: m(['array', 'boolean'], 'Stop every process.', (s, p) => s.pm.stopAllProcesses({ wait: bool(p[0], true) }), 1),
  signalProcess: m(['boolean', 'string', 'string'], 'Send a signal (name or number) to a process.', (s, p) => s.pm.signalProcess(str(p[0]), sig(p[1]))),
  signalProcessGroup: m(['array', 'string', 'string'], 'Send a signal to every process of a group.', (s, p) => s.pm.signalProcessGroup(str(p[0]), sig(p[1]))),
  signalAllProcesses: m(['array', 'string'], 'Send a signal to every process.', (s, p) => s.pm.signalAllProcesses(sig(p[0]))),
  getAllConfigInfo: m(['array'], 'Return the configuration of every process.', (s) => s.getAllConfigInfo()),
  getProcessInfo: m(['struct', 'string'], 'Return information about a process.', (s, p) => s.pm.getProcessInfo(str(p[0]))),
  getAllProcessInfo: m(['array'], 'Return information about every process.', (s) => processInfoList(s.pm)),
  readProcessStdoutLog: m(['string', 'string', 'int', 'int'], "Read length bytes from a process's stdout log starting at offset.", read('stdout')),
  readProcessLog: m(['string', 'string', 'int', 'int'], 'Alias of readProcessStdoutLog.', read('stdout')),
  readProcessStderrLog: m(['string', 'string', 'int', 'int'], "Read length bytes from a process's stderr log starting at offset.", read('stderr')),
  tailProcessStdoutLog: m(['array', 'string', 'int', 'int'], "Tail a process's stdout log: [bytes, offset, overflow].", tail('stdout')),
  tailProcessLog: m(['array', 'string', 'int', 'int'], 'Alias of tailProcessStdoutLog.', tail('stdout')),
  tailProcessStderrLog: m(['array', 'string', 'int', 'int'], "Tail a process's stderr log: [bytes, offset, overflow].", tail('stderr')),
  clearProcessLogs: m(['boolean', 'string'], "Clear a process's stdout and stderr logs.", (s, p) => s.pm.clearProcessLogs(str(p[0]))),
  clearProcessLog: m(['boolean', 'string'], 'Alias of clearProcessLogs.', (s, p) => s.pm.clearProcessLogs(str(p[0]))),
  clearAllProcessLogs: m(['array'], 'Clear the logs of every process.', (s) => s.pm.clearAllProcessLogs()),
  sendProcessStdin: m(['boolean', 'string', 'string'], "Write characters to a process's stdin.", (s, p) => {
    if (typeof p[1] !== 'string') throw new IncorrectParametersError('chars not a string');
    return s.pm.sendProcessStdin(str(p[0]), p[1]);
  }),
  sendRemoteCommEvent: m(['boolean', 'string', 'string'], 'Send a REMOTE_COMMUNICATION event.', (s, p) =>
    s.pm.events.sendRemoteCommEvent(String(p[0]), String(p[1])),
  ),
};

/** The namespaces serving the supervisor methods. */
function namespaces(s: Supervisor): readonly string[] {
  return s.rpcNamespaces ?? ['supervisor'];
}

/** The full, sorted list of method names (system.listMethods). */
export function listMethods(s?: Supervisor): string[] {
  const supervisor = (s ? namespaces(s) : ['supervisor']).flatMap((ns) => Object.keys(SUPERVISOR).map((k) => `${ns}.${k}`));
  return [...supervisor, 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall'].sort();
}

/** supervisord's help text of a method (its docstring), whatever namespace serves it. */
function helpOf(s: Supervisor, name: string): string {
  const method = lookup(s, name, true);
  const [ns, fn] = name.split('.') as [string, string];
  return METHOD_HELP[ns === 'system' ? name : `supervisor.${fn}`] ?? method.help;
}

const SYSTEM: Record<string, Method> = {
  listMethods: { signature: ['array'], help: 'Return an array of every method name.', arity: [0, 0], fn: (s) => listMethods(s) },
  methodHelp: {
    signature: ['string', 'string'],
    help: 'Return the help text of a method.',
    arity: [1, 1],
    fn: (s, p) => helpOf(s, str(p[0])),
  },
  methodSignature: {
    signature: ['array', 'string'],
    help: 'Return the signature of a method: [return type, parameter types...].',
    arity: [1, 1],
    fn: (s, p) => lookup(s, str(p[0]), true).signature,
  },
  multicall: {
    signature: ['array', 'array'],
    help: 'Call several methods in one request: [{methodName, params}] -> [result or fault struct].',
    arity: [1, 1],
    fn: async (s, p) => {
      if (!Array.isArray(p[0])) throw new IncorrectParametersError('calls must be an array');
      const out: unknown[] = [];
      for (const call of p[0] as unknown[]) {
        try {
          if (typeof call !== 'object' || call === null) throw new IncorrectParametersError();
          const { methodName, params = [] } = call as { methodName?: unknown; params?: unknown };
          if (typeof methodName !== 'string') throw new IncorrectParametersError('No methodName');
          if (!Array.isArray(params)) throw new IncorrectParametersError('No params');
          if (methodName === 'system.multicall') throw new IncorrectParametersError('Recursive system.multicall forbidden');
          const result = await dispatch(s, methodName, params);
          // Made now, at its place in the sequence: the calls after it may change what it shows.
          out.push(result instanceof LiveEncoded ? result.snapshot() : result);
        } catch (e) {
          out.push(faultOf(e));
        }
      }
      return out;
    },
  },
};

function lookup(s: Supervisor, name: string, forHelp = false): Method {
  const parts = name.split('.');
  const fail = () => {
    throw forHelp ? new Fault(FAULTS.SIGNATURE_UNSUPPORTED, 'SIGNATURE_UNSUPPORTED') : new Fault(FAULTS.UNKNOWN_METHOD, 'UNKNOWN_METHOD');
  };
  if (parts.length !== 2 || parts[1]?.startsWith('_')) return fail();
  const table = parts[0] === 'system' ? SYSTEM : namespaces(s).includes(parts[0] as string) ? SUPERVISOR : undefined;
  const method = table && Object.hasOwn(table, parts[1] as string) ? table[parts[1] as string] : undefined;
  return method ?? fail();
}

/**
 * Calls `methodName` with `params`: resolves with the result, or rejects with a SupervisorError or
 * a fault (use faultOf to turn either into {faultCode, faultString}).
 */
export async function dispatch(s: Supervisor, methodName: string, params: readonly unknown[]): Promise<unknown> {
  const method = lookup(s, methodName);
  if (params.length < method.arity[0] || params.length > method.arity[1]) throw new Fault(FAULTS.INCORRECT_PARAMETERS, 'INCORRECT_PARAMETERS');
  if (!methodName.startsWith('system.') && !methodName.endsWith('.sendRemoteCommEvent') && s.pm.getState().statecode < 1) {
    throw new ShutdownStateError();
  }
  return method.fn(s, [...params]);
}
