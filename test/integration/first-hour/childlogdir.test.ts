// The README's embedded quick start with a childlogdir that does not exist: the error names the
// directory and the option when the program is added, before anything is started, instead of a
// spawn error ("unknown error making dispatchers for 'web': ENOENT") at the first start.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestManager } from '../../helpers/manager.js';

describe('a missing childlogdir', () => {
  it('is reported by path when a program with AUTO logs is added, and nothing is added', async () => {
    const base = createTestManager();
    const missing = join(base.tmp, 'var/log/myapp');
    const pm = createTestManager({ childlogdir: missing });
    try {
      let error: unknown;
      try {
        pm.addProcessGroup({ name: 'web', command: 'sleep 1000' });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ name: 'ConfigError', code: 'CANT_REREAD', option: 'childlogdir', section: 'program:web' });
      expect((error as Error).message).toContain(`childlogdir ${missing} does not exist`);
      expect(pm.getAllProcessInfo()).toEqual([]);
    } finally {
      await pm.shutdown();
      await base.shutdown();
    }
  });

  it('says "is not a directory" for a file, and is not required of programs that do not use it', async () => {
    const pm0 = createTestManager();
    const file = join(pm0.tmp, 'a-file');
    writeFileSync(file, '');
    const pm = createTestManager({ childlogdir: file });
    try {
      expect(() => pm.addProcessGroup({ name: 'web', command: 'sleep 1000' })).toThrow(`childlogdir ${file} is not a directory`);
      // stdout to a file of its own, stderr into stdout: childlogdir is never used.
      mkdirSync(join(pm0.tmp, 'logs'));
      pm.addProcessGroup({ name: 'quiet', command: 'sleep 1000', stdout_logfile: 'NONE', stderr_logfile: 'NONE', autostart: false });
      pm.addProcessGroup({ name: 'own', command: 'sleep 1000', stdout_logfile: join(pm0.tmp, 'logs/own.log'), redirect_stderr: true, autostart: false });
      expect(pm.getAllProcessInfo().map((p) => p.name)).toEqual(['own', 'quiet']);
    } finally {
      await pm.shutdown();
      await pm0.shutdown();
    }
  });
});
