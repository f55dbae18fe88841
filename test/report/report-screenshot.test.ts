import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from '../helpers/report-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SCREENSHOT = join(REPO, 'docs/report-screenshot.png');

before(() => {
  // The project's own script installs Chromium when missing (as root, via apt-get); never skip.
  try {
    execFileSync('sh', [join(REPO, 'scripts/ensure-chromium.sh')], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    assert.fail(`Chromium is required for the HTML report screenshot test and scripts/ensure-chromium.sh could not provide it: ${stderr || String(err)}`);
  }
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing after scripts/ensure-chromium.sh`);
});

void test('the HTML report renders in headless Chromium', async (t) => {
  const dir = tempDir(t);
  const html = join(dir, 'report.html');
  const r = await runCli(['report', '--input', ...writeFixture(dir), '--format', 'html', '--out', html, '--token-expiry', '2027-06-30T00:00:00Z']);
  assert.equal(r.code, 0, r.stderr);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  const requests: string[] = [];
  page.on('request', (req) => requests.push(req.url()));
  await page.goto(pathToFileURL(html).href);
  assert.deepEqual(
    requests.filter((u) => !u.startsWith('file:')),
    [],
    'the report must not load anything from the network',
  );
  assert.equal(await page.locator('h2').count(), 7);
  assert.equal((await page.locator('svg.chart').count()) >= 3, true);

  const update = process.env.HEL_UPDATE_SCREENSHOTS === '1';
  const out = update ? SCREENSHOT : join(dir, 'report-screenshot.png');
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  const png = readFileSync(out);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
  assert.ok(png.length > 30_000, `screenshot is suspiciously small (${png.length} bytes)`);
  assert.equal(png.readUInt32BE(16), 1200, 'PNG width');

  // Print layout: the summary page breaks before the detail sections.
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10_000);
});
