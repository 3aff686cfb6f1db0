// The console's speed in Chromium, measured through the Performance API: the dashboard's
// first load (navigation start to its data and chart painted, a fresh page each time) and
// click-to-paint of a list (collections, sightings), a search and an object page (the
// console marks "kz-click" on the click and "kz-painted" a frame after the page's data are on
// screen). Run on a large store and on a small baseline store in the same run; prints one
// JSON line with p50/p95 per kind, the ratios large/baseline, and app.js's compressed size.
//   node bench/console/console_bench.mjs KIZUNA_BIN [--objects 100000] [--baseline 1000] [--runs 20]
//                                        [--keep DIR]
// --keep DIR: each store is built once in DIR/N and kept, so another binary (a baseline) is
// measured on the same stores.
// KIZUNA_CONSOLE_DIR: the built console (default build/test/console).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startServing } from '../../tests/console/serving.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(join(root, 'web', 'package.json'));
const { chromium } = require('playwright-core');

const argv = process.argv.slice(2);
const kizuna = argv.find((a) => !a.startsWith('--'));
const option = (name, fallback) => {
  const i = argv.indexOf('--' + name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
if (!kizuna) {
  console.error('usage: node bench/console/console_bench.mjs KIZUNA_BIN [--objects N] [--baseline N] [--runs N] [--keep DIR]');
  process.exit(2);
}
const objects = option('objects', 100000);
const baseline = option('baseline', 1000);
const runs = option('runs', 20);
const keep = argv.includes('--keep') ? argv[argv.indexOf('--keep') + 1] : null;
const consoleDir = process.env.KIZUNA_CONSOLE_DIR ?? join(root, 'build', 'test', 'console');
process.env.KIZUNA_CONSOLE_DIR = consoleDir;

const startStore = (n) => startServing(join(here, 'store.py'),
  [kizuna, String(n), ...(keep ? ['--keep', join(keep, String(n))] : [])]);

function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] * 10) / 10 : null;
}

const summary = (values) => ({ p50: quantile(values, 0.5), p95: quantile(values, 0.95), n: values.length });

async function painted(page) {
  await page.waitForFunction(() => performance.getEntriesByName('kz-painted').length > 0, null, { timeout: 60000 });
}

// Milliseconds from the last click to the paint that followed it.
async function clickToPaint(page, click) {
  await page.evaluate(() => {
    performance.clearMarks('kz-painted');
    performance.clearMarks('kz-click');
  });
  await click();
  await painted(page);
  return page.evaluate(() => performance.getEntriesByName('kz-painted')[0].startTime
    - performance.getEntriesByName('kz-click').at(-1).startTime);
}

async function measure(browser, store) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(store.url + '/console/');
  await page.getByLabel('User name', { exact: true }).fill('usa-analyst');
  await page.getByLabel('Password', { exact: true }).fill(store.password);
  await page.locator('form.signin button[type=submit]').click();
  await painted(page);
  const state = await context.storageState();
  const dashboard = [];
  for (let i = 0; i < Math.max(5, runs / 2); i++) {
    const c = await browser.newContext({ ignoreHTTPSErrors: true, storageState: state });
    const p = await c.newPage();
    await p.goto(store.url + '/console/#/dashboard');
    await painted(p);
    await p.locator('.chart canvas').waitFor();
    dashboard.push(await p.evaluate(() => performance.getEntriesByName('kz-painted')[0].startTime));
    await c.close();
  }
  const list = [];
  const search = [];
  const object = [];
  for (let i = 0; i < runs; i++) {
    list.push(await clickToPaint(page, () => page.getByRole('link', { name: 'Collections' }).click()));
    list.push(await clickToPaint(page, () => page.getByRole('link', { name: 'Sightings' }).click()));
    await page.getByRole('link', { name: 'Objects' }).click();
    await page.getByLabel('Search', { exact: true }).fill(['lazarus beacon', 'kimsuky loader', 'phishing staging'][i % 3]);
    search.push(await clickToPaint(page, () => page.locator('form.filters button[type=submit]').click()));
    const links = page.locator('table.results tbody a');
    const n = await links.count();
    if (n) object.push(await clickToPaint(page, () => links.nth(i % n).click()));
  }
  await context.close();
  return { dashboard_first_load_ms: summary(dashboard), list_ms: summary(list), search_ms: summary(search),
           object_ms: summary(object) };
}

const browser = await chromium.launch({ executablePath: process.env.KIZUNA_CHROMIUM ?? '/usr/bin/chromium',
                                        args: ['--no-sandbox'] });
const results = {};
try {
  for (const n of [baseline, objects]) {
    const store = await startStore(n);
    try {
      results[n] = { import_s: store.import_s, ...(await measure(browser, store)) };
    } finally {
      await store.stop();
    }
  }
} finally {
  await browser.close();
}
const big = results[objects];
const small = results[baseline];
const ratio = (k) => (small[k].p95 ? Math.round((big[k].p95 / small[k].p95) * 100) / 100 : null);
const app = readFileSync(join(consoleDir, 'app.js'));
console.log(JSON.stringify({
  bench: 'console', objects, baseline_objects: baseline, runs, large: big, baseline: small,
  ratio_p95_large_to_baseline: { dashboard: ratio('dashboard_first_load_ms'), list: ratio('list_ms'),
                                 search: ratio('search_ms'), object: ratio('object_ms') },
  goals: { dashboard_ms: 1000, page_p95_ms: 200, app_js_gzip_bytes: 250 * 1024 },
  app_js_bytes: app.length, app_js_gzip_bytes: gzipSync(app, { level: 9 }).length,
  charts_js_gzip_bytes: gzipSync(readFileSync(join(consoleDir, 'charts.js')), { level: 9 }).length,
}));
