// Joins a daemon to the fleet its [fleet] section names: the agent starts after the daemon's own
// programs, follows each reload, and leaves (revoking its lease) only after every program stopped.
import type { Daemon, DaemonPlugin } from '../server/daemon.js';
import { FleetAgent } from './agent.js';
import { createFleetApi } from './api.js';
import { FleetService } from './service.js';

export function fleetPlugin(daemon: Daemon): DaemonPlugin {
  let agent: FleetAgent | undefined;
  let service: FleetService | undefined;
  return {
    routes: [createFleetApi(() => service)],
    groups: () => agent?.managedGroups() ?? [],
    async started() {
      const section = daemon.config.raw.fleet;
      if (!section) return;
      agent = new FleetAgent({ section, manager: () => daemon.pm, log: (level, message) => daemon.mainLog.log(level, message) });
      service = new FleetService(agent, () => daemon.pm);
      await agent.start();
    },
    managerReplaced() {
      agent?.managerChanged();
    },
    async stopping() {
      await agent?.pause();
    },
    async stopped() {
      await agent?.close();
    },
  };
}
