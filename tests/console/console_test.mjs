// The web console in a real browser: Debian's Chromium driven by Playwright (playwright-core)
// against a real `kizuna serve` with the three-nation fixture (fixture.py). Sign-in, search,
// publishing REL TO USA, JPN (USA sees it in the console and over TAXII, KOR nowhere), XSS
// probes, CSRF, session expiry, an organisation admin's Organisation page, the exercises and
// the brief (RED results never shown to USA, none to KOR), axe-core on every page, screenshots,
// both languages.
//   KIZUNA_BIN=... KIZUNA_CONSOLE_DIR=... KIZUNA_SHOTS=DIR node --test tests/console/console_test.mjs
// Skips (exit 0 with a message) only when chromium is absent.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServing } from './serving.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, '..', '..', 'web');
const require = createRequire(join(web, 'package.json'));
const chromiumPath = process.env.KIZUNA_CHROMIUM ?? '/usr/bin/chromium';
const shots = process.env.KIZUNA_SHOTS ?? join(here, '..', '..', 'build', 'test', 'console-shots');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const startFixture = (args = []) => startServing(join(here, 'fixture.py'), args);

// A TAXII or API request with a bearer token, outside the browser.
async function bearer(f, who, path, init = {}) {
  const r = await fetch(f.url + path, { ...init, headers: { Authorization: 'Bearer ' + f.tokens[who],
    Accept: path.startsWith('/intel/') ? 'application/taxii+json;version=2.1' : 'application/json', ...(init.headers ?? {}) } });
  return { status: r.status, body: await r.text() };
}

const skip = !existsSync(chromiumPath) && `chromium is absent (${chromiumPath}): scripts/install-deps --test installs it`;
if (skip) console.log('SKIP: ' + skip);

