// Randomized differential tests: fast-check generates format strings, INI texts and option values;
// supervisord 4.2.5's own functions (one Python run) and procvisor's must return the same values
// or the same error messages.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseAutorestart,
  parseBoolean,
  parseByteSize,
  parseEnvironment,
  parseExitCodes,
  parseInteger,
  parseOctal,
  parseProcessOrGroupName,
  parseSignalNumber,
} from '../../../src/dialect/datatypes.js';
import { expand } from '../../../src/dialect/expand.js';
import { parseIni } from '../../../src/dialect/ini.js';
import { stripAnsi } from '../../../src/logs/strip-ansi.js';

const PYTHON = '/usr/bin/python3';
const HAVE_PYTHON = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import supervisor'], { stdio: 'ignore' });
    return existsSync(PYTHON);
  } catch {
    return false;
  }
})();
if (!HAVE_PYTHON) process.stdout.write('\nNOTICE: /usr/bin/python3 with `supervisor` not found: randomized differential tests skipped.\n');

const NAMES: Record<string, string | number> = {
  here: '/etc/sv',
  program_name: 'prog',
  group_name: 'g',
  process_num: 7,
  numprocs: 3,
  neg: -4,
  ENV_X: "it's",
  cp: 66,
};
const SEED = Number(process.env.PV_SEED ?? 20250601);
type Kind = 'format' | 'ini' | 'integer' | 'byte_size' | 'environment' | 'signal' | 'boolean' | 'octal' | 'exitcodes' | 'name' | 'autorestart' | 'strip_ansi';

const OURS: Record<Kind, (s: string) => unknown> = {
  format: (s) => expand(s, NAMES, 'program:x.command'),
  ini: (s) => {
    const doc = parseIni(s, '<test>');
    const values = (m: Map<string, { value: string }>) => Object.fromEntries([...m].map(([k, e]) => [k, e.value]));
    return { defaults: values(doc.defaults), sections: Object.fromEntries([...doc.sections].map(([n, sec]) => [n, values(sec)])) };
  },
  integer: parseInteger,
  byte_size: parseByteSize,
  environment: parseEnvironment,
  signal: parseSignalNumber,
  boolean: parseBoolean,
  octal: parseOctal,
  exitcodes: parseExitCodes,
  name: parseProcessOrGroupName,
  autorestart: parseAutorestart,
  strip_ansi: (s) => stripAnsi(Buffer.from(s, 'latin1')).toString('latin1'),
};

function piece(chars: string[]): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...chars), { maxLength: 24 }).map((a) => a.join(''));
}

const ARBITRARIES: Record<Kind, fc.Arbitrary<string>> = {
  format: piece([
    '%',
    '%',
    '(',
    ')',
    'program_name',
    'process_num',
    'neg',
    'cp',
    'ENV_X',
    'nope',
    's',
    'd',
    'x',
    'r',
    'c',
    'g',
    'e',
    'f',
    '0',
    '5',
    '-',
    '+',
    ' ',
    '#',
    '.',
    '*',
    'l',
    'Y',
    'a',
    'é',
  ]),
  ini: piece(['[a]', '[b]', '[DEFAULT]', '\n', '\n', '\n', '\r', ' ', '\t', 'k', 'K', 'v', '=', ':', ';', '#', '[', ']', 'x', '\u00a0', '\x0c']),
  integer: piece(['1', '0', '9', '-', '+', '_', ' ', '\t', '.', 'a', '\u0663', '\u3000', '\x1c']),
  byte_size: piece(['1', '0', 'k', 'K', 'b', 'B', 'm', 'M', 'g', 'G', ' ', '-', '_']),
  environment: piece(['A', 'B', '=', ',', '"', "'", ' ', 'x', '1', '#', '\n', '@', '/', ':', '.', '(', '\t', 'é']),
  signal: piece(['TERM', 'sig', 'SIG', 'usr1', 'rt', 'MIN', 'max', '_', 'IGN', 'dfl', ' ', '1', '3', '6', '4', '+', '-', '0']),
  boolean: piece(['t', 'r', 'u', 'e', 'T', 'y', 'Y', 'o', 'n', 'f', 'a', 'l', 's', '1', '0', ' ']),
  octal: piece(['0', '7', '8', 'o', 'O', '_', '-', '+', ' ', 'x', '1']),
  exitcodes: piece(['0', '1', '2', '5', ',', ' ', '-', '_', 'a']),
  name: piece(['a', ' ', ':', '/', '\t', "'", '"', '-', '\x1c']),
  autorestart: piece(['true', 'false', 'unexpected', 'UN', 'yes', 'x', ' ', '1']),
  strip_ansi: piece(['\x1b', '\x1b[', '\x1b[', '[', '31', ';', '0', 'm', 'K', 'H', '?25l', 'G', 'x', 'é', '\n', ' ', 'A']),
};

function outcome(fn: (s: string) => unknown, s: string): { ok?: unknown; err?: string } {
  try {
    return { ok: fn(s) };
  } catch (e) {
    return { err: (e as Error).message };
  }
}

describe.skipIf(!HAVE_PYTHON)('randomized differential against supervisord 4.2.5 (seeded)', () => {
  const kinds = Object.keys(ARBITRARIES) as Kind[];
  const cases: Array<[Kind, string]> = kinds.flatMap((kind) =>
    fc.sample(ARBITRARIES[kind], { seed: SEED, numRuns: Number(process.env.PV_RUNS ?? 300) }).map((s): [Kind, string] => [kind, s]),
  );
  const script = join(dirname(fileURLToPath(import.meta.url)), 'python-eval.py');
  const theirs = HAVE_PYTHON
    ? (JSON.parse(execFileSync(PYTHON, [script], { input: JSON.stringify({ names: NAMES, cases }), encoding: 'utf8', maxBuffer: 64 << 20 })) as Array<{
        ok?: unknown;
        err?: string;
      }>)
    : [];

  for (const kind of kinds) {
    it(`${kind}: 300 generated inputs give supervisord's values and messages`, () => {
      const mismatches = cases
        .map(([k, s], i) => ({ k, s, ours: outcome(OURS[k], s), theirs: theirs[i] }))
        .filter((c) => c.k === kind && JSON.stringify(c.ours) !== JSON.stringify(c.theirs));
      expect(mismatches.slice(0, 5)).toEqual([]);
    });
  }
});
