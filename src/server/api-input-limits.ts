// What the JSON API refuses beyond supervisord's own parsing, because a definition made over
// HTTP must be one supervisord could hold and procvisor could run: names a URL, a namespec and a
// log file name can carry, a stop signal that stops something, a umask that is one, and a quick
// run's directory that exists. Each refusal is 422 naming the field.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { GroupSpec } from '../supervisor/config.js';
import { ApiError } from './json-api-http.js';

/** The longest file name most file systems take (NAME_MAX), in bytes. */
export const NAME_MAX = 255;

function refuse(field: string, message: string): ApiError {
  return new ApiError(422, 'INVALID', message, { field });
}

/** Python's repr of a one-character string, as supervisord's messages show it. */
function charRepr(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  if (/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(ch)) return `'\\u${code.toString(16).padStart(4, '0')}'`;
  return `'${ch}'`;
}

/**
 * Characters a program or process name must not hold: supervisord's own (space, `:`, `/`: they
 * break namespecs, the event protocol and URLs), `*` (the group wildcard of a namespec), and
 * bidirectional-text controls (a name that displays as another one).
 */
const FORBIDDEN = /[ :/*\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Checks a name given to the API (`field` names where it came from). @throws ApiError 422 */
export function checkApiName(name: string, field = 'name'): void {
  const bytes = Buffer.byteLength(name);
  if (bytes > NAME_MAX) {
    throw refuse(field, `Invalid name: ${bytes} bytes long; a name may have at most ${NAME_MAX} bytes (it becomes part of log file names)`);
  }
  const bad = FORBIDDEN.exec(name);
  if (bad) throw refuse(field, `Invalid name: ${JSON.stringify(name)} because of character: ${charRepr(bad[0])}`);
  // supervisord expands %(...)s in names; a literal one would be read as an expansion.
  if (name.includes('%(')) throw refuse(field, `Invalid name: ${JSON.stringify(name)} because of '%(' (supervisord would expand it)`);
}

/** An AUTO log file's name for `processName` (8 random characters in place of the X's). */
function autoLogName(processName: string, channel: string, identifier: string): string {
  return `${processName}-${channel}---${identifier}-XXXXXXXX.log`;
}

/**
 * Checks a resolved definition: every process's log file names fit the file system, the stop
 * signal is a signal, the umask is one. `userFields` are the request's own fields (to name the
 * one at fault). @throws ApiError 422
 */
export function checkApiSpec(spec: GroupSpec, identifier: string, userFields: ReadonlySet<string>): void {
  for (const p of spec.processes) {
    if (p.name !== spec.name || userFields.has('process_name')) checkApiName(p.name, userFields.has('process_name') ? 'process_name' : 'name');
    for (const channel of ['stdout', 'stderr'] as const) {
      const logfile = p[channel].logfile;
      if (logfile === null || (channel === 'stderr' && p.redirect_stderr)) continue;
      const file = logfile === 'AUTO' ? autoLogName(p.name, channel, identifier) : basename(logfile);
      const bytes = Buffer.byteLength(file);
      if (bytes <= NAME_MAX) continue;
      const field = logfile === 'AUTO' ? (userFields.has('process_name') ? 'process_name' : 'name') : `${channel}_logfile`;
      throw refuse(
        field,
        logfile === 'AUTO'
          ? `the ${channel} log file name of process ${p.name} would be ${bytes} bytes long, over the file system's limit of ${NAME_MAX}: use a shorter name or set ${channel}_logfile`
          : `${channel}_logfile: the file name ${JSON.stringify(file.slice(0, 40))}… is ${bytes} bytes long, over the file system's limit of ${NAME_MAX}`,
      );
    }
    if (p.stopsignal === 0) throw refuse('stopsignal', "stopsignal 0 is not a signal: it would stop nothing (use a signal name such as 'TERM')");
    if (p.umask !== null && (p.umask < 0 || p.umask > 0o777)) {
      throw refuse('umask', `umask ${p.umask < 0 ? '-' : ''}${Math.abs(p.umask).toString(8)} is not a umask: it must be between 000 and 777 (octal)`);
    }
  }
}

/** A quick run's directory must exist (the docs promise 422, not a run that fails to spawn). */
export function checkRunDirectory(directory: string | undefined): void {
  if (directory === undefined) return;
  let isDir: boolean;
  try {
    isDir = statSync(directory).isDirectory();
  } catch (e) {
    throw refuse('directory', `couldn't chdir to ${directory}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!isDir) throw refuse('directory', `couldn't chdir to ${directory}: ENOTDIR`);
}

/** A quick run's name (given or generated), directory and AUTO log file names. @throws ApiError 422 */
export function checkRunInput(config: { name: string; directory?: string | undefined }, identifier: string): void {
  checkApiName(config.name);
  for (const channel of ['stdout', 'stderr']) {
    const bytes = Buffer.byteLength(autoLogName(config.name, channel, identifier));
    if (bytes > NAME_MAX)
      throw refuse(
        'name',
        `the ${channel} log file name of run ${config.name} would be ${bytes} bytes long, over the file system's limit of ${NAME_MAX}: use a shorter name`,
      );
  }
  checkRunDirectory(config.directory);
}

/** checkApiSpec on the group a planned change would put in place for `config`. @throws ApiError 422 */
export function checkApiPlan(plan: { readonly next: ReadonlyMap<string, GroupSpec> }, config: { name: string }, identifier: string): void {
  const spec = plan.next.get(config.name);
  if (spec) checkApiSpec(spec, identifier, new Set(Object.keys(config)));
}
