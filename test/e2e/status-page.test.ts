// The status page in headless Chromium (the Debian package at /usr/bin/chromium, driven by
// playwright-core; no browser is ever downloaded), against a real server with real children.
// Skipped, with a notice, when Chromium is not installed. The README's screenshots are taken in
// status-page-controls.test.ts.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForState } from '../helpers/wait-for.js';
import { addPrograms, startStatusServer } from './status-page-server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  process.stdout.write(
    `\nNOTICE: ${CHROMIUM} is missing: the status page's browser tests are skipped.\n        Install it with \`apt-get install -y chromium\` to run them.\n\n`,
  );
}

const SLEEP = { command: 'sleep 1000', startsecs: 0, stopwaitsecs: 1 };
const WAIT = { timeout: 5000 };

let browser: Browser;

async function openPage(base: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(`${base}/`);
  if (options.javaScriptEnabled !== false) await page.locator('#live[data-live="open"]').waitFor(WAIT);
  return page;
}

const stateOf = (page: Page, ns: string) => page.locator(`tr[data-ns="${ns}"] .c-state`).innerText();

describe.skipIf(!hasChromium)('status page in Chromium', () => {
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 20_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('lists the programs of a running server; a stop shows without a reload; errors are put in words', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'web', ...SLEEP });
    pm.addProcessGroup({ name: 'pool', ...SLEEP, numprocs: 2, process_name: 'w%(process_num)d' });
    pm.addProcessGroup({ name: 'idle', ...SLEEP, autostart: false });
    pm.addProcessGroup({ name: 'broken', command: '/nonexistent/procvisor-test', autostart: false, startretries: 0 });
    await waitForState(pm, 'web', 'RUNNING');
    await waitForState(pm, 'pool:w1', 'RUNNING');
    const page = await openPage(base);
    const rows = await page.locator('tbody tr[data-ns]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText.split('\t').slice(0, 3).join(' ')));
    expect(rows).toEqual(['broken broken STOPPED', 'idle idle STOPPED', 'w0 pool RUNNING', 'w1 pool RUNNING', 'web web RUNNING']);
    expect(await page.locator('#counts').innerText()).toBe('5 processes: 2 STOPPED, 3 RUNNING');

    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    await page.getByRole('button', { name: 'Stop web', exact: true }).click();
    await page.locator('tr[data-ns="web"][data-state="STOPPED"]').waitFor(WAIT);
    expect(await page.locator('tr[data-ns="web"] .c-pid').innerText()).toBe('');
    await page.locator('#messages', { hasText: 'web: stopped' }).waitFor(WAIT);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    expect(await page.getByRole('button', { name: 'Start pool:w0', exact: true }).isDisabled()).toBe(true); // already started
    await page.getByRole('button', { name: 'Start broken', exact: true }).click();
    await page.locator('#messages', { hasText: 'broken: no such file' }).waitFor(WAIT);
    expect(await page.locator('#messages p.error span').last().innerText()).toBe('Error: broken: no such file');

    await page.getByRole('button', { name: 'Stop group pool', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop', exact: true }).click();
    // The group's two processes are signalled together; either may be reaped first.
    await page.locator('tr[data-ns="pool:w0"][data-state="STOPPED"]').waitFor(WAIT);
    await page.locator('tr[data-ns="pool:w1"][data-state="STOPPED"]').waitFor(WAIT);
    expect(await page.locator('#counts').innerText()).toBe('5 processes: 5 STOPPED');
    expect(await page.locator('tr[data-ns="web"] .c-restarts').innerText()).toBe('0');
    void pm.startProcess('web'); // its second start: one restart
    await page.locator('tr[data-ns="web"][data-state="RUNNING"]').waitFor(WAIT);
    expect(await page.locator('tr[data-ns="web"] .c-restarts').innerText()).toBe('1');
  });

  it('filters as you type, by name, group or state', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'web', ...SLEEP });
    pm.addProcessGroup({ name: 'worker', ...SLEEP, autostart: false });
    pm.addProcessGroup({ name: 'db', ...SLEEP, autostart: false });
    await waitForState(pm, 'web', 'RUNNING');
    const page = await openPage(base);
    await page.getByLabel('Filter', { exact: true }).fill('w');
    await page.locator('#shown', { hasText: 'Showing 2 of 3' }).waitFor(WAIT);
    expect(await page.locator('tr[data-ns="db"]').isHidden()).toBe(true);
    await page.getByLabel('Filter', { exact: true }).fill('');
    await page.getByLabel('State').selectOption('STOPPED');
    await page.locator('#shown', { hasText: 'Showing 2 of 3' }).waitFor(WAIT);
    expect(await page.locator('tr[data-ns="web"]').isHidden()).toBe(true);
    expect(new URL(page.url()).search).toBe('?state=STOPPED');
    void pm.stopProcess('web'); // becomes STOPPED: now matches the filter
    await page.locator('tr[data-ns="web"]').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('#shown').innerText()).toBe('');
  });

  it('shows a line the process printed after the log view opened, and holds lines while paused', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'echo', command: 'cat', startsecs: 0 });
    await waitForState(pm, 'echo', 'RUNNING');
    pm.sendProcessStdin('echo', 'before the page\n');
    const page = await openPage(base);
    await page.getByRole('button', { name: 'Show log of echo' }).click();
    await page.locator('#log-status', { hasText: 'Following new output' }).waitFor(WAIT);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('log-title');
    await page.locator('#log-output', { hasText: 'before the page' }).waitFor(WAIT);
    pm.sendProcessStdin('echo', 'printed after the view opened\n');
    await page.locator('#log-output', { hasText: 'printed after the view opened' }).waitFor(WAIT);

    await page.getByRole('button', { name: 'Pause' }).click();
    pm.sendProcessStdin('echo', 'held while paused\n');
    await page.locator('#log-status', { hasText: 'Paused: 1 new line held' }).waitFor(WAIT);
    expect(await page.locator('#log-output').innerText()).not.toContain('held while paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('#log-output', { hasText: 'held while paused' }).waitFor(WAIT);

    await page.getByRole('button', { name: 'Clear log of echo' }).click();
    await page.locator('#messages', { hasText: 'echo: log cleared' }).waitFor(WAIT);
    expect(await page.locator('#log-output').innerText()).toBe('');
    expect(pm.tailProcessStdoutLog('echo', 0, 100)[0]).toBe('');

    await page.locator('#log-output').focus();
    await page.keyboard.press('Escape');
    expect(await page.locator('#log-panel').isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Show log of echo');
  });

  it('refuses an unauthenticated request with 401; an authenticated browser context works, live', async () => {
    const credentials = { username: 'admin', password: 'pa55word' };
    const { pm, base } = await startStatusServer({ credentials });
    pm.addProcessGroup({ name: 'web', ...SLEEP, autostart: false });
    expect((await fetch(`${base}/`)).status).toBe(401);
    const anonymous = await browser.newContext();
    expect((await anonymous.request.get(`${base}/`)).status()).toBe(401);
    expect((await anonymous.request.get(`${base}/api/events`)).status()).toBe(401);
    await anonymous.close();
    const page = await openPage(base, { httpCredentials: credentials });
    expect(await stateOf(page, 'web')).toBe('STOPPED');
    await page.getByRole('button', { name: 'Start web', exact: true }).click();
    await page.locator('tr[data-ns="web"][data-state="RUNNING"]').waitFor(WAIT);
    await page.locator('#messages', { hasText: 'web: started' }).waitFor(WAIT);
  });

  it('without JavaScript, shows the server-rendered table, read-only', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'web', ...SLEEP });
    pm.addProcessGroup({ name: 'idle', ...SLEEP, autostart: false });
    await waitForState(pm, 'web', 'RUNNING');
    const page = await openPage(base, { javaScriptEnabled: false });
    expect(await page.getByRole('table', { name: 'Processes' }).isVisible()).toBe(true);
    expect(await stateOf(page, 'web')).toBe('RUNNING');
    expect(await stateOf(page, 'idle')).toBe('STOPPED');
    expect(await page.getByRole('columnheader').allInnerTexts()).toEqual(['Name', 'Group', 'State', 'PID', 'Uptime / exit', 'Spawn error', 'Restarts']);
    expect(await page.getByRole('button').allInnerTexts()).toEqual(['Apply filter']);
    expect(await page.getByText('JavaScript is off').isVisible()).toBe(true);
    await page.getByLabel('Filter', { exact: true }).fill('idl');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.waitForURL(/\?q=idl/);
    expect(await page.locator('tbody tr[data-ns]').count()).toBe(1);
  });

  it('stays responsive with 1,000 programs: one transition rewrites one row', async () => {
    const { pm, base } = await startStatusServer({ start: false });
    const quiet = { ...SLEEP, autostart: false, stdout_logfile: 'NONE', stderr_logfile: 'NONE' };
    addPrograms(
      pm,
      Array.from({ length: 1000 }, (_, i) => ({ name: `p${String(i).padStart(4, '0')}`, ...quiet })),
    );
    const page = await openPage(base);
    expect(await page.locator('tbody tr[data-ns]').count()).toBe(1000);
    const snapshotMs = await page.evaluate(() => performance.getEntriesByName('status-page:snapshot')[0]?.duration ?? -1);
    // Record which rows the DOM changes in, from here on.
    await page.evaluate(() => {
      const touched = new Set<string>();
      Object.assign(window, { touched });
      new MutationObserver((records) => {
        for (const r of records)
          touched.add((r.target instanceof Element ? r.target : r.target.parentElement)?.closest('tr')?.getAttribute('data-ns') ?? 'outside a row');
      }).observe(document.querySelector('#processes') as Node, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    const t0 = performance.now();
    void pm.startProcess('p0500');
    await page.locator('tr[data-ns="p0500"][data-state="RUNNING"]').waitFor(WAIT);
    const updateMs = performance.now() - t0;
    expect(await page.evaluate(() => [...(window as unknown as { touched: Set<string> }).touched])).toEqual(['p0500']);
    await page.getByLabel('Filter', { exact: true }).fill('p0999');
    await page.locator('#shown', { hasText: 'Showing 1 of 1000' }).waitFor(WAIT);
    process.stdout.write(
      `1,000 programs: snapshot applied in ${snapshotMs.toFixed(0)} ms in the page; a transition shown ${updateMs.toFixed(0)} ms after the call\n`,
    );
    expect(snapshotMs).toBeGreaterThanOrEqual(0);
    expect(snapshotMs).toBeLessThan(1000); // typically ~30 ms; generous for a loaded machine
  });
});
