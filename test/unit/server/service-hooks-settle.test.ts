import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ProcessManager } from '../../../src/supervisor/manager.js';
import type { DaemonConfig } from '../../../src/server/daemon-config.js';
import { ServiceHooks } from '../../../src/server/service-hooks.js';

describe('ServiceHooks.activated without systemd', () => {
  it('does not watch state changes for READY=1 when there is no NOTIFY_SOCKET', async () => {
    const pm = new EventEmitter();
    const hooks = new ServiceHooks({
      pm: pm as unknown as ProcessManager,
      config: { supervisord: {} } as unknown as DaemonConfig,
      mainLog: { warn: () => {}, info: () => {} },
      shutdown: () => {},
    });
    const saved = process.env.NOTIFY_SOCKET;
    delete process.env.NOTIFY_SOCKET;
    try {
      hooks.opened();
      hooks.activated();
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(pm.listenerCount('processState')).toBe(0);
    } finally {
      if (saved !== undefined) process.env.NOTIFY_SOCKET = saved;
      await hooks.closed();
    }
  });
});
