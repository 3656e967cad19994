// Log commands: tail, maintail, and their -f forms over supervisord's streaming
// /logtail/NAME/CHANNEL and /mainlogtail GETs.

import { StringDecoder } from 'node:string_decoder';
import { XmlRpcConnectionError, XmlRpcProtocolError } from '../xmlrpc/client.js';
import { XmlRpcFault } from '../xmlrpc/types.js';
import { EXIT, splitArgs, type Command, type Controller } from './ctl-controller.js';
import { showHelp } from './ctl-help.js';
import { asPythonException } from './ctl-python.js';
import { FAULTS, pyStr } from './ctl-rpc.js';

/** Python's int() of a command-line token, or undefined when Python would raise. */
export function pyInt(text: string): number | undefined {
  const t = text.trim();
  return /^[+-]?\d+(_\d+)*$/.test(t) ? Number(t.replace(/_/g, '')) : undefined;
}

// supervisorctl's http_client Listener.error(): "URL MESSAGE" on stderr.
function listenerError(ctl: Controller, url: string, message: string): void {
  ctl.io.stderr.write(`${url} ${message}\n`);
}

/** `tail -f` / `maintail -f`: stream until the server ends the response or Ctrl-C. */
async function tailFollow(ctl: Controller, path: string): Promise<void> {
  ctl.output('==> Press Ctrl-C to exit <==');
  ctl.handlesInterrupt = true;
  const url = `${ctl.options.serverurl}${path}`;
  const signal = ctl.io.signal;
  try {
    const res = await ctl.client().openStream(path, signal);
    const decoder = new StringDecoder('utf8');
    for await (const chunk of res) ctl.io.stdout.write(decoder.write(chunk as Buffer));
    ctl.io.stdout.write(decoder.end());
  } catch (e) {
    if (signal?.aborted) {
      ctl.output(''); // KeyboardInterrupt: supervisorctl prints an empty line and exits 0
      return;
    }
    if (e instanceof XmlRpcProtocolError) {
      listenerError(ctl, url, `Cannot read, status code ${e.status}`);
    } else if (e instanceof XmlRpcConnectionError) {
      const py = asPythonException(e);
      listenerError(ctl, url, `Cannot connect, error: <class '${py.pyClass}'> (${py.text})`);
    } else {
      throw e;
    }
  }
}

// The fault handling shared by tail and maintail; rethrows the faults they do not handle.
function reportLogFault(ctl: Controller, e: unknown, name: string, badName: boolean): void {
  ctl.exitstatus = EXIT.GENERIC;
  const code = e instanceof XmlRpcFault ? e.faultCode : undefined;
  if (code === FAULTS.NO_FILE) ctl.output(`${name}: ERROR (no log file)`);
  else if (code === FAULTS.FAILED) ctl.output(`${name}: ERROR (unknown error reading log)`);
  else if (badName && code === FAULTS.BAD_NAME) ctl.output(`${name}: ERROR (no such process name)`);
  else throw e;
}

function argumentError(ctl: Controller, message: string, helpTopic?: string): void {
  ctl.output(message);
  ctl.exitstatus = EXIT.GENERIC;
  if (helpTopic) showHelp(ctl, helpTopic);
}

export const doTail: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const args = splitArgs(arg);
  if (args.length < 1) return argumentError(ctl, 'Error: too few arguments', 'tail');
  if (args.length > 3) return argumentError(ctl, 'Error: too many arguments', 'tail');
  const modifier = args[0]!.startsWith('-') ? args.shift() : undefined;
  let name: string;
  let channel = 'stdout';
  if (args.length === 1) {
    name = args[0]!;
  } else if (args.length > 0) {
    name = args[0]!;
    channel = args[args.length - 1]!.toLowerCase();
    if (channel !== 'stderr' && channel !== 'stdout') return argumentError(ctl, `Error: bad channel '${channel}'`);
  } else {
    return argumentError(ctl, 'Error: tail requires process name');
  }
  let bytes: number | undefined = 1600;
  if (modifier !== undefined) {
    const what = modifier.slice(1);
    bytes = what === 'f' ? undefined : pyInt(what);
    if (what !== 'f' && bytes === undefined) return argumentError(ctl, `Error: bad argument ${modifier}`);
  }
  ctl.client(); // supervisorctl builds its proxy here (a bad URL would fail at this point)
  if (bytes === undefined) return tailFollow(ctl, `/logtail/${name}/${channel}`);
  const method = channel === 'stdout' ? 'readProcessStdoutLog' : 'readProcessStderrLog';
  try {
    ctl.output(pyStr(await ctl.supervisor(method, name, -bytes, 0)));
  } catch (e) {
    reportLogFault(ctl, e, name, true);
  }
};

export const doMaintail: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const args = splitArgs(arg);
  if (args.length > 1) return argumentError(ctl, 'Error: too many arguments', 'maintail');
  let bytes = 1600;
  if (args.length === 1) {
    const token = args[0]!;
    if (!token.startsWith('-')) return argumentError(ctl, `Error: bad argument ${token}`);
    if (token === '-f') return tailFollow(ctl, '/mainlogtail');
    const n = pyInt(token.slice(1));
    if (n === undefined) return argumentError(ctl, `Error: bad argument ${token}`);
    bytes = n;
  }
  try {
    ctl.output(pyStr(await ctl.supervisor('readLog', -bytes, 0)));
  } catch (e) {
    reportLogFault(ctl, e, 'supervisord', false);
  }
};
