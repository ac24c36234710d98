// Hosting: the built dist/ copied under a deep sub-path of a course site works as it does at a
// domain root (every asset, the wasm and the datasets are fetched relative to the page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, readout } from './harness.js';

const PREFIX = '/a/b/quantlab/';
let server; let browser;
before(async () => { server = await serveDist({ prefix: PREFIX }); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Every request the page made stayed under the app's folder on its own origin. */
function assertAllUnderPrefix(page) {
  const outside = page.requestsSeen.filter((u) => {
    const url = new URL(u);
    return url.origin !== server.origin || !url.pathname.startsWith(PREFIX);
  });
  assert.deepEqual(outside, [], `requests outside ${PREFIX}`);
}

async function openUnder(query, ready) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.problems = [];
  page.requestsSeen = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('requestfailed', (r) => page.problems.push(`requestfailed: ${r.url()}`));
  page.on('response', (r) => { if (r.status() >= 400) page.problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('request', (r) => { if (!r.url().startsWith('data:')) page.requestsSeen.push(r.url()); });
  await page.goto(server.url + query);
  await page.waitForSelector(ready, { timeout: 20000 });
  return page;
}

const LABS = [
  ['?lab=signal&bits=4', '[data-testid="snr-db"]'],
  ['?lab=weight', '[data-testid="wl-bits-per-weight"]'],
  ['?lab=memory', '[data-testid="mem-total-gib"]'],
  ['?lab=mlp', '[data-testid="train-status"]'],
];

for (const [query, ready] of LABS) {
  test(`served from ${PREFIX}, ${query} loads with no 404 and no request outside its folder`, async () => {
    const page = await openUnder(query, ready);
    assert.deepEqual(page.problems, []);
    assertAllUnderPrefix(page);
    // The wasm itself came from the sub-path.
    assert.ok(page.requestsSeen.some((u) => u.startsWith(server.origin + PREFIX) && u.endsWith('.wasm')),
      page.requestsSeen.join(' '));
    await page.close();
  });
}

test('the MLP lab fetches a shipped dataset from the sub-path', async () => {
  const page = await openUnder('?lab=mlp&dataset=digits&epochs=1', '[data-testid="train-status"]');
  await page.waitForSelector('[data-testid="acc-fp32"]', { timeout: 120000 });
  const acc = Number.parseFloat(await readout(page, 'acc-fp32'));
  assert.ok(acc > 0 && acc <= 100, `fp32 accuracy ${acc}`);
  assert.ok(page.requestsSeen.some((u) => u === `${server.origin}${PREFIX}assets/datasets/digits.csv.gz`),
    page.requestsSeen.join(' '));
  assert.deepEqual(page.problems, []);
  assertAllUnderPrefix(page);
  await page.close();
});

test('the lab links in the header stay inside the sub-path', async () => {
  const page = await openUnder('?lab=signal', '[data-testid="snr-db"]');
  await page.locator('nav a', { hasText: 'Weight lab' }).click();
  await page.waitForSelector('[data-testid="wl-bits-per-weight"]', { timeout: 20000 });
  assert.equal(new URL(page.url()).pathname, PREFIX);
  assert.deepEqual(page.problems, []);
  assertAllUnderPrefix(page);
  await page.close();
});

test(`served from ${PREFIX}, the Weight lab's worker starts from the sub-path and fills the comparison`, async () => {
  const page = await openUnder('?lab=weight&rows=1024&cols=512', '[data-testid="wl-bits-per-weight"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="wl-compare-row"]').length === 33, null, { timeout: 60000 });
  assert.equal(await page.locator('[data-testid="wl-compare-status"]').getAttribute('data-engine'), 'worker');
  assert.ok(page.requestsSeen.includes(`${server.origin}${PREFIX}worker.js`), page.requestsSeen.join(' '));
  assert.deepEqual(page.problems, []);
  assertAllUnderPrefix(page);
  await page.close();
});
