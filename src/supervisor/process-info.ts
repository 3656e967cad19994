// getProcessInfo's struct and its description strings, exactly as supervisord renders them.
import type { ProcessState } from './states.js';

/** supervisord's `getProcessInfo` struct (keys and types as XML-RPC returns them). */
export interface ProcessInfo {
  name: string;
  group: string;
  description: string;
  /** Epoch seconds of the last start attempt; 0 if never. */
  start: number;
  /** Epoch seconds of the last reap; 0 if never. */
  stop: number;
  now: number;
  state: number;
  statename: ProcessState;
  spawnerr: string;
  exitstatus: number;
  logfile: string;
  stdout_logfile: string;
  stderr_logfile: string;
  pid: number;
}

/** ProcessInfo plus what procvisor adds (JSON API, status page). */
export interface ProcessStatusInfo extends ProcessInfo {
  /** Epoch ms of the pending automatic retry/restart, 0 when none. */
  nextRetryAt: number;
  /** Start attempts after the first since the process was added. */
  restarts: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Python's `time.strftime('%b %d %I:%M %p', time.localtime(t))`. */
export function formatStopTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const h12 = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${pad(h12)}:${pad(d.getMinutes())} ${d.getHours() < 12 ? 'AM' : 'PM'}`;
}

/** Python's str(timedelta(seconds=n)) for whole seconds: `0:00:05`, `1 day, 0:00:05`. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.trunc(seconds));
  const days = Math.floor(s / 86400);
  const rest = s % 86400;
  const hms = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  return days ? `${days} day${days === 1 ? '' : 's'}, ${hms}` : hms;
}

export interface DescriptionFacts {
  name: string;
  state: ProcessState;
  pid: number;
  start: number;
  stop: number;
  now: number;
  spawnerr: string;
}

export function describeProcess(f: DescriptionFacts): string {
  switch (f.state) {
    case 'RUNNING':
      return `pid ${f.pid}, uptime ${formatUptime(f.now - f.start)}`;
    case 'BACKOFF':
    case 'FATAL':
      return f.spawnerr || `unknown error (try "tail ${f.name}")`;
    case 'STOPPED':
    case 'EXITED':
      return f.start === 0 ? 'Not started' : formatStopTime(f.stop);
    case 'STARTING':
    case 'STOPPING':
    case 'UNKNOWN':
      return '';
  }
}
