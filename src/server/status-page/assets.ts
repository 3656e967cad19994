// The browser modules of the status page. `npm run build` compiles src/ to dist/, so beside the
// compiled route module (dist/server/status-page/) lie client.js and the modules it imports; they
// are read from there. Running from source (vitest, tsx), only the .ts files exist beside the route
// module, so each is transpiled on first request with TypeScript's transpileModule (typescript is a
// devDependency, loaded only then). Reading a possibly stale dist/ from a source run was the other
// option; transpiling means a test always exercises the client it sees in src/.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STATUS_PAGE_CSS } from './styles.js';

/** The files the browser may ask for under /static/status-page/. */
export const CLIENT_MODULES: ReadonlySet<string> = new Set([
  'client.js',
  'client-table.js',
  'client-actions.js',
  'client-log.js',
  'client-form.js',
  'client-fleet.js',
  'view.js',
]);

export interface Asset {
  body: string;
  type: string;
  etag: string;
}

const etagOf = (body: string) => `"${createHash('sha1').update(body).digest('base64url')}"`;

/** Compiled modules by path, with the mtime they were read at. */
const cache = new Map<string, { mtimeMs: number; asset: Asset }>();

const JS = 'text/javascript; charset=utf-8';

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

type TranspileFn = (source: string, fileName: string) => string;
let transpiler: Promise<TranspileFn> | undefined;

/** TypeScript's transpileModule, configured for the browser (ES2022 modules). */
function loadTranspiler(): Promise<TranspileFn> {
  transpiler ??= import('typescript').then(
    ({ default: ts }) =>
      (source: string, fileName: string) =>
        ts.transpileModule(source, {
          fileName,
          compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
        }).outputText,
  );
  return transpiler;
}

async function readModule(name: string): Promise<Asset | undefined> {
  const jsPath = fileURLToPath(new URL(`./${name}`, import.meta.url));
  const tsPath = jsPath.replace(/\.js$/, '.ts');
  const jsTime = mtimeOf(jsPath);
  const path = jsTime !== undefined ? jsPath : tsPath;
  const mtimeMs = jsTime ?? mtimeOf(tsPath);
  if (mtimeMs === undefined) return undefined;
  const hit = cache.get(path);
  if (hit?.mtimeMs === mtimeMs) return hit.asset;
  const source = readFileSync(path, 'utf8');
  // The source maps point into src/, which is not served.
  const body = path === jsPath ? source.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n') : (await loadTranspiler())(source, tsPath);
  const asset = { body, type: JS, etag: etagOf(body) };
  cache.set(path, { mtimeMs, asset });
  return asset;
}

const css: Asset = { body: STATUS_PAGE_CSS, type: 'text/css; charset=utf-8', etag: etagOf(STATUS_PAGE_CSS) };

/** The asset called `name` (a file name under /static/status-page/), or undefined. */
export async function findAsset(name: string): Promise<Asset | undefined> {
  if (name === 'style.css') return css;
  if (!CLIENT_MODULES.has(name)) return undefined;
  return readModule(name);
}
