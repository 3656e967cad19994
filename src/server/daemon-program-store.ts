// The daemon's file-backed program store (`procvisor --programs-dir DIR`): the JSON API's programs
// as supervisord files in DIR, and the daemon's other programs listed read-only.
import { ProgramDirStore } from '../config-file/program-dir-store.js';
import type { ProgramConfig } from '../supervisor/config.js';
import type { Daemon } from './daemon.js';

/** A ProgramDirStore on `dir` whose read-only programs are the daemon's current configuration. */
export function programDirStoreFor(daemon: Daemon, dir: string): ProgramDirStore {
  return new ProgramDirStore({
    dir,
    external: () =>
      [...(daemon.config?.groups.values() ?? [])]
        .filter((g) => !('programs' in g.config))
        .map((g) => ({ name: g.spec.name, config: g.config as ProgramConfig, file: daemon.config.path })),
  });
}
