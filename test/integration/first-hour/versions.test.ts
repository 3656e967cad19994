// `procvisor -v` keeps printing the supervisord version it implements (4.2.5, as `supervisord -v`
// does); `procvisor --version`, `procvisor version` and `procvisorctl --version` print procvisor's
// own version from package.json, naming the supervisord version beside it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main as procvisor } from '../../../src/cli/procvisor.js';
import { main as procvisorctl } from '../../../src/cli/procvisorctl.js';

const OWN = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } } };
}

describe('versions', () => {
  it('procvisor -v prints 4.2.5; --version and `version` print procvisor’s own', async () => {
    for (const [argv, expected] of [
      [['-v'], '4.2.5\n'],
      [['--version'], `procvisor ${OWN} (supervisord 4.2.5)\n`],
      [['version'], `procvisor ${OWN} (supervisord 4.2.5)\n`],
    ] as const) {
      const { out, io } = capture();
      expect(await procvisor(argv, io)).toBe(0);
      expect(out).toEqual({ stdout: expected, stderr: '' });
    }
    expect(OWN).toMatch(/^\d+\.\d+\.\d+/);
    expect(OWN).not.toBe('4.2.5');
  });

  it('procvisor rejects other words as supervisord does; procvisorctl --version prints its own', async () => {
    const bad = capture();
    expect(await procvisor(['versions'], bad.io)).toBe(2);
    expect(bad.out.stderr).toContain('unexpected argument "versions"');
    const { out, io } = capture();
    expect(await procvisorctl(['--version'], { ...io, progname: 'procvisorctl', env: {}, configSearchPaths: [] })).toBe(0);
    expect(out).toEqual({ stdout: `procvisorctl ${OWN} (supervisorctl 4.2.5)\n`, stderr: '' });
  });
});
