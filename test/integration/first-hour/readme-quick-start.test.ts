// The README's plain-JavaScript quick start (the try/finally form for Node 20, where `await using`
// does not parse), run as written: only the directory and the program it starts are replaced, by
// a temporary directory and a fixture. It imports 'procvisor' as a user would (the package's own
// name resolves to dist/ from inside the package).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The README's ```js blocks. */
function jsBlocks(): string[] {
  return [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

describe('README quick start for plain JavaScript', () => {
  it('says that `await using` needs TypeScript or Node 24, and its try/finally form runs on this Node', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/`await using` .*needs TypeScript .* or Node 24/);
    const block = jsBlocks().find((b) => b.includes('finally'));
    expect(block, 'a ```js block with try/finally').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'procvisor-readme-'));
    dirs.push(dir);
    const fixture = fileURLToPath(new URL('../../fixtures/programs/ready-then-idle.mjs', import.meta.url));
    const script = (block ?? '')
      .replace("'/var/log/myapp'", JSON.stringify(dir))
      .replace("['node', 'server.js']", JSON.stringify([process.execPath, fixture]))
      .replace('// … your program …', 'console.log(JSON.stringify(pm.getAllProcessInfo().map((p) => [p.name, p.statename])));');
    expect(script).not.toBe(block);
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env, timeout: 30_000 });
    // start() returns once autostart has begun (web stays STARTING for its startsecs=1); the
    // finally's shutdown then stops it, and node exits only when nothing is left running.
    const infos = JSON.parse(stdout) as [string, string][];
    expect(infos.map(([name]) => name)).toEqual(['web']);
    expect(['STARTING', 'RUNNING']).toContain(infos[0]?.[1]);
  }, 40_000);
});
