// SVG export: every figure downloads as a valid SVG document whose text holds its axis labels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serveDist, launchBrowser, openApp } from './harness.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Clicks an export button and returns the downloaded file's name and text. */
async function download(page, testid) {
  const button = page.locator(`[data-testid="${testid}"]`);
  await button.scrollIntoViewIfNeeded();
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: dl.suggestedFilename(), text: fs.readFileSync(await dl.path(), 'utf8') };
}

/** Parses `text` as XML in the page: the root element's name and the text of its <text> nodes. */
async function parseSvg(page, text) {
  return page.evaluate((t) => {
    const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
    const err = doc.querySelector('parsererror');
    return {
      error: err ? err.textContent : null,
      root: doc.documentElement.nodeName,
      text: [...doc.querySelectorAll('text')].map((n) => n.textContent).join(' | '),
    };
  }, text);
}

const CASES = [
  ['?lab=signal&bits=4', '[data-testid="snr-db"]', [
    ['export-signal-svg', ['amplitude']],
    ['export-error-svg', ['e(n)']],
    ['export-transfer-svg', ['Q(x)']],
    ['export-error-hist-svg', ['e(n)', 'count']],
    ['export-snr-bits-svg', ['bits', 'SNR (dB)']],
    ['export-snr-level-svg', ['input level (dB below full scale)', 'SNR (dB)']],
    ['export-clip-svg', ['clip threshold α', 'MSE']],
  ]],
  ['?lab=weight&granularity=channel', '[data-testid="wl-bits-per-weight"]', [
    ['export-wl-hist-svg', ['weight', 'count']],
    ['export-wl-scales-svg', ['scale S', 'groups']],
    ['export-wl-heat-svg', ['column', 'row']],
  ]],
  ['?lab=memory', '[data-testid="mem-total-gib"]', [['export-memory-svg', ['GiB (1024³ bytes)']]]],
  ['?lab=mlp', '[data-testid="acc-fp32"]', [['export-training-svg', ['epoch', 'accuracy (%)']]]],
];

for (const [query, ready, figures] of CASES) {
  test(`${query}: each figure's SVG export is a valid SVG with its axis labels`, async () => {
    const page = await openApp(browser, server.url, query, ready);
    await page.waitForTimeout(500);
    for (const [testid, labels] of figures) {
      const { name, text } = await download(page, testid);
      assert.match(name, /\.svg$/, testid);
      const svg = await parseSvg(page, text);
      assert.equal(svg.error, null, `${testid}: ${svg.error}`);
      assert.equal(svg.root, 'svg', testid);
      for (const label of labels) assert.ok(svg.text.includes(label), `${testid}: "${label}" not in ${svg.text.slice(0, 300)}`);
    }
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}
