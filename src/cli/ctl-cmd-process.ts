// Process commands: status, start, stop, restart, signal, pid, clear (supervisorctl's
// DefaultControllerPlugin, same output and exit statuses).

import { XmlRpcFault } from '../xmlrpc/types.js';
import { STATE_CODE, STOPPED_STATES } from '../supervisor/states.js';
import { EXIT, STATUS_EXIT, splitArgs, type Command, type Controller } from './ctl-controller.js';
import { showHelp } from './ctl-help.js';
import { PythonError, SUPERVISORCTL_PY, ljust } from './ctl-python.js';
import { FAULTS, makeNamespec, pyStr, splitNamespec, toCallResults, toProcessInfo, toProcessInfos, type CallResult, type ProcessInfo } from './ctl-rpc.js';

const STOPPED_CODES: ReadonlySet<number> = new Set([...STOPPED_STATES].map((s) => STATE_CODE[s]));

function errorLine(name: string, what: string): string {
  return `${name}: ERROR (${what})`;
}

// A fault raised by a single-process call, shaped like a group result.
function faultResult(e: unknown, group: string, name: string | null): CallResult {
  if (!(e instanceof XmlRpcFault)) throw e;
  return { status: e.faultCode, group, name: name ?? 'None', description: e.faultString };
}

function showStatuses(ctl: Controller, infos: readonly ProcessInfo[]): void {
  const namespecs = infos.map((i) => makeNamespec(i.group, i.name));
  const width = Math.max(30, ...namespecs.map((n) => [...n].length)) + 3;
  infos.forEach((info, i) => ctl.output(`${ljust(namespecs[i]!, width)}${ljust(info.statename, 10)}${info.description}`));
}

function matchInfos(ctl: Controller, all: readonly ProcessInfo[], names: readonly string[]): ProcessInfo[] {
  const matching: ProcessInfo[] = [];
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    const found = all.filter((i) => i.group === group && (process === null || i.name === process));
    matching.push(...found);
    if (found.length === 0) {
      ctl.output(process === null ? errorLine(group, 'no such group') : errorLine(name, 'no such process'));
      ctl.exitstatus = STATUS_EXIT.UNKNOWN;
    }
  }
  return matching;
}

export const doStatus: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) {
    ctl.exitstatus = STATUS_EXIT.UNKNOWN;
    return;
  }
  const all = toProcessInfos(await ctl.supervisor('getAllProcessInfo'));
  const names = splitArgs(arg);
  const matching = names.length === 0 || names.includes('all') ? all : matchInfos(ctl, all, names);
  showStatuses(ctl, matching);
  if (matching.some((i) => STOPPED_CODES.has(i.state))) ctl.exitstatus = STATUS_EXIT.NOT_RUNNING;
};

function startResult(r: CallResult): string {
  const name = makeNamespec(r.group, r.name);
  switch (r.status) {
    case FAULTS.BAD_NAME:
      return errorLine(name, 'no such process');
    case FAULTS.NO_FILE:
      return errorLine(name, 'no such file');
    case FAULTS.NOT_EXECUTABLE:
      return errorLine(name, 'file is not executable');
    case FAULTS.ALREADY_STARTED:
      return errorLine(name, 'already started');
    case FAULTS.SPAWN_ERROR:
      return errorLine(name, 'spawn error');
    case FAULTS.ABNORMAL_TERMINATION:
      return errorLine(name, 'abnormal termination');
    case FAULTS.SUCCESS:
      return `${name}: started`;
    default:
      throw new PythonError('ValueError', `Unknown result code ${r.status} for ${name}`, SUPERVISORCTL_PY, 761);
  }
}

function signalResult(r: CallResult, success = 'signalled'): string {
  const name = makeNamespec(r.group, r.name);
  switch (r.status) {
    case FAULTS.BAD_NAME:
      return errorLine(name, 'no such process');
    case FAULTS.BAD_SIGNAL:
      return errorLine(name, 'bad signal name');
    case FAULTS.NOT_RUNNING:
      return errorLine(name, 'not running');
    case FAULTS.SUCCESS:
      return `${name}: ${success}`;
    case FAULTS.FAILED:
      return r.description;
    default:
      throw new PythonError('ValueError', `Unknown result code ${r.status} for ${name}`, SUPERVISORCTL_PY, 835);
  }
}

function clearResult(r: CallResult): string {
  const name = makeNamespec(r.group, r.name);
  switch (r.status) {
    case FAULTS.BAD_NAME:
      return errorLine(name, 'no such process');
    case FAULTS.FAILED:
      return errorLine(name, 'failed');
    case FAULTS.SUCCESS:
      return `${name}: cleared`;
    default:
      throw new PythonError('ValueError', `Unknown result code ${r.status} for ${name}`, SUPERVISORCTL_PY, 1260);
  }
}

// Prints the results of a group/all call and folds their statuses into the exit status.
function showResults(ctl: Controller, results: readonly CallResult[], format: (r: CallResult) => string, ignored?: number): void {
  for (const r of results) {
    ctl.output(format(r));
    ctl.setExitstatusFromFault(r.status, ignored);
  }
}

