// Phones and small iframes: no sideways scroll at 360 × 740 on any lab or embed, and on a
// narrow screen the figure stays in view while a control changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser } from './harness.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const PAGES = [
  ['?lab=signal', '[data-testid="snr-db"]'],
  ['?lab=signal&compare=true', '[data-testid="snr-db"]'],
  ['?lab=weight', '[data-testid="wl-bits-per-weight"]'],
  ['?lab=memory', '[data-testid="mem-total-gib"]'],
  ['?lab=mlp', '[data-testid="train-status"]'],
  ['?lab=signal&embed=1&views=signal,error&controls=bits,scheme', '[data-testid="snr-db"]'],
  ['?lab=weight&embed=1&views=histogram,comparison&controls=wl-bits,wl-scheme', '[data-testid="wl-bits-per-weight"]'],
  ['?lab=memory&embed=1&views=course,breakdown&controls=preset', '[data-testid="mem-total-gib"]'],
  ['?lab=mlp&embed=1&views=accuracy,pad', '[data-testid="train-status"]'],
];

async function openPhone(query, ready) {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  await page.goto(server.url + query);
  await page.waitForSelector(ready, { state: 'attached', timeout: 20000 });
  await page.waitForTimeout(300);
  return page;
}

for (const [query, ready] of PAGES) {
  test(`at 360 px, ${query} has no sideways scroll`, async () => {
    const page = await openPhone(query, ready);
    const m = await page.evaluate(() => {
      const d = document.documentElement;
      const wide = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > d.clientWidth + 1 && getComputedStyle(el).display !== 'none')
        .filter((el) => !el.closest('.scroll-x'))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className || ''}[${el.getAttribute('data-testid') || ''}] right=${Math.round(el.getBoundingClientRect().right)}`);
      return { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, wide };
    });
    assert.ok(m.scrollWidth <= m.clientWidth, `scrollWidth ${m.scrollWidth} > clientWidth ${m.clientWidth}: ${m.wide.join('; ')}`);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test('on a phone the Signal lab shows its figure first and keeps it in view while the bits change', async () => {
  const page = await openPhone('?lab=signal&bits=3', '[data-testid="snr-db"]');
  const canvas = page.locator('[data-testid="signal-canvas"]');
  const bits = page.locator('[data-testid="bits"]');
  const top = async (loc) => (await loc.boundingBox()).y;
  assert.ok(await top(canvas) < await top(bits), 'the figure comes before the controls');
  await bits.scrollIntoViewIfNeeded();
  await bits.fill('6');
  await bits.dispatchEvent('change');
  const box = await canvas.boundingBox();
  const inView = box.y < 740 && box.y + box.height > 0;
  const bitsBox = await bits.boundingBox();
  assert.ok(inView, `figure at y=${Math.round(box.y)}..${Math.round(box.y + box.height)} while the bits control is at y=${Math.round(bitsBox.y)}`);
  await page.close();
});
