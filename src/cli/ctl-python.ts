// Python-flavoured text that supervisorctl prints: repr() of strings, and the one-line
// "error: <class …>, …: file: … line: …" report its onecmd() prints for an unhandled exception.
// The file names and line numbers are those of the reference installation (supervisor 4.2.5 on
// Debian's Python 3.11); they are reproduced so that scripts comparing output see the same text.

import { XmlRpcConnectionError, XmlRpcProtocolError, XmlRpcUrlError } from '../xmlrpc/client.js';
import { XmlRpcFault, XmlRpcParseError } from '../xmlrpc/types.js';
import { pyRepr } from '../dialect/python.js';

const SOCKET_PY = '/usr/lib/python3.11/socket.py';
const CLIENT_PY = '/usr/lib/python3.11/xmlrpc/client.py';
const PARSE_PY = '/usr/lib/python3.11/urllib/parse.py';
const SUPERVISOR_XMLRPC_PY = '/usr/lib/python3/dist-packages/supervisor/xmlrpc.py';
/** @internal */
export const SUPERVISORCTL_PY = '/usr/lib/python3/dist-packages/supervisor/supervisorctl.py';

/** Python's `'%-Ns' % s`: left-justified to N code points. */
export function ljust(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - [...s].length));
}

export { pyRepr };

/**
 * An exception supervisorctl's own code raises (for instance `ValueError('Unknown result code
 * …')`), reported with the Python class, file and line it would show.
 */
export class PythonError extends Error {
  override name = 'PythonError';
  constructor(
    readonly pyClass: string,
    message: string,
    readonly file: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** A Python exception as supervisorctl would see it: class, str() and where it was raised. */
export interface PythonException {
  pyClass: string;
  text: string;
  file: string;
  line: number;
}

const SOCKET_ERRORS: Record<string, [pyClass: string, errno: number, text: string]> = {
  ENOENT: ['FileNotFoundError', 2, 'No such file or directory'],
  ECONNREFUSED: ['ConnectionRefusedError', 111, 'Connection refused'],
  EACCES: ['PermissionError', 13, 'Permission denied'],
  ECONNRESET: ['ConnectionResetError', 104, 'Connection reset by peer'],
  ENOTSOCK: ['OSError', 88, 'Socket operation on non-socket'],
  ETIMEDOUT: ['TimeoutError', 110, 'Connection timed out'],
  EHOSTUNREACH: ['OSError', 113, 'No route to host'],
  ENETUNREACH: ['OSError', 101, 'Network is unreachable'],
};

function connectionException(err: XmlRpcConnectionError): PythonException {
  const isUnix = err.serverurl.startsWith('unix://');
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
    const text = err.code === 'ENOTFOUND' ? '[Errno -2] Name or service not known' : '[Errno -3] Temporary failure in name resolution';
    return { pyClass: 'socket.gaierror', text, file: SOCKET_PY, line: 962 };
  }
  const [pyClass, errno, text] = SOCKET_ERRORS[err.code] ?? ['OSError', 0, err.code];
  return {
    pyClass,
    text: `[Errno ${errno}] ${text}`,
    file: isUnix ? SUPERVISOR_XMLRPC_PY : SOCKET_PY,
    line: isUnix ? 557 : 836,
  };
}

function urlException(err: XmlRpcUrlError): PythonException {
  if (err.kind === 'UNKNOWN_PROTOCOL') return { pyClass: 'ValueError', text: err.message, file: SUPERVISOR_XMLRPC_PY, line: 505 };
  return { pyClass: 'ValueError', text: err.message, file: PARSE_PY, line: err.kind === 'PORT_OUT_OF_RANGE' ? 184 : 182 };
}

/** The Python exception supervisorctl would have for `err`. */
export function asPythonException(err: unknown): PythonException {
  if (err instanceof PythonError) return { pyClass: err.pyClass, text: err.message, file: err.file, line: err.line };
  if (err instanceof XmlRpcConnectionError) return connectionException(err);
  if (err instanceof XmlRpcUrlError) return urlException(err);
  if (err instanceof XmlRpcProtocolError) {
    const text = `<ProtocolError for 127.0.0.1/RPC2: ${err.status} ${err.statusText}>`;
    return { pyClass: 'xmlrpc.client.ProtocolError', text, file: SUPERVISOR_XMLRPC_PY, line: 539 };
  }
  if (err instanceof XmlRpcFault) {
    const text = `<Fault ${err.faultCode}: ${pyRepr(err.faultString)}>`;
    return { pyClass: 'xmlrpc.client.Fault', text, file: CLIENT_PY, line: 668 };
  }
  if (err instanceof XmlRpcParseError) {
    return { pyClass: 'xml.parsers.expat.ExpatError', text: err.message, file: CLIENT_PY, line: 451 };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { pyClass: e.name, text: e.message, file: 'procvisorctl', line: 0 };
}

/** The line supervisorctl's onecmd() prints for an exception a command did not handle. */
export function formatUnhandledError(err: unknown): string {
  const r = asPythonException(err);
  return `error: <class '${r.pyClass}'>, ${r.text}: file: ${r.file} line: ${r.line}`;
}