export const doStart: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const names = splitArgs(arg);
  if (names.length === 0) {
    ctl.output('Error: start requires a process name');
    ctl.exitstatus = EXIT.INVALID_ARGS;
    showHelp(ctl, 'start');
    return;
  }
  const ignored = FAULTS.ALREADY_STARTED;
  if (names.includes('all')) {
    showResults(ctl, toCallResults(await ctl.supervisor('startAllProcesses')), startResult, ignored);
    return;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    if (process === null) {
      try {
        showResults(ctl, toCallResults(await ctl.supervisor('startProcessGroup', group)), startResult, ignored);
      } catch (e) {
        if (!(e instanceof XmlRpcFault && e.faultCode === FAULTS.BAD_NAME)) {
          ctl.exitstatus = EXIT.GENERIC;
          throw e;
        }
        ctl.output(errorLine(group, 'no such group'));
        ctl.exitstatus = EXIT.INVALID_ARGS;
      }
      continue;
    }
    try {
      await ctl.supervisor('startProcess', name);
    } catch (e) {
      showResults(ctl, [faultResult(e, group, process)], startResult, ignored);
      continue;
    }
    ctl.output(`${makeNamespec(group, process)}: started`);
  }
};

export const doStop: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const names = splitArgs(arg);
  if (names.length === 0) {
    ctl.output('Error: stop requires a process name');
    ctl.exitstatus = EXIT.GENERIC;
    showHelp(ctl, 'stop');
    return;
  }
  const stopResult = (r: CallResult): string => signalResult(r, 'stopped');
  const ignored = FAULTS.NOT_RUNNING;
  if (names.includes('all')) {
    showResults(ctl, toCallResults(await ctl.supervisor('stopAllProcesses')), stopResult, ignored);
    return;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    if (process === null) {
      try {
        showResults(ctl, toCallResults(await ctl.supervisor('stopProcessGroup', group)), stopResult, ignored);
      } catch (e) {
        ctl.exitstatus = EXIT.GENERIC;
        if (!(e instanceof XmlRpcFault && e.faultCode === FAULTS.BAD_NAME)) throw e;
        ctl.output(errorLine(group, 'no such group'));
      }
      continue;
    }
    try {
      await ctl.supervisor('stopProcess', name);
    } catch (e) {
      showResults(ctl, [faultResult(e, group, process)], stopResult, ignored);
      continue;
    }
    ctl.output(`${makeNamespec(group, process)}: stopped`);
  }
};

export const doRestart: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  if (splitArgs(arg).length === 0) {
    ctl.output('Error: restart requires a process name');
    ctl.exitstatus = EXIT.GENERIC;
    showHelp(ctl, 'restart');
    return;
  }
  await doStop(ctl, arg);
  await doStart(ctl, arg);
};

export const doSignal: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const [sig, ...names] = splitArgs(arg);
  if (sig === undefined || names.length === 0) {
    ctl.output('Error: signal requires a signal name and a process name');
    showHelp(ctl, 'signal');
    ctl.exitstatus = EXIT.GENERIC;
    return;
  }
  if (names.includes('all')) {
    showResults(ctl, toCallResults(await ctl.supervisor('signalAllProcesses', sig)), (r) => signalResult(r));
    return;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    if (process === null) {
      try {
        showResults(ctl, toCallResults(await ctl.supervisor('signalProcessGroup', group, sig)), (r) => signalResult(r));
      } catch (e) {
        if (!(e instanceof XmlRpcFault && e.faultCode === FAULTS.BAD_NAME)) throw e;
        ctl.output(errorLine(group, 'no such group'));
        ctl.exitstatus = EXIT.GENERIC;
      }
      continue;
    }
    try {
      await ctl.supervisor('signalProcess', name, sig);
    } catch (e) {
      showResults(ctl, [faultResult(e, group, process)], (r) => signalResult(r));
      continue;
    }
    ctl.output(`${makeNamespec(group, process)}: signalled`);
  }
};

export const doPid: Command = async (ctl, arg) => {
  ctl.client(); // supervisorctl builds its proxy before the upcheck (a bad URL fails here)
  if (!(await ctl.upcheck())) return;
  const names = splitArgs(arg);
  if (names.length === 0) {
    ctl.output(pyStr(await ctl.supervisor('getPID')));
    return;
  }
  if (names.includes('all')) {
    for (const info of toProcessInfos(await ctl.supervisor('getAllProcessInfo'))) ctl.output(String(info.pid));
    return;
  }
  for (const name of names) {
    let info: ProcessInfo;
    try {
      info = toProcessInfo(await ctl.supervisor('getProcessInfo', name));
    } catch (e) {
      ctl.exitstatus = EXIT.GENERIC;
      if (!(e instanceof XmlRpcFault && e.faultCode === FAULTS.BAD_NAME)) throw e;
      ctl.output(`No such process ${name}`);
      continue;
    }
    ctl.output(String(info.pid));
    if (info.pid === 0) ctl.exitstatus = EXIT.NOT_RUNNING;
  }
};

export const doClear: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const names = splitArgs(arg);
  if (names.length === 0) {
    ctl.output('Error: clear requires a process name');
    ctl.exitstatus = EXIT.GENERIC;
    showHelp(ctl, 'clear');
    return;
  }
  if (names.includes('all')) {
    showResults(ctl, toCallResults(await ctl.supervisor('clearAllProcessLogs')), clearResult);
    return;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    try {
      await ctl.supervisor('clearProcessLogs', name);
    } catch (e) {
      showResults(ctl, [faultResult(e, group, process)], clearResult);
      continue;
    }
    ctl.output(`${makeNamespec(group, process)}: cleared`);
  }
};
