// The daemon serves GET /metrics and GET /api/logs behind its [inet_http_server] credentials,
// and a program's log_* keys from supervisord.conf reach its log file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/procvisorctl.js';
import { Daemon } from '../../../src/server/daemon.js';
import { freePort } from '../../helpers/concurrency.js';
import { isAlive } from '../../helpers/processes.js';
import { until } from '../../helpers/wait-for.js';

describe('daemon: /metrics, /api/logs and log_* options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procvisor-obs-'));
  let daemon: Daemon;
  let base = '';
  const auth = { authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` };
  const pids: number[] = [];
  const savedEnv = process.env;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const script = `let i = 0; setInterval(() => console.log('beat ' + (++i)), 40)`;
    writeFileSync(
      join(dir, 'supervisord.conf'),
      [
        '[supervisord]',
        'logfile=%(here)s/main.log',
        'pidfile=%(here)s/procvisor.pid',
        'childlogdir=%(here)s',
        '[inet_http_server]',
        `port=127.0.0.1:${port}`,
        'username=ops',
        'password=s3cret',
        '[rpcinterface:supervisor]',
        'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
        '[program:beat]',
        `command=${process.execPath} -e "${script}"`,
        'startsecs=0',
        'stopwaitsecs=1',
        'stdout_logfile=%(here)s/beat.log',
        'log_format=json',
        'log_utc=true',
        '',
      ].join('\n'),
    );
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    process.env = env; // the children inherit the daemon's environment
    daemon = new Daemon({ configPath: join(dir, 'supervisord.conf'), handleSignals: false, echo: { write: () => true } });
    await daemon.start();
    await until(
      () => daemon.pm.getProcessInfo('beat').statename === 'RUNNING',
      () => daemon.pm.getProcessInfo('beat').statename,
      5000,
    );
    pids.push(daemon.pm.getProcessInfo('beat').pid);
  }, 15_000);

  afterAll(async () => {
    daemon.shutdown();
    expect(await daemon.done).toBe(0);
    await until(
      () => pids.every((p) => !isAlive(p)),
      () => `left alive: ${pids.filter(isAlive).join(' ')}`,
      5000,
    );
    rmSync(dir, { recursive: true, force: true });
    process.env = savedEnv;
  }, 15_000);

  it('GET /metrics needs the credentials and reports the program', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const text = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    expect(text).toContain('procvisor_process_up{group="beat",name="beat"} 1');
    expect(text).toMatch(/^procvisor_process_resident_memory_bytes\{group="beat",name="beat"\} \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });

  it("GET /api/logs and procvisorctl logs (with -u/-p) stream the program's lines", async () => {
    expect((await fetch(`${base}/api/logs?follow=false`)).status).toBe(401);
    await until(
      () => readFileSync(join(dir, 'beat.log'), 'utf8').split('\n').length > 4,
      () => 'no lines yet',
      5000,
    );
    const res = await fetch(`${base}/api/logs?follow=false&lines=3`, { headers: auth });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = (await res.text()).split('\n\n').filter((e) => e.startsWith('event: line'));
    expect(events).toHaveLength(3);
    let out = '';
    const io = { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((out += s), true) } };
    expect(await main(['-s', base, '-u', 'ops', '-p', 's3cret', 'logs', '--lines', '2', 'beat'], io)).toBe(0);
    expect(out).toMatch(/^beat \| beat \d+\nbeat \| beat \d+\n$/);
  });

  it('log_format=json from the file: the log holds JSON lines', () => {
    const first = readFileSync(join(dir, 'beat.log'), 'utf8').split('\n')[0] ?? '';
    expect(JSON.parse(first)).toEqual({ time: expect.stringMatching(/Z$/), process: 'beat', stream: 'stdout', line: 'beat 1' });
  });
});
