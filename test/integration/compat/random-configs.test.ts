// Randomized whole-file differential tests: fast-check writes supervisord.conf files from pools of
// valid and invalid option values (several errors per file, so which one wins matters), and
// supervisord 4.2.5's option parser and readSupervisordConfig must agree on every value, warning
// and error message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { readSupervisordConfig } from '../../../src/config-file/config-file.js';
import { findSupervisord, fixtureEnv, type OracleResult, runOracle } from './real-supervisord.js';
import { oracleShape, trimServers } from './shapes.js';

const AVAILABLE = findSupervisord() !== null;
const SEED = Number(process.env.PV_SEED ?? 7331);
const RUNS = Number(process.env.PV_RUNS ?? 150);

// [valid values, invalid values]: an invalid one is picked for about one option in twenty.
const POOLS: Record<string, [string[], string[]]> = {
  command: [
    ['sleep 1', 'echo %(program_name)s %(process_num)d', 'echo 100%%', 'cmd %(ENV_HOME)s', 'a ; b', 'x\n  y', 'date +%s'],
    ['date +%Y', 'x %(nope)s'],
  ],
  process_name: [
    ['%(program_name)s_%(process_num)02d', 'p%(process_num)d', '%(group_name)s-%(process_num)d', 'fixed'],
    ['bad name', 'a:b'],
  ],
  numprocs: [['1', '2', '3', '0', '-1'], ['x']],
  numprocs_start: [['0', '5', '-2'], ['1.0']],
  priority: [
    ['1', '999', '-5', '%(ENV_PV_NUMBER)s'],
    ['abc', '%(program_name)s'],
  ],
  autostart: [['true', 'false', 'yes', '0'], ['y']],
  autorestart: [['true', 'unexpected', 'false'], ['maybe']],
  startsecs: [
    ['0', '1', '10', '-1'],
    ['1.5', '%(process_num)d'],
  ],
  startretries: [['0', '3', '1_0'], ['-']],
  stopwaitsecs: [['1', '10', '%(ENV_PV_NUMBER)s'], ['%(nope)s']],
  exitcodes: [
    ['0', '0,2', '', '1, 2'],
    ['256', '1,,2'],
  ],
  stopsignal: [
    ['TERM', 'KILL', 'usr2', '9', 'rtmin'],
    ['33', 'FOO'],
  ],
  stopasgroup: [['true', 'false'], []],
  killasgroup: [['true', 'false'], []],
  redirect_stderr: [['true', 'false'], ['maybe']],
  user: [['root', '0', 'nobody'], ['nosuchuser']],
  umask: [['022', '0o7', '7'], ['8']],
  directory: [['/tmp', '%(here)s', '/tmp/%(process_num)d'], ['%(nope)s']],
  environment: [
    ['A=1', 'A="x y",B=2', 'A=%(process_num)d', 'A=%(ENV_HOME)s', 'A="50%%"', 'A=hello world', 'A="1",\n  B="2"'],
    ['X=a@b', 'A=%(ENV_A)s', 'A="x #y"'],
  ],
  stdout_logfile: [
    ['AUTO', 'NONE', 'syslog', '%(here)s/x-%(process_num)d.log', '%(here)s/100%%%%.log'],
    ['/nonexistent/x.log', '%(here)s/100%%.log'],
  ],
  stderr_logfile: [['AUTO', 'off', '%(here)s/e-%(process_num)d.log'], []],
  stdout_logfile_maxbytes: [['0', '1MB', '10 MB'], ['1K']],
  stdout_logfile_backups: [['0', '5', '-1'], ['x']],
  stdout_capture_maxbytes: [['0', '1KB'], ['x']],
  stderr_events_enabled: [['true', 'off'], ['nope']],
  serverurl: [['AUTO', 'http://localhost:9001', ''], []],
};
const NAMES = ['a', 'web', 'daemon-1', 'x_y', 'worker', ' padded '];

const option = (key: string) => {
  const [valid, invalid] = POOLS[key] as [string[], string[]];
  const value =
    invalid.length > 0
      ? fc.oneof({ weight: 19, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...invalid) })
      : fc.constantFrom(...valid);
  return fc.tuple(fc.constant(key), value);
};
const program = fc.record({
  name: fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.constantFrom('my prog', 'a:b') }),
  options: fc.uniqueArray(fc.oneof(...Object.keys(POOLS).map(option)), { selector: ([k]) => k, maxLength: 8 }),
  hasCommand: fc.oneof({ weight: 30, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});
type Config = {
  programs: Array<{ name: string; options: Array<[string, string]>; hasCommand: boolean }>;
  group: { name: string; members: string[] } | null;
  globalEnv: string | null;
  defaults: string | null;
};
const config: fc.Arbitrary<Config> = fc.record({
  programs: fc.uniqueArray(program, { minLength: 1, maxLength: 4, selector: (p) => p.name.trim() }),
  group: fc.option(fc.record({ name: fc.constantFrom('g', 'tenants'), members: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 3 }) })),
  globalEnv: fc.option(fc.constantFrom('G=1', 'G="%(ENV_HOME)s"', 'G=%(here)s', 'G="50%%"')),
  defaults: fc.option(fc.constantFrom('autostart=false', 'priority=5', 'startsecs=%(process_num)d')),
});

function render(c: Config): string {
  const out: string[] = ['[supervisord]', 'logfile=%(here)s/supervisord.log', 'pidfile=%(here)s/supervisord.pid', 'childlogdir=%(here)s'];
  if (c.globalEnv) out.push(`environment=${c.globalEnv}`);
  if (c.defaults) out.push('[DEFAULT]', c.defaults);
  if (c.group) out.push(`[group:${c.group.name}]`, `programs=${c.group.members.filter((m) => c.programs.some((p) => p.name === m)).join(',')}`);
  for (const p of c.programs) {
    out.push(`[program:${p.name}]`);
    if (p.hasCommand) out.push('command=sleep 1000');
    for (const [k, v] of p.options) out.push(`${k}=${v}`);
  }
  return `${out.join('\n')}\n`;
}

describe.skipIf(!AVAILABLE)('random configurations read like supervisord 4.2.5 reads them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvr-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`${RUNS} generated files (seed ${SEED}): same values, warnings and first error`, () => {
    const env = fixtureEnv();
    const texts = fc.sample(config, { seed: SEED, numRuns: RUNS }).map(render);
    const paths = texts.map((text, i) => {
      const path = join(dir, `c${i}.conf`);
      writeFileSync(path, text);
      return path;
    });
    const oracle = runOracle(paths, env);
    const mismatches: unknown[] = [];
    paths.forEach((path, i) => {
      const theirs = oracle[i] as OracleResult;
      let ours: unknown;
      try {
        const conf = readSupervisordConfig(path, { env });
        const shape = oracleShape(conf);
        ours = { ...shape, servers: shape.servers };
        if (theirs.ok) theirs.servers = trimServers(theirs.servers);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        // procvisor refuses duplicates supervisord lets shadow each other (documented deviation).
        if (theirs.ok && e.message.startsWith('procvisor cannot')) return;
        ours = { ok: false, error: e.message };
      }
      if (!isDeepStrictEqual(ours, theirs)) mismatches.push({ text: texts[i], ours, theirs });
    });
    // Both outcomes must occur often enough to mean something (about a third are accepted).
    expect(oracle.filter((o) => o.ok).length).toBeGreaterThan(RUNS / 5);
    expect(mismatches.slice(0, 3)).toEqual([]);
  });
});
