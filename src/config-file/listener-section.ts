// `[eventlistener:x]` sections → EventListenerConfig, the way supervisord reads them: the pool's
// own options first (priority with default -1, buffer_size, result_handler, events,
// redirect_stderr), each with its message, then every `[program:x]` option for its processes.
import { ConfigError } from '../errors.js';
import type { GroupSpec } from '../supervisor/config.js';
import { asListenerProcesses, type EventListenerConfig, LISTENER_DEFAULT_PRIORITY, listenerPoolSpec } from '../supervisor/listener-config.js';
import { parseBoolean, parseInteger, parseListOfStrings, parseProcessOrGroupName } from '../dialect/datatypes.js';
import { configError, located, type Reader, saneget } from './config-reader.js';
import { readProgramSection } from './program-section.js';

export function readListenerSection(r: Reader, section: string): { config: EventListenerConfig; spec: GroupSpec } {
  const name = located(r, section, undefined, () => parseProcessOrGroupName(section.slice(section.indexOf(':') + 1)));
  const names = { here: r.here };
  const get = (option: string) => located(r, section, option, () => saneget(r, section, option, names));
  const priority = located(r, section, 'priority', () => parseInteger(get('priority') ?? String(LISTENER_DEFAULT_PRIORITY)));
  const bufferSize = located(r, section, 'buffer_size', () => parseInteger(get('buffer_size') ?? '10'));
  const resultHandler = get('result_handler');
  const events = located(r, section, 'events', () => parseListOfStrings(get('events') ?? ''));
  const redirect = located(r, section, 'redirect_stderr', () => parseBoolean(get('redirect_stderr') ?? 'false'));
  let listener;
  try {
    listener = listenerPoolSpec(section, { buffer_size: bufferSize, result_handler: resultHandler, events, redirect_stderr: redirect });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw configError(r, e.message, section, e.option);
  }
  // The pool's priority defaults to -1; its processes keep the [program:x] default (999), as in supervisord.
  const program = readProgramSection(r, section, name);
  const config: EventListenerConfig = { ...program.config, type: 'eventlistener', events: listener.events };
  if (bufferSize !== 10) config.buffer_size = bufferSize;
  if (resultHandler !== undefined) config.result_handler = resultHandler;
  return { config, spec: asListenerProcesses({ name, priority, processes: program.processes }, listener) };
}
