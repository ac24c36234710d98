// Embedding in course notes: snippets made by each lab's embed builder, pasted into a host page
// on another origin; the iframes load from a deep sub-path, stay interactive, follow their
// content's height, and nothing is fetched from any third origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { serveDist, launchBrowser, openApp, allowOrigin } from './harness.js';

const PREFIX = '/notes/quantlab/';
let app; let host; let hostHtml = '<p>not ready</p>'; let browser;

function serveHost() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(hostHtml);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/chapter-3.html`,
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  })));
}

before(async () => {
  app = await serveDist({ prefix: PREFIX });
  host = await serveHost();
  // The course page that embeds the app is a second origin of this machine, on purpose.
  allowOrigin(host.origin);
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await app?.close(); await host?.close(); });

/** Opens a lab, ticks views and controls in its embed builder, returns the snippet. */
async function snippetFrom(query, ready, { views = null, controls = [] }) {
  const page = await openApp(browser, app.url, query, ready);
  if (views) {
    for (const box of await page.locator('[data-testid^="embed-view-"]').all()) {
      const id = (await box.getAttribute('data-testid')).slice('embed-view-'.length);
      if (views.includes(id)) await box.check(); else await box.uncheck();
    }
  }
  for (const id of controls) await page.locator(`[data-testid="embed-control-${id}"]`).check();
  const snippet = await page.locator('[data-testid="embed-snippet"]').inputValue();
  assert.deepEqual(page.problems, []);
  await page.close();
  return snippet;
}

test('two labs embedded on another origin load, stay interactive and size their iframes', async () => {
  const signal = await snippetFrom('?lab=signal&bits=4', '[data-testid="snr-db"]',
    { views: ['signal'], controls: ['bits'] });
  const memory = await snippetFrom('?lab=memory', '[data-testid="mem-total-gib"]',
    { views: ['breakdown'], controls: ['preset'] });
  for (const s of [signal, memory]) {
    assert.match(s, new RegExp(`<iframe src="${app.origin}${PREFIX}\\?lab=`));
    assert.match(s, /embed=1/);
    assert.match(s, /<script>/);
  }
  hostHtml = `<!doctype html><html><head><meta charset="utf-8"><title>Chapter 3</title></head>
<body><h1>Chapter 3: quantization</h1><p>Move the bits:</p>${signal}<p>And the memory:</p>${memory}</body></html>`;

  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const problems = []; const origins = new Set();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
  page.on('request', (r) => { if (!r.url().startsWith('data:')) origins.add(new URL(r.url()).origin); });
  await page.goto(host.url);
  const frames = page.locator('iframe[data-quantlab-embed]');
  assert.equal(await frames.count(), 2);
  const sig = page.frameLocator('iframe[data-quantlab-embed] >> nth=0');
  const mem = page.frameLocator('iframe[data-quantlab-embed] >> nth=1');
  await sig.locator('[data-testid="snr-db"]').waitFor({ timeout: 20000 });
  await mem.locator('[data-testid="mem-total-gib"]').waitFor({ timeout: 20000 });

  // No site header or navigation inside; only the chosen control is visible.
  for (const f of [sig, mem]) {
    assert.equal(await f.locator('header.top').count(), 0);
    assert.equal(await f.locator('nav').count(), 0);
    assert.ok(await f.locator('[data-testid="open-in-quantlab"]').isVisible());
  }
  assert.ok(await sig.locator('[data-testid="bits"]').isVisible());
  assert.equal(await sig.locator('[data-testid="scheme"]').isVisible(), false);
  assert.ok(await mem.locator('[data-testid="preset"]').isVisible());
  assert.equal(await mem.locator('[data-testid="weights"]').isVisible(), false);

  // A control inside each iframe changes its readout.
  const snr4 = Number.parseFloat((await sig.locator('[data-testid="snr-db"]').textContent()).trim());
  await sig.locator('[data-testid="bits"]').fill('8');
  await sig.locator('[data-testid="bits"]').dispatchEvent('change');
  await page.waitForTimeout(300);
  const snr8 = Number.parseFloat((await sig.locator('[data-testid="snr-db"]').textContent()).trim());
  assert.ok(snr8 > snr4 + 20, `SNR ${snr4} → ${snr8} dB`);
  const total = async () => (await mem.locator('[data-testid="mem-total-gib"]').textContent()).trim();
  const before7b = await total();
  const options = await mem.locator('[data-testid="preset"] option').evaluateAll((os) => os.map((o) => o.value));
  await mem.locator('[data-testid="preset"]').selectOption(options.find((v) => v.includes('70b')) || options.at(-1));
  await page.waitForTimeout(300);
  assert.notEqual(await total(), before7b);

  // Each iframe is as tall as its content: no inner scrollbar.
  await page.waitForTimeout(500);
  for (let i = 0; i < 2; i++) {
    const frame = await frames.nth(i).elementHandle();
    const inner = await (await frame.contentFrame()).evaluate(
      () => Math.ceil(document.documentElement.getBoundingClientRect().height));
    const outer = await frames.nth(i).evaluate((f) => f.getBoundingClientRect().height);
    assert.notEqual(outer, 480, `iframe ${i} kept the snippet's initial height`);
    assert.ok(Math.abs(outer - inner) <= 2, `iframe ${i}: ${outer} px for ${inner} px of content`);
    const scroll = await (await frame.contentFrame()).evaluate(
      () => document.documentElement.scrollHeight - document.documentElement.clientHeight);
    assert.ok(scroll <= 1, `iframe ${i} scrolls by ${scroll} px`);
  }

  assert.deepEqual(problems, []);
  assert.deepEqual([...origins].sort(), [app.origin, host.origin].sort(), 'no third origin');
  await page.close();
});

