// A process's captured output as the API reads it: byte ranges and tails of its log channels
// (supervisord's read/tail/clear calls), lines from memory or followed live, and log reopening.
import { FailedError, NoFileError } from '../errors.js';
import type { ChannelLog } from '../logs/channel-log.js';
import type { LinesOptions } from '../logs/live-lines.js';
import type { TailResult } from '../logs/tail.js';
import type { Channel } from './config.js';
import type { SupervisedProcess } from './process.js';

/** The log of a channel; stderr is the stdout log with redirect_stderr when `fallback`. */
function channelLog(p: SupervisedProcess, channel: Channel, fallback = false): ChannelLog | null {
  if (channel === 'stdout') return p.logs.stdout;
  return p.logs.stderr ?? (fallback ? p.logs.stdout : null);
}

/** supervisord's readProcessStdoutLog/readProcessStderrLog. */
export function readChannel(p: SupervisedProcess, channel: Channel, offset: number, length: number): string {
  const log = channelLog(p, channel);
  if (!log) throw new NoFileError();
  return log.read(offset, length);
}

/** supervisord's tailProcessStdoutLog/tailProcessStderrLog: `[bytes, newOffset, overflow]`. */
export function tailChannel(p: SupervisedProcess, channel: Channel, offset: number, length: number): TailResult {
  return channelLog(p, channel)?.tail(offset, length) ?? ['', 0, false];
}

/** Truncates the current log files (backups stay). */
export function clearLogs(p: SupervisedProcess, namespec: string): void {
  try {
    p.logs.stdout.clear();
    p.logs.stderr?.clear();
  } catch (e) {
    throw new FailedError(`${namespec}: ${(e as Error).message}`);
  }
}

export function lines(p: SupervisedProcess, stream: Channel, options: LinesOptions): AsyncIterable<string> {
  return (channelLog(p, stream, true) as ChannelLog).lines(options);
}

export function lastLines(p: SupervisedProcess, stream: Channel, n: number): string[] {
  return (channelLog(p, stream, true) as ChannelLog).lastLines(n);
}

/** Reopens a process's log files; a failure is reported through `onError`, not thrown. */
export function reopenLogs(p: SupervisedProcess, onError: (message: string) => void): void {
  for (const log of [p.logs.stdout, p.logs.stderr]) {
    try {
      log?.reopen();
    } catch (e) {
      onError(`could not reopen ${log?.path ?? ''}: ${(e as Error).message}`);
    }
  }
}