describe('web console', { skip }, () => {
  let f;
  let browser;
  const problems = [];  // dialogs, page errors, CSP violations: none may happen

  before(async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';  // the fixture's self-signed certificate, loopback only
    mkdirSync(shots, { recursive: true });
    f = await startFixture();
    const { chromium } = require('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    await f?.stop();
  });

  async function open(lang = 'en') {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 },
                                               locale: lang === 'ja' ? 'ja-JP' : 'en-US' });
    const page = await context.newPage();
    page.on('dialog', (d) => {
      problems.push('dialog: ' + d.message());
      d.dismiss();
    });
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) problems.push('console: ' + m.text());
    });
    await page.goto(f.url + '/console/');
    return page;
  }

  async function signIn(who, lang = 'en') {
    const page = await open(lang);
    await page.getByLabel(lang === 'ja' ? 'ユーザー名' : 'User name', { exact: true }).fill(f.users[who]);
    await page.getByLabel(lang === 'ja' ? 'パスワード' : 'Password', { exact: true }).fill(f.password);
    await page.locator('form.signin button[type=submit]').click();
    await page.locator('nav').waitFor();
    return page;
  }

  async function painted(page) {
    await page.waitForFunction(() => performance.getEntriesByName('kz-painted').length > 0);
  }

  async function axe(page, name) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [],
                     `axe on ${name}`);
  }

  async function shot(page, name) {
    await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
  }

  async function visit(page, hash) {
    await page.evaluate(() => performance.clearMarks('kz-painted'));
    await page.evaluate((h) => (location.hash = h), hash);
    await painted(page);
  }

  it('signs in with a password or a token, and refuses a wrong password', async () => {
    const page = await open();
    await axe(page, 'sign-in');
    await shot(page, 'signin');
    await page.getByLabel('User name', { exact: true }).fill(f.users.usa);
    await page.getByLabel('Password', { exact: true }).fill('wrong');
    await page.locator('form.signin button[type=submit]').click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /Sign-in failed/);
    await page.getByLabel('API token').check();
    await page.getByLabel('Token', { exact: true }).fill(f.tokens.usa);
    await page.locator('form.signin button[type=submit]').click();
    await page.locator('nav').waitFor();
    assert.match(await page.locator('header .who').innerText(), /usa-analyst \(USA\)/);
    await page.context().close();
  });

  it('shows the dashboard with flows, the chart and partners, and every page; axe finds nothing serious', async () => {
    const page = await signIn('admin');
    await painted(page);
    await page.locator('.chart canvas').waitFor();
    assert.equal(await page.locator('table.flow').count(), 2);
    await axe(page, 'dashboard');
    await shot(page, 'dashboard');
    for (const [hash, name] of [['#/collections', 'collections'], ['#/sightings', 'sightings'], ['#/partners', 'partners'],
                                ['#/upload', 'upload'], ['#/audit', 'audit']]) {
      await visit(page, hash);
      await axe(page, name);
      await shot(page, name);
    }
    assert.ok(await page.locator('table.audit tbody tr').count() > 0, 'an admin reads the audit log');
    await page.context().close();
  });

  it('searches and opens an object page with its marking banner, fields, sightings and relationships', async () => {
    const page = await signIn('usa');
    await visit(page, '#/browse');
    await page.getByLabel('Search', { exact: true }).fill('Lazarus');
    await page.locator('form.filters button[type=submit]').click();
    await page.locator('table.results').waitFor();
    const names = await page.locator('table.results tbody tr td:first-child').allInnerTexts();
    assert.ok(names.includes('Lazarus staging server'), names.join('|'));
    assert.ok(names.includes('Lazarus REL USA JPN beacon'), 'USA reads REL TO USA, JPN');
    assert.ok(!names.some((n) => n.includes('red-only')), 'TLP:RED never shows to USA');
    await axe(page, 'browse');
    await shot(page, 'browse');
    await page.evaluate(() => performance.clearMarks('kz-painted'));
    await page.getByRole('link', { name: 'Lazarus staging server' }).click();
    await painted(page);
    assert.match(await page.locator('.banner').innerText(), /TLP:GREEN/);
    assert.match(await page.locator('dl.fields').innerText(), /Staging server seen/);
    assert.match(await page.locator('main').innerText(), /related-to/);
    assert.match(await page.locator('main').innerText(), /sighting--00000000-0000-4000-8000-000000000101/);
    await axe(page, 'object');
    await shot(page, 'object');
    await page.context().close();
  });

  it('renders markup and javascript: URLs of objects inert (XSS probes)', async () => {
    const page = await signIn('kor');
    const before = problems.length;
    await visit(page, '#/object/' + encodeURIComponent(f.ids.xss));
    const main = page.locator('main');
    assert.match(await main.innerText(), /<img src=x onerror=/, 'the markup shows as text');
    assert.match(await main.innerText(), /<svg onload=alert\(1\)>/, 'the pattern literal shows as text');
    assert.equal(await main.locator('img, script, svg, iframe, object, embed').count(), 0, 'no element created');
    assert.equal(await page.locator('a[href^="javascript:"], a[href^="data:"]').count(), 0, 'no javascript: or data: link');
    assert.equal(await page.getByRole('link', { name: 'probe good' }).getAttribute('href'), 'https://example.org/report');
    assert.match(await main.locator('ul.refs').innerText(), /javascript:window\.kzXss=1/, 'the URL shows as inert text');
    await page.getByText('STIX JSON').click();
    await visit(page, '#/browse?q=Probe');
    await page.locator('table.results').waitFor();
    assert.match(await main.innerText(), /Probe <img/);
    assert.equal(await main.locator('img, script, svg').count(), 0);
    await page.waitForTimeout(300);  // give an injected handler the chance to fire (it must not)
    assert.equal(await page.evaluate(() => window.kzXss), undefined);
    assert.deepEqual(problems.slice(before), []);
    await page.context().close();
  });

  it('publishes REL TO USA, JPN with a live-validated pattern and the release preview', async () => {
    const page = await signIn('jpn');
    await visit(page, '#/publish');
    const name = 'Console published beacon ' + Date.now();
    await page.locator('form.publish select[name=collection]').selectOption({ label: 'Alliance' });
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('STIX pattern').fill("[ipv4-addr:value = '203.0.113.9' AND ]");
    const error = page.locator('.pattern-error');
    await error.waitFor();
    assert.ok((await error.locator('mark').innerText()).length > 0, 'the offending token is marked');
    assert.match(await error.locator('p.error').innerText(), /Error at byte \d+/);
    await page.getByLabel('STIX pattern').fill("[ipv4-addr:value = '203.0.113.9']");
    await page.locator('#pattern-status.ok').waitFor();
    await page.getByRole('radio', { name: 'TLP:GREEN' }).check();
    await page.getByRole('checkbox', { name: 'USA' }).check();
    await page.getByRole('checkbox', { name: 'JPN' }).check();
    const receives = page.locator('table.receives-table');
    await page.waitForFunction(() => !document.querySelector('.release-preview .notice')
      && document.querySelector('table.receives-table tbody tr'));
    const yes = await receives.locator('tbody').innerText();
    const no = await page.locator('table.withheld-table tbody').innerText();
    assert.match(yes, /USA/);
    assert.match(no, /KOR/);
    assert.doesNotMatch(yes, /KOR/);
    await axe(page, 'publish');
    await shot(page, 'publish-preview');
    await page.locator('button.primary').click();
    await page.locator('.saved').waitFor();
    assert.match(await page.locator('.saved').innerText(), /1 accepted, 0 refused|accepted/);
    const id = await page.locator('.saved a').innerText();
    await page.context().close();

    // USA: in the console and over TAXII.
    const usa = await signIn('usa');
    await visit(usa, '#/browse?q=' + encodeURIComponent('Console published beacon'));
    assert.ok((await usa.locator('table.results').innerText()).includes(name));
    await visit(usa, '#/object/' + encodeURIComponent(id));
    assert.match(await usa.locator('.banner').innerText(), /REL TO (USA, JPN|JPN, USA)/);
    await usa.context().close();
    const taxiiUsa = await bearer(f, 'usa', f.taxii + 'objects/' + id + '/');
    assert.equal(taxiiUsa.status, 200, taxiiUsa.body);
    assert.ok(taxiiUsa.body.includes(name));

    // KOR: nowhere, not in search, not on the object page, not over TAXII.
    const kor = await signIn('kor');
    await visit(kor, '#/browse?q=' + encodeURIComponent('Console published beacon'));
    assert.ok(!(await kor.locator('main').innerText()).includes(name));
    await visit(kor, '#/object/' + encodeURIComponent(id));
    assert.match(await kor.locator('main').innerText(), /Not found/);
    assert.ok(!(await kor.locator('main').innerText()).includes(name));
    await kor.context().close();
    const taxiiKor = await bearer(f, 'kor', f.taxii + 'objects/' + id + '/');
    assert.equal(taxiiKor.status, 404, taxiiKor.body);
    assert.ok(!taxiiKor.body.includes(name));
    const all = await bearer(f, 'kor', f.taxii + 'objects/?match[id]=' + id);
    assert.ok(!all.body.includes(name));
  });

  it('lets an organisation admin manage its own users on the Organisation page', async () => {
    const page = await signIn('kadmin');
    assert.equal(await page.getByRole('link', { name: 'Partners' }).count(), 0, 'partners are for node admins');
    await page.getByRole('link', { name: 'Organisation' }).click();
    await painted(page);
    const users = page.locator('table.users tbody');
    await users.waitFor();
    assert.match(await users.innerText(), /kor-analyst/);
    assert.doesNotMatch(await page.locator('main').innerText(), /jpn-analyst|usa-analyst|jpn-admin/);
    assert.equal(await page.getByRole('checkbox', { name: 'Node admin' }).count(), 0, 'no node-admin to grant');
    await page.locator('form.add-user input[name=name]').fill('kor-console-new');
    await page.locator('form.add-user button[type=submit]').click();
    const row = page.locator('table.users tbody tr', { hasText: 'kor-console-new' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Issue a token' }).click();
    const secret = page.locator('p.secret output');
    await secret.waitFor();
    f.tokens.issued = (await secret.innerText()).trim();
    const read = await bearer(f, 'issued', f.taxii + 'objects/');
    assert.equal(read.status, 200, 'the issued token reads as kor-console-new, a KOR reader');
    assert.ok(!read.body.includes('red-only'));
    await axe(page, 'organisation');
    await shot(page, 'organisation');
    await page.context().close();
  });

  it('refuses a write without the CSRF token', async () => {
    const page = await signIn('jpn');
    const post = (token) => page.evaluate(async ([path, csrf]) => {
      const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
      if (csrf !== null) headers['X-CSRF-Token'] = csrf;
      const r = await fetch(path, { method: 'POST', headers, credentials: 'same-origin',
        body: JSON.stringify({ type: 'indicator', spec_version: '2.1', id: 'indicator--00000000-0000-4000-8000-0000000000c5',
          created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', pattern: "[ipv4-addr:value = '203.0.113.5']",
          pattern_type: 'stix', valid_from: '2026-01-01T00:00:00Z' }) });
      return r.status;
    }, [`/api/v1/collections/${f.collections.alliance}/objects`, token]);
    assert.equal(await post(null), 403);
    assert.equal(await post('forged'), 403);
    await page.context().close();
  });

  it('forgets the last user on sign-out: the next user of the page sees only their own collections', async () => {
    const page = await signIn('jpn');
    await visit(page, '#/collections');
    assert.match(await page.locator('main').innerText(), /JPN internal/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User name', { exact: true }).fill(f.users.kor);
    await page.getByLabel('Password', { exact: true }).fill(f.password);
    await page.locator('form.signin button[type=submit]').click();
    await page.locator('nav').waitFor();
    await visit(page, '#/sightings');  // the hash still names the last page: move off it first
    await visit(page, '#/collections');
    assert.match(await page.locator('main').innerText(), /Alliance/);
    assert.doesNotMatch(await page.locator('main').innerText(), /JPN internal/);
    await visit(page, '#/upload');
    assert.equal(await page.locator('select[name=collection] option').count(), 0, 'KOR may write nowhere');
    await page.context().close();
  });

  it('lists the exercises held and opens one: teams, objectives, after-action report; RED and KOR see nothing', async () => {
    const page = await signIn('usa');
    await visit(page, '#/exercises');
    const listed = await page.locator('table.exercises tbody tr').allInnerTexts();
    assert.equal(listed.length, 1, listed.join('|'));
    assert.match(listed[0], /Alliance Drill/);
    assert.doesNotMatch(await page.locator('main').innerText(), /Crimson|crimson/, 'a TLP:RED result never shows to USA');
    await axe(page, 'exercises');
    await shot(page, 'exercises');
    await page.evaluate(() => performance.clearMarks('kz-painted'));
    await page.getByRole('link', { name: 'Alliance Drill' }).click();
    await painted(page);
    assert.match(await page.locator('.banner').innerText(), /TLP:GREEN/);
    assert.match(await page.locator('table.teams').innerText(), /jpn-blue[\s\S]*0\.813|jpn-blue[\s\S]*0\.812/);
    assert.match(await page.locator('table.objectives').innerText(), /share-c2 <img src=x/, 'scoreboard text stays text');
    await axe(page, 'exercise');
    await shot(page, 'exercise');
    const href = await page.getByRole('link', { name: /after-action report/ }).getAttribute('href');
    const aar = await page.context().request.get(f.url + href);
    assert.equal(aar.status(), 200);
    assert.match(aar.headers()['content-disposition'], /attachment; filename="aar-alliance-drill.html"/);
    assert.match(await aar.text(), /Alliance Drill/);
    await page.context().close();
    const kor = await signIn('kor');
    await visit(kor, '#/exercises');
    assert.equal(await kor.locator('table.exercises').count(), 0);
    assert.match(await kor.locator('main').innerText(), /No exercise results/);
    await kor.context().close();
  });

  it('produces the brief for the signed-in user, shown and downloadable, counting only what it reads', async () => {
    const page = await signIn('usa');
    await visit(page, '#/brief');
    await page.getByRole('button', { name: 'Produce the brief' }).click();
    await page.locator('table.headline').waitFor();
    const main = await page.locator('main').innerText();
    assert.match(main, /Alliance Drill/);
    for (const hidden of ['Crimson', 'red-only']) assert.ok(!main.includes(hidden), hidden);
    await axe(page, 'brief');
    await shot(page, 'brief');
    const href = await page.getByRole('link', { name: 'Download the brief (HTML)' }).getAttribute('href');
    const brief = await page.context().request.get(f.url + href);
    assert.equal(brief.status(), 200);
    assert.match(brief.headers()['content-disposition'], /^attachment; filename="brief-/);
    const text = await brief.text();
    assert.match(text, /Alliance Drill/);
    for (const hidden of ['Crimson', 'red-only', f.ids.jpn_only]) assert.ok(!text.includes(hidden), hidden);
    const pdfHref = await page.getByRole('link', { name: 'Download the brief (PDF)' }).getAttribute('href');
    const pdf = await page.context().request.get(f.url + pdfHref);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
    assert.equal(await page.getByLabel(/^Audience/).count(), 0, 'only node administrators choose the audience');
    await page.context().close();
  });

  it('lets a node administrator produce the brief of another nation, through its released read', async () => {
    const page = await signIn('admin');
    await visit(page, '#/brief');
    await page.getByLabel(/^Audience/).fill('KOR');
    await page.getByRole('button', { name: 'Produce the brief' }).click();
    await page.locator('table.headline').waitFor();
    const main = await page.locator('main').innerText();
    for (const hidden of ['Crimson', 'red-only']) assert.ok(!main.includes(hidden), hidden);
    await axe(page, 'brief (audience)');
    await shot(page, 'brief-audience');
    await page.context().close();
  });

  it('switches to Japanese from the one catalogue, with no message missing', async () => {
    const en = JSON.parse(readFileSync(join(web, 'src/i18n/en.json'), 'utf8'));
    const ja = JSON.parse(readFileSync(join(web, 'src/i18n/ja.json'), 'utf8'));
    assert.deepEqual(Object.keys(ja).sort(), Object.keys(en).sort());
    const page = await signIn('jpn');
    await painted(page);
    await page.getByLabel('Language').selectOption('ja');
    await page.locator('nav >> text=ダッシュボード').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');
    await page.locator('.chart canvas').waitFor();
    await axe(page, 'dashboard (ja)');
    await shot(page, 'dashboard-ja');
    for (const hash of ['#/collections', '#/browse?q=Lazarus', '#/object/' + encodeURIComponent(f.ids.shared),
                        '#/sightings', '#/partners', '#/publish', '#/upload', '#/exercises', '#/brief', '#/audit']) {
      await visit(page, hash);
    }
    assert.match(await page.locator('main h1').innerText(), /監査ログ/);
    assert.deepEqual(await page.evaluate(() => [...window.kzMissingMessages]), []);
    await page.context().close();
  });

  it('had no dialog, page error or CSP violation anywhere', () => {
    assert.deepEqual(problems, []);
  });
});

describe('session expiry', { skip }, () => {
  it('an idle session ends and the console asks to sign in again', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const f = await startFixture(['--idle-timeout', '2']);
    const { chromium } = require('playwright-core');
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    try {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      await page.goto(f.url + '/console/');
      await page.getByLabel('User name', { exact: true }).fill(f.users.usa);
      await page.getByLabel('Password', { exact: true }).fill(f.password);
      await page.locator('form.signin button[type=submit]').click();
      await page.locator('nav').waitFor();
      await page.waitForTimeout(3500);
      await page.getByRole('link', { name: 'Collections' }).click();
      await page.locator('form.signin').waitFor();
      assert.match(await page.locator('main').innerText(), /session has ended/);
      const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
      assert.equal(status, 401);
    } finally {
      await browser.close();
      await f.stop();
    }
  });
});
