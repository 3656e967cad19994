// The log channels of one process: where `stdout_logfile` / `stderr_logfile` point (AUTO files are
// created in childlogdir when the group is added, as supervisord does), each with its ring buffer.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { createAutoLogFile, randomAutoSuffix } from '../logs/auto-logs.js';
import { ChannelLog } from '../logs/channel-log.js';
import type { Channel, ChannelSpec, ProcessSpec } from './config.js';
import { makeNamespec } from './names.js';

export interface ProcessLogs {
  stdout: ChannelLog;
  /** null with redirect_stderr (stderr shares the stdout pipe and log). */
  stderr: ChannelLog | null;
}

export interface OutputContext {
  childlogdir: string;
  identifier: string;
  onError: (err: Error) => void;
  /** Epoch milliseconds now (the manager's clock): log line times, time rotation. Default Date.now. */
  now?: () => number;
}

/** Checks explicit log paths before anything is created (supervisord's parse-time check). */
export function checkLogPaths(spec: ProcessSpec): void {
  for (const channel of ['stdout', 'stderr'] as const) {
    const path = spec[channel].logfile;
    if (path === null || path === 'AUTO' || (channel === 'stderr' && spec.redirect_stderr)) continue;
    if (!existsSync(dirname(path))) {
      throw new ConfigError(`The directory named as part of the path ${path} does not exist`, {
        section: `program:${spec.program}`,
        option: `${channel}_logfile`,
      });
    }
  }
}

function autoPath(spec: ProcessSpec, channel: Channel, ctx: OutputContext): string {
  const options = { childlogdir: ctx.childlogdir, processName: spec.name, channel, identifier: ctx.identifier };
  try {
    return createAutoLogFile(options);
  } catch {
    // An unusable childlogdir is reported by the spawn ("unknown error making dispatchers …"),
    // not here: the file is opened again at every spawn.
    return `${ctx.childlogdir}/${spec.name}-${channel}---${ctx.identifier}-${randomAutoSuffix()}.log`;
  }
}

function channelLog(spec: ProcessSpec, channel: Channel, c: ChannelSpec, ctx: OutputContext): ChannelLog {
  if (c.logfile === null) return new ChannelLog({ onError: ctx.onError });
  const auto = c.logfile === 'AUTO';
  const path = auto ? autoPath(spec, channel, ctx) : c.logfile;
  const l = spec.ext.logging;
  const now = ctx.now ?? Date.now;
  return new ChannelLog({
    file: {
      path,
      maxbytes: c.maxbytes,
      backups: c.backups,
      mode: auto ? 0o600 : undefined,
      ...(l && {
        schedule: l.rotate === 'size' ? undefined : { every: l.rotate, hour: l.rotate_hour, utc: l.utc },
        compress: l.compress,
        maxAgeMs: l.max_age === null ? undefined : l.max_age * 1000,
        now,
      }),
    },
    format:
      l && l.format !== 'raw'
        ? { format: l.format, timeFormat: l.time_format, utc: l.utc, process: makeNamespec(spec.group, spec.name), stream: channel, now }
        : undefined,
    onError: ctx.onError,
  });
}

export function createProcessLogs(spec: ProcessSpec, ctx: OutputContext): ProcessLogs {
  return {
    stdout: channelLog(spec, 'stdout', spec.stdout, ctx),
    stderr: spec.redirect_stderr ? null : channelLog(spec, 'stderr', spec.stderr, ctx),
  };
}
