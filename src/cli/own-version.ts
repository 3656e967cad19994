// procvisor's own version (package.json), as opposed to the supervisord version it implements
// (4.2.5: what `-v` prints and what getSupervisorVersion answers, because supervisorctl and other
// clients compare against it). package.json lies two directories up from both src/cli/ and dist/cli/.
import { readFileSync } from 'node:fs';
import { SUPERVISOR_VERSION } from '../server/rpc-methods.js';

/** The `version` field of procvisor's package.json. */
export function ownVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** `procvisor 0.1.0 (supervisord 4.2.5)`: the line `--version` prints, naming both. */
export function versionLine(program: string, implementing: string): string {
  return `${program} ${ownVersion()} (${implementing} ${SUPERVISOR_VERSION})`;
}
