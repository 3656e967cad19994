// Workload 4 — log throughput with rotation. spew.mjs writes <MB> MB to stdout as fast as the pipe
// takes it, through each supervisor's stdout log with maxbytes=10MB, backups=5 (PM2 has no built-in
// rotation: plain out_file), next to `child > file` (the child's stdout is the file itself).
// Throughput uses the child's own clock: from before its first write to when its last write was
// accepted (spew --times, reported on stderr), so node's boot is excluded for everyone. Also:
// start call → supervisor reports the program exited (polled every 20 ms), the supervisor's CPU
// over that span, and the bytes kept on disk, checked byte for byte against the stream's tail.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, cpuMs, now, waitFor } from '../lib.mjs';
import { program } from '../peers/conf.mjs';
import { dropDir, fixture, live, readText, rotate, tempDir } from './common.mjs';

const LINE = 64;
const MAXBYTES = 10 * 2 ** 20;
const BACKUPS = 5;

/** spew's bytes [from, to): line i is `%08d ` + 'x' padding + '\n', 64 bytes. */
function expected(from, to) {
  const first = Math.floor(from / LINE);
  const last = Math.ceil(to / LINE);
  const buf = Buffer.from(`00000000 ${'x'.repeat(LINE - 10)}\n`.repeat(last - first), 'latin1');
  for (let k = 0; k < last - first; k++) {
    let n = first + k;
    for (let d = k * LINE + 7; d >= k * LINE; d--) {
      buf[d] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
  }
  return buf.subarray(from - first * LINE, to - first * LINE);
}

/** Kept files oldest first (spew.log.5 … spew.log.1, spew.log); checks they are the stream's exact tail. */
function kept(dir, total) {
  const files = readdirSync(dir)
    .filter((f) => /^spew\.log(\.\d+)?$/.test(f))
    .sort((a, b) => Number(b.split('.')[2] ?? 0) - Number(a.split('.')[2] ?? 0));
  const sizes = files.map((f) => statSync(join(dir, f)).size);
  const bytes = sizes.reduce((a, b) => a + b, 0);
  let intact = bytes <= total;
  let off = total - bytes;
  for (let i = 0; intact && i < files.length; i++) {
    // Compare in 16 MB slices to keep memory flat.
    const data = readFileSync(join(dir, files[i]));
    for (let s = 0; intact && s < data.length; s += 16 * 2 ** 20) {
      const part = data.subarray(s, Math.min(data.length, s + 16 * 2 ** 20));
      intact = part.equals(expected(off + s, off + s + part.length));
    }
    off += data.length;
  }
  return { bytes, files: files.length, intact };
}

const keptBytes = (dir) =>
  readdirSync(dir)
    .filter((f) => /^spew\.log(\.\d+)?$/.test(f))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);

const timesLine = (path) => {
  const m = /^T ([\d.]+) ([\d.]+) (\d+)/m.exec(readText(path));
  return m ? { start: Number(m[1]), end: Number(m[2]), written: Number(m[3]) } : undefined;
};

async function floor(dir, total) {
  const fd = openSync(join(dir, 'spew.log'), 'w');
  const c = spawn(process.execPath, [fixture('spew.mjs'), String(total), '--times'], { stdio: ['ignore', fd, 'pipe'], env: childEnv() });
  live.add(c);
  let err = '';
  c.stderr.on('data', (d) => (err += d));
  const t0 = now();
  await new Promise((r) => c.on('exit', r));
  const wallMs = now() - t0;
  live.delete(c);
  closeSync(fd);
  const m = /^T ([\d.]+) ([\d.]+) (\d+)/m.exec(err);
  return { childMs: Number(m[2]) - Number(m[1]), wallMs, supervisorCpuMs: 0, kept: kept(dir, total), rotation: 'none (one file)' };
}

async function peerRun(peer, dir, total) {
  const rotation = peer.id === 'pm2' ? 'none (PM2 has no built-in rotation)' : '10 MB × 5 backups';
  const p = program({
    name: 'spew',
    command: [process.execPath, fixture('spew.mjs'), String(total), '--times'],
    node: true,
    stdout: join(dir, 'spew.log'),
    stderr: join(dir, 'spew.err'),
    maxbytes: peer.id === 'pm2' ? 0 : MAXBYTES,
    backups: peer.id === 'pm2' ? 0 : BACKUPS,
  });
  await peer.launch([p], dir);
  try {
    const cpu0 = cpuMs(peer.pid);
    const t0 = now();
    await peer.startNoWait('spew');
    await waitFor(async () => ['EXITED', 'STOPPED', 'FATAL'].includes((await peer.info('spew'))?.state), { every: 20, timeout: 300000, what: 'spew to exit' });
    const wallMs = now() - t0;
    const supervisorCpuMs = cpuMs(peer.pid) - cpu0;
    const t = await waitFor(() => timesLine(join(dir, 'spew.err')), { every: 20, timeout: 10000, what: "spew's T line" });
    await waitFor(() => keptBytes(dir) >= Math.min(total, BACKUPS * MAXBYTES), { every: 50, timeout: 10000, what: 'log bytes on disk' }).catch(() => {});
    return { childMs: t.end - t.start, wallMs, supervisorCpuMs, kept: kept(dir, total), rotation };
  } finally {
    await peer.close();
  }
}

export async function run(ctx) {
  const c = ctx.cfg.logs;
  const total = c.mb * 2 ** 20;
  const names = ['floor', ...ctx.peerIds];
  const res = { mb: c.mb, maxbytes: MAXBYTES, backups: BACKUPS, runs: Object.fromEntries(names.map((n) => [n, []])) };
  for (let rep = 0; rep < c.reps; rep++) {
    for (const name of rotate(names, rep)) {
      await ctx.quiet(`logs/${name}`);
      const dir = tempDir(ctx);
      try {
        const r = name === 'floor' ? await floor(dir, total) : await peerRun(ctx.peers[name], dir, total);
        res.runs[name].push(r);
        ctx.progress(
          `logs rep ${rep + 1}/${c.reps} ${name}: ${(c.mb / (r.childMs / 1000)).toFixed(0)} MB/s (child side), wall ${r.wallMs.toFixed(0)} ms, kept ${(r.kept.bytes / 2 ** 20).toFixed(1)} MB in ${r.kept.files} file(s), tail ${r.kept.intact ? 'intact' : 'NOT intact'}`,
        );
      } catch (e) {
        ctx.note(`logs/${name}: ${e.message}`);
      }
      dropDir(ctx, dir);
    }
  }
  return res;
}
