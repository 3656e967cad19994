// main() against an in-process fake supervisord: the paths the live differential tests cannot
// reach on demand (faults supervisord rarely returns, auth, API mismatch, the shell, fg).

import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/procvisorctl.js';
import { XmlRpcFault } from '../../../src/xmlrpc/codec.js';
import { captureIo, processInfo, startFakeSupervisord, type FakeSupervisord } from './fake-supervisord.js';

let fake: FakeSupervisord;

beforeEach(async () => {
  fake = await startFakeSupervisord();
});
afterEach(async () => {
  await fake.close();
});

async function run(args: string[], extra: Record<string, unknown> = {}) {
  const out = captureIo();
  const code = await main(['-s', fake.serverurl, ...args], { ...out.io, ...extra });
  return { code, stdout: out.stdout, stderr: out.stderr };
}

function fault(code: number, text: string): () => never {
  return () => {
    throw new XmlRpcFault(code, text);
  };
}

describe('upcheck', () => {
  it('refuses another API version (exit 5)', async () => {
    fake.methods.set('supervisor.getVersion', () => '2.0');
    expect(await run(['stop', 'a'])).toEqual({
      code: 5,
      stdout: 'Sorry, this version of supervisorctl expects to talk to a server with API version 3.0, but the remote version is 2.0.\n',
      stderr: '',
    });
  });

  it('explains a missing supervisor namespace (exit 3, status 4)', async () => {
    fake.methods.delete('supervisor.getVersion');
    const stop = await run(['stop', 'a']);
    expect(stop.code).toBe(3);
    expect(stop.stdout).toMatch(/^Sorry, supervisord responded but did not recognize the supervisor namespace commands/);
    expect((await run(['status'])).code).toBe(4);
  });

  it('is skipped by the commands supervisorctl runs without it', async () => {
    fake.methods.set('supervisor.reloadConfig', () => [[[], [], []]]);
    await run(['reread']);
    expect(fake.calls.map((c) => c.method)).toEqual(['supervisor.reloadConfig']);
  });
});

describe('authentication', () => {
  it('prints "Server requires authentication", retries once like 4.2.5, exits 1', async () => {
    fake.requireAuth = `Basic ${Buffer.from('user:secret').toString('base64')}`;
    expect(await run(['status'])).toEqual({
      code: 1,
      stdout:
        'Server requires authentication\n' +
        "error: <class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: 401 Unauthorized>: file: /usr/lib/python3/dist-packages/supervisor/xmlrpc.py line: 539\n",
      stderr: '',
    });
    fake.methods.set('supervisor.getAllProcessInfo', () => [processInfo('a', 'a', 'RUNNING')]);
    const ok = await run(['-u', 'user', '-p', 'secret', 'status']);
    expect(ok).toMatchObject({ code: 0, stdout: `${'a'.padEnd(33)}RUNNING   pid 42, uptime 0:00:01\n` });
  });
});

