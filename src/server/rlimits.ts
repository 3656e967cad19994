// supervisord's `minfds` and `minprocs` (`set_rlimits_or_exit`, at the first start only): when the
// soft limit of open files (RLIMIT_NOFILE) or of processes (RLIMIT_NPROC) is below the minimum, it
// is raised to it, and the hard limit too when that is below (which only root may do); the daemon
// logs `Increased RLIMIT_NOFILE limit to N`, or refuses to start with supervisord's message when the
// limit cannot be raised. Node cannot set limits, so util-linux's prlimit(1) sets this process's.
// Node itself raises the soft limit of open files to the hard one when it starts, so that one needs
// raising only when the hard limit is below `minfds`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface Limit {
  name: 'RLIMIT_NOFILE' | 'RLIMIT_NPROC';
  /** The row of /proc/PID/limits. */
  row: string;
  /** prlimit's option. */
  option: string;
  message: (min: number, hard: number) => string;
}

const LIMITS: readonly Limit[] = [
  {
    name: 'RLIMIT_NOFILE',
    row: 'Max open files',
    option: '--nofile',
    message: (min, hard) =>
      `The minimum number of file descriptors required to run this process is ${min} as per the "minfds" command-line argument or config file setting. The current environment will only allow you to open ${hard} file descriptors.  Either raise the number of usable file descriptors in your environment (see README.rst) or lower the minfds setting in the config file to allow the process to start.`,
  },
  {
    name: 'RLIMIT_NPROC',
    row: 'Max processes',
    option: '--nproc',
    message: (min, hard) =>
      `The minimum number of available processes required to run this program is ${min} as per the "minprocs" command-line argument or config file setting. The current environment will only allow you to open ${hard} processes.  Either raise the number of usable processes in your environment (see README.rst) or lower the minprocs setting in the config file to allow the program to start.`,
  },
];

/** [soft, hard] of a /proc/PID/limits row; Infinity for `unlimited`. */
export function readLimit(limits: string, row: string): [number, number] | undefined {
  const line = limits.split('\n').find((l) => l.startsWith(row));
  const m = line && /^.{26}(\S+)\s+(\S+)/.exec(line);
  if (!m) return undefined;
  const value = (s: string) => (s === 'unlimited' ? Infinity : Number(s));
  return [value(m[1] as string), value(m[2] as string)];
}

/**
 * Raises this process's limits to `minfds` / `minprocs` where they are below, as supervisord does.
 * Returns the lines supervisord logs (INFO) for what it raised.
 * @throws Error with supervisord's message when a limit cannot be raised.
 */
export function raiseLimits(minfds: number, minprocs: number, pid = process.pid): string[] {
  const infos: string[] = [];
  let limits: string;
  try {
    limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  } catch {
    return infos; // not Linux: nothing known, nothing raised
  }
  for (const limit of LIMITS) {
    const min = limit.name === 'RLIMIT_NOFILE' ? minfds : minprocs;
    const current = readLimit(limits, limit.row);
    if (!current) continue;
    const [soft, hard] = current;
    if (soft >= min) continue;
    const newHard = hard < min ? min : hard;
    try {
      execFileSync('prlimit', ['--pid', String(pid), `${limit.option}=${min}:${newHard === Infinity ? 'unlimited' : newHard}`], { stdio: 'ignore' });
    } catch {
      // supervisord reports the hard limit it asked for (-1 for unlimited).
      throw new Error(limit.message(min, newHard === Infinity ? -1 : newHard));
    }
    infos.push(`Increased ${limit.name} limit to ${min}`);
  }
  return infos;
}
