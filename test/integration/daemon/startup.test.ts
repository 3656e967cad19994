// The daemon's command line: configuration errors at startup (supervisord's `Error: … (file: …)`
// and `For help, use … -h`, exit 2, nothing left behind), -v, -h, an unknown option; the unix
// socket's chmod; and procvisor's refusal to serve a non-loopback [inet_http_server] without
// credentials.
import { existsSync, statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../helpers/wait-for.js';
import { freePort, pool } from '../../helpers/concurrency.js';
import { CAN_DIFF, HAVE_PROCVISOR, LiveDaemon, suiteDaemons, PROCVISOR_JS, fixture, marked, run } from './daemon-pair.js';

const started = suiteDaemons();

function daemon(kind: 'supervisord' | 'procvisor', config: string): LiveDaemon {
  const d = new LiveDaemon(kind);
  d.writeConfig(config);
  started.push(d);
  return d;
}

/** Starts `d` with `args` and waits for it to exit (it should not get far). */
async function exitOf(d: LiveDaemon, args?: string[]): Promise<{ code: number | null; stderr: string; socket: boolean; pidfile: boolean }> {
  d.start(args);
  const timer = setTimeout(() => void d.stop(), 8_000);
  const { code } = await d.exited;
  clearTimeout(timer);
  return { code, stderr: d.mask(d.stderr), socket: existsSync(d.socket), pidfile: existsSync(d.pidfile) };
}

const ERROR_FIXTURES = [
  'startup-error-boolean.conf',
  'startup-error-command.conf',
  'startup-error-signal.conf',
  'startup-error-numprocs.conf',
  'startup-error-no-supervisord.conf',
  'startup-error-inet-port.conf',
];

describe.skipIf(!CAN_DIFF)('configuration errors at startup: supervisord vs procvisor', () => {
  type Exit = Awaited<ReturnType<typeof exitOf>>;
  const errors = new Map<string, [Exit, Exit]>();
  let relative: [Exit, Exit] | undefined;

  beforeAll(async () => {
    const kinds = ['supervisord', 'procvisor'] as const;
    const jobs = [...ERROR_FIXTURES.flatMap((f) => kinds.map((k) => [f, k] as const)), ...kinds.map((k) => ['relative', k] as const)];
    const results = await pool(jobs, 4, ([file, k]) =>
      file === 'relative' ? exitOf(daemon(k, fixture('startup-error-boolean.conf')), ['-n', '-c', 'supervisord.conf']) : exitOf(daemon(k, fixture(file))),
    );
    for (let i = 0; i < jobs.length; i += 2) {
      const pairOf: [Exit, Exit] = [results[i]!, results[i + 1]!];
      if (jobs[i]![0] === 'relative') relative = pairOf;
      else errors.set(jobs[i]![0], pairOf);
    }
  }, 30_000);

  it.each(ERROR_FIXTURES)('%s: the same Error line, For help, exit 2, no socket or pidfile', (file) => {
    const split = (r: Exit) => {
      const [error, help, ...rest] = r.stderr.split('\n');
      return { code: r.code, error, help, rest, socket: r.socket, pidfile: r.pidfile };
    };
    const [r, o] = errors.get(file)!.map(split) as [ReturnType<typeof split>, ReturnType<typeof split>];
    expect({ ...o, help: undefined }).toEqual({ ...r, help: undefined });
    expect(r).toMatchObject({ code: 2, help: 'For help, use /usr/bin/supervisord -h', rest: [''], socket: false, pidfile: false });
    expect(o.help).toBe('For help, use procvisor -h');
    expect(r.error).toMatch(/^Error: /);
  });

  it('a relative -c path is reported as given', () => {
    const [real, ours] = relative!.map((r) => r.stderr.split('\n')[0]);
    expect(ours).toEqual(real);
    expect(real).toBe("Error: not a valid boolean value: 'perhaps' in section 'program:x' (file: 'supervisord.conf')");
  });

  it('a missing configuration file and an unknown option', async () => {
    const cases = [['-n', '-c', '/nonexistent/supervisord.conf'], ['-x'], ['-n', '-c']];
    const results = await pool(cases, 2, async (args) => {
      const [real, ours] = await Promise.all([run('supervisord', args), run(process.execPath, [PROCVISOR_JS, ...args])]);
      return [real, ours].map((r) => ({ code: r.code, stdout: r.stdout, error: r.stderr.split('\n')[0] }));
    });
    results.forEach(([real, ours], i) => expect({ args: cases[i], ...ours }).toEqual({ args: cases[i], ...real }));
  });

  it('-v prints the supervisord version; -h the usage (every supervisord flag but --profile_options), exit 0', async () => {
    const [realV, oursV, realH, oursH] = await Promise.all([
      run('supervisord', ['-v']),
      run(process.execPath, [PROCVISOR_JS, '-v']),
      run('supervisord', ['-h']),
      run(process.execPath, [PROCVISOR_JS, '-h']),
    ]);
    expect({ code: oursV.code, stdout: oursV.stdout }).toEqual({ code: realV.code, stdout: realV.stdout });
    expect(realV.stdout).toBe('4.2.5\n');
    expect(oursH.code).toBe(0);
    expect(realH.code).toBe(0);
    const flags = (s: string) => [...s.matchAll(/^(-\w\/)?--\w+/gm)].map((m) => m[0]).filter((f) => f !== '--profile_options');
    expect(flags(oursH.stdout)).toEqual(flags(realH.stdout));
    expect(oursH.stdout).toMatch(/^Usage: /m);
  });

  it('[unix_http_server] chmod=0770 is applied to the socket file', async () => {
    const pairs = (['supervisord', 'procvisor'] as const).map((k) => daemon(k, fixture('unix-chmod.conf')));
    for (const d of pairs) d.start();
    await Promise.all(pairs.map((d) => d.ready()));
    expect(pairs.map((d) => [d.kind, (statSync(d.socket).mode & 0o777).toString(8)])).toEqual([
      ['supervisord', '770'],
      ['procvisor', '770'],
    ]);
  });
});

describe.skipIf(!HAVE_PROCVISOR)('procvisor refuses a non-loopback [inet_http_server] without credentials', () => {
  it.each(['0.0.0.0', '*'])('port=%s:PORT: a clear error, exit 2, no socket, pidfile or program left', async (host) => {
    const d = daemon('procvisor', fixture('inet-open-no-auth.conf', { HOST: host, PORT: await freePort() }));
    const r = await exitOf(d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: .*without credentials.*\nFor help, use procvisor -h\n$/);
    expect(r.stderr).toMatch(/username and password/);
    expect({ socket: r.socket, pidfile: r.pidfile }).toEqual({ socket: false, pidfile: false });
    await until(() => marked([d.dir]).length === 0, 'no process left', 3_000);
  });
});