const EMBEDS = [
  ['signal', '[data-testid="snr-db"]', ['error', 'snr-bits'], ['bits', 'scheme']],
  ['weight', '[data-testid="wl-bits-per-weight"]', ['histogram', 'packing'], ['wl-bits', 'wl-granularity']],
  ['memory', '[data-testid="mem-total-gib"]', ['course', 'gpu-fit'], ['preset', 'gpu']],
  ['mlp', '[data-testid="train-status"]', ['accuracy', 'int16'], ['dataset', 'epochs']],
];

for (const [lab, ready, views, controls, extra = ''] of EMBEDS) {
  test(`the ${lab} lab's embed shows exactly the chosen views and controls, without header or nav`, async () => {
    // The lab's own builder lists what it can embed.
    const full = await openApp(browser, app.url, `?lab=${lab}`, ready);
    const ids = async (prefix) => (await full.locator(`[data-testid^="${prefix}"]`).evaluateAll(
      (els, p) => els.map((e) => e.getAttribute('data-testid').slice(p.length)), prefix));
    const allViews = await ids('embed-view-');
    const allControls = await ids('embed-control-');
    await full.close();
    for (const v of views) assert.ok(allViews.includes(v), `${v} in ${allViews}`);
    for (const c of controls) assert.ok(allControls.includes(c), `${c} in ${allControls}`);

    const page = await openApp(browser, app.url,
      `?lab=${lab}${extra}&embed=1&views=${views.join(',')}&controls=${controls.join(',')}`, '[data-testid="open-in-quantlab"]');
    await page.waitForSelector(ready, { state: 'attached', timeout: 20000 });
    if (lab === 'mlp') await page.waitForSelector('[data-testid="acc-fp32"]', { state: 'attached', timeout: 120000 });
    await page.waitForTimeout(300);
    assert.equal(await page.locator('header.top').count(), 0);
    assert.equal(await page.locator('nav').count(), 0);
    assert.ok(await page.locator('[data-testid="open-in-quantlab"]').isVisible());
    assert.equal(await page.locator('[data-testid="embed-builder"]').isVisible(), false);
    for (const v of allViews) {
      const shown = await page.locator(`[data-view="${v}"]`).first().isVisible();
      assert.equal(shown, views.includes(v), `view ${v}`);
    }
    for (const c of allControls) {
      const el = page.locator(`[data-testid="${c}"]`).first();
      if (await el.count() === 0) continue; // a control this state does not offer
      assert.equal(await el.isVisible(), controls.includes(c), `control ${c}`);
    }
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}
