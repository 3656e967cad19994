// Daemon and session commands: shutdown, reload, version, open, fg, quit/exit/EOF.

import type { IncomingMessage } from 'node:http';
import { XmlRpcConnectionError, XmlRpcProtocolError } from '../xmlrpc/client.js';
import { XmlRpcFault } from '../xmlrpc/types.js';
import { STATE_CODE } from '../supervisor/states.js';
import { doStatus } from './ctl-cmd-process.js';
import { EXIT, splitArgs, type Command, type Controller } from './ctl-controller.js';
import { noArguments, showHelp } from './ctl-help.js';
import { asPythonException, pyRepr } from './ctl-python.js';
import { FAULTS, faultCode, pyStr, toProcessInfo } from './ctl-rpc.js';

// The shell asks before shutdown/reload; a command line does not.
async function confirm(ctl: Controller, question: string): Promise<boolean> {
  if (!ctl.options.interactive) return true;
  const answer = await ctl.lines.read(question);
  return (answer ?? '').toLowerCase().startsWith('y');
}

export const doShutdown: Command = async (ctl, arg) => {
  if (noArguments(ctl, 'shutdown', arg)) return;
  if (!(await confirm(ctl, 'Really shut the remote supervisord process down y/N? '))) return;
  try {
    await ctl.supervisor('shutdown');
  } catch (e) {
    if (faultCode(e) === FAULTS.SHUTDOWN_STATE) {
      ctl.output('ERROR: already shutting down');
      return;
    }
    ctl.exitstatus = EXIT.GENERIC;
    const url = ctl.options.serverurl;
    if (e instanceof XmlRpcConnectionError && e.code === 'ECONNREFUSED') ctl.output(`ERROR: ${url} refused connection (already shut down?)`);
    else if (e instanceof XmlRpcConnectionError && e.code === 'ENOENT') ctl.output(`ERROR: ${url} no such file (already shut down?)`);
    else throw e;
    return;
  }
  ctl.output('Shut down');
};

export const doReload: Command = async (ctl, arg) => {
  if (noArguments(ctl, 'reload', arg)) return;
  if (!(await confirm(ctl, 'Really restart the remote supervisord process y/N? '))) return;
  try {
    await ctl.supervisor('restart');
  } catch (e) {
    ctl.exitstatus = EXIT.GENERIC;
    if (faultCode(e) !== FAULTS.SHUTDOWN_STATE) throw e;
    ctl.output('ERROR: already shutting down');
    return;
  }
  ctl.output('Restarted supervisord');
};

export const doVersion: Command = async (ctl, arg) => {
  if (noArguments(ctl, 'version', arg)) return;
  if (!(await ctl.upcheck())) return;
  ctl.output(pyStr(await ctl.supervisor('getSupervisorVersion')));
};

export const doOpen: Command = async (ctl, arg) => {
  const url = arg.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'unix' && scheme !== 'http') {
    ctl.output('ERROR: url must be http:// or unix://');
    ctl.exitstatus = EXIT.GENERIC;
    return;
  }
  ctl.setServerUrl(url);
  const before = ctl.exitstatus;
  await doStatus(ctl, '');
  ctl.exitstatus = before;
};

export const doEOF: Command = async (ctl) => {
  ctl.output('');
  return true;
};

// fg's output side: both log channels streamed to our stdout until stopped.
function streamLogs(ctl: Controller, name: string, signal: AbortSignal): void {
  for (const channel of ['stdout', 'stderr']) {
    const path = `/logtail/${name}/${channel}`;
    const url = `${ctl.options.serverurl}${path}`;
    ctl
      .client()
      .openStream(path, signal)
      .then(async (res: IncomingMessage) => {
        for await (const chunk of res) ctl.io.stdout.write((chunk as Buffer).toString('utf8'));
      })
      .catch((e: unknown) => {
        if (signal.aborted) return;
        const message =
          e instanceof XmlRpcProtocolError
            ? `Cannot read, status code ${e.status}`
            : `Cannot connect, error: <class '${asPythonException(e).pyClass}'> (${asPythonException(e).text})`;
        ctl.io.stderr.write(`${url} ${message}\n`);
      });
  }
}

// fg's input side: forwards typed lines until the process dies, input ends or Ctrl-C.
async function forwardInput(ctl: Controller, name: string): Promise<void> {
  const interrupted = new Promise<null>((resolve) => ctl.io.signal?.addEventListener('abort', () => resolve(null), { once: true }));
  for (;;) {
    const line = await Promise.race([ctl.lines.read(), interrupted]);
    if (line === null) break;
    try {
      await ctl.supervisor('sendProcessStdin', name, `${line}\n`);
    } catch (e) {
      if (!(e instanceof XmlRpcFault)) throw e;
      ctl.output(e.faultCode === FAULTS.NOT_RUNNING ? 'Process got killed' : `ERROR: <Fault ${e.faultCode}: ${pyRepr(e.faultString)}>`);
      break;
    }
    const info = toProcessInfo(await ctl.supervisor('getProcessInfo', name));
    if (info.state !== STATE_CODE.RUNNING) {
      ctl.output('Process got killed');
      break;
    }
  }
  ctl.output('Exiting foreground');
}

export const doFg: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const names = splitArgs(arg);
  if (names.length === 0) {
    ctl.output('ERROR: no process name supplied');
    ctl.exitstatus = EXIT.GENERIC;
    showHelp(ctl, 'fg');
    return;
  }
  if (names.length > 1) {
    ctl.output('ERROR: too many process names supplied');
    ctl.exitstatus = EXIT.GENERIC;
    return;
  }
  const name = names[0]!;
  let state: number;
  try {
    state = toProcessInfo(await ctl.supervisor('getProcessInfo', name)).state;
  } catch (e) {
    if (!(e instanceof XmlRpcFault)) throw e;
    if (e.faultCode === FAULTS.BAD_NAME) {
      ctl.output('ERROR: bad process name supplied');
      ctl.exitstatus = EXIT.GENERIC;
    } else {
      ctl.output(`ERROR: <Fault ${e.faultCode}: ${pyRepr(e.faultString)}>`);
    }
    return;
  }
  if (state !== STATE_CODE.RUNNING) {
    ctl.output('ERROR: process not running');
    ctl.exitstatus = EXIT.GENERIC;
    return;
  }
  ctl.output('==> Press Ctrl-C to exit <==');
  ctl.handlesInterrupt = true;
  const streams = new AbortController();
  streamLogs(ctl, name, streams.signal);
  try {
    await forwardInput(ctl, name);
  } finally {
    streams.abort();
  }
};
