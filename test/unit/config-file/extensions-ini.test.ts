import { describe, expect, it } from 'vitest';
import { parseSupervisordConfig } from '../../../src/config-file/config-file.js';
import { toSupervisordConf } from '../../../src/config-file/emit.js';

describe('extension options in supervisord.conf', () => {
  it('round-trip through emit and parse, and the real supervisord ignores them', () => {
    const program = {
      name: 'web',
      command: 'node server.js',
      ready: {
        checks: [{ tcp: 8080 }, { http: 'http://127.0.0.1:8080/health', status: 200 }, { log: 'listening on \\d+', count: 2 }, { file: '/tmp/ready' }],
        timeout: 30,
        interval: 250,
      },
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

  it('exit policies and the notify check round-trip; supervisord-level keys too', () => {
    const programs = [
      { name: 'main', command: 'run', shutdown_on_exit: true, shutdown_on_fatal: true },
      { name: 'worker', command: 'work', shutdown_on_exit: 'unexpected' as const, ready: { checks: [{ notify: true as const, watchdog: 30 }], timeout: 60 } },
      { name: 'plain', command: 'x', ready: { checks: [{ notify: true as const }], timeout: 5 } },
    ];
    const supervisord = { shutdown_on_fatal: true, health_without_auth: true, health_ready_programs: ['main', 'worker'] };
    const text = toSupervisordConf({ supervisord, groups: programs });
    expect(text).toContain('shutdown_on_exit=unexpected');
    expect(text).toContain('ready_notify=true\nready_notify_watchdog=30\n');
    expect(text).toContain('health_ready_programs=main,worker');
    const back = parseSupervisordConfig(text);
    for (const p of programs) {
      const g = back.groups.find((x) => x.name === p.name) as unknown as Record<string, unknown>;
      for (const k of ['shutdown_on_exit', 'shutdown_on_fatal', 'ready']) expect(g[k], `${p.name} ${k}`).toEqual((p as Record<string, unknown>)[k]);
    }
    expect(back.supervisord).toMatchObject(supervisord);
    // Resolved: defaults off.
    const spec = (name: string) => back.specs.find((s) => s.name === name)!.processes[0]!.ext;
    expect(spec('plain')).toMatchObject({ shutdown_on_exit: false, shutdown_on_fatal: false });
    expect(spec('main')).toMatchObject({ shutdown_on_exit: true, shutdown_on_fatal: true });
    // Unset, the supervisord-level keys are absent.
    expect(parseSupervisordConfig('[supervisord]\n').supervisord).not.toHaveProperty('shutdown_on_fatal');
  });

  it('bad exit-policy and notify values name the option', () => {
    expect(() => parseSupervisordConfig('[supervisord]\n[program:a]\ncommand=x\nshutdown_on_exit=sometimes\n')).toThrow(/shutdown_on_exit/);
    expect(() => parseSupervisordConfig('[supervisord]\n[program:a]\ncommand=x\nshutdown_on_fatal=maybe\n')).toThrow(/shutdown_on_fatal/);
    expect(() => parseSupervisordConfig('[supervisord]\n[program:a]\ncommand=x\nready_notify_watchdog=5\nready_timeout=5\n')).toThrow(
      /ready_notify_watchdog needs ready_notify=true/,
    );
    expect(() => parseSupervisordConfig('[supervisord]\nshutdown_on_fatal=perhaps\n')).toThrow(/shutdown_on_fatal/);
  });

  it('a custom readiness function cannot be written to a file', () => {
    expect(() => toSupervisordConf({ groups: [{ name: 'x', command: 'x', ready: { checks: [{ custom: () => true }], timeout: 1 } }] })).toThrow(
      /custom readiness function/,
    );
  });
});
