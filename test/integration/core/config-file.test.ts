// ProcessManager.fromConfigFile/fromConfigText, reloadConfig and update (reread/update through
// the API; docs/semantics.md#reload).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProcessManager } from '../../../src/index.js';
import { createTestManager } from '../../helpers/manager.js';
import { until, waitForState } from '../../helpers/wait-for.js';

const head = (dir: string) => `[supervisord]\nchildlogdir=${dir}\nidentifier=svtest\n`;

describe('configuration files', () => {
  it('reloadConfig reports [added, changed, removed]; update applies it', async () => {
    const scratch = createTestManager();
    const file = join(scratch.tmp, 'sv.conf');
    const v1 = `${head(scratch.tmp)}[program:keep]\ncommand=sleep 1000\nstartsecs=0\n[program:chg]\ncommand=sleep 1000\nstartsecs=0\n[program:gone]\ncommand=sleep 1000\nstartsecs=0\n`;
    writeFileSync(file, v1);
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    await using pm = ProcessManager.fromConfigFile(file, { environment: env });
    await pm.start();
    await until(
      () => pm.getAllProcessInfo().every((p) => p.statename === 'RUNNING'),
      () => JSON.stringify(pm.getAllProcessInfo()),
    );
    const keepPid = pm.getProcessInfo('keep').pid;
    const chgPid = pm.getProcessInfo('chg').pid;
    writeFileSync(
      file,
      `${head(scratch.tmp)}[program:keep]\ncommand=sleep 1000\nstartsecs=0\n[program:chg]\ncommand=sleep 2000\nstartsecs=0\n[program:newone]\ncommand=sleep 1000\nstartsecs=0\n[program:newmanual]\ncommand=sleep 1000\nautostart=false\n`,
    );
    expect(pm.reloadConfig()).toEqual([['newmanual', 'newone'], ['chg'], ['gone']]);
    expect(await pm.update()).toEqual({ added: ['newmanual', 'newone'], changed: ['chg'], removed: ['gone'] });
    await waitForState(pm, 'newone', 'RUNNING');
    await waitForState(pm, 'chg', 'RUNNING');
    expect(pm.getProcessInfo('keep').pid).toBe(keepPid);
    expect(pm.getProcessInfo('chg').pid).not.toBe(chgPid);
    expect(pm.getProcessInfo('newmanual').description).toBe('Not started');
    expect(() => pm.getProcessInfo('gone')).toThrow(expect.objectContaining({ code: 'BAD_NAME' }));
    expect(pm.reloadConfig()).toEqual([[], [], []]);
    writeFileSync(file, `${head(scratch.tmp)}[program:b]\ncommand=sleep 1\nautostart=perhaps\n`);
    expect(() => pm.reloadConfig()).toThrow(
      expect.objectContaining({ code: 'CANT_REREAD', faultString: expect.stringContaining("not a valid boolean value: 'perhaps' in section 'program:b'") }),
    );
    expect(pm.getProcessInfo('keep').pid).toBe(keepPid);
  });

  it('fromConfigText: a bad value is a ConfigError with file and line', () => {
    expect(() => ProcessManager.fromConfigText('[supervisord]\n[program:x]\ncommand=sleep 1\nstartsecs=1.5\n', { file: '/virtual/sv.conf' })).toThrow(
      expect.objectContaining({ code: 'CANT_REREAD', line: 4, file: '/virtual/sv.conf', option: 'startsecs' }),
    );
  });
});
