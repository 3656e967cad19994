// HTTP transport and auth against both daemons: an [inet_http_server] with a {SHA} password (supervisorctl with and
// without credentials, raw requests: 401 + WWW-Authenticate, faults as HTTP 200, /RPC2/anything,
// GET and non-XML bodies refused), the unix socket's mode, `tail -f` and /logtail streaming a line
// printed after they started, maintail, shutdown.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse } from '../../../src/xmlrpc/decode.js';
import { XmlRpcFault } from '../../../src/xmlrpc/types.js';
import { until } from '../../helpers/wait-for.js';
import { freePort } from '../../helpers/concurrency.js';
import { sha1 } from '../../helpers/hash.js';
import { CAN_DIFF, DaemonPair, fixture, methodCall, rawRequest, run, type LiveDaemon, type RawResponse } from './daemon-pair.js';

const AUTH = { Authorization: `Basic ${Buffer.from('user:secret').toString('base64')}` };
const BAD_AUTH = { Authorization: `Basic ${Buffer.from('user:wrong').toString('base64')}` };

const running =
  (...names: string[]) =>
  (infos: Record<string, unknown>[]) =>
    names.every((n) => infos.find((i) => i.name === n)?.statename === 'RUNNING');

function decoded(r: RawResponse): unknown {
  try {
    return { value: decodeResponse(r.body) };
  } catch (e) {
    if (e instanceof XmlRpcFault) return { fault: { code: e.faultCode, string: e.faultString } };
    return { undecodable: true };
  }
}

