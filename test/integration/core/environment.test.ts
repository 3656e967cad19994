// What a child starts with (docs/semantics.md#start-attempt; `environment=` syntax as in 4.2.5):
// environment and its merge order, SUPERVISOR_*
// variables, working directory, umask, user.
import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GroupConfig, ManagerOptions, ProgramConfig } from '../../../src/index.js';
import { fakeTimeManager, OutputCapture } from '../../helpers/conformance.js';
import { waitForState } from '../../helpers/wait-for.js';

const DUMP = `sh -c 'env; echo "CWD=$(pwd -P)"; echo "UMASK=$(umask)"; echo "UID=$(id -u)"'`;

/** Runs `config` once (startsecs 0, no autorestart) and returns what its child printed, as KEY=VALUE. */
async function childEnv(config: Partial<ProgramConfig> & { name: string }, options: ManagerOptions = {}, group?: Omit<GroupConfig, 'programs'>) {
  const { pm } = fakeTimeManager(options);
  const out = new OutputCapture(pm);
  const program: ProgramConfig = { command: DUMP, startsecs: 0, autorestart: false, stdout_events_enabled: true, ...config };
  pm.addProcessGroup(group ? { ...group, programs: [program] } : program);
  const namespec = group ? `${group.name}:${config.name}` : config.name;
  await pm.startProcess(namespec);
  await waitForState(pm, namespec, 'EXITED');
  const vars: Record<string, string> = {};
  for (const line of out.text(config.name).split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) vars[line.slice(0, i)] = line.slice(i + 1);
  }
  return { vars, raw: out.text(config.name) };
}

describe('SUPERVISOR_* variables', () => {
  it('SUPERVISOR_ENABLED=1, process and group names; the manager environment is passed through unchanged', async () => {
    const { vars } = await childEnv({ name: 'envy' });
    expect(vars).toMatchObject({ SUPERVISOR_ENABLED: '1', SUPERVISOR_PROCESS_NAME: 'envy', SUPERVISOR_GROUP_NAME: 'envy' });
    expect(vars.PATH).toBe(process.env.PATH);
    expect(vars.HOME).toBe(process.env.HOME);
    expect(vars).not.toHaveProperty('SUPERVISOR_SERVER_URL');
  });

  it('in a [group], the group name is the group; with numprocs, the process name is the expanded one', async () => {
    const inGroup = await childEnv({ name: 'inner' }, {}, { name: 'grp' });
    expect(inGroup.vars).toMatchObject({ SUPERVISOR_PROCESS_NAME: 'inner', SUPERVISOR_GROUP_NAME: 'grp' });
    const { pm } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({
      name: 'w',
      command: `sh -c 'echo "$SUPERVISOR_GROUP_NAME:$SUPERVISOR_PROCESS_NAME"'`,
      numprocs: 2,
      numprocs_start: 1,
      process_name: 'w_%(process_num)02d',
      startsecs: 0,
      autorestart: false,
      stdout_events_enabled: true,
    });
    await pm.startProcess('w:*');
    await Promise.all([waitForState(pm, 'w:w_01', 'EXITED'), waitForState(pm, 'w:w_02', 'EXITED')]);
    expect(out.text('w_01')).toBe('w:w_01\n');
    expect(out.text('w_02')).toBe('w:w_02\n');
  });

  it('SUPERVISOR_SERVER_URL is the manager serverUrl, or the program serverurl when set', async () => {
    expect((await childEnv({ name: 'u' }, { serverUrl: 'unix:///run/sv.sock' })).vars.SUPERVISOR_SERVER_URL).toBe('unix:///run/sv.sock');
    expect((await childEnv({ name: 'u', serverurl: 'http://127.0.0.1:9001' }, { serverUrl: 'unix:///run/sv.sock' })).vars.SUPERVISOR_SERVER_URL).toBe(
      'http://127.0.0.1:9001',
    );
    expect((await childEnv({ name: 'u', serverurl: 'AUTO' }, { serverUrl: 'unix:///run/sv.sock' })).vars.SUPERVISOR_SERVER_URL).toBe('unix:///run/sv.sock');
  });
});

