// The status page on a 390 px phone and a 1280 px screen, and its controls: buttons disabled where
// they cannot apply, confirmation before stopping or restarting more than one process, Start all /
// Stop all / Restart all, collapsible groups, action messages with times that can be dismissed,
// CPU and memory with history charts, log lines with their times, log download, and the program
// form behind authentication. Headless Chromium from the Debian package (skipped with a notice
// when it is missing), real servers, real children. UPDATE_SCREENSHOTS=1 rewrites
// docs/status-page.png (1280 px) and docs/status-page-phone.png (390 px).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProcEntry } from '../../src/supervisor/proc-table.js';
import { node } from '../helpers/manager.js';
import { until, waitForState } from '../helpers/wait-for.js';
import { startStatusServer } from './status-page-server.js';

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
if (!hasChromium) console.warn(`NOTICE: ${CHROMIUM} is missing: the status page's layout and controls tests are skipped (apt-get install -y chromium).`);

const SLEEP = { command: 'sleep 1000', startsecs: 0, stopwaitsecs: 1 };
const ROOT = new URL('../../', import.meta.url);
const WAIT = { timeout: 8000 };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let browser: Browser;

async function openPage(base: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(`${base}/`);
  await page.locator('#live[data-live="open"]').waitFor(WAIT);
  return page;
}

const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

/** Widths of the document and the viewport, and the buttons of process and group rows lying (partly) outside the viewport. */
async function overflow(page: Page): Promise<{ scrollWidth: number; viewport: number; outside: string[]; buttons: number }> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const buttons = [...document.querySelectorAll<HTMLButtonElement>('#processes .c-actions button:not([hidden])')];
    const outside = buttons.filter((b) => {
      const r = b.getBoundingClientRect();
      return r.left < 0 || r.right > vw || r.width === 0;
    });
    return {
      scrollWidth: document.documentElement.scrollWidth,
      viewport: vw,
      outside: outside.map((b) => b.getAttribute('aria-label') ?? ''),
      buttons: buttons.length,
    };
  });
}

async function snap(page: Page, file: string): Promise<void> {
  const path = fileURLToPath(new URL(process.env.UPDATE_SCREENSHOTS ? `docs/${file}` : `.tmp/${file}`, ROOT));
  mkdirSync(dirname(path), { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path });
  expect(existsSync(path)).toBe(true);
}

/** Waits until the memory chart of `ns` has at least `n` samples (for a screenshot worth looking at). */
async function samples(page: Page, ns: string, n: number): Promise<void> {
  const count = () => page.locator(`tr[data-ns="${ns}"] .c-mem polyline`).evaluate((p) => (p.getAttribute('points') ?? '').split(' ').filter(Boolean).length);
  await expect.poll(count, { timeout: 4000 * n }).toBeGreaterThanOrEqual(n);
}

/** Lines the spawn error of `ns` takes. */
const spawnerrLines = (page: Page, ns: string) =>
  page
    .locator(`tr[data-ns="${ns}"] .c-spawnerr`)
    .evaluate((td) =>
      Math.round(
        (td.getBoundingClientRect().height - parseFloat(getComputedStyle(td).paddingTop) - parseFloat(getComputedStyle(td).paddingBottom)) /
          parseFloat(getComputedStyle(td).lineHeight),
      ),
    );

/** Programs in several states, one with a long spawn error, a group of two, a log with times. */
async function demo(pm: Awaited<ReturnType<typeof startStatusServer>>['pm']): Promise<void> {
  pm.addProcessGroup({ name: 'api', command: node('ready-then-idle.mjs'), startsecs: 0 });
  pm.addProcessGroup({
    name: 'queue',
    command: `sh -c 'i=0; while :; do i=$((i+1)); echo "$(date -u +%%Y-%%m-%%dT%%H:%%M:%%S.000Z) job $i done"; sleep 0.2; done'`,
    startsecs: 0,
  });
  pm.addProcessGroup({ name: 'web', ...SLEEP, numprocs: 2, process_name: 'web_%(process_num)02d' });
  pm.addProcessGroup({ name: 'mailer', command: "sh -c 'echo sending; exit 1'", startsecs: 0, autorestart: false });
  pm.addProcessGroup({ name: 'reports', command: '/opt/reports-2026/nightly/bin/build-monthly-revenue-report', startretries: 0 });
  pm.addProcessGroup({ name: 'nightly', ...SLEEP, autostart: false });
  for (const [ns, state] of [
    ['api', 'RUNNING'],
    ['queue', 'RUNNING'],
    ['web:web_01', 'RUNNING'],
    ['mailer', 'EXITED'],
    ['reports', 'FATAL'],
  ] as const)
    await waitForState(pm, ns, state);
}

