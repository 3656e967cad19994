import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestManager } from '../../helpers/manager.js';
import { sleep, waitForState } from '../../helpers/wait-for.js';

describe('log capture through the manager', () => {
  it('read and tail offsets on a real process log', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({ name: 'echoer', command: "sh -c 'echo hello-out; echo hello-err >&2; exec sleep 1000'", startsecs: 0 });
    await pm.startProcess('echoer');
    const deadline = Date.now() + 3000;
    while (pm.tailProcessStderrLog('echoer', 0, 100)[1] < 10 && Date.now() < deadline) await sleep(10);
    expect(pm.readProcessStdoutLog('echoer', 0, 0)).toBe('hello-out\n');
    expect(pm.readProcessStdoutLog('echoer', 2, 3)).toBe('llo');
    expect(pm.readProcessStdoutLog('echoer', -4, 0)).toBe('out\n');
    expect(() => pm.readProcessStdoutLog('echoer', -4, 2)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENTS' }));
    expect(() => pm.readProcessStdoutLog('echoer', 0, -2)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENTS' }));
    expect(pm.readProcessStdoutLog('echoer', 100, 0)).toBe('');
    expect(pm.readProcessStderrLog('echoer', 0, 0)).toBe('hello-err\n');
    expect(pm.tailProcessStdoutLog('echoer', 0, 100)).toEqual(['hello-out\n', 10, false]);
    expect(pm.tailProcessStdoutLog('echoer', 0, 3)).toEqual(['ut\n', 10, true]);
    expect(pm.tailProcessStdoutLog('echoer', 10, 3)).toEqual(['', 10, false]);
    expect(pm.tailProcessStdoutLog('echoer', 100, 3)).toEqual(['', 10, false]);
    expect(pm.tailProcessStdoutLog('echoer', 5, 100)).toEqual(['hello-out\n', 10, false]);
    const info = pm.getProcessInfo('echoer');
    expect(info.stdout_logfile).toMatch(/echoer-stdout---supervisor-[a-z0-9_]{8}\.log$/);
    expect(existsSync(info.stdout_logfile)).toBe(true);
  });

  it('redirect_stderr puts both streams in the stdout log, in order', async () => {
    const pm = createTestManager();
    mkdirSync(join(pm.tmp, 'logs'));
    pm.addProcessGroup({
      name: 'redir',
      command: "sh -c 'echo to-out; echo to-err >&2; exec sleep 1000'",
      redirect_stderr: true,
      startsecs: 0,
      stdout_logfile: join(pm.tmp, 'logs/redir.log'),
      stderr_logfile: join(pm.tmp, 'logs/redir-err.log'),
    });
    await pm.startProcess('redir');
    const deadline = Date.now() + 3000;
    while (pm.tailProcessStdoutLog('redir', 0, 100)[1] < 14 && Date.now() < deadline) await sleep(10);
    expect(readFileSync(join(pm.tmp, 'logs/redir.log'), 'utf8')).toBe('to-out\nto-err\n');
    expect(existsSync(join(pm.tmp, 'logs/redir-err.log'))).toBe(false);
    expect(pm.getProcessInfo('redir').stderr_logfile).toBe('');
  });

  it('NONE logs fault NO_FILE on read and tail empty', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({ name: 'nolog', command: 'sleep 1000', stdout_logfile: 'NONE', stderr_logfile: 'off', startsecs: 0 });
    await pm.startProcess('nolog');
    expect(() => pm.readProcessStdoutLog('nolog', 0, 10)).toThrow(expect.objectContaining({ code: 'NO_FILE' }));
    expect(pm.tailProcessStdoutLog('nolog', 0, 10)).toEqual(['', 0, false]);
    expect(pm.getProcessInfo('nolog').stdout_logfile).toBe('');
  });

  it('a directory as log file is a spawn error, BACKOFF then FATAL, no child', async () => {
    const pm = createTestManager();
    mkdirSync(join(pm.tmp, 'adir'));
    pm.addProcessGroup({ name: 'badlog', command: 'sleep 1000', stdout_logfile: join(pm.tmp, 'adir'), startretries: 0 });
    await expect(pm.startProcess('badlog')).rejects.toMatchObject({ code: 'SPAWN_ERROR' });
    await waitForState(pm, 'badlog', 'FATAL');
    expect(pm.getProcessInfo('badlog').spawnerr).toBe("unknown error making dispatchers for 'badlog': EISDIR");
    expect(pm.readLog(0, 0)).toContain("spawnerr: unknown error making dispatchers for 'badlog': EISDIR");
  });

  it('a missing directory for an explicit log path is a ConfigError, nothing added', () => {
    const pm = createTestManager();
    expect(() => pm.addProcessGroup({ name: 'x', command: 'sleep 1', stdout_logfile: '/nonexistent/dir/x.log' })).toThrow(
      'The directory named as part of the path /nonexistent/dir/x.log does not exist',
    );
    expect(pm.getAllProcessInfo()).toEqual([]);
  });

  it('logLines follows new output', async () => {
    const pm = createTestManager();
    pm.addProcessGroup({ name: 'talker', command: "sh -c 'echo one; sleep 0.1; echo two; exec sleep 1000'", startsecs: 0 });
    await pm.startProcess('talker');
    const ac = new AbortController();
    const seen: string[] = [];
    const timer = setTimeout(() => ac.abort(), 3000);
    for await (const line of pm.logLines('talker', { follow: true, signal: ac.signal })) {
      seen.push(line);
      if (line === 'two') break;
    }
    clearTimeout(timer);
    expect(seen).toEqual(['one', 'two']);
  });
});
