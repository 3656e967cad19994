// Runs before `npm start` and `npm test`: installs dependencies and builds dist/ when either is
// missing or older than the sources, so a fresh clone needs no other step.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });

if (!existsSync('node_modules/.package-lock.json')) run('npm ci --no-audit --no-fund');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const built = existsSync('dist/index.js') ? statSync('dist/index.js').mtimeMs : 0;
if (built === 0 || newest('src') > built) run('npm run --silent build');

// The example configuration keeps its logs, pidfile and socket here.
mkdirSync('examples/logs', { recursive: true });
