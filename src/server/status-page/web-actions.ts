// supervisord's web interface acts on a plain GET: `index.html?processname=NAME&action=start`
// (stop, restart, clearlog) and `?action=stopall` (restartall, refresh) run the action, waiting as
// its XML-RPC counterpart does, then answer 301 to `/?message=…`. Scripts and bookmarks written for
// supervisord's page (`curl 'http://host:9001/index.html?processname=web&action=restart'`) work on
// procvisor's page too, with supervisord's messages. The status page refuses the request when a
// browser marks it cross-site, so that a link or an image on another site cannot act on the
// daemon (supervisord has no such check).
import { FAULTS } from '../../errors.js';

/** One XML-RPC method with supervisord's semantics (the daemon's dispatch). */
export type RpcCall = (method: string, params: readonly unknown[]) => Promise<unknown>;

/** The fault an RPC call threw: supervisord's code and text. */
export type FaultOf = (e: unknown) => { faultCode: number; faultString: string };

/** An action supervisord's page does not know: it answers 500. */
export class UnknownWebAction extends Error {}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Python's time.ctime() in local time: `Sat Dec  5 03:42:34 2026`. */
export function ctime(d: Date): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

/** Python's urllib.parse.quote (safe '/'): what supervisord puts after `?message=`. */
export function pyQuote(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

/** supervisord's words for why a start failed. */
const START_FAULTS: Partial<Record<number, string>> = {
  [FAULTS.NO_FILE]: 'no such file',
  [FAULTS.NOT_EXECUTABLE]: 'file not executable',
  [FAULTS.ALREADY_STARTED]: 'already started',
  [FAULTS.SPAWN_ERROR]: 'spawn error',
  [FAULTS.ABNORMAL_TERMINATION]: 'abnormal termination',
};

/** supervisord's words for a fault it has no better words for. */
function unexpected(f: { faultCode: number; faultString: string }): string {
  return `unexpected rpc fault [${f.faultCode}] ${f.faultString}`;
}

/** The actions that name a process. */
const PROCESS_ACTIONS = ['start', 'stop', 'restart', 'clearlog'];

/**
 * Runs one action of supervisord's page and returns the message its redirect carries.
 * @throws UnknownWebAction for an action supervisord's page does not know (it answers 500).
 */
export async function runWebAction(
  rpc: RpcCall,
  faultOf: FaultOf,
  namespec: string | null,
  action: string,
  now: () => Date = () => new Date(),
): Promise<string> {
  if (action === 'refresh') return `Page refreshed at ${ctime(now())}`;
  if (action === 'stopall') {
    await rpc('supervisor.stopAllProcesses', []);
    return `All stopped at ${ctime(now())}`;
  }
  if (action === 'restartall') {
    // supervisord's system.multicall of the two: a fault of either is kept in its results, unread.
    await rpc('supervisor.stopAllProcesses', []).catch(() => undefined);
    await rpc('supervisor.startAllProcesses', []).catch(() => undefined);
    return `All restarted at ${ctime(now())}`;
  }
  if (!namespec) throw new UnknownWebAction(action);
  // supervisord looks the process up first; an unknown action on a known one is its ValueError.
  if (!(await exists(rpc, namespec))) return `No such process named ${namespec}`;
  if (!PROCESS_ACTIONS.includes(action)) throw new UnknownWebAction(action);
  try {
    if (action === 'start') {
      try {
        await rpc('supervisor.startProcess', [namespec]);
      } catch (e) {
        const f = faultOf(e);
        return `ERROR: Process ${namespec}: ${START_FAULTS[f.faultCode] ?? unexpected(f)}`;
      }
      return `Process ${namespec} started`;
    }
    if (action === 'stop') {
      await rpc('supervisor.stopProcess', [namespec]);
      return `Process ${namespec} stopped`;
    }
    if (action === 'restart') {
      await rpc('supervisor.stopProcess', [namespec]).catch(() => undefined);
      await rpc('supervisor.startProcess', [namespec]).catch(() => undefined);
      return `Process ${namespec} restarted`;
    }
    await rpc('supervisor.clearProcessLogs', [namespec]);
    return `Log for ${namespec} cleared`;
  } catch (e) {
    return unexpected(faultOf(e));
  }
}

/** What supervisord's `tail.html?processname=NAME&limit=N` shows. */
export interface TailView {
  /** The process name as given; null without the parameter (supervisord prints `None`). */
  processname: string | null;
  /** The last bytes of its stdout log (at least 1024), or supervisord's words for a failure. */
  text: string;
  /** The bytes asked for, for the page's refresh link. */
  limit: number;
}

/** supervisord's tail view: `limit` below 1024, or not a number, reads 1024. */
export async function tailView(rpc: RpcCall, faultOf: FaultOf, processname: string | null, limitParam: string | null): Promise<TailView> {
  const asked = /^\d+$/.test(limitParam ?? '1024') ? Number(limitParam ?? '1024') : 1024;
  const limit = Math.max(1024, asked);
  if (!processname) return { processname, text: 'No process name found', limit };
  try {
    return { processname, text: String(await rpc('supervisor.readProcessStdoutLog', [processname, -limit, 0])), limit };
  } catch (e) {
    const f = faultOf(e);
    const text = f.faultCode === FAULTS.NO_FILE ? `No file for ${processname}` : `ERROR: ${unexpected(f)}`;
    return { processname, text, limit };
  }
}

/** Whether `namespec` names one process (supervisord splits it; a group alone names its namesake). */
async function exists(rpc: RpcCall, namespec: string): Promise<boolean> {
  try {
    await rpc('supervisor.getProcessInfo', [namespec]);
    return true;
  } catch {
    return false;
  }
}
