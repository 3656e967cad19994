// `[fcgi-program:x]` sections, read the way supervisord's process_groups_from_parser reads them:
// priority, user, socket_backlog, socket_owner, socket_mode and socket first (in that order, with
// supervisord's messages), then the program options as for `[program:x]`. The group is the
// program's own; its processes share the socket as their stdin.
import type { GroupSpec, ProgramConfig } from '../supervisor/config.js';
import { checkBacklog, checkMode, checkOwner, parseFcgiSocket } from '../supervisor/fcgi-socket.js';
import { parseInteger, parseProcessOrGroupName } from '../dialect/datatypes.js';
import { parseUserToUid } from '../dialect/datatypes-host.js';
import { configError, located, type Reader, saneget } from './config-reader.js';
import { readProgramSection } from './program-section.js';

/** One `[fcgi-program:x]` not listed in a `[group:x]`: its config (with the socket options) and its group. */
export function readFcgiProgramSection(r: Reader, section: string): { config: ProgramConfig; spec: GroupSpec } {
  const name = located(r, section, undefined, () => parseProcessOrGroupName(section.slice(section.indexOf(':') + 1)));
  const common = { here: r.here };
  const get = (option: string, names: Record<string, string> = common) => located(r, section, option, () => saneget(r, section, option, names));
  const priority = located(r, section, 'priority', () => parseInteger(get('priority') ?? '999'));
  const user = get('user');
  const procUid = user === undefined ? null : located(r, section, 'user', () => parseUserToUid(user));
  const backlogText = get('socket_backlog');
  const backlog = backlogText === undefined ? null : located(r, section, 'socket_backlog', () => checkBacklog(backlogText));
  const ownerText = get('socket_owner');
  const owner = ownerText === undefined ? null : located(r, section, 'socket_owner', () => checkOwner(ownerText));
  const modeText = get('socket_mode');
  const mode = modeText === undefined ? null : located(r, section, 'socket_mode', () => checkMode(modeText));
  const socket = get('socket', { ...common, program_name: name });
  if (!socket) throw configError(r, `[${section}] section requires a "socket" line`, section, socket === undefined ? undefined : 'socket');
  const spec = located(r, section, 'socket', () => parseFcgiSocket(socket, { owner, mode, backlog, procUid }), ` in [${section}] socket`);
  const program = readProgramSection(r, section, name);
  const config: ProgramConfig = { ...program.config, socket };
  if (ownerText !== undefined) config.socket_owner = ownerText;
  if (mode !== null) config.socket_mode = mode;
  if (backlog !== null) config.socket_backlog = backlog;
  return { config, spec: { name, priority, processes: program.processes, socket: spec } };
}
