// Timestamped and JSON program logs with a real child: lines split across writes, binary output,
// and a last line without newline written when the child exits. Without the option the file holds
// exactly the bytes written.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestManager } from '../../helpers/manager.js';
import { waitForState } from '../../helpers/wait-for.js';

// Writes "par" then (after a pause, as a separate chunk) "tial\nline two\n", a binary line, a
// stderr line, and a last line without newline; then exits.
const SCRIPT = `
const w = (stream, s) => new Promise((r) => stream.write(s, r));
const pause = () => new Promise((r) => setTimeout(r, 80));
await w(process.stdout, 'par');
await pause();
await w(process.stdout, 'tial\\nline two\\n');
await w(process.stdout, Buffer.from([0xff, 0x00, 0xfe, 0x0a]));
await w(process.stderr, 'oops\\n');
await pause();
await w(process.stdout, 'no newline at the end');
`;
const COMMAND = [process.execPath, '--input-type=module', '-e', SCRIPT];
const BYTES = Buffer.concat([Buffer.from('partial\nline two\n'), Buffer.from([0xff, 0x00, 0xfe, 0x0a]), Buffer.from('no newline at the end')]);

async function run(logging?: object) {
  const pm = createTestManager();
  pm.addProcessGroup({ name: 'p', command: COMMAND, startsecs: 0, autorestart: false, ...(logging ? { logging } : {}) });
  await pm.start();
  await waitForState(pm, 'p', 'EXITED', 8000);
  const info = pm.getProcessInfo('p');
  return { pm, stdout: readFileSync(info.stdout_logfile), stderr: readFileSync(info.stderr_logfile) };
}

describe('program log formats', () => {
  it('default: the file holds exactly the bytes written', async () => {
    const { stdout, stderr } = await run();
    expect(stdout.equals(BYTES)).toBe(true);
    expect(stderr.toString()).toBe('oops\n');
  });

  it('json: one {time, process, stream, line} per line; binary as base64; the last line written at exit', async () => {
    const before = Date.now();
    const { stdout, stderr } = await run({ format: 'json' });
    const recs = stdout
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(recs.map((r) => [r.process, r.stream, r.line, r.encoding])).toEqual([
      ['p', 'stdout', 'partial', undefined],
      ['p', 'stdout', 'line two', undefined],
      ['p', 'stdout', Buffer.from([0xff, 0x00, 0xfe]).toString('base64'), 'base64'],
      ['p', 'stdout', 'no newline at the end', undefined],
    ]);
    for (const r of recs) {
      expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}([+-]\d\d:\d\d|Z)$/);
      expect(Date.parse(r.time as string)).toBeGreaterThanOrEqual(before - 1);
    }
    // The bytes written, rebuilt from the records.
    const rebuilt = recs.map((r, i) =>
      Buffer.concat([Buffer.from(r.line as string, r.encoding === 'base64' ? 'base64' : 'utf8'), Buffer.from(i < recs.length - 1 ? '\n' : '')]),
    );
    expect(Buffer.concat(rebuilt).equals(BYTES)).toBe(true);
    expect(JSON.parse(stderr.toString())).toMatchObject({ process: 'p', stream: 'stderr', line: 'oops' });
  });

  it('timestamped: a time before each line, in the configured format, bytes kept', async () => {
    const { pm, stdout } = await run({ format: 'timestamped', time_format: '[%H:%M:%S.%L]', utc: true });
    const stamp = /^\[\d\d:\d\d:\d\d\.\d{3}\] /;
    const lines = stdout.toString('latin1').split('\n');
    expect(lines.length).toBe(5); // four lines, the last one ended at exit
    for (const l of lines.slice(0, 4)) expect(l).toMatch(stamp);
    expect(lines.slice(0, 4).map((l) => l.replace(stamp, ''))).toEqual([
      'partial',
      'line two',
      Buffer.from([0xff, 0x00, 0xfe]).toString('latin1'),
      'no newline at the end',
    ]);
    // What the program wrote is still there, unstamped, in memory.
    expect(pm.lastLines('p', 2)).toEqual(['\ufffd\u0000\ufffd', 'no newline at the end']);
  });
});