describe('merge order: manager < [supervisord] environment < SUPERVISOR_* < program environment', () => {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', ONLY_BASE: 'base', SHARED: 'base', SUPERVISOR_ENABLED: '0' };

  it('global entries override the manager environment; SUPERVISOR_ENABLED overrides an inherited one', async () => {
    const { vars } = await childEnv({ name: 'm1' }, { environment: base, globalEnvironment: { GLOBALX: 'gx', SHARED: 'global' } });
    expect(vars).toMatchObject({ ONLY_BASE: 'base', GLOBALX: 'gx', SHARED: 'global', SUPERVISOR_ENABLED: '1' });
  });

  it('program entries override global ones, and may override SUPERVISOR_* too', async () => {
    const { vars } = await childEnv(
      { name: 'm2', environment: { SHARED: 'prog', SUPERVISOR_PROCESS_NAME: 'mine' } },
      { environment: base, globalEnvironment: { GLOBALX: 'gx', SHARED: 'global' } },
    );
    expect(vars).toMatchObject({ ONLY_BASE: 'base', GLOBALX: 'gx', SHARED: 'prog', SUPERVISOR_PROCESS_NAME: 'mine', SUPERVISOR_ENABLED: '1' });
  });

  it('%(ENV_X)s sees the global environment and, in later options, the program environment', async () => {
    const { raw } = await childEnv(
      { name: 'm3', command: `sh -c 'echo %(ENV_GLOBALX)s %(ENV_GREETING)s %(ENV_ONLY_BASE)s'`, environment: { GREETING: 'hi' } },
      { environment: base, globalEnvironment: { GLOBALX: 'gx' } },
    );
    expect(raw).toBe('gx hi base\n');
  });

  it('supervisord environment syntax', async () => {
    const { vars } = await childEnv({ name: 'envy', environment: `K1="a,b",K2=plain,K3='single q',K4="with=eq", K5 = "spaced"` });
    expect(vars).toMatchObject({ K1: 'a,b', K2: 'plain', K3: 'single q', K4: 'with=eq', K5: 'spaced' });
  });
});

describe('directory and umask', () => {
  it('directory: the child runs there; %(ENV_HOME)s and the program environment expand', async () => {
    const { raw } = await childEnv({
      name: 'greet',
      command: `sh -c 'echo "$GREETING from %(ENV_HOME)s in $(pwd -P)"'`,
      environment: { GREETING: 'hi there' },
      directory: '/tmp',
    });
    expect(raw).toBe(`hi there from ${process.env.HOME} in ${realpathSync('/tmp')}\n`);
  });

  it("without directory the child inherits the manager's working directory", async () => {
    expect((await childEnv({ name: 'cwd' })).vars.CWD).toBe(realpathSync(process.cwd()));
  });

  it("umask is applied in the child, and the manager's own umask is left alone", async () => {
    const mine = process.umask();
    expect((await childEnv({ name: 'um', umask: '027' })).vars.UMASK).toBe('0027');
    expect((await childEnv({ name: 'um', umask: 0o77 })).vars.UMASK).toBe('0077');
    expect(process.umask()).toBe(mine);
    expect((await childEnv({ name: 'um' })).vars.UMASK).toBe(mine.toString(8).padStart(4, '0'));
  });
});

describe('user', () => {
  it.runIf(process.getuid?.() === 0)('as root, user=nobody runs the child as nobody; HOME is not adjusted', async () => {
    const { vars } = await childEnv({ name: 'nob', user: 'nobody', directory: '/' });
    expect(vars.UID).toBe('65534');
    expect(vars.HOME).toBe(process.env.HOME);
  });

  it("a user that is the manager's own is a no-op", async () => {
    const uid = process.getuid?.() ?? 0;
    const { vars } = await childEnv({ name: 'me', user: uid });
    expect(vars.UID).toBe(String(uid));
  });
});
