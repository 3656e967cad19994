// A real child spews SPEW_BYTES through a ChannelLog with maxbytes=10MB, backups=5: the files
// must hold exactly the newest bytes the rotation policy keeps, contiguous, and memory must stay
// flat. Also times the same child writing straight to a file (`child > file`) for comparison.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ChannelLog } from '../../../src/logs/channel-log.js';

// The benchmark's flooding fixture: one writer of numbered lines for tests and benches.
const SPEW = fileURLToPath(new URL('../../../bench/fixtures/spew.mjs', import.meta.url));
const SPEW_BYTES = 200 * 1024 * 1024;
const LINE_BYTES = 64;
const MAXBYTES = 10 * 1024 * 1024;
const BACKUPS = 5;
const PIPE_CHUNK_MAX = 64 * 1024; // Node reads pipes in chunks of at most 64 KiB

const dir = fs.mkdtempSync(join(tmpdir(), 'procvisor-spew-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

// Bytes [from, to) of spew's output: line i is `%08d ` + 'x' padding + '\n'.
function expectedOutput(from: number, to: number): Buffer {
  const firstLine = Math.floor(from / LINE_BYTES);
  const lastLine = Math.ceil(to / LINE_BYTES);
  const padding = 'x'.repeat(LINE_BYTES - 10);
  let s = '';
  for (let i = firstLine; i < lastLine; i++) s += `${String(i).padStart(8, '0')} ${padding}\n`;
  const base = firstLine * LINE_BYTES;
  return Buffer.from(s, 'latin1').subarray(from - base, to - base);
}

// Runs spew with stdout piped into `log`; resolves with the elapsed ms and the peak RSS growth.
function spewThrough(log: ChannelLog): Promise<{ ms: number; rssGrowth: number; chunks: number }> {
  const rss0 = process.memoryUsage.rss();
  let peak = rss0;
  let chunks = 0;
  const t0 = performance.now();
  const child = spawn(process.execPath, [SPEW, String(SPEW_BYTES), String(LINE_BYTES)], { env: childEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (chunk: Buffer) => {
    log.write(chunk);
    if (++chunks % 64 === 0) peak = Math.max(peak, process.memoryUsage.rss());
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`spew exited with ${code}`));
      resolve({ ms: performance.now() - t0, rssGrowth: Math.max(peak, process.memoryUsage.rss()) - rss0, chunks });
    });
  });
}

// The same child with stdout redirected to a file by the OS: the baseline.
function spewToFile(path: string): Promise<number> {
  const fd = fs.openSync(path, 'w');
  const t0 = performance.now();
  const child = spawn(process.execPath, [SPEW, String(SPEW_BYTES), String(LINE_BYTES)], { env: childEnv(), stdio: ['ignore', fd, 'inherit'] });
  fs.closeSync(fd);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - t0));
  });
}

describe('ChannelLog under a 200 MB spew', () => {
  it('keeps exactly the newest bytes on disk, contiguous, with flat memory', async () => {
    const p = join(dir, 'spew.log');
    const log = new ChannelLog({ file: { path: p, maxbytes: MAXBYTES, backups: BACKUPS } });
    log.open();
    const run = await spewThrough(log);
    log.close();

    const names = [...Array(BACKUPS).keys()].map((i) => `${p}.${BACKUPS - i}`).concat(p); // .5 … .1, current
    const sizes = names.map((n) => fs.statSync(n).size);
    for (const size of sizes.slice(0, BACKUPS)) {
      expect(size).toBeGreaterThanOrEqual(MAXBYTES);
      expect(size).toBeLessThan(MAXBYTES + PIPE_CHUNK_MAX);
    }
    expect(sizes[BACKUPS]).toBeLessThan(MAXBYTES);
    expect(fs.existsSync(`${p}.${BACKUPS + 1}`)).toBe(false);

    const kept = sizes.reduce((a, b) => a + b, 0);
    const onDisk = Buffer.concat(names.map((n) => fs.readFileSync(n)));
    expect(onDisk.equals(expectedOutput(SPEW_BYTES - kept, SPEW_BYTES))).toBe(true);
    expect(run.rssGrowth).toBeLessThan(100 * 1024 * 1024);

    const baselineMs = await spewToFile(join(dir, 'baseline.out'));
    const mbps = (ms: number): string => ((SPEW_BYTES / 2 ** 20 / ms) * 1000).toFixed(0);
    console.log(
      `spew ${SPEW_BYTES / 2 ** 20} MB: ChannelLog ${run.ms.toFixed(0)} ms (${mbps(run.ms)} MB/s, ${run.chunks} chunks, ` +
        `RSS +${(run.rssGrowth / 2 ** 20).toFixed(1)} MB); child > file ${baselineMs.toFixed(0)} ms (${mbps(baselineMs)} MB/s); ` +
        `ratio ${(run.ms / baselineMs).toFixed(2)}`,
    );
  });
});
