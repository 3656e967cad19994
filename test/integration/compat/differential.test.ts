// Differential tests against the real supervisord 4.2.5: every fixture in test/fixtures/conf is
// run by `supervisord -c FILE -n` (its getAllConfigInfo, or its `Error: …` and exit status 2) and
// read by supervisord's own option parser; procvisor's readSupervisordConfig must agree on every
// process, group, option value, warning and error message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRpcInterfaces, readSupervisordConfig, type ReadConfigResult } from '../../../src/config-file/config-file.js';
import { toSupervisordConf } from '../../../src/config-file/emit.js';
import { isAlive } from '../../helpers/processes.js';
import {
  ConfigInfoClient,
  type DaemonResult,
  findSupervisord,
  fixtureEnv,
  listFixtures,
  mapLimit,
  type OracleResult,
  type PreparedFixture,
  prepareFixture,
  removeFixture,
  runDaemon,
  runOracle,
  startedPids,
} from './real-supervisord.js';
import { expectedConfigInfo, normalizeConfigInfo, oracleShape, trimServers } from './shapes.js';

const SUPERVISORD = findSupervisord();
if (!SUPERVISORD) {
  process.stdout.write('\nNOTICE: supervisord 4.2.5 (and /usr/bin/python3 with `supervisor`) not found: differential config tests skipped.\n');
}

interface Outcome {
  fixture: PreparedFixture;
  ours: ReadConfigResult | ConfigError;
  daemon?: DaemonResult;
  oracle: OracleResult;
  /** supervisord's reading of toSupervisordConf(ours), when ours was read. */
  emitted?: OracleResult;
}

const FILES = listFixtures();
const outcomes = new Map<string, Outcome>();
const prepared: PreparedFixture[] = [];

