// Program definitions as the JSON API accepts them: the request body checked field by field,
// PATCH's merge, and a full validation (supervisord's own) that changes nothing.
import { PROGRAM_KEYS, type ProgramConfig } from '../supervisor/config.js';
import { expectObject, invalid, isJsonObject, type JsonObject, rejectUnknownFields } from './json-api-http.js';
import { checkApiName } from './api-input-limits.js';

/** The most processes one program may define through the API. */
export const MAX_NUMPROCS = 1000;

/** Checks a program name the API can address in a URL (supervisord checks the rest). */
function checkName(name: unknown): string {
  if (typeof name !== 'string') throw invalid('name', "field 'name' is required and must be a string");
  if (name === '' || name.trim() !== name || name === '.' || name === '..' || /[\0-\x1f\x7f]/.test(name)) {
    throw invalid('name', `invalid program name ${JSON.stringify(name)}`);
  }
  checkApiName(name);
  return name;
}

/** The body as a ProgramConfig named `name` (from the URL) or by its own `name` field. */
export function parseProgramBody(body: unknown, name?: string): ProgramConfig {
  const obj = expectObject(body, true);
  rejectUnknownFields(obj, PROGRAM_KEYS);
  if (name !== undefined && obj.name !== undefined && obj.name !== name) {
    throw invalid('name', `field 'name' (${JSON.stringify(obj.name)}) does not match the program in the URL (${JSON.stringify(name)})`);
  }
  const config: JsonObject = { ...obj, name: checkName(name ?? obj.name) };
  if (config.command === undefined) throw invalid('command', "field 'command' is required");
  // supervisord has no limit; an API must not let one request expand into millions of processes.
  if (typeof config.numprocs === 'number' && config.numprocs > MAX_NUMPROCS) {
    throw invalid('numprocs', `field 'numprocs' must be at most ${MAX_NUMPROCS}`);
  }
  const env = config.environment;
  if (env !== undefined && typeof env !== 'string' && !isJsonObject(env)) {
    throw invalid('environment', "field 'environment' must be an object of strings or supervisord's KEY=value text");
  }
  return config as unknown as ProgramConfig;
}

/** RFC 7386 JSON merge patch: null removes a key, objects merge, anything else replaces. */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    const current = Object.hasOwn(out, k) ? out[k] : undefined;
    if (v === null) delete out[k];
    // Defined, not assigned: a "__proto__" key stays data and never becomes a prototype.
    else
      Object.defineProperty(out, k, {
        value: isJsonObject(v) && isJsonObject(current) ? mergePatch(current, v) : v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}