describe.skipIf(!hasChromium)('status page layout and controls in Chromium', () => {
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 20_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('fits a 390 px phone: no horizontal overflow, every action on screen, the spawn error on at most two lines', async () => {
    const { pm, base } = await startStatusServer();
    await demo(pm);
    const page = await openPage(base, { viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await page.locator('tr[data-ns="api"] .c-mem .num').filter({ hasText: /B$/ }).waitFor(WAIT);
    const o = await overflow(page);
    expect(o.viewport).toBe(390);
    expect(o.scrollWidth).toBeLessThanOrEqual(390);
    expect(o.buttons).toBeGreaterThanOrEqual(7 * 5);
    expect(o.outside).toEqual([]);
    for (const name of ['Stop api', 'Start nightly', 'Show log of reports', 'Stop group web', 'Start all', 'New program'])
      expect(await button(page, name).isVisible(), name).toBe(true);
    expect(await spawnerrLines(page, 'reports')).toBeLessThanOrEqual(2);
    await samples(page, 'api', 4);
    await snap(page, 'status-page-phone.png');
  }, 60_000);

  it('fits 1280 px: no horizontal overflow, every action on screen; takes the README screenshot with a log open', async () => {
    const { pm, base } = await startStatusServer();
    await demo(pm);
    const page = await openPage(base, { viewport: { width: 1280, height: 900 } });
    await samples(page, 'api', 4);
    const o = await overflow(page);
    expect(o.scrollWidth).toBeLessThanOrEqual(1280);
    expect(o.outside).toEqual([]);
    expect(await spawnerrLines(page, 'reports')).toBeLessThanOrEqual(3);
    await button(page, 'Start mailer').click();
    await page.locator('#messages p').first().waitFor(WAIT);
    await button(page, 'Show log of queue').click();
    await page.locator('#log-output time.ts').nth(3).waitFor(WAIT);
    await button(page, 'Show log of queue').blur();
    await snap(page, 'status-page.png');
  }, 60_000);

  it('disables buttons that cannot apply, and follows the state live', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'web', ...SLEEP });
    pm.addProcessGroup({ name: 'idle', ...SLEEP, autostart: false });
    await waitForState(pm, 'web', 'RUNNING');
    const page = await openPage(base);
    expect(await button(page, 'Start web').isDisabled()).toBe(true);
    expect(await button(page, 'Stop web').isEnabled()).toBe(true);
    expect(await button(page, 'Stop idle').isDisabled()).toBe(true);
    expect(await button(page, 'Start idle').isEnabled()).toBe(true);
    expect(await button(page, 'Restart idle').isEnabled()).toBe(true);
    void pm.stopProcess('web');
    await page.locator('tr[data-ns="web"][data-state="STOPPED"]').waitFor(WAIT);
    await expect.poll(() => button(page, 'Stop web').isDisabled(), WAIT).toBe(true);
    expect(await button(page, 'Start web').isEnabled()).toBe(true);
    await button(page, 'Start web').click();
    await page.locator('tr[data-ns="web"][data-state="RUNNING"]').waitFor(WAIT);
    await expect.poll(() => button(page, 'Start web').isDisabled(), WAIT).toBe(true);
    // Start all is disabled only when nothing can start.
    expect(await button(page, 'Start all').isEnabled()).toBe(true);
    await button(page, 'Start idle').click();
    await page.locator('tr[data-ns="idle"][data-state="RUNNING"]').waitFor(WAIT);
    await expect.poll(() => button(page, 'Start all').isDisabled(), WAIT).toBe(true);
  });

  it('asks before stopping or restarting a group or everything; Cancel changes nothing', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'pool', ...SLEEP, numprocs: 2, process_name: 'w%(process_num)d' });
    pm.addProcessGroup({ name: 'web', ...SLEEP });
    await waitForState(pm, 'pool:w1', 'RUNNING');
    await waitForState(pm, 'web', 'RUNNING');
    const page = await openPage(base);
    const dialog = page.getByRole('dialog');

    await button(page, 'Stop group pool').click();
    await dialog.waitFor(WAIT);
    expect(await dialog.locator('#confirm-text').innerText()).toBe('Stop 2 processes of group pool?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden', ...WAIT });
    expect(pm.getProcessInfo('pool:w0').statename).toBe('RUNNING');

    await button(page, 'Stop group pool').click();
    await dialog.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.locator('tr[data-ns="pool:w1"][data-state="STOPPED"]').waitFor(WAIT);
    await page.locator('tr[data-ns="pool:w0"][data-state="STOPPED"]').waitFor(WAIT);
    expect(pm.getProcessInfo('web').statename).toBe('RUNNING');

    const webPid = pm.getProcessInfo('web').pid;
    await button(page, 'Restart all').click();
    expect(await dialog.locator('#confirm-text').innerText()).toBe('Restart all 3 processes?');
    await dialog.getByRole('button', { name: 'Restart all' }).click();
    await until(
      () => pm.getAllProcessInfo().every((p) => p.statename === 'RUNNING') && pm.getProcessInfo('web').pid !== webPid,
      () => JSON.stringify(pm.getAllProcessInfo().map((p) => [p.name, p.statename])),
      8000,
    );
    await page.locator('#messages', { hasText: 'web: restarted' }).waitFor(WAIT);

    await button(page, 'Stop all').click();
    expect(await dialog.locator('#confirm-text').innerText()).toBe('Stop all 3 processes?');
    await dialog.getByRole('button', { name: 'Stop all' }).click();
    await page.locator('#counts', { hasText: '3 processes: 3 STOPPED' }).waitFor(WAIT);
    await button(page, 'Start all').click(); // starting asks nothing
    await page.locator('#counts', { hasText: '3 processes: 3 RUNNING' }).waitFor(WAIT);
    expect(await dialog.isHidden()).toBe(true);
  });

  it('collapses a group (remembered across reloads); messages carry their time and can be dismissed', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'pool', ...SLEEP, numprocs: 2, process_name: 'w%(process_num)d', autostart: false });
    pm.addProcessGroup({ name: 'broken', command: '/nonexistent/procvisor-test', autostart: false, startretries: 0 });
    const page = await openPage(base);
    await button(page, 'Collapse group pool').click();
    expect(await page.locator('tr[data-ns="pool:w0"]').isHidden()).toBe(true);
    expect(await button(page, 'Expand group pool').getAttribute('aria-expanded')).toBe('false');
    expect(await button(page, 'Start group pool').isVisible()).toBe(true);
    await page.reload();
    await page.locator('#live[data-live="open"]').waitFor(WAIT);
    expect(await page.locator('tr[data-ns="pool:w1"]').isHidden()).toBe(true);
    await button(page, 'Expand group pool').click();
    expect(await page.locator('tr[data-ns="pool:w1"]').isVisible()).toBe(true);

    await button(page, 'Start broken').click();
    const message = page.locator('#messages p.error', { hasText: 'broken: no such file' });
    await message.waitFor(WAIT);
    expect(await message.locator('time').innerText()).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(Math.abs(Date.parse((await message.locator('time').getAttribute('datetime')) ?? '') - Date.now())).toBeLessThan(60_000);
    await message.getByRole('button', { name: /^Dismiss: Error: broken: no such file/ }).click();
    expect(await page.locator('#messages p').count()).toBe(0);
  });

  it('shows CPU and memory with a history chart; memory matches /proc', async () => {
    const { pm, base } = await startStatusServer();
    pm.addProcessGroup({ name: 'web', ...SLEEP });
    pm.addProcessGroup({ name: 'idle', ...SLEEP, autostart: false });
    await waitForState(pm, 'web', 'RUNNING');
    const usage = (await (await fetch(`${base}/status-page/usage.json`)).json()) as {
      at: number;
      processes: Record<string, { cpu: number | null; rss: number }>;
    };
    expect(Object.keys(usage.processes)).toEqual(['web']);
    const rssNow = (readProcEntry(pm.getProcessInfo('web').pid)?.rsspages ?? 0) * 4096;
    expect(usage.processes.web?.rss).toBeGreaterThan(0);
    expect(Math.abs((usage.processes.web?.rss ?? 0) - rssNow)).toBeLessThan(rssNow * 0.2);
    const page = await openPage(base);
    expect(await page.getByRole('columnheader').allInnerTexts()).toEqual(expect.arrayContaining(['CPU', 'Memory']));
    await page.locator('tr[data-ns="web"] .c-mem polyline[points*=" "]').waitFor({ state: 'attached', ...WAIT });
    expect(await page.locator('tr[data-ns="web"] .c-mem .num').innerText()).toMatch(/^\d+(\.\d)? (KB|MB)$/);
    expect(await page.locator('tr[data-ns="web"] .c-cpu .num').innerText()).toMatch(/^\d+(\.\d)?%$/);
    expect(await page.locator('tr[data-ns="web"] .c-mem svg').getAttribute('aria-label')).toMatch(/^last \d+ samples, peak /);
    expect(await page.locator('tr[data-ns="idle"] .c-mem').innerText()).toBe('');
  });

  it('shows log times in their own column and downloads the whole log file', async () => {
    const { pm, base } = await startStatusServer();
    const script = `echo '2026-12-03T14:02:11.123Z first line'; echo '{"time":"2026-12-03T14:02:12.000Z","process":"echo","stream":"stdout","line":"from json"}'; echo 'plain line'; sleep 1000`;
    pm.addProcessGroup({ name: 'echo', command: ['sh', '-c', script], startsecs: 0 });
    await waitForState(pm, 'echo', 'RUNNING');
    await until(
      () => pm.tailProcessStdoutLog('echo', 0, 1000)[0].includes('plain line'),
      () => 'no output yet',
    );
    const page = await openPage(base);
    await button(page, 'Show log of echo').click();
    await page.locator('#log-output', { hasText: 'plain line' }).waitFor(WAIT);
    expect(await page.locator('#log-output time.ts').allInnerTexts()).toEqual(['2026-12-03T14:02:11.123Z', '2026-12-03T14:02:12.000Z']);
    expect(await page.locator('#log-output').innerText()).toBe('2026-12-03T14:02:11.123Z first line\n2026-12-03T14:02:12.000Z from json\nplain line\n');

    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.getByRole('link', { name: 'Download stdout log of echo' }).click()]);
    expect(download.suggestedFilename()).toBe('echo-stdout.log');
    const saved = await download.path();
    expect(readFileSync(saved, 'utf8')).toBe(readFileSync(pm.getProcessInfo('echo').stdout_logfile, 'utf8'));
    expect((await fetch(`${base}/status-page/log/nope/stdout`)).status).toBe(404);
    expect((await fetch(`${base}/status-page/log/echo/other`)).status).toBe(404);
  });

  it('creates and edits a program through the form, with the page’s credentials; invalid input keeps the form open', async () => {
    const credentials = { username: 'admin', password: 'pa55word' };
    const { pm, base } = await startStatusServer({ credentials });
    const page = await openPage(base, { httpCredentials: credentials });
    const dialog = page.getByRole('dialog', { name: 'New program' });
    await button(page, 'New program').click();
    await dialog.getByLabel('Name', { exact: true }).fill('worker');
    await dialog.getByLabel('Command').fill('sleep 1000');
    await dialog.getByLabel('Processes').fill('2');
    await dialog.getByLabel('Start seconds').fill('0');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.locator('#program-error', { hasText: 'process_name' }).waitFor(WAIT); // numprocs 2 needs %(process_num)
    expect(await dialog.isVisible()).toBe(true);
    expect(pm.getGroupDetails('worker')).toBeUndefined();
    await dialog.getByLabel('Process name').fill('%(program_name)s_%(process_num)d');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.locator('#messages', { hasText: 'worker: created' }).waitFor(WAIT);
    await page.locator('tr[data-ns="worker:worker_1"][data-state="RUNNING"]').waitFor(WAIT);

    await button(page, 'Edit program worker').click();
    const edit = page.getByRole('dialog', { name: 'Edit program worker' });
    await edit.waitFor(WAIT);
    expect(await edit.getByLabel('Command').inputValue()).toBe('sleep 1000');
    expect(await edit.getByLabel('Name', { exact: true }).isEditable()).toBe(false);
    await edit.getByLabel('Environment').fill('QUEUE=high\nMODE=fast');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.locator('#messages', { hasText: 'worker: saved; applies at its next start' }).waitFor(WAIT);
    const auth = { Authorization: `Basic ${Buffer.from('admin:pa55word').toString('base64')}` };
    const stored = (await (await fetch(`${base}/api/programs/worker`, { headers: auth })).json()) as {
      program: { config: Record<string, unknown>; pending: boolean };
    };
    expect(stored.program.config).toEqual({
      name: 'worker',
      command: 'sleep 1000',
      numprocs: 2,
      startsecs: 0,
      process_name: '%(program_name)s_%(process_num)d',
      environment: { QUEUE: 'high', MODE: 'fast' },
    });
    expect(stored.program.pending).toBe(true);
    // Without the page's credentials the same request is refused.
    expect((await fetch(`${base}/api/programs/worker`)).status).toBe(401);
    await pm.stopProcessGroup('worker');
  });
});
