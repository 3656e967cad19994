// Captures a manager's activity log (ManagerOptions.logger) so tests can assert supervisord's
// exact log lines and their levels, and wait for one with a bound.
import type { ActivityLogger, LogLevel } from '../../src/index.js';

export interface LogLine {
  level: LogLevel;
  message: string;
}

export class LogCapture implements ActivityLogger {
  readonly lines: LogLine[] = [];
  readonly #waiters = new Set<(line: LogLine) => void>();

  log(level: LogLevel, message: string): void {
    const line = { level, message };
    this.lines.push(line);
    for (const w of [...this.#waiters]) w(line);
  }

  /** Messages, optionally of one level only. */
  messages(level?: LogLevel): string[] {
    return this.lines.filter((l) => level === undefined || l.level === level).map((l) => l.message);
  }

  /** Lines whose message matches. */
  matching(pattern: string | RegExp): LogLine[] {
    return this.lines.filter((l) => (typeof pattern === 'string' ? l.message === pattern : pattern.test(l.message)));
  }

  /** `LEVEL message` strings, for readable failure output. */
  dump(): string[] {
    return this.lines.map((l) => `${l.level.toUpperCase()} ${l.message}`);
  }

  /** Resolves with the first line (already logged or coming) matching; rejects after timeoutMs. */
  waitFor(pattern: string | RegExp, timeoutMs = 3000): Promise<LogLine> {
    const have = this.matching(pattern)[0];
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const waiter = (line: LogLine) => {
        if (typeof pattern === 'string' ? line.message !== pattern : !pattern.test(line.message)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(line);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for log line ${String(pattern)}; log was:\n  ${this.dump().join('\n  ')}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

export function captureLog(): LogCapture {
  return new LogCapture();
}
