// A missing childlogdir, reported when a program is added rather than at its first spawn. AUTO log
// files are created in childlogdir each time a process spawns; if the directory does not exist,
// supervisord's spawn fails with "unknown error making dispatchers for 'web': ENOENT", which names
// neither the directory nor the option. Programs whose logs are all NONE or explicit paths never
// use the directory, so they are not held to it.
import { existsSync, statSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { ProcessSpec } from './config.js';

function usesChildLogDir(spec: ProcessSpec): boolean {
  if (spec.stdout.logfile === 'AUTO') return true;
  return !spec.redirect_stderr && spec.stderr.logfile === 'AUTO';
}

/** Throws a ConfigError naming `childlogdir` when a process of `processes` needs it and it is not a directory. */
export function checkChildLogDir(processes: readonly ProcessSpec[], childlogdir: string): void {
  const needing = processes.find(usesChildLogDir);
  if (!needing) return;
  const isDir = existsSync(childlogdir) && statSync(childlogdir).isDirectory();
  if (isDir) return;
  throw new ConfigError(
    `childlogdir ${childlogdir} ${existsSync(childlogdir) ? 'is not a directory' : 'does not exist'}; ` +
      `program '${needing.program}' keeps its AUTO log files there (create the directory, pass another childlogdir, or set stdout_logfile/stderr_logfile)`,
    { option: 'childlogdir', section: `program:${needing.program}` },
  );
}
