// readPipe: a child's output arrives byte for byte through the one shared read buffer (each view is
// copied by the test, as a consumer that keeps bytes must), more than a 64 KiB pipe read at a time
// when the child writes flat out, the pipe's end is reported once, and a stream without a pipe
// handle falls back to its own data events. A manager's output events still come in pieces of at
// most 64 KiB, as supervisord's do.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPipe } from '../../../src/supervisor/pipe-reader.js';
import { createTestManager } from '../../helpers/manager.js';
import { sleep, until, waitForState } from '../../helpers/wait-for.js';

const env = { ...process.env, NODE_EXTRA_CA_CERTS: undefined };

// Writes `total` bytes of a counting pattern in writes of varying sizes, to stdout and stderr.
const WRITER = `
const total = Number(process.argv[1]);
const sizes = [1, 7, 4096, 65535, 65536, 65537, 300000];
let at = 0, i = 0;
function pattern(from, n) { const b = Buffer.allocUnsafe(n); for (let k = 0; k < n; k++) b[k] = (from + k) % 251; return b; }
while (at < total) {
  const n = Math.min(sizes[i++ % sizes.length], total - at);
  require('fs').writeSync(1, pattern(at, n));
  at += n;
}
process.stderr.write('done\\n');
`;

const sha = (b: Buffer) => createHash('sha1').update(b).digest('hex');

describe('readPipe', () => {
  it('delivers every byte of both pipes in order, and each end once', async () => {
    const total = 5 * 2 ** 20 + 123;
    const child = spawn(process.execPath, ['-e', WRITER, String(total)], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const got = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const closes = { stdout: 0, stderr: 0 };
    let largest = 0;
    let shared: ArrayBufferLike | undefined;
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    for (const channel of ['stdout', 'stderr'] as const) {
      const tookOver = readPipe(
        child[channel],
        (view) => {
          largest = Math.max(largest, view.length);
          if (channel === 'stdout') shared ??= view.buffer;
          expect(view.buffer).toBe(shared); // one buffer for every read and every pipe
          got[channel].push(Buffer.from(view));
        },
        () => closes[channel]++,
      );
      expect(tookOver).toBe(true);
    }
    await until(
      () => closes.stdout === 1 && closes.stderr === 1,
      () => `both pipes closed (closes ${JSON.stringify(closes)})`,
      20_000,
    );
    const out = Buffer.concat(got.stdout);
    expect(out.length).toBe(total);
    const expected = Buffer.allocUnsafe(total);
    for (let k = 0; k < total; k++) expected[k] = k % 251;
    expect(sha(out)).toBe(sha(expected));
    expect(Buffer.concat(got.stderr).toString()).toBe('done\n');
    expect(largest).toBeGreaterThan(65536); // a read took more than one of supervisord's pipe reads
    expect(largest).toBeLessThanOrEqual(256 * 1024); // the shared buffer's size
    await sleep(20);
    expect(closes).toEqual({ stdout: 1, stderr: 1 });
  });

  it('a stream without a pipe handle: its own data events, then its close', async () => {
    const stream = new PassThrough();
    const got: string[] = [];
    let closed = 0;
    expect(
      readPipe(
        stream,
        (view) => got.push(view.toString()),
        () => closed++,
      ),
    ).toBe(false);
    stream.write('a');
    stream.end('b');
    await until(
      () => closed === 1,
      () => `close (got ${JSON.stringify(got)})`,
      2000,
    );
    expect(got.join('')).toBe('ab');
  });

  it("a manager's processOutput listeners keep stable copies; tapOutput and output events see the same bytes; the log file too", async () => {
    const total = 4 * 2 ** 20 + 17;
    const pm = createTestManager();
    const kept: Buffer[] = [];
    const tapped: Buffer[] = [];
    const logged: Buffer[] = [];
    pm.on('processOutput', (e) => e.channel === 'stdout' && kept.push(e.data)); // kept without copying
    pm.on('processLog', (e) => e.channel === 'stdout' && logged.push(e.data));
    pm.tapOutput((e) => e.channel === 'stdout' && tapped.push(Buffer.from(e.data)));
    const log = join(pm.tmp, 'w.log');
    // `%` is the configuration's format character: doubled to reach the script as one.
    const command = [process.execPath, '-e', WRITER.replaceAll('%', '%%'), String(total)];
    pm.addProcessGroup({ name: 'w', command, startsecs: 0, autorestart: false, stdout_logfile: log, stdout_events_enabled: true });
    await pm.start();
    await waitForState(pm, 'w', 'EXITED', 20_000);
    const expected = Buffer.allocUnsafe(total);
    for (let k = 0; k < total; k++) expected[k] = k % 251;
    expect(sha(Buffer.concat(kept))).toBe(sha(expected));
    expect(sha(Buffer.concat(tapped))).toBe(sha(expected));
    expect(sha(Buffer.concat(logged))).toBe(sha(expected));
    expect(sha(readFileSync(log))).toBe(sha(expected));
    // Reads of more than 64 KiB reach output listeners whole; an output event (what an event
    // listener's PROCESS_LOG_STDOUT carries) holds at most one of supervisord's pipe reads.
    expect(Math.max(...kept.map((b) => b.length))).toBeGreaterThan(65536);
    expect(Math.max(...logged.map((b) => b.length))).toBeLessThanOrEqual(65536);
  });
});
