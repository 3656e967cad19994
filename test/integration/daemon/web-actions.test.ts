// supervisord's web interface acts on a GET (`index.html?processname=ok&action=stop`, `?action=stopall`)
// and answers 301 to `/?message=…`: scripts written against supervisord's page work on procvisor's.
// The same requests in the same order go to both daemons; the status and the redirect (its time
// masked) must match. procvisor alone: a request a browser marks as cross-site is refused and acts
// on nothing, and the page shows the message it is redirected with.
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/concurrency.js';
import { until } from '../../helpers/wait-for.js';
import { CAN_DIFF, HAVE_PROCVISOR, LiveDaemon, suiteDaemons, rawRequest, type Kind } from './daemon-pair.js';

const started = suiteDaemons();

async function daemon(kind: Kind): Promise<LiveDaemon> {
  const d = new LiveDaemon(kind);
  d.ports = [await freePort()];
  d.writeConfig(
    [
      '[unix_http_server]',
      `file=${d.socket}`,
      '[inet_http_server]',
      `port=127.0.0.1:${d.ports[0]}`,
      '[supervisord]',
      `logfile=${d.mainLog}`,
      `pidfile=${d.pidfile}`,
      '[rpcinterface:supervisor]',
      'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
      '[program:ok]',
      'command=/bin/sleep 1000',
      'startsecs=0',
      'stopwaitsecs=2',
      '[program:talk]',
      // 300 lines with characters HTML escapes; no entity-like text (supervisord's page turns a
      // literal `&amp;` into `&`, procvisor's shows the log as it is).
      `command=/bin/sh -c 'i=0; while [ $i -lt 300 ]; do echo "line $i <b> & \\"q\\""; i=$((i+1)); done; exec /bin/sleep 1000'`,
      'startsecs=0',
      'stopwaitsecs=2',
      '[program:quiet]',
      'command=/bin/sleep 1000',
      'startsecs=0',
      'stopwaitsecs=2',
      'stdout_logfile=NONE',
      '[program:bad]',
      'command=/nonexistent/program',
      'autostart=false',
      '[program:w]',
      'command=/bin/sleep 1000',
      'startsecs=0',
      'stopwaitsecs=2',
      'numprocs=2',
      'process_name=w_%(process_num)d',
      '',
    ].join('\n'),
  );
  started.push(d);
  d.start();
  const running = (infos: Record<string, unknown>[]) =>
    ['ok', 'w_0', 'w_1', 'talk', 'quiet'].every((n) => infos.find((i) => i.name === n)?.statename === 'RUNNING');
  await d.ready(running);
  return d;
}

/** The request's status and its Location (rawRequest sends `Host: localhost`), with ctime() masked. */
async function act(d: LiveDaemon, query: string, headers: Record<string, string> = {}): Promise<string> {
  const r = await rawRequest({ host: '127.0.0.1', port: d.ports[0]! }, { method: 'GET', path: `/index.html?${query}`, headers });
  const location = String(r.headers.location ?? '').replace(/at%20[A-Z][a-z]{2}%20[A-Z][a-z]{2}%20[%0-9]+%3A\d\d%3A\d\d%20\d{4}$/, 'at%20CTIME');
  return `${r.status} ${location}`.trim();
}

const QUERIES = [
  'processname=ok&action=stop',
  'processname=ok&action=stop',
  'processname=ok&action=start',
  'processname=ok&action=start',
  'processname=ok&action=restart',
  'processname=nosuch&action=stop',
  'processname=w&action=stop',
  'processname=w:w_0&action=clearlog',
  'processname=w:w_1&action=stop',
  'processname=bad&action=start',
  'processname=ok&action=bogus',
  'processname=nosuch&action=bogus',
  'processname=&action=stop',
  'action=bogus',
  'action=refresh',
  'action=restartall',
  'action=stopall',
];

/** What a tail.html page says: its title, the text of its <pre>, and its refresh link. */
async function tailPage(d: LiveDaemon, query: string): Promise<{ title?: string; text?: string; refresh?: string }> {
  const r = await rawRequest({ host: '127.0.0.1', port: d.ports[0]! }, { method: 'GET', path: `/tail.html?${query}` });
  const unescape = (t: string | undefined) =>
    t
      ?.replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;|&#x27;/g, "'")
      .replace(/&amp;/g, '&');
  return {
    title: unescape(/<title>([\s\S]*?)<\/title>/.exec(r.body)?.[1]),
    text: unescape(/<pre[^>]*>([\s\S]*?)<\/pre>/.exec(r.body)?.[1]),
    refresh: unescape(/href="(tail\.html[^"]*)"/.exec(r.body)?.[1]),
  };
}

const TAIL_QUERIES = [
  'processname=talk',
  'processname=talk&limit=2000',
  'processname=talk&limit=10',
  'processname=talk&limit=x',
  'processname=nosuch',
  'processname=quiet',
  'processname=',
  '',
  'processname=w:w_0',
];

describe.skipIf(!HAVE_PROCVISOR)("supervisord's action links (GET index.html?processname=…&action=…)", () => {
  let daemons: LiveDaemon[] = [];
  beforeAll(async () => {
    daemons = await Promise.all((CAN_DIFF ? (['supervisord', 'procvisor'] as const) : (['procvisor'] as const)).map(daemon));
  }, 30_000);

  it.skipIf(!CAN_DIFF)(
    'the same redirects and messages as supervisord, request by request',
    async () => {
      const [real, ours] = daemons as [LiveDaemon, LiveDaemon];
      for (const q of QUERIES) {
        const [r, o] = await Promise.all([act(real, q), act(ours, q)]);
        expect({ q, ours: o }).toEqual({ q, ours: r });
      }
      const states = async (d: LiveDaemon) => (await d.infos()).map((i) => `${i.name as string}=${i.statename as string}`).sort();
      expect(await states(ours)).toEqual(await states(real));
    },
    60_000,
  );

  it.skipIf(!CAN_DIFF)(
    "tail.html: the same title, log text and refresh link as supervisord's",
    async () => {
      const [real, ours] = daemons as [LiveDaemon, LiveDaemon];
      for (const d of daemons) await until(async () => (await tailPage(d, 'processname=talk')).text?.includes('line 299'), `${d.kind}: talk printed`, 5_000);
      for (const q of TAIL_QUERIES) {
        const [r, o] = await Promise.all([tailPage(real, q), tailPage(ours, q)]);
        expect({ q, ...o }).toEqual({ q, ...r });
      }
    },
    30_000,
  );

  it('refuses a cross-site request and acts on nothing; shows the message it redirects to', async () => {
    const d = daemons.at(-1)!;
    expect(await act(d, 'processname=ok&action=stop')).toMatch(/^301 /); // stopped, or was already
    await until(async () => (await d.info('ok')).statename === 'STOPPED', 'ok STOPPED', 5_000);
    expect(await act(d, 'processname=ok&action=start', { 'Sec-Fetch-Site': 'cross-site' })).toBe('403');
    expect(await act(d, 'processname=ok&action=start', { Origin: 'http://evil.example' })).toBe('403');
    expect((await d.info('ok')).statename).toBe('STOPPED');
    expect(await act(d, 'processname=ok&action=start')).toBe('301 http://localhost/?message=Process%20ok%20started');
    const page = await rawRequest({ host: '127.0.0.1', port: d.ports[0]! }, { method: 'GET', path: '/?message=Process%20ok%20started' });
    expect(page.body).toContain('<p class="notice" role="status">Process ok started</p>');
  }, 30_000);
});
