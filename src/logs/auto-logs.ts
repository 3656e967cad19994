// AUTO child log files (supervisord options.py get_autochildlog_name, clear_autochildlogdir):
// `NAME-CHANNEL---IDENTIFIER-XXXXXXXX.log` created like mkstemp, and removed at the next startup.
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { pyRepr } from '../dialect/expand.js';
import { isErrno } from './rotating-file.js';

/** Python's tempfile name alphabet (mkstemp's `_RandomNameSequence`). */
const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_';
/** Python's TMP_MAX: how many names mkstemp tries before giving up. */
const MAX_ATTEMPTS = 10_000;

/** Options of {@link createAutoLogFile}. */
export interface AutoLogOptions {
  /** `[supervisord] childlogdir`: an existing directory. */
  childlogdir: string;
  /** The process name (`process_name` after expansion). */
  processName: string;
  channel: 'stdout' | 'stderr';
  /** `[supervisord] identifier`; default `supervisor`. */
  identifier: string;
  /** Source of the 8 random characters (tests); default crypto-random from mkstemp's alphabet. */
  randomName?: (() => string) | undefined;
}

/**
 * Creates an empty AUTO log file exclusively with mode 0600 and returns its path, e.g.
 * `/tmp/web-stdout---supervisor-vwcdiift.log`. Mirrors supervisord's `get_autochildlog_name`
 * (mkstemp: retries on a name clash).
 * @throws the errno error of open(2) (ENOENT when childlogdir is missing, EACCES …).
 */
export function createAutoLogFile(options: AutoLogOptions): string {
  const prefix = `${options.processName}-${options.channel}---${options.identifier}-`;
  const randomName = options.randomName ?? randomAutoSuffix;
  for (let attempt = 1; ; attempt++) {
    const path = join(options.childlogdir, `${prefix}${randomName()}.log`);
    try {
      fs.closeSync(fs.openSync(path, 'wx', 0o600));
      return path;
    } catch (err) {
      if (!isErrno(err, 'EEXIST') || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

/** 8 random characters from mkstemp's alphabet (lowercase letters, digits, `_`). */
export function randomAutoSuffix(): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += NAME_CHARS[randomInt(NAME_CHARS.length)];
  return out;
}

/**
 * Whether `filename` is one that {@link cleanupAutoLogs} deletes: supervisord's
 * `re.match(r'.+?---IDENTIFIER-\S+\.log\.{0,1}\d{0,4}')`, i.e. anything starting with
 * `…---IDENTIFIER-….log` (rotated `.N` files included). Unlike supervisord, the identifier is
 * matched literally rather than as a regular expression.
 */
export function isAutoLogName(filename: string, identifier: string): boolean {
  return autoLogPattern(identifier).test(filename);
}

function autoLogPattern(identifier: string): RegExp {
  const literal = identifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^.+?---${literal}-\\S+\\.log`);
}

/**
 * Deletes the AUTO log files of `identifier` left in `childlogdir` by an earlier run, as
 * supervisord does at startup unless `nocleanup`. Problems are reported through `warn` with
 * supervisord's wording (`Could not clear childlog dir`, `Failed to clean up '/tmp/…'`), never
 * thrown. Returns the paths removed.
 */
export function cleanupAutoLogs(childlogdir: string, identifier: string, warn: (msg: string) => void = () => {}): string[] {
  let filenames: string[];
  try {
    filenames = fs.readdirSync(childlogdir);
  } catch {
    warn('Could not clear childlog dir');
    return [];
  }
  const pattern = autoLogPattern(identifier);
  const removed: string[] = [];
  for (const filename of filenames.filter((f) => pattern.test(f))) {
    const path = join(childlogdir, filename);
    try {
      fs.unlinkSync(path);
      removed.push(path);
    } catch {
      warn(`Failed to clean up ${pyRepr(path)}`);
    }
  }
  return removed;
}
