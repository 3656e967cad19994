// The host tells its watchdog about new children at the end of the turn that spawned them (one
// pipe write per batch). A host killed within that turn — its children spawned, none of them
// registered yet — still leaves nothing behind: the watchdog finds them by the mark in their
// environment.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../../helpers/processes.js';
import { until } from '../../helpers/wait-for.js';

const dist = fileURLToPath(new URL('../../../dist/', import.meta.url));
const started = new Set<number>();

afterEach(() => {
  for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  started.clear();
});

// Starts 20 programs, prints their pids and the watchdog's, and SIGKILLs itself in the same turn.
const HOST = `
const { ProcessManager } = await import(${JSON.stringify(`${dist}index.js`)});
const { watchdogPid } = await import(${JSON.stringify(`${dist}supervisor/orphan-guard.js`)});
const fs = await import('node:fs');
const env = { ...process.env };
const pm = new ProcessManager({ environment: env });
for (let i = 0; i < 20; i++) pm.addProcessGroup({ name: 'p' + i, command: ['/bin/sleep', '1000'], startsecs: 0, autostart: false, stdout_logfile: 'NONE', stderr_logfile: 'NONE' });
await pm.start();
void pm.startAllProcesses({ wait: false });
const pids = pm.getAllProcessInfo().map((p) => p.pid);
fs.writeSync(1, JSON.stringify({ pids, watchdog: watchdogPid() }) + '\\n');
process.kill(process.pid, 'SIGKILL');
`;

describe.skipIf(!existsSync(`${dist}index.js`))('a host killed in the turn that spawned its children', () => {
  it('leaves no child, and its watchdog exits', async () => {
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const host = spawn(process.execPath, ['--input-type=module', '-e', HOST], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    host.stdout.on('data', (d: Buffer) => (out += d.toString()));
    host.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await until(
      () => host.signalCode !== null || host.exitCode !== null,
      () => `host output: ${out}`,
      10000,
    );
    expect(host.signalCode).toBe('SIGKILL');
    const { pids, watchdog } = JSON.parse(out.split('\n')[0] as string) as { pids: number[]; watchdog: number };
    for (const pid of [...pids, watchdog]) started.add(pid);
    expect(pids).toHaveLength(20);
    expect(pids.every((p) => p > 0)).toBe(true);
    await until(
      () => pids.every((p) => !isAlive(p)),
      () => `alive: ${JSON.stringify(pids.filter((p) => isAlive(p)))}`,
      5000,
    );
    await until(
      () => !isAlive(watchdog),
      () => `watchdog ${watchdog} still alive`,
      5000,
    );
  });
});
