// Keyboard: every drawing pad works without a pointer, and Tab reaches the controls with a
// visible focus ring.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp, readout } from './harness.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const drawnParam = (page) => page.evaluate(() => new URLSearchParams(location.search).get('drawn') || '');

test('the signal pad draws with the arrow keys: the signal changes and travels in the link', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&n=512&bits=4');
  await page.locator('[data-testid="source"]').selectOption('drawn');
  const pad = page.locator('[data-testid="draw-pad"]');
  await pad.focus();
  assert.match(await readout(page, 'draw-pad-status'), /^point 65 of 128: 0\.00$/);
  const before = await drawnParam(page);
  // Raise steps over the first 16 points (Shift+Up: 0.25 a press), then one point down.
  await page.keyboard.press('Home');
  for (let i = 0; i < 16; i++) {
    for (let k = 0; k < Math.floor(i / 4); k++) await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('ArrowRight');
  }
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  assert.match(await readout(page, 'draw-pad-status'), /^point 25 of 128: -0\.25$/);
  await page.waitForFunction((b) => (new URLSearchParams(location.search).get('drawn') || '') !== b, before);
  const snr = Number.parseFloat(await readout(page, 'snr-db'));
  assert.ok(Number.isFinite(snr) && snr > 0, `SNR of the keyed drawing: ${snr}`);
  // The same link reopens the same drawing.
  const again = await openApp(browser, server.url, new URL(page.url()).search);
  assert.equal(await readout(again, 'snr-db'), await readout(page, 'snr-db'));
  // Undo takes back the last key's change.
  const keyed = await drawnParam(page);
  await page.locator('[data-testid="draw-undo"]').click();
  await page.waitForFunction((k) => new URLSearchParams(location.search).get('drawn') !== k, keyed);
  await pad.focus();
  assert.match(await readout(page, 'draw-pad-status'), /^point 25 of 128: 0\.00$/);
  assert.deepEqual(page.problems, []);
  await page.close(); await again.close();
});

test("the Weight lab's histogram pad draws with the arrow keys: the tensor follows", async () => {
  const page = await openApp(browser, server.url, '?lab=weight&source=drawn&hist_range=0.2', '[data-testid="wl-bits-per-weight"]');
  const bars = () => page.evaluate(() => new URLSearchParams(location.search).get('bars') || '');
  const mse = await readout(page, 'wl-mse');
  const pad = page.locator('[data-testid="wl-drawn-canvas"]');
  await pad.focus();
  assert.match(await readout(page, 'wl-drawn-status'), /^bar \d+ of \d+: /);
  // Raise the outer bars (the tails) to the top: Home, Shift+Up ×4 on the first three.
  await page.keyboard.press('Home');
  for (let i = 0; i < 3; i++) {
    for (let k = 0; k < 4; k++) await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('ArrowRight');
  }
  await page.keyboard.press('ArrowLeft');
  assert.match(await readout(page, 'wl-drawn-status'), /^bar 3 of \d+: 1\.00$/);
  await page.waitForFunction((b) => (new URLSearchParams(location.search).get('bars') || '') !== b, '');
  assert.ok((await bars()).length > 20);
  await page.waitForFunction((m) => document.querySelector('[data-testid="wl-mse"]').textContent.trim() !== m, mse);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('Tab walks the Signal lab controls and each one shows a focus ring', async () => {
  const page = await openApp(browser, server.url, '?lab=signal');
  const seen = new Set();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      return { id: el.getAttribute('data-testid') || el.tagName, outline: s.outlineStyle, width: s.outlineWidth };
    });
    if (!f) continue;
    seen.add(f.id);
    assert.ok(f.outline !== 'none' && f.width !== '0px', `${f.id} has no visible focus ring`);
  }
  for (const id of ['scheme', 'bits']) assert.ok(seen.has(id), `${id} not reached by Tab: ${[...seen].join(' ')}`);
  await page.close();
});
