// fcgi programs in the embedded API (a program with `socket`): the socket's life follows its
// holders (created by the first start, closed after the last reap, created again by a restart), a
// unix socket gets its mode, an address in use fails when the group is added, and bad socket
// options are ConfigErrors naming the option.
import http from 'node:http';
import net from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, FailedError } from '../../../src/errors.js';
import { createTestManager, node } from '../../helpers/manager.js';
import { freePort } from '../../helpers/concurrency.js';
import { until } from '../../helpers/wait-for.js';

function get(target: { port: number } | { socketPath: string }): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ ...('port' in target ? { host: '127.0.0.1', port: target.port } : target), path: '/', agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(Number(body)));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

const socketLog = (pm: ReturnType<typeof createTestManager>) =>
  pm.mainLog
    .readLog(0, 0)
    .split('\n')
    .filter((l) => / socket /.test(l))
    .map((l) => l.replace(/^\S+ \S+ INFO /, '').replace(/:\d+$/, ':<PORT>'));

describe('fcgi programs (a program with socket=)', () => {
  it('one TCP socket for the group: served by its workers, closed after the last stop, made again by a start', async () => {
    const pm = createTestManager();
    const port = await freePort();
    pm.addProcessGroup({
      name: 'web',
      command: node('fd0-http.mjs', 100),
      numprocs: 2,
      process_name: '%(program_name)s_%(process_num)d',
      socket: `tcp://127.0.0.1:${port}`,
      startsecs: 0,
    });
    expect(pm.getGroupDetails('web')?.spec.socket).toMatchObject({ kind: 'tcp', url: `tcp://127.0.0.1:${port}` });
    // Made and closed once when added; nothing listens before a start.
    expect(await get({ port })).toBe('ECONNREFUSED');
    await pm.start();
    const pids = pm.getAllProcessInfo().map((i) => i.pid);
    const served = await Promise.all(Array.from({ length: 6 }, () => get({ port })));
    expect(
      served.every((p) => pids.includes(p as number)),
      JSON.stringify({ served, pids }),
    ).toBe(true);

    await pm.stopProcess('web:web_0');
    expect(pids).toContain(await get({ port }));
    await pm.stopProcess('web:web_1');
    expect(await get({ port })).toBe('ECONNREFUSED');

    // A one-process group: every restart closes and makes the socket again, as supervisord does.
    await pm.startProcess('web:web_1');
    expect(await get({ port })).toBe(pm.getProcessInfo('web:web_1').pid);
    expect(socketLog(pm)).toEqual([
      'Creating socket tcp://127.0.0.1:<PORT>',
      'Closing socket tcp://127.0.0.1:<PORT>',
      'Creating socket tcp://127.0.0.1:<PORT>',
      'Closing socket tcp://127.0.0.1:<PORT>',
      'Creating socket tcp://127.0.0.1:<PORT>',
    ]);
    // The child's stdin is the socket: nothing to write to.
    expect(() => pm.sendProcessStdin('web:web_1', 'x')).toThrow(expect.objectContaining({ code: 'NO_FILE', faultString: 'NO_FILE: web:web_1' }));
  }, 30_000);

  it('a unix socket gets socket_mode (default 0700) and is gone after the last process', async () => {
    const pm = createTestManager();
    const path = join(pm.tmp, 'fcgi.sock');
    pm.addProcessGroup({ name: 'u', command: node('fd0-http.mjs'), socket: `unix://${path}`, socket_mode: '0660', startsecs: 0 });
    await pm.startProcess('u');
    expect(statSync(path).mode & 0o777).toBe(0o660);
    expect(await get({ socketPath: path })).toBe(pm.getProcessInfo('u').pid);
    await pm.stopProcess('u');
    await until(
      () => !existsSync(path),
      () => `${path} still there`,
      5_000,
    );
  }, 30_000);

  it('an address in use fails when the group is added, and nothing is added', async () => {
    const pm = createTestManager();
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const { port } = busy.address() as net.AddressInfo;
    try {
      const add = () => pm.addProcessGroup({ name: 'web', command: node('fd0-http.mjs'), socket: `tcp://127.0.0.1:${port}` });
      expect(add).toThrow(FailedError);
      expect(add).toThrow(`Could not create FastCGI socket tcp://127.0.0.1:${port}: [Errno 98] Address already in use`);
      expect(pm.getGroupDetails('web')).toBeUndefined();
    } finally {
      busy.close();
    }
  });

  it('bad socket options are ConfigErrors naming the option; a member of a [group:x] cannot have a socket', () => {
    const pm = createTestManager();
    const bad = (extra: Record<string, unknown>) => () => pm.addProcessGroup({ name: 'f', command: node('fd0-http.mjs'), ...extra });
    expect(bad({ socket: 'udp://x:1' })).toThrow(ConfigError);
    expect(bad({ socket: 'udp://x:1' })).toThrow("('Bad socket format %s', 'udp://x:1') (option 'socket' of program 'f')");
    expect(bad({ socket: 'tcp://127.0.0.1:9', socket_mode: '0600' })).toThrow(
      'socket_owner and socket_mode params should only be used with a Unix domain socket',
    );
    expect(bad({ socket: 'tcp://127.0.0.1:9', socket_backlog: 0 })).toThrow(
      expect.objectContaining({ option: 'socket_backlog', message: expect.stringContaining('Invalid socket_backlog value 0') }),
    );
    expect(bad({ socket_mode: '0600' })).toThrow(expect.objectContaining({ option: 'socket' }));
    expect(() => pm.addProcessGroup({ name: 'g', programs: [{ name: 'm', command: 'true', socket: 'tcp://127.0.0.1:9' }] })).toThrow(
      expect.objectContaining({ option: 'socket', message: expect.stringContaining("not a member of group 'g'") }),
    );
  });
});
