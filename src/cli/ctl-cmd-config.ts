// Config commands: avail, reread, add, remove, update. supervisorctl runs these without the
// getVersion upcheck, so connection errors surface as the generic error line.

import { XmlRpcFault } from '../xmlrpc/types.js';
import { EXIT, splitArgs, type Command, type Controller } from './ctl-controller.js';
import { noArguments } from './ctl-help.js';
import { ljust } from './ctl-python.js';
import { FAULTS, faultCode, makeNamespec, pyStr, toCallResults, toChanges, toConfigInfos, toProcessInfos, type ConfigInfo } from './ctl-rpc.js';

function formatConfigInfo(c: ConfigInfo): string {
  const name = makeNamespec(c.group, c.name);
  const priority = `${pyStr(c.group_prio)}:${pyStr(c.process_prio)}`;
  return `${ljust(name, 32)} ${ljust(c.inuse ? 'in use' : 'avail', 9)} ${ljust(c.autostart ? 'auto' : 'manual', 9)} ${priority}`;
}

export const doAvail: Command = async (ctl, arg) => {
  if (noArguments(ctl, 'avail', arg)) return;
  let infos: ConfigInfo[];
  try {
    infos = toConfigInfos(await ctl.supervisor('getAllConfigInfo'));
  } catch (e) {
    ctl.exitstatus = EXIT.GENERIC;
    if (faultCode(e) !== FAULTS.SHUTDOWN_STATE) throw e;
    ctl.output('ERROR: supervisor shutting down');
    return;
  }
  for (const info of infos) ctl.output(formatConfigInfo(info));
};

function formatChanges(ctl: Controller, [added, changed, removed]: [string[], string[], string[]]): void {
  const changes = new Map<string, string>();
  for (const n of added) changes.set(n, 'available');
  for (const n of changed) changes.set(n, 'changed');
  for (const n of removed) changes.set(n, 'disappeared');
  if (changes.size === 0) {
    ctl.output('No config updates to processes');
    return;
  }
  const names = [...changes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) ctl.output(`${name}: ${changes.get(name)!}`);
}

export const doReread: Command = async (ctl, arg) => {
  if (noArguments(ctl, 'reread', arg)) return;
  let result;
  try {
    result = toChanges(await ctl.supervisor('reloadConfig'));
  } catch (e) {
    ctl.exitstatus = EXIT.GENERIC;
    const code = faultCode(e);
    if (code === FAULTS.SHUTDOWN_STATE) ctl.output('ERROR: supervisor shutting down');
    else if (code === FAULTS.CANT_REREAD) ctl.output(`ERROR: ${(e as XmlRpcFault).faultString}`);
    else throw e;
    return;
  }
  formatChanges(ctl, result);
};

export const doAdd: Command = async (ctl, arg) => {
  for (const name of splitArgs(arg)) {
    try {
      await ctl.supervisor('addProcessGroup', name);
    } catch (e) {
      const code = faultCode(e);
      if (code === FAULTS.SHUTDOWN_STATE) {
        ctl.output('ERROR: shutting down');
        ctl.exitstatus = EXIT.GENERIC;
      } else if (code === FAULTS.ALREADY_ADDED) {
        ctl.output('ERROR: process group already active');
      } else if (code === FAULTS.BAD_NAME) {
        ctl.output(`ERROR: no such process/group: ${name}`);
        ctl.exitstatus = EXIT.GENERIC;
      } else {
        ctl.exitstatus = EXIT.GENERIC;
        throw e;
      }
      continue;
    }
    ctl.output(`${name}: added process group`);
  }
};

export const doRemove: Command = async (ctl, arg) => {
  for (const name of splitArgs(arg)) {
    try {
      await ctl.supervisor('removeProcessGroup', name);
    } catch (e) {
      ctl.exitstatus = EXIT.GENERIC;
      const code = faultCode(e);
      if (code === FAULTS.STILL_RUNNING) ctl.output(`ERROR: process/group still running: ${name}`);
      else if (code === FAULTS.BAD_NAME) ctl.output(`ERROR: no such process/group: ${name}`);
      else throw e;
      continue;
    }
    ctl.output(`${name}: removed process group`);
  }
};

// `update NAMES`: reports names that are neither current groups nor newly added ones.
async function checkGroupNames(ctl: Controller, wanted: ReadonlySet<string>, added: readonly string[]): Promise<void> {
  const groups = new Set(toProcessInfos(await ctl.supervisor('getAllProcessInfo')).map((i) => i.group));
  for (const name of added) groups.add(name);
  for (const name of wanted) {
    if (groups.has(name)) continue;
    ctl.output(`ERROR: no such group: ${name}`);
    ctl.exitstatus = EXIT.GENERIC;
  }
}

export const doUpdate: Command = async (ctl, arg) => {
  const log = (name: string, message: string): void => ctl.output(`${name}: ${message}`);
  let changes;
  try {
    changes = toChanges(await ctl.supervisor('reloadConfig'));
  } catch (e) {
    ctl.exitstatus = EXIT.GENERIC;
    if (faultCode(e) !== FAULTS.SHUTDOWN_STATE) throw e;
    ctl.output('ERROR: already shutting down');
    return;
  }
  const [added, changed, removed] = changes;
  let wanted = new Set(splitArgs(arg));
  if (wanted.has('all')) wanted = new Set();
  if (wanted.size) await checkGroupNames(ctl, wanted, added);
  const selected = (name: string): boolean => wanted.size === 0 || wanted.has(name);

  for (const name of removed.filter(selected)) {
    const results = toCallResults(await ctl.supervisor('stopProcessGroup', name));
    log(name, 'stopped');
    if (results.some((r) => r.status === FAULTS.FAILED)) {
      ctl.output(`${name}: has problems; not removing`);
      ctl.exitstatus = EXIT.GENERIC;
      continue;
    }
    await ctl.supervisor('removeProcessGroup', name);
    log(name, 'removed process group');
  }
  for (const name of changed.filter(selected)) {
    await ctl.supervisor('stopProcessGroup', name);
    log(name, 'stopped');
    await ctl.supervisor('removeProcessGroup', name);
    await ctl.supervisor('addProcessGroup', name);
    log(name, 'updated process group');
  }
  for (const name of added.filter(selected)) {
    await ctl.supervisor('addProcessGroup', name);
    log(name, 'added process group');
  }
};
