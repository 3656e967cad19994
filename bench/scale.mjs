// The scale series alone: `node bench/scale.mjs [--quick] [run.mjs options]` is
// `node bench/run.mjs --only=scale`, written to bench/.work/scale/ (or --quick's directory)
// unless --out is given, so bench/RESULTS.md (the whole run's report) is left alone.
// SCALE_SIZES=100,500 picks the sizes (default 100, 500, 2,000, 5,000; --quick: 50, 200).
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
if (!args.some((a) => a.startsWith('--only'))) process.argv.push('--only=scale');
if (!args.some((a) => a.startsWith('--out')) && !args.includes('--quick')) process.argv.push(`--out=${fileURLToPath(new URL('.work/scale', import.meta.url))}`);
await import('./run.mjs');