describe.skipIf(!CAN_DIFF)('HTTP servers of supervisord and procvisor', () => {
  const pair = new DaemonPair();
  const tcp = (d: LiveDaemon) => ({ host: '127.0.0.1', port: d.ports[0]! });
  const noauthConf = (d: LiveDaemon) => join(d.dir, 'noauth.conf');

  beforeAll(async () => {
    for (const d of pair.both) d.ports = [await freePort()];
    pair.writeConfig((d) => fixture('http-auth.conf', { PORT: d.ports[0]!, SHA: sha1('secret') }));
    pair.writeConfig((d) => fixture('http-noauth-client.conf', { PORT: d.ports[0]! }), noauthConf);
    await pair.start(running('cat', 'sleeper'));
  }, 15_000);

  afterAll(async () => {
    const left = await pair.stop();
    pair.remove();
    expect(left, 'processes started by the daemons still alive').toEqual([]);
  }, 20_000);

  it('supervisorctl works with the credentials; without them: Server requires authentication, exit 1', async () => {
    const results = await Promise.all(
      pair.both.map(async (d) => {
        const runs = await Promise.all([
          d.ctl(['status']),
          d.ctl(['-u', 'user', '-p', 'secret', 'pid', 'sleeper']),
          // The executable itself: after the message 4.2.5 also prints a Python error line.
          run('supervisorctl', ['-c', noauthConf(d), 'status'], { cwd: d.dir }),
          d.ctlExe(['-u', 'user', '-p', 'wrong', 'status']),
          run('supervisorctl', ['-c', noauthConf(d), 'reread'], { cwd: d.dir }),
        ]);
        return runs.map((r) => d.maskResult(r)).map((r, i) => (i === 1 ? { ...r, stdout: r.stdout.replace(/^\d+$/m, '<PID>') } : r));
      }),
    );
    expect(results[1]).toEqual(results[0]);
    const [status, , noauth, wrong] = results[0]!;
    expect(status!.code).toBe(0);
    expect(noauth!.code).toBe(1);
    expect(noauth!.stdout).toMatch(/^Server requires authentication\n/);
    expect(wrong!.stdout).toMatch(/^Server requires authentication\n/);
  }, 20_000);

  it('raw requests: 401 with WWW-Authenticate, faults as HTTP 200, /RPC2/anything, GET and non-XML bodies refused', async () => {
    const probe = async (d: LiveDaemon) => {
      const noAuth = await rawRequest(tcp(d), { body: methodCall('supervisor.getAPIVersion') });
      const wrong = await rawRequest(tcp(d), { body: methodCall('supervisor.getAPIVersion'), headers: BAD_AUTH });
      const fault = await rawRequest(tcp(d), { body: methodCall('supervisor.getProcessInfo', ['nosuch']), headers: AUTH });
      const anything = await rawRequest(tcp(d), { path: '/RPC2/anything', body: methodCall('supervisor.getAPIVersion'), headers: AUTH });
      const get = await rawRequest(tcp(d), { method: 'GET', headers: AUTH });
      const notXml = await rawRequest(tcp(d), { body: 'this is not xml', headers: AUTH });
      const noMethod = await rawRequest(tcp(d), { body: '<?xml version="1.0"?><methodCall><params/></methodCall>', headers: AUTH });
      const unixOk = await rawRequest({ socketPath: d.socket }, { body: methodCall('supervisor.getAPIVersion') });
      return {
        noAuth: { status: noAuth.status, wwwAuthenticate: noAuth.headers['www-authenticate'] },
        wrong: { status: wrong.status, wwwAuthenticate: wrong.headers['www-authenticate'] },
        fault: { status: fault.status, type: fault.headers['content-type'], body: decoded(fault) },
        anything: { status: anything.status, body: decoded(anything) },
        get: get.status,
        notXml: notXml.status,
        noMethod: noMethod.status,
        unixOk: { status: unixOk.status, body: decoded(unixOk) },
      };
    };
    const [real, ours] = await Promise.all(pair.both.map(probe));
    expect(ours).toEqual(real);
    expect(real).toEqual({
      noAuth: { status: 401, wwwAuthenticate: 'Basic realm="default"' },
      wrong: { status: 401, wwwAuthenticate: 'Basic realm="default"' },
      fault: { status: 200, type: 'text/xml', body: { fault: { code: 10, string: 'BAD_NAME: nosuch' } } },
      anything: { status: 200, body: { value: '3.0' } },
      get: 400,
      notXml: 400,
      noMethod: 400,
      unixOk: { status: 200, body: { value: '3.0' } },
    });
  });

  it('the unix socket file is owner-only (0700) by default', () => {
    for (const d of pair.both) expect([d.kind, (statSync(d.socket).mode & 0o777).toString(8)]).toEqual([d.kind, '700']);
  });

  it('supervisorctl tail -f shows a line printed after it started', async () => {
    const results = await Promise.all(
      pair.both.map((d) => {
        let sent = false;
        return d.ctlStream(['tail', '-f', 'cat'], async (out) => {
          if (!sent && out.includes('ready\n')) {
            sent = true;
            await d.value('supervisor.sendProcessStdin', 'cat', 'tail-f\n');
          }
          return out.includes('got tail-f\n');
        });
      }),
    );
    expect(results[1]).toEqual(results[0]);
    expect(results[0]).toEqual({ code: 0, stdout: '==> Press Ctrl-C to exit <==\nready\ngot tail-f\n\n', stderr: '' });
  }, 15_000);

  it('GET /logtail/cat/stdout streams the log, then what is appended', async () => {
    const results = await Promise.all(
      pair.both.map(async (d) => {
        using client = d.client();
        const ac = new AbortController();
        const res = await client.openStream('/logtail/cat/stdout', ac.signal);
        let text = '';
        let sent = false;
        try {
          await until(
            async () => {
              const chunk = res.read() as Buffer | null;
              if (chunk) text += chunk.toString('utf8');
              if (!sent && text.includes('ready\n')) {
                sent = true;
                await d.value('supervisor.sendProcessStdin', 'cat', 'logtail\n');
              }
              return text.includes('got logtail\n');
            },
            `${d.kind} logtail`,
            8_000,
          );
        } finally {
          ac.abort();
          res.destroy();
        }
        return { status: res.statusCode, text };
      }),
    );
    expect(results[1]).toEqual(results[0]);
    expect(results[0]!.text).toMatch(/^ready\n(got .*\n)*got logtail\n$/);
  }, 15_000);

  it('maintail shows the end of the main log', async () => {
    const [real, ours] = await pair.ctl(['maintail', '-400']);
    for (const [d, r] of [
      [pair.real, real],
      [pair.ours, ours],
    ] as const) {
      expect(r.code, d.kind).toBe(0);
      expect(r.stdout, d.kind).toMatch(/ INFO success: sleeper entered RUNNING state, process has stayed up for > than 0 seconds \(startsecs\)\n/);
    }
    const [realMissing, oursMissing] = await pair.ctl(['maintail', 'x']);
    expect(oursMissing).toEqual(realMissing);
  });

  it('supervisorctl shutdown: Shut down, the daemon exits 0', async () => {
    await Promise.all(pair.both.map((d) => d.value('supervisor.stopAllProcesses')));
    const [real, ours] = await pair.ctl(['shutdown']);
    expect(ours).toEqual(real);
    expect(real).toEqual({ code: 0, stdout: 'Shut down\n', stderr: '' });
    const exits = await Promise.all(pair.both.map((d) => d.exited));
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  }, 15_000);
});
