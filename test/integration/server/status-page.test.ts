// The status page route over HTTP: the server-rendered table (the whole page without JavaScript),
// the no-JS filter, security headers, the client modules (transpiled from src/ under vitest),
// caching, methods, authentication, and 1,000 processes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLIENT_MODULES } from '../../../src/server/status-page/assets.js';
import { MARK_SCRIPTING, MARK_SCRIPTING_HASH } from '../../../src/server/status-page/page.js';
import { addPrograms, startStatusServer } from '../../e2e/status-page-server.js';
import { waitForState } from '../../helpers/wait-for.js';

const DIST_ROUTE = fileURLToPath(new URL('../../../dist/server/status-page/status-page.js', import.meta.url));
const SLEEP = { command: 'sleep 1000', startsecs: 0, stopwaitsecs: 1 };
const rowsOf = (html: string) => [...html.matchAll(/<tr data-ns="([^"]*)" data-state="([^"]*)">/g)].map((m) => `${m[1]} ${m[2]}`);

describe('GET /', () => {
  it('renders every process in a table on the server, readable without JavaScript', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'web', ...SLEEP });
    pm.addProcessGroup({ name: 'pool', ...SLEEP, autostart: false, numprocs: 2, process_name: 'w%(process_num)d' });
    pm.addProcessGroup({ name: 'broken', command: '/nonexistent/<b>&', startretries: 0 });
    await waitForState(pm, 'web', 'RUNNING');
    await waitForState(pm, 'broken', 'FATAL');
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>\n<html lang="en" class="no-js">/);
    expect(rowsOf(html)).toEqual(['broken FATAL', 'pool:w0 STOPPED', 'pool:w1 STOPPED', 'web RUNNING']);
    expect(html).toContain(
      '<thead><tr><th scope="col" class="h-name">Name</th><th scope="col" class="h-group">Group</th><th scope="col" class="h-state">State</th>',
    );
    expect(html).toContain('<th scope="col" class="h-cpu js-only">CPU</th><th scope="col" class="h-memory js-only">Memory</th>');
    const pid = pm.getProcessInfo('web').pid;
    expect(html).toContain(`<td class="c-state"><span class="state s-running">RUNNING</span></td><td class="c-pid">${pid}</td><td class="c-detail">up 0:00:0`);
    expect(html).toContain('<td class="c-spawnerr">can&#39;t find command &#39;/nonexistent/&lt;b&gt;&amp;&#39;</td>');
    expect(html).not.toContain('<b>&');
    expect(html).toContain('<th scope="rowgroup" colspan="9">Group pool <span class="count">(2 processes)</span></th>');
    expect(html).toContain('<td class="c-detail">Not started</td>');
    expect(html).toContain('<span id="counts">4 processes: 2 STOPPED, 1 RUNNING, 1 FATAL</span>');
    expect(html).toContain('<p class="notice no-js-only">JavaScript is off');
    expect(html).toContain(`<script>${MARK_SCRIPTING}</script>`);
    expect(res.headers.get('content-security-policy')).toContain(MARK_SCRIPTING_HASH);
    expect(html).not.toContain('<button type="button" data-action'); // the client adds the buttons
    expect(html).toContain('<script type="module" src="/static/status-page/client.js"></script>');
  });

  it('filters on the server from ?q= and ?state= (the no-JS filter form)', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'web', ...SLEEP });
    pm.addProcessGroup({ name: 'worker', ...SLEEP, autostart: false });
    pm.addProcessGroup({ name: 'db', ...SLEEP, autostart: false });
    await waitForState(pm, 'web', 'RUNNING');
    expect(rowsOf(await (await fetch(`${base}/?q=W`)).text())).toEqual(['web RUNNING', 'worker STOPPED']);
    expect(rowsOf(await (await fetch(`${base}/?state=STOPPED`)).text())).toEqual(['db STOPPED', 'worker STOPPED']);
    expect(rowsOf(await (await fetch(`${base}/?q=running`)).text())).toEqual(['web RUNNING']);
    const none = await (await fetch(`${base}/?q=zzz&state=BOGUS`)).text();
    expect(rowsOf(none)).toEqual([]);
    expect(none).toContain('<p id="empty">No process matches the filter.</p>');
    expect(none).toContain('<option value="" selected>All states</option>'); // an unknown state is ignored
    expect(none).toContain('value="zzz"');
  });

  it('answers HEAD without a body, refuses other methods with 405, and leaves other paths to later routes', async () => {
    const { base } = await startStatusServer();
    const head = await fetch(`${base}/index.html`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${base}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('requires the server credentials like every other route', async () => {
    const { base } = await startStatusServer({ credentials: { username: 'admin', password: 's3cret' } });
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/static/status-page/client.js`)).status).toBe(401);
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
    const ok = await fetch(`${base}/`, { headers: { authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` } });
    expect(ok.status).toBe(200);
  });

  it('renders 1,000 processes quickly', async () => {
    const { pm, base } = await startStatusServer({ start: false });
    addPrograms(
      pm,
      Array.from({ length: 1000 }, (_, i) => ({ name: `p${String(i).padStart(4, '0')}`, ...SLEEP, autostart: false })),
    );
    await fetch(`${base}/`); // warm up
    const t0 = performance.now();
    const html = await (await fetch(`${base}/`)).text();
    const ms = performance.now() - t0;
    expect(rowsOf(html)).toHaveLength(1000);
    expect(ms).toBeLessThan(500);
    expect(html.length).toBeLessThan(600_000);
  });
});

describe('assets under /static/status-page/', () => {
  it('serves each client module as JavaScript that Node parses as an ES module (transpiled from src/ here)', async () => {
    const { base } = await startStatusServer();
    const dir = mkdtempSync(join(tmpdir(), 'status-page-assets-'));
    try {
      for (const name of CLIENT_MODULES) {
        const res = await fetch(`${base}/static/status-page/${name}`);
        expect(res.status, name).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        const js = await res.text();
        expect(js).not.toMatch(/import type|: HTMLElement|: string/);
        writeFileSync(join(dir, name.replace(/\.js$/, '.mjs')), js);
        execFileSync(process.execPath, ['--check', join(dir, name.replace(/\.js$/, '.mjs'))]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(DIST_ROUTE))('serves the compiled modules beside the built route module (dist/), without source map links', async () => {
    const { createStatusPage } = (await import(DIST_ROUTE)) as typeof import('../../../src/server/status-page/status-page.js');
    const { pm } = await startStatusServer();
    const route = createStatusPage({ manager: () => pm });
    const server = createServer((req, res) => void route(req, res, new URL(req.url ?? '/', 'http://localhost')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const built = readFileSync(new URL('client.js', pathToFileURL(DIST_ROUTE)), 'utf8');
      const served = await (await fetch(`${base}/static/status-page/client.js`)).text();
      expect(served).toBe(built.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'));
      expect(served).not.toContain('sourceMappingURL');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('serves the stylesheet, answers If-None-Match with 304, and 404 for anything else', async () => {
    const { base } = await startStatusServer();
    const css = await fetch(`${base}/static/status-page/style.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('.s-running');
    const etag = css.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    expect((await fetch(`${base}/static/status-page/style.css`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${base}/static/status-page/status-page.js`)).status).toBe(404);
    expect((await fetch(`${base}/static/status-page/client.ts`)).status).toBe(404);
    expect((await fetch(`${base}/static/status-page/%2e%2e%2fstatus-page.js`)).status).toBe(404);
  });
});
