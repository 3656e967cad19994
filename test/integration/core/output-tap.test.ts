// tapOutput's second argument: the log that wrote the chunk, from which the chunk's bytes can be
// read back after the call (what the daemon's merged log stream keeps instead of a copy) until the
// log's memory lets them go or the log is cleared; output that capture mode keeps out of the log
// comes without one.
import { describe, expect, it } from 'vitest';
import type { KeptOutput } from '../../../src/index.js';
import { createTestManager } from '../../helpers/manager.js';
import { waitForState } from '../../helpers/wait-for.js';

const TAIL = 'two, and a line longer than the capture tokens\n';

describe('tapOutput', () => {
  it('gives the log each logged chunk is kept in, none for captured output; a clear lets the bytes go', async () => {
    const pm = createTestManager();
    const seen: { text: string; log: KeptOutput | undefined; clears: number; end: number }[] = [];
    pm.tapOutput((e, log) => seen.push({ text: e.data.toString(), log, clears: log?.clears ?? -1, end: log?.memoryEnd ?? -1 }));
    const script = `printf 'one\\n<!--XSUPERVISOR:BEGIN-->secret<!--XSUPERVISOR:END-->${TAIL.trimEnd()}\\n'`;
    pm.addProcessGroup({
      name: 'w',
      command: ['/bin/sh', '-c', script],
      startsecs: 0,
      autorestart: false,
      stdout_logfile: 'NONE',
      stdout_capture_maxbytes: 1024,
    });
    await pm.start();
    await waitForState(pm, 'w', 'EXITED');

    const logged = seen.filter((s) => s.log);
    const captured = seen.filter((s) => !s.log);
    expect(logged.map((s) => s.text).join('')).toBe(`one\n${TAIL}`);
    expect(captured.map((s) => s.text).join('')).toBe('secret');
    // read back after the calls, from the log's memory
    for (const s of logged) expect(s.log?.kept(s.clears, s.end - Buffer.byteLength(s.text), s.end)?.toString()).toBe(s.text);

    pm.clearProcessLogs('w');
    for (const s of logged) expect(s.log?.kept(s.clears, s.end - Buffer.byteLength(s.text), s.end)).toBeUndefined();
  });
});
