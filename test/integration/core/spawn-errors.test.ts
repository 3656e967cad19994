// Start attempts that fail: parent-side spawn errors (no child;
// docs/semantics.md#spawn-errors) and child-side failures that exit 127 with supervisord's
// `supervisor: couldn't …` lines (docs/semantics.md#child-side-failures).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectChain, fakeTimeManager, OutputCapture } from '../../helpers/conformance.js';
import { edges, waitForState } from '../../helpers/wait-for.js';

const TOO_QUICK = 'Exited too quickly (process log may have details)';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'procvisor-spawnerr-'));
  writeFileSync(join(dir, 'badinterp'), '#!/nonexistent/interp\nexit 0\n');
  chmodSync(join(dir, 'badinterp'), 0o755);
  writeFileSync(join(dir, 'mytool'), '#!/bin/sh\necho tool-ran\nexec sleep 1000\n');
  chmodSync(join(dir, 'mytool'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parent-side spawn errors: STARTING -> BACKOFF, no child, spawnerr logged', () => {
  const cases: [string, () => string, () => string][] = [
    ['missing command on PATH', () => 'nosuchprogram-xyz --flag', () => "can't find command 'nosuchprogram-xyz'"],
    ['missing absolute command', () => '/nonexistent/cmd --x', () => "can't find command '/nonexistent/cmd'"],
    ['not executable', () => '/etc/passwd', () => "command at '/etc/passwd' is not executable"],
    ['directory as command', () => dir, () => `command at '${dir}' is a directory`],
    ['unparsable command', () => 'echo "unterminated', () => `can't parse command 'echo "unterminated': No closing quotation`],
    ['empty command', () => '', () => 'command is empty'],
  ];
  for (const [title, command, message] of cases) {
    it(title, async () => {
      const { clock, log, pm, events } = fakeTimeManager();
      pm.addProcessGroup({ name: 'x', command: command(), startretries: 1 });
      await pm.start();
      expect(edges(events, 'x')).toEqual(['STOPPED->STARTING', 'STARTING->BACKOFF']);
      expect(events.at(-1)).toMatchObject({ tries: 1, pid: 0, spawnerr: message() });
      expect(pm.getProcessInfo('x')).toMatchObject({ statename: 'BACKOFF', spawnerr: message(), description: message(), pid: 0, stop: 0, exitstatus: 0 });
      expect(log.lines).toContainEqual({ level: 'info', message: `spawnerr: ${message()}` });
      expect(log.messages().some((m) => m.startsWith('spawned:'))).toBe(false);
      clock.advance(1000);
      expect(pm.getProcessInfo('x')).toMatchObject({ statename: 'FATAL', spawnerr: message(), description: message() });
      expectChain(pm, events, 'x');
    });
  }

  it('without any PATH the search uses /bin:/usr/bin:/usr/local/bin', async () => {
    const { pm } = fakeTimeManager({ environment: { HOME: '/root' } });
    pm.addProcessGroup({ name: 'nopath', command: 'sleep 1000' });
    await pm.start();
    expect(pm.getProcessInfo('nopath')).toMatchObject({ statename: 'STARTING', spawnerr: '' });
  });

  it("the command is looked up on the PATH of the program's environment", async () => {
    const { pm } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'found', command: 'mytool', environment: { PATH: `/nonexistent:${dir}` }, stdout_events_enabled: true });
    pm.addProcessGroup({ name: 'lost', command: 'mytool' });
    await pm.start();
    expect(pm.getProcessInfo('found').statename).toBe('STARTING');
    expect(pm.getProcessInfo('lost')).toMatchObject({ statename: 'BACKOFF', spawnerr: "can't find command 'mytool'" });
    await out.waitFor('found', /tool-ran\n/);
  });
});

describe('bad working directory: the child exits 127', () => {
  it('each attempt forks, writes the chdir lines to stderr, exits 127 too quickly; BACKOFF schedule; FATAL', async () => {
    const { clock, log, pm, events } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'e', command: 'sleep 100', directory: '/nonexistent_dir', stderr_events_enabled: true });
    await pm.start();
    for (let attempt = 1; attempt <= 4; attempt++) {
      await waitForState(pm, 'e', 'BACKOFF');
      expect(events.at(-1)).toMatchObject({ to: 'BACKOFF', tries: attempt });
      if (attempt < 4) clock.advance(attempt * 1000);
    }
    clock.flush();
    expect(pm.getProcessInfo('e')).toMatchObject({ statename: 'FATAL', description: TOO_QUICK, exitstatus: 0 });
    expect(log.messages('warn').filter((m) => m === 'exited: e (exit status 127; not expected)')).toHaveLength(4);
    expect(log.messages('info').filter((m) => m.startsWith("spawned: 'e' with pid "))).toHaveLength(4);
    const perAttempt = "supervisor: couldn't chdir to /nonexistent_dir: ENOENT\nsupervisor: child process was not spawned\n";
    expect(out.text('e', 'stderr')).toBe(perAttempt.repeat(4));
    expectChain(pm, events, 'e');
  });

  it('with startsecs=0 the failure is an EXITED process with exitstatus 127', async () => {
    const { pm, events } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'e0', command: 'sleep 100', directory: '/nonexistent_dir', startsecs: 0, autorestart: false, stderr_events_enabled: true });
    await pm.start();
    await waitForState(pm, 'e0', 'EXITED');
    expect(pm.getProcessInfo('e0')).toMatchObject({ exitstatus: 127, spawnerr: 'Bad exit code 127' });
    expect(events.at(-1)).toMatchObject({ to: 'EXITED', expected: false, exitstatus: 127 });
    expect(out.text('e0', 'stderr')).toContain("supervisor: couldn't chdir to /nonexistent_dir: ENOENT\n");
  });

  it('a directory that is a file: ENOTDIR', async () => {
    const { pm } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({ name: 'nd', command: 'sleep 100', directory: '/etc/passwd', startsecs: 0, autorestart: false, stderr_events_enabled: true });
    await pm.start();
    await waitForState(pm, 'nd', 'EXITED');
    expect(pm.getProcessInfo('nd').exitstatus).toBe(127);
    expect(out.text('nd', 'stderr')).toBe("supervisor: couldn't chdir to /etc/passwd: ENOTDIR\nsupervisor: child process was not spawned\n");
  });

  it('with redirect_stderr the lines arrive on stdout', async () => {
    const { pm } = fakeTimeManager();
    const out = new OutputCapture(pm);
    pm.addProcessGroup({
      name: 'rd',
      command: 'sleep 100',
      directory: '/nonexistent_dir',
      startsecs: 0,
      autorestart: false,
      redirect_stderr: true,
      stdout_events_enabled: true,
    });
    await pm.start();
    await waitForState(pm, 'rd', 'EXITED');
    expect(out.text('rd', 'stdout')).toBe("supervisor: couldn't chdir to /nonexistent_dir: ENOENT\nsupervisor: child process was not spawned\n");
  });
});

describe('exec failure after the fork', () => {
  it("a script whose interpreter is missing: `couldn't exec` lines and exit 127", async () => {
    const { pm } = fakeTimeManager();
    const out = new OutputCapture(pm);
    const script = join(dir, 'badinterp');
    pm.addProcessGroup({ name: 'bi', command: script, startsecs: 0, autorestart: false, stderr_events_enabled: true });
    await pm.start();
    await waitForState(pm, 'bi', 'EXITED');
    expect(pm.getProcessInfo('bi').exitstatus).toBe(127);
    expect(out.text('bi', 'stderr')).toBe(`supervisor: couldn't exec ${script}: ENOENT\nsupervisor: child process was not spawned\n`);
  });
});
