// The ProcessManager the package exports: the core's, plus the constructors that run a
// supervisord.conf (read here, in the config-file layer, so the core never reads files).
import { resolve } from 'node:path';
import { MainLog } from '../logs/main-log.js';
import { ProcessManager as CoreProcessManager } from '../supervisor/manager.js';
import type { ManagerOptions } from '../supervisor/manager-options.js';
import type { GroupEntry } from '../supervisor/reload.js';
import { parseSupervisordConfig, readSupervisordConfig } from './config-file.js';
import type { ReadConfigResult } from './config-types.js';

/** A reading's groups as the configuration session takes them. */
export function configEntries(conf: ReadConfigResult): GroupEntry[] {
  return conf.specs.map((spec, i) => ({ spec, config: conf.groups[i] as GroupEntry['config'] }));
}

export class ProcessManager extends CoreProcessManager {
  /**
   * A manager running a supervisord.conf: `[supervisord]` childlogdir, identifier, environment
   * and loglevel apply; every group is added (start() autostarts); reloadConfig() and update()
   * read the file again. The daemon adds the servers.
   * @throws ConfigError with supervisord's message, file and line
   */
  static fromConfigFile(path: string, options: ManagerOptions = {}): ProcessManager {
    const abs = resolve(path);
    return ProcessManager.#fromReader(() => readSupervisordConfig(abs), options);
  }

  /** The same from text; `here` is the directory `%(here)s` means (default: the current one). */
  static fromConfigText(text: string, options: ManagerOptions & { here?: string; file?: string } = {}): ProcessManager {
    const { here, file, ...rest } = options;
    return ProcessManager.#fromReader(
      () => parseSupervisordConfig(text, { ...(here !== undefined ? { here } : {}), ...(file !== undefined ? { file } : {}) }),
      rest,
    );
  }

  static #fromReader(read: () => ReadConfigResult, options: ManagerOptions): ProcessManager {
    const conf = read();
    const s = conf.supervisord;
    const pm = new ProcessManager({
      childlogdir: s.childlogdir,
      identifier: s.identifier,
      globalEnvironment: s.environment,
      serverUrl: conf.serverurl,
      mainLog: new MainLog({ level: s.loglevel }),
      ...options,
    });
    pm.useConfigSource(() => configEntries(read()), configEntries(conf));
    pm.addConfiguredGroups();
    return pm;
  }
}
