// Runs before `npm start` and `npm test`: installs dependencies and builds dist/ when either is
// missing or older than the sources, so a fresh clone needs no other step. It says what it does
// (on stderr, so piped output stays clean): a first build takes several seconds of silence otherwise.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const say = (text) => process.stderr.write(`procvisor: ${text}\n`);

function run(cmd, doing) {
  say(`${doing} (${cmd})…`);
  const t0 = Date.now();
  try {
    execSync(cmd, { stdio: 'inherit' });
  } catch (e) {
    say(`${cmd} failed (exit status ${e.status ?? e.signal}); its output is above`);
    process.exit(1);
  }
  say(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (!existsSync('node_modules/.package-lock.json')) run('npm ci --no-audit --no-fund', 'node_modules/ is missing: installing dependencies');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const built = existsSync('dist/index.js') ? statSync('dist/index.js').mtimeMs : 0;
if (built === 0) run('npm run --silent build', 'dist/ is missing: compiling src/ with TypeScript, about 10 s the first time');
else if (newest('src') > built) run('npm run --silent build', 'src/ changed since the last build: recompiling dist/');

// The example configuration keeps its logs, pidfile and socket here.
mkdirSync('examples/logs', { recursive: true });
