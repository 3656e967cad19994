import { describe, expect, it } from 'vitest';
import { parseSupervisordConfig } from '../../../src/config-file/config-file.js';
import { toSupervisordConf } from '../../../src/config-file/emit.js';

describe('extension options in supervisord.conf', () => {
  it('round-trip through emit and parse, and the real supervisord ignores them', () => {
    const program = {
      name: 'web',
      command: 'node server.js',
      ready: { checks: [{ tcp: 8080 }, { http: 'http://127.0.0.1:8080/health', status: 200 }, { log: 'listening on \\d+', count: 2 }, { file: '/tmp/ready' }], timeout: 30, interval: 250 },
      depends_on: { db: 'running' as const, migrate: 'exited' as const },
      backoff: { strategy: 'exponential' as const, initial: 1, multiplier: 2, max: 60, jitter: 'full' as const, reset_after: 30, give_up: false },
      max_memory_mb: 512,
      port: { mode: 'hash' as const, range: [10000, 19999] as const, host: '127.0.0.1', env: 'PORT' },
    };
    const text = toSupervisordConf({ groups: [{ name: 'db', command: 'db' }, { name: 'migrate', command: 'm' }, program] });
    expect(text).toContain('ready_log=listening on \\d+');
    expect(text).toContain('depends_on=db:running,migrate:exited');
    const back = parseSupervisordConfig(text).groups.find((g) => g.name === 'web') as unknown as Record<string, unknown>;
    for (const k of ['ready', 'depends_on', 'backoff', 'max_memory_mb', 'port']) expect(back[k]).toEqual((program as Record<string, unknown>)[k]);
  });

  it('a custom readiness function cannot be written to a file', () => {
    expect(() => toSupervisordConf({ groups: [{ name: 'x', command: 'x', ready: { checks: [{ custom: () => true }], timeout: 1 } }] })).toThrow(/custom readiness function/);
  });
});