describe('results supervisorctl formats specially', () => {
  it('prints a FAILED stop result as the raw fault text', async () => {
    fake.methods.set('supervisor.stopProcess', fault(30, 'FAILED: a: unexpected error'));
    expect(await run(['stop', 'a'])).toEqual({ code: 1, stdout: 'FAILED: a: unexpected error\n', stderr: '' });
  });

  it("reports an unknown start result code as supervisorctl's ValueError", async () => {
    fake.methods.set('supervisor.startProcess', fault(30, 'FAILED: a'));
    expect(await run(['start', 'a'])).toEqual({
      code: 1,
      stdout: "error: <class 'ValueError'>, Unknown result code 30 for a: file: /usr/lib/python3/dist-packages/supervisor/supervisorctl.py line: 761\n",
      stderr: '',
    });
  });

  it('reports an unhandled fault with its Python repr', async () => {
    fake.methods.set('supervisor.getAllConfigInfo', fault(99, "ODD: it's"));
    expect((await run(['avail'])).stdout).toBe(
      `error: <class 'xmlrpc.client.Fault'>, <Fault 99: "ODD: it's">: file: /usr/lib/python3.11/xmlrpc/client.py line: 668\n`,
    );
  });

  it('answers an already-stopping daemon on shutdown with exit 0', async () => {
    fake.methods.set('supervisor.shutdown', fault(6, 'SHUTDOWN_STATE'));
    expect(await run(['shutdown'])).toEqual({ code: 0, stdout: 'ERROR: already shutting down\n', stderr: '' });
  });

  it('prints group results in the order the server sends them', async () => {
    fake.methods.set('supervisor.startProcessGroup', () => [
      { name: 'w1', group: 'w', status: 80, description: 'OK' },
      { name: 'w0', group: 'w', status: 50, description: 'SPAWN_ERROR: w0' },
    ]);
    expect(await run(['start', 'w:*'])).toEqual({ code: 7, stdout: 'w:w1: started\nw:w0: ERROR (spawn error)\n', stderr: '' });
  });

  it('clear all prints one line per result; a failure sets exit 1', async () => {
    fake.methods.set('supervisor.clearAllProcessLogs', () => [
      { name: 'a', group: 'a', status: 80, description: 'OK' },
      { name: 'w0', group: 'w', status: 30, description: 'FAILED: w:w0' },
    ]);
    expect(await run(['clear', 'all'])).toEqual({ code: 1, stdout: 'a: cleared\nw:w0: ERROR (failed)\n', stderr: '' });
  });

  it('update of a removed group whose stop failed: has problems; not removing', async () => {
    fake.methods.set('supervisor.reloadConfig', () => [[[], [], ['g']]]);
    fake.methods.set('supervisor.stopProcessGroup', () => [{ name: 'g', group: 'g', status: 30, description: 'FAILED: g' }]);
    expect(await run(['update'])).toEqual({ code: 1, stdout: 'g: stopped\ng: has problems; not removing\n', stderr: '' });
    expect(fake.calls.map((c) => c.method)).not.toContain('supervisor.removeProcessGroup');
  });

  it('status exit 3 wins over 4 when an unknown name comes before a stopped process', async () => {
    fake.methods.set('supervisor.getAllProcessInfo', () => [processInfo('b', 'b', 'STOPPED')]);
    const r = await run(['status', 'nosuch', 'b']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(`nosuch: ERROR (no such process)\n${'b'.padEnd(33)}STOPPED   Not started\n`);
  });

  it('widens the name column to the longest namespec + 3', async () => {
    const long = 'x'.repeat(40);
    fake.methods.set('supervisor.getAllProcessInfo', () => [processInfo(long, 'g', 'RUNNING'), processInfo('a', 'a', 'RUNNING')]);
    const r = await run(['status']);
    expect(r.stdout.split('\n')[1]).toBe(`${'a'.padEnd(45)}RUNNING   pid 42, uptime 0:00:01`);
  });
});

describe('tail -f', () => {
  it('streams the log until Ctrl-C, then prints an empty line and exits 0', async () => {
    fake.streams.set('/logtail/a/stdout', (res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain;charset=utf-8' });
      res.write('hello\n');
    });
    const interrupt = new AbortController();
    let seen = '';
    const out = captureIo();
    const io = {
      ...out.io,
      signal: interrupt.signal,
      stdout: {
        write: (s: string) => {
          out.io.stdout.write(s);
          seen += s;
          if (seen.includes('hello')) interrupt.abort();
        },
      },
    };
    const code = await main(['-s', fake.serverurl, 'tail', '-f', 'a'], io);
    expect(code).toBe(0);
    expect(out.stdout).toBe('==> Press Ctrl-C to exit <==\nhello\n\n');
  });

  it('reports a 404 on stderr and exits 0', async () => {
    const r = await run(['tail', '-f', 'nosuch', 'stderr']);
    expect(r).toEqual({
      code: 0,
      stdout: '==> Press Ctrl-C to exit <==\n',
      stderr: `${fake.serverurl}/logtail/nosuch/stderr Cannot read, status code 404\n`,
    });
  });

  it('ends when the server ends the stream', async () => {
    fake.streams.set('/mainlogtail', (res) => {
      res.writeHead(200);
      res.end('main log\n');
    });
    expect(await run(['maintail', '-f'])).toEqual({ code: 0, stdout: '==> Press Ctrl-C to exit <==\nmain log\n', stderr: '' });
  });
});

describe('interactive use', () => {
  it('runs status first, then each line after the prompt, and ends on EOF', async () => {
    fake.methods.set('supervisor.getAllProcessInfo', () => [processInfo('a', 'a', 'RUNNING')]);
    fake.methods.set('supervisor.getSupervisorVersion', () => '4.2.5');
    const stdin = new PassThrough();
    stdin.end('version\n\nfoo\n');
    const r = await run([], { stdin });
    expect(r).toEqual({
      code: 0,
      stdout: `${'a'.padEnd(33)}RUNNING   pid 42, uptime 0:00:01\n` + 'supervisor> 4.2.5\nsupervisor> supervisor> *** Unknown syntax: foo\nsupervisor> \n',
      stderr: '',
    });
  });

  it('asks before shutdown and does nothing on "n"', async () => {
    fake.methods.set('supervisor.getAllProcessInfo', () => []);
    fake.methods.set('supervisor.shutdown', () => true);
    const stdin = new PassThrough();
    stdin.end('shutdown\nn\n');
    const r = await run([], { stdin });
    expect(r.stdout).toBe('supervisor> Really shut the remote supervisord process down y/N? supervisor> \n');
    expect(fake.calls.map((c) => c.method)).not.toContain('supervisor.shutdown');
  });

  it('fg forwards typed lines to the process until input ends', async () => {
    fake.methods.set('supervisor.getProcessInfo', () => processInfo('a', 'a', 'RUNNING'));
    fake.methods.set('supervisor.sendProcessStdin', () => true);
    const stdin = new PassThrough();
    stdin.end('one\ntwo\n');
    const r = await run(['fg', 'a'], { stdin });
    expect(r.stdout).toBe('==> Press Ctrl-C to exit <==\nExiting foreground\n');
    const sent = fake.calls.filter((c) => c.method === 'supervisor.sendProcessStdin').map((c) => c.params);
    expect(sent).toEqual([
      ['a', 'one\n'],
      ['a', 'two\n'],
    ]);
  });

  it('fg stops when the process dies', async () => {
    let state = 'RUNNING';
    fake.methods.set('supervisor.getProcessInfo', () => processInfo('a', 'a', state));
    fake.methods.set('supervisor.sendProcessStdin', () => {
      state = 'EXITED';
      return true;
    });
    const stdin = new PassThrough();
    stdin.write('x\n');
    const r = await run(['fg', 'a'], { stdin });
    expect(r.stdout).toBe('==> Press Ctrl-C to exit <==\nProcess got killed\nExiting foreground\n');
  });
});

describe('main()', () => {
  it('prints the usage text for -h with the program name', async () => {
    const out = captureIo();
    expect(await main(['-h'], out.io)).toBe(0);
    expect(out.stdout).toMatch(/^supervisorctl -- control applications run by supervisord from the cmd line\.\n\nUsage: \/usr\/bin\/procvisorctl \[options\]/);
    expect(out.stdout.endsWith('actions.\n\n')).toBe(true);
  });

  it('prints usage errors on stderr with exit 2', async () => {
    const out = captureIo();
    expect(await main(['-x'], out.io)).toBe(2);
    expect(out.stderr).toBe('Error: option -x not recognized\nFor help, use /usr/bin/procvisorctl -h\n');
  });

  it("reports a serverurl it cannot use as supervisorctl's Python error", async () => {
    const out = captureIo();
    expect(await main(['-s', 'https://x', 'status'], out.io)).toBe(1);
    expect(out.stdout).toBe(
      "error: <class 'ValueError'>, Unknown protocol for serverurl https://x: file: /usr/lib/python3/dist-packages/supervisor/xmlrpc.py line: 505\n",
    );
  });

  it('ends a command interrupted by Ctrl-C with exit 130', async () => {
    const interrupt = new AbortController();
    fake.methods.set('supervisor.startProcess', () => new Promise(() => interrupt.abort()));
    expect((await run(['start', 'a'], { signal: interrupt.signal })).code).toBe(130);
  });
});
