// The status page's Fleet section in headless Chromium (Debian's /usr/bin/chromium; skipped with a
// notice where it is missing). The fleet endpoints are built with the fleet core, so here a route
// in front of the real JSON API serves fixed JSON shaped as their contract: the section stays
// hidden while GET /api/fleet is not 200, shows nodes (alive dot, labels) with their processes,
// and follows a change on its next refresh.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStatusServer } from './status-page-server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`NOTICE: ${CHROMIUM} is missing: the status page's Fleet section tests are skipped.`);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// The section refreshes every 3 s; a change must show within a few refreshes even on a loaded machine.
const WAIT = { timeout: 15_000 };

/** The fixture: what each fleet endpoint answers now (tests change it). */
interface FleetFixture {
  info: [number, unknown];
  nodes: unknown;
  processes: unknown;
}

function fleetRoute(fx: FleetFixture) {
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    const answer = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/api/fleet') answer(...fx.info);
    else if (url.pathname === '/api/fleet/nodes') answer(200, fx.nodes);
    else if (url.pathname === '/api/fleet/processes') answer(200, fx.processes);
    else return false;
    return true;
  };
}

const proc = (node: string, group: string, name: string, statename: string, pid: number, fleet = true) => ({
  node,
  alive: true,
  stale: false,
  program: group,
  group,
  name,
  namespec: group === name ? name : `${group}:${name}`,
  state: statename === 'RUNNING' ? 20 : 0,
  statename,
  pid,
  start: 0,
  uptime: statename === 'RUNNING' ? 65 : null,
  restarts: 0,
  rss: null,
  fleet,
});

function fixture(): FleetFixture {
  return {
    info: [200, { node: 'web-1', labels: { role: 'web', zone: 'a' }, prefix: '/procvisor', connected: true }],
    nodes: {
      nodes: [
        { name: 'web-1', labels: { role: 'web', zone: 'a' }, alive: true, self: true, joinedAt: 1, statusAt: Date.now(), processes: 2, errors: {} },
        { name: 'web-2', labels: { role: 'web' }, alive: true, self: false, joinedAt: 1, statusAt: Date.now(), processes: 1, errors: {} },
      ],
    },
    processes: {
      // pool is web-1's own program (not the fleet's).
      processes: [proc('web-1', 'web', 'web', 'RUNNING', 101), proc('web-1', 'pool', 'w0', 'STOPPED', 0, false), proc('web-2', 'web', 'web', 'RUNNING', 202)],
    },
  };
}

let browser: Browser;

/** Opens the page; resolves once it is live and its first GET /api/fleet has been answered. */
async function openPage(base: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  const fleetAsked = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/fleet', WAIT);
  await page.goto(`${base}/`);
  await fleetAsked;
  await page.locator('#live[data-live="open"]').waitFor(WAIT);
  return page;
}

const rowsOf = (page: Page, node: string) =>
  page.locator(`#fleet [data-node="${node}"] tbody tr`).evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));

describe.skipIf(!hasChromium)('status page: Fleet section', () => {
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 20_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('stays hidden on a daemon without a fleet (GET /api/fleet is 404)', async () => {
    const { base } = await startStatusServer();
    const page = await openPage(base);
    // The 404 has arrived; one bounded pause lets the client act on it (it would show the section).
    await page.waitForTimeout(200);
    expect(await page.locator('#fleet').isHidden()).toBe(true);
    expect(await page.locator('#fleet').count()).toBe(1);
  });

  it('shows each node with its alive dot, labels and processes; follows a node going down', async () => {
    const fx = fixture();
    const { base } = await startStatusServer({ before: [fleetRoute(fx)] });
    const page = await openPage(base);
    await page.locator('#fleet').waitFor({ state: 'visible', ...WAIT });
    expect(await page.getByRole('heading', { name: 'Fleet' }).isVisible()).toBe(true);
    expect(await page.locator('#fleet .fleet-summary').innerText()).toBe('This node: web-1 · 2 nodes, 2 up · etcd connected');
    const web1 = page.locator('#fleet [data-node="web-1"] h3');
    expect(await web1.innerText()).toMatch(/web-1\s*up\s*this node\s*role=web\s*zone=a/);
    expect(await web1.locator('.dot').getAttribute('data-alive')).toBe('true');
    expect(await rowsOf(page, 'web-1')).toEqual(['web RUNNING 101 up 0:01:05', 'pool:w0 STOPPED local']);
    expect(await rowsOf(page, 'web-2')).toEqual(['web RUNNING 202 up 0:01:05']);

    (fx.nodes as { nodes: { alive: boolean }[] }).nodes[1]!.alive = false;
    fx.info = [200, { node: 'web-1', prefix: '/procvisor', connected: false, lastError: 'etcd unreachable' }];
    await page.locator('#fleet [data-node="web-2"] .dot[data-alive="false"]').waitFor(WAIT);
    expect(await page.locator('#fleet [data-node="web-2"] .node-alive').innerText()).toBe('down');
    expect(await page.locator('#fleet .fleet-summary').innerText()).toBe('This node: web-1 · 2 nodes, 1 up · etcd unreachable (etcd unreachable)');

    fx.info = [404, { error: { code: 'NOT_FOUND', faultCode: null, message: 'no [fleet] section' } }];
    await page.locator('#fleet').waitFor({ state: 'hidden', ...WAIT });
  });
});
