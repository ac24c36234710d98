// Accessibility: axe-core (npm, injected into the page; nothing is fetched) finds no violation
// on any lab or embed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { serveDist, launchBrowser, openApp } from './harness.js';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const PAGES = [
  ['?lab=signal', '[data-testid="snr-db"]'],
  ['?lab=signal&compare=true&source=drawn', '[data-testid="snr-db"]'],
  ['?lab=weight', '[data-testid="wl-bits-per-weight"]'],
  ['?lab=weight&source=drawn', '[data-testid="wl-drawn-canvas"]'],
  ['?lab=memory', '[data-testid="mem-total-gib"]'],
  ['?lab=memory&mode=training', '[data-testid="mem-total-gib"]'],
  ['?lab=mlp', '[data-testid="acc-fp32"]'],
  ['?lab=signal&embed=1&views=signal,error&controls=bits,scheme', '[data-testid="open-in-quantlab"]'],
  ['?lab=weight&embed=1&views=histogram,packing&controls=wl-bits', '[data-testid="open-in-quantlab"]'],
  ['?lab=memory&embed=1&views=course,breakdown&controls=preset', '[data-testid="open-in-quantlab"]'],
  ['?lab=mlp&embed=1&views=accuracy&controls=dataset', '[data-testid="open-in-quantlab"]'],
];

for (const [query, ready] of PAGES) {
  test(`axe-core finds no violation on ${query}`, async () => {
    const page = await openApp(browser, server.url, query, ready);
    await page.waitForTimeout(400);
    // Evaluated by the test driver: the page's Content-Security-Policy refuses inline scripts.
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`));
    assert.deepEqual(violations, []);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}
