import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { API_TOKEN, cleanupScope, type Daemon, getJson, waitFor } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import type { LoopbackApi } from '../helpers/loopback-apis.js';
import { startThreeSources } from './three-sources.js';

/** Suite-level temp dirs, removed in the suite's after hook once hel has stopped. */
const dirs = cleanupScope();

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let browser: Browser;
let hel: Daemon;
let apis: LoopbackApi[];

before(async () => {
  try {
    execFileSync('sh', [join(REPO, 'scripts/ensure-chromium.sh')], { stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (err) {
    throw new Error(`the status page test needs Chromium at ${CHROMIUM}; scripts/ensure-chromium.sh could not provide it: ${(err as { stderr?: Buffer }).stderr?.toString() ?? String(err)}`, {
      cause: err,
    });
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  ({ hel, apis } = await startThreeSources(dirs, tempDir(dirs), { ok: 'okta-system-log', failing: 'github-audit', circuitOpen: '1password-signins' }));
  await waitFor(
    async () => {
      const sources = (await getJson(`${hel.urls.api!}/healthz`)).body.sources as { status: string }[];
      return sources.map((s) => s.status).join() === 'ok,failing,circuit-open';
    },
    10_000,
    'the three sources to settle',
  );
});

after(async () => {
  await browser?.close();
  const code = await hel?.stop();
  // The temp dir goes only once hel has stopped: its state file must outlive the run.
  await dirs.run();
  await Promise.all((apis ?? []).map((a) => a.close()));
  delete process.env.AUDIT_API_TOKEN;
  assert.equal(code, 0);
});

void test('the status page in Chromium: one row per source, failures marked, token from the fragment, no script from error text', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 520 } });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${hel.urls.api!}/#token=${API_TOKEN}`);
  await page.locator('tr[data-source]').nth(2).waitFor({ timeout: 5000 });
  assert.ok(!page.url().includes(API_TOKEN), 'the token is removed from the address bar');

  const rows = await Promise.all(
    (await page.locator('tr[data-source]').all()).map(async (tr) => ({
      name: await tr.getAttribute('data-source'),
      status: await tr.getAttribute('data-status'),
      problem: ((await tr.getAttribute('class')) ?? '').split(' ').includes('problem'),
      badge: await tr.locator('.badge').textContent(),
    })),
  );
  assert.deepEqual(rows, [
    { name: 'okta-system-log', status: 'ok', problem: false, badge: 'OK' },
    { name: 'github-audit', status: 'failing', problem: true, badge: 'Failing' },
    { name: '1password-signins', status: 'circuit-open', problem: true, badge: 'Circuit open' },
  ]);
  const errorText = await page.locator('tr[data-source="github-audit"] .error').textContent();
  assert.match(errorText ?? '', /500/);
  assert.equal(await page.locator('tr[data-source="okta-system-log"] td[data-label="Events"]').textContent(), '3');
  assert.equal(await page.locator('img').count(), 0, 'markup in remote error text stays text');

  await page.locator('#refresh', { hasText: 'updated' }).waitFor({ timeout: 8000 });
  assert.deepEqual(dialogs, []);

  const screenshot = process.env.HEL_UPDATE_SCREENSHOTS === '1' ? join(REPO, 'docs/status-page.png') : join(mkdtempSync(join(tmpdir(), 'hel-status-')), 'status-page.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
});

void test('the status page fits a phone screen without sideways scrolling', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await page.goto(`${hel.urls.api!}/#token=${API_TOKEN}`);
  await page.locator('tr[data-source]').nth(2).waitFor({ timeout: 5000 });
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  assert.equal(await page.locator('thead').isVisible(), false, 'rows become cards on a narrow screen');
  await page.screenshot({ path: join(mkdtempSync(join(tmpdir(), 'hel-status-')), 'status-page-phone.png'), fullPage: true });
  await page.close();
});
