// Runs once around the reliability run: children start without NODE_EXTRA_CA_CERTS (~90 ms per
// Node start), old figures are cleared, and dist/ must exist (the host and daemon suites run it).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIGURES_DIR, ROOT } from './lib.js';

export default function setup(): void {
  delete process.env.NODE_EXTRA_CA_CERTS;
  rmSync(FIGURES_DIR, { recursive: true, force: true });
  if (!existsSync(join(ROOT, 'dist/index.js')) || !existsSync(join(ROOT, 'dist/cli/procvisor.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:reliability does it through scripts/ensure-built.mjs)');
  }
}
