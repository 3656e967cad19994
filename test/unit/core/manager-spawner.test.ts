// ProcessManager over the fake spawner: the injected spawner is the one used, and a signal that
// fails reaches the caller of the API as FailedError while a shutdown goes on past it.
import { describe, expect, it } from 'vitest';
import { FailedError } from '../../../src/errors.js';
import { MainLog } from '../../../src/logs/main-log.js';
import { ProcessManager } from '../../../src/supervisor/manager.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { FakeSpawner, FIRST_FAKE_PID as PID } from '../../helpers/fake-spawner.js';

function manager(): { pm: ProcessManager; clock: FakeClock; spawner: FakeSpawner } {
  const clock = new FakeClock();
  const spawner = new FakeSpawner();
  const pm = new ProcessManager({ clock, spawner, orphanGuard: false, environment: { PATH: '/usr/bin:/bin' }, mainLog: new MainLog({ level: 'critical' }) });
  pm.addProcessGroup({ name: 'web', command: '/bin/sh', autostart: false, startsecs: 1, stdout_logfile: 'NONE', stderr_logfile: 'NONE' });
  return { pm, clock, spawner };
}

describe('ProcessManager with an injected spawner', () => {
  it('starts, stops and signals through it', async () => {
    const { pm, clock, spawner } = manager();
    const started = pm.startProcess('web');
    clock.advance(1000);
    await expect(started).resolves.toMatchObject({ statename: 'RUNNING', pid: PID });
    expect(spawner.children).toHaveLength(1);
    expect(pm.signalProcess('web', 'HUP')).toBe(true);
    const stopped = pm.stopProcess('web');
    spawner.last.kill('SIGTERM');
    await expect(stopped).resolves.toMatchObject({ statename: 'STOPPED' });
    expect(spawner.kills).toEqual([
      { target: PID, signal: 1 },
      { target: PID, signal: 15 },
    ]);
    await pm.shutdown();
  });

  it('a failed stop or signal rejects with FailedError; the process is UNKNOWN and shutdown still ends', async () => {
    const { pm, clock, spawner } = manager();
    const started = pm.startProcess('web');
    clock.advance(1000);
    await started;
    spawner.failKills('EPERM');
    expect(() => pm.signalProcess('web', 'HUP')).toThrow(new FailedError(`unknown problem sending sig web (${PID}):kill EPERM`));
    expect(pm.getProcessInfo('web').statename).toBe('UNKNOWN');

    pm.addProcessGroup({ name: 'api', command: '/bin/sh', autostart: false, startsecs: 1, stdout_logfile: 'NONE', stderr_logfile: 'NONE' });
    spawner.killResult = () => ({ ok: true });
    const apiStarted = pm.startProcess('api');
    clock.advance(1000);
    await apiStarted;
    spawner.failKills('EPERM');
    await expect(pm.stopProcess('api')).rejects.toThrow(new FailedError(`unknown problem killing api (${PID + 1}):kill EPERM`));
    expect(pm.getProcessInfo('api').statename).toBe('UNKNOWN');

    // The forced SIGKILL of the shutdown fails too (fake pids are above pid_max: ending their
    // families finds nothing real).
    await pm.shutdown({ force: true });
    expect(
      spawner.kills
        .filter((k) => k.signal === 9)
        .map((k) => k.target)
        .sort(),
    ).toEqual([PID, PID + 1]);
    expect(pm.getState().statename).toBe('SHUTDOWN');
  });
});