function readOurs(f: PreparedFixture): ReadConfigResult | ConfigError {
  try {
    return readSupervisordConfig(f.conf, { env: fixtureEnv() });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
}

describe.skipIf(!SUPERVISORD)('differential: procvisor reads configurations as supervisord 4.2.5 does', () => {
  beforeAll(async () => {
    const env = fixtureEnv();
    const fixtures = FILES.map(prepareFixture);
    prepared.push(...fixtures);
    const ours = fixtures.map(readOurs);
    // Also what we would write: supervisord must read it as it read the original.
    const emitted = fixtures.map((f, i) => {
      const conf = ours[i];
      if (conf instanceof ConfigError || conf === undefined) return null;
      const path = join(f.dir, 'emitted.conf');
      writeFileSync(path, toSupervisordConf(conf));
      return path;
    });
    const oracle = runOracle([...fixtures.map((f) => f.conf), ...emitted.filter((p) => p !== null)], env);
    let next = fixtures.length;
    const emittedOracle = emitted.map((p) => (p === null ? undefined : oracle[next++]));
    const clients = Array.from({ length: 6 }, () => new ConfigInfoClient(env));
    const stopping: Array<Promise<unknown>> = [];
    let slot = 0;
    const daemons = await mapLimit(fixtures, clients.length, async (f) => {
      if (f.mode === 'oracle-only') return undefined;
      const client = clients[slot++ % clients.length] as ConfigInfoClient;
      const { result, stopped } = await runDaemon(SUPERVISORD as string, f, env, client);
      stopping.push(stopped);
      return result;
    });
    await Promise.all([...stopping, ...clients.map((c) => c.close())]);
    fixtures.forEach((fixture, i) => {
      const daemon = daemons[i];
      const e = emittedOracle[i];
      outcomes.set(fixture.name, {
        fixture,
        ours: ours[i] as Outcome['ours'],
        oracle: oracle[i] as OracleResult,
        ...(daemon ? { daemon } : {}),
        ...(e ? { emitted: e } : {}),
      });
    });
  }, 120_000);

  afterAll(() => {
    for (const f of prepared) removeFixture(f);
    const survivors = [...startedPids].filter(isAlive);
    for (const pid of survivors) process.kill(pid, 'SIGKILL');
    expect(survivors, 'supervisord processes left running').toEqual([]);
  });

  it('has a corpus of at least 30 configurations', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of FILES.filter((f) => !f.startsWith('error-'))) {
    const name = file.replace(/\.conf$/, '');
    it(`${name}: same processes, groups and option values`, () => {
      const o = outcomes.get(name) as Outcome;
      if (o.ours instanceof ConfigError) throw o.ours;
      expect(o.oracle, 'supervisord rejected this fixture').toMatchObject({ ok: true });
      const ours = oracleShape(o.ours);
      const theirs = o.oracle as Extract<OracleResult, { ok: true }>;
      expect(ours.supervisord).toEqual(theirs.supervisord);
      expect(ours.groups).toEqual(theirs.groups);
      expect(ours.warnings).toEqual(theirs.warnings);
      expect(ours.servers).toEqual(trimServers(theirs.servers));
      expect(ours.rpcinterface).toEqual(theirs.rpcinterface);
      expect(ours.serverurl).toEqual(theirs.serverurl);
      if (o.fixture.mode === 'oracle-only') return;
      const daemon = o.daemon as DaemonResult;
      if (!daemon.ok) {
        // Read fine, but supervisord failed while starting its HTTP servers: so must we.
        let startup: unknown;
        try {
          checkRpcInterfaces(o.ours);
        } catch (e) {
          startup = e;
        }
        expect(startup, `supervisord failed: ${JSON.stringify(daemon)}`).toBeInstanceOf(ConfigError);
        expect({ code: daemon.code, stderr: daemon.stderr }).toEqual({
          code: 2,
          stderr: `Error: ${(startup as ConfigError).message}\nFor help, use ${SUPERVISORD} -h\n`,
        });
        return;
      }
      expect(() => checkRpcInterfaces(o.ours as ReadConfigResult)).not.toThrow();
      const { childlogdir, identifier } = o.ours.supervisord;
      expect(normalizeConfigInfo(daemon.config, childlogdir, identifier)).toEqual(expectedConfigInfo(o.ours));
      const names = (list: Array<Record<string, unknown>>) => list.map((p) => `${String(p.group)}:${String(p.name)}`).sort();
      expect(names(daemon.processes)).toEqual(names(expectedConfigInfo(o.ours)));
    });
  }

  for (const file of FILES.filter((f) => !f.startsWith('error-'))) {
    const name = file.replace(/\.conf$/, '');
    it(`${name}: supervisord reads toSupervisordConf's text as it read the original`, () => {
      const o = outcomes.get(name) as Outcome;
      const original = o.oracle as Extract<OracleResult, { ok: true }>;
      const emitted = o.emitted as Extract<OracleResult, { ok: true }>;
      expect(emitted).toMatchObject({ ok: true });
      const { warnings: w1, ...rest1 } = original;
      const { warnings: w2, ...rest2 } = emitted;
      expect(rest2).toEqual(rest1);
      expect([...w2].sort()).toEqual(w1.filter((w) => !w.startsWith('No file matches via include')).sort());
    });
  }

  for (const file of FILES.filter((f) => f.startsWith('error-'))) {
    const name = file.replace(/\.conf$/, '');
    it(`${name}: same error as supervisord`, () => {
      const o = outcomes.get(name) as Outcome;
      expect(o.ours, 'procvisor accepted a configuration supervisord rejects').toBeInstanceOf(ConfigError);
      const message = (o.ours as ConfigError).message;
      expect(o.oracle).toEqual({ ok: false, error: message });
      const daemon = o.daemon as Extract<DaemonResult, { ok: false }>;
      expect({ code: daemon.code, stderr: daemon.stderr }).toEqual({ code: 2, stderr: `Error: ${message}\nFor help, use ${SUPERVISORD} -h\n` });
    });
  }
});
