// The docs point only at what exists: every `import … from 'procvisor…'` in README.md and docs/
// names a package export and names it exports (checked against the built dist/, through Node's
// own package self-reference), no page imports a relative source path, calls the internal
// `processFor`, or cites a specification file that is not in the repository.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const text = (page: string) => readFileSync(join(ROOT, page), 'utf8');

/** `{ a, b as c, type D }` from 'spec' → spec → [a, b] (types left out: they do not exist at run time). */
function importsOf(source: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    const names = (m[1] ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n && !n.startsWith('type '));
    const set = out.get(m[2] ?? '') ?? new Set<string>();
    for (const n of names) set.add(n.split(/\s+as\s+/)[0] ?? n);
    out.set(m[2] ?? '', set);
  }
  return out;
}

describe('docs reference what exists', () => {
  it('imports only package exports, and only names those exports have', async () => {
    const wanted = new Map<string, Set<string>>();
    for (const page of PAGES) {
      for (const [spec, names] of importsOf(text(page))) {
        expect(spec.startsWith('.'), `${page} imports the relative path ${spec}`).toBe(false);
        if (!spec.startsWith('procvisor')) continue;
        wanted.set(spec, new Set([...(wanted.get(spec) ?? []), ...names]));
      }
    }
    expect([...wanted.keys()].sort()).toEqual(expect.arrayContaining(['procvisor', 'procvisor/server']));
    const script = `const specs = ${JSON.stringify(Object.fromEntries([...wanted].map(([k, v]) => [k, [...v]])))};
const missing = [];
for (const [spec, names] of Object.entries(specs)) {
  const mod = await import(spec);
  for (const n of names) if (!(n in mod)) missing.push(spec + ': ' + n);
}
console.log(JSON.stringify(missing));`;
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env, timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual([]);
  }, 40_000);

  it('cites no SUPERVISORD.md and no internal processFor', () => {
    for (const page of PAGES) {
      expect(text(page), page).not.toContain('SUPERVISORD.md');
      expect(text(page), page).not.toContain('processFor');
    }
  });
});
