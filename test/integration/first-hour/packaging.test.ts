// What `npm pack` ships (a LICENSE; no source maps pointing at sources it leaves out) and what the
// first `npm start` says while scripts/ensure-built.mjs builds.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the package', () => {
  it('ships an MIT LICENSE and no source maps', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, env, timeout: 60_000 });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/index.js');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('src/'))).toEqual([]);
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 procvisor contributors\n/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string; files: string[] };
    expect(pkg.license).toBe('MIT');
    // tsc leaves the maps of an earlier build in dist/: they are kept out of the package too.
    expect(pkg.files).toContain('!dist/**/*.map');
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(build.compilerOptions).toMatchObject({ sourceMap: false, declarationMap: false });
  }, 90_000);
});

describe('scripts/ensure-built.mjs', () => {
  it('says what it builds and why, then nothing once dist/ is current', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procvisor-ensure-built-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules/.package-lock.json'), '{}');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/index.ts'), 'export {};\n');
    const build = `node -e "require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/index.js','')"`;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', scripts: { build } }));
    const script = join(ROOT, 'scripts/ensure-built.mjs');
    const first = await run(process.execPath, [script], { cwd: dir, env, timeout: 60_000 });
    expect(first.stderr).toMatch(
      /^procvisor: dist\/ is missing: compiling src\/ with TypeScript, about 10 s the first time \(npm run --silent build\)…\nprocvisor: done in \d+\.\d s\n$/,
    );
    const second = await run(process.execPath, [script], { cwd: dir, env, timeout: 60_000 });
    expect(second.stderr).toBe('');
    writeFileSync(join(dir, 'src/index.ts'), 'export const x = 1;\n');
    const later = Date.now() / 1000 + 5;
    utimesSync(join(dir, 'src/index.ts'), later, later);
    const third = await run(process.execPath, [script], { cwd: dir, env, timeout: 60_000 });
    expect(third.stderr).toContain('procvisor: src/ changed since the last build: recompiling dist/');
  }, 90_000);
});
