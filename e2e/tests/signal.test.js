// Signal lab, end to end in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp, readout, readouts, canvasStats, screenshotPath } from './harness.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const BLUE = [0x00, 0x72, 0xb2];
const ORANGE = [0xd5, 0x5e, 0x00];

test('the page loads with no console error and shows numeric readouts', async () => {
  const page = await openApp(browser, server.url);
  const r = await readouts(page);
  for (const [k, v] of Object.entries(r)) assert.ok(Number.isFinite(v), `${k} = ${v}`);
  assert.equal(r.levels, 8, 'default is 3 bits');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('moving the bits slider changes snr-db and follows the theory', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&mode=mid-rise&n=4096&freq=123.4');
  const before = Number.parseFloat(await readout(page, 'snr-db'));
  await page.locator('[data-testid="bits"]').fill('8');
  await page.waitForFunction((b) => document.querySelector('[data-testid="snr-db"]').textContent !== b,
    String(before.toFixed(2)));
  const r = await readouts(page);
  assert.notEqual(r['snr-db'], before);
  assert.equal(r.levels, 256);
  assert.equal(r['sqnr-theory-db'], 49.92);
  assert.ok(Math.abs(r['snr-db'] - 49.92) < 1.0, `8-bit mid-rise SNR ${r['snr-db']} dB`);
  assert.match(page.url(), /bits=8/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a URL with parameters reproduces the same readouts', async () => {
  const page = await openApp(browser, server.url);
  await page.locator('[data-testid="signal"]').selectOption('laplacian');
  await page.locator('[data-testid="mode"]').selectOption('sym');
  await page.locator('[data-testid="bits"]').fill('5');
  await page.locator('[data-testid="seed"]').fill('42');
  await page.locator('[data-testid="seed"]').dispatchEvent('change');
  await page.waitForFunction(() => /seed=42/.test(location.search));
  const first = await readouts(page);
  const url = page.url();
  assert.match(url, /signal=laplacian/);
  assert.match(url, /mode=sym/);
  const again = await openApp(browser, url, '');
  assert.deepEqual(await readouts(again), first);
  assert.equal(await again.locator('[data-testid="bits"]').inputValue(), '5');
  assert.equal(await again.locator('[data-testid="mode"]').inputValue(), 'sym');
  assert.deepEqual(again.problems, []);
  await page.close(); await again.close();
});

test('the canvas actually has a plot drawn on it', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&bits=3');
  await page.waitForTimeout(200);
  const s = await canvasStats(page, 'signal-canvas', BLUE);
  const o = await canvasStats(page, 'signal-canvas', ORANGE);
  assert.ok(s.colour > 500, `blue x[n] pixels: ${s.colour}`);
  assert.ok(o.colour > 500, `orange Q(x[n]) pixels: ${o.colour}`);
  const e = await canvasStats(page, 'error-canvas', [0x00, 0x9e, 0x73]);
  assert.ok(e.colour > 200, `green e(n) pixels: ${e.colour}`);
  // The README's picture (the controls, the readouts and the first figures) is written to
  // e2e/artifacts/; with QUANTLAB_UPDATE_SCREENSHOTS=1 it replaces the tracked docs/screenshot.png.
  await page.screenshot({ path: screenshotPath('screenshot.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1500 } });
  await page.close();
});

test('a bad setting shows its message and the app keeps working', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&mode=sym&bits=1');
  const msg = await page.locator('[data-testid="error"]').textContent();
  assert.match(msg, /at least 2 bits/);
  assert.equal(await readout(page, 'snr-db'), '—');
  await page.locator('[data-testid="bits"]').fill('4');
  await page.waitForSelector('[data-testid="error"]', { state: 'detached' });
  assert.ok(Number.isFinite(Number.parseFloat(await readout(page, 'snr-db'))));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a zero signal shows an infinite SNR and zero error, not NaN', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&amp=0');
  assert.equal(await readout(page, 'snr-db'), 'Infinity');
  assert.equal(await readout(page, 'mse'), '0');
  assert.equal(await readout(page, 'max-abs-error'), '0');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('garbage in the URL is ignored with a notice, not a crash', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&bits=banana&mode=nope&n=-5&amp=NaN');
  const notice = await page.locator('.notice').textContent();
  assert.match(notice, /ignored/);
  const r = await readouts(page);
  assert.equal(r.levels, 8);
  assert.deepEqual(page.problems, []);
  await page.close();
});

/**
 * The level lines on the signal canvas: rows where most of the plot's width is the grid grey
 * (adjacent rows of one anti-aliased line count once), and the Q(x[n]) pixels.
 */
async function drawnLevels(page) {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="signal-canvas"]');
    const { width, height } = c;
    const d = c.getContext('2d').getImageData(0, 0, width, height).data;
    const grey = (i) => Math.abs(d[i] - d[i + 1]) < 6 && Math.abs(d[i + 1] - d[i + 2]) < 6 && d[i] > 170 && d[i] < 236;
    let lines = 0; let previous = false; let orange = 0;
    for (let y = 0; y < height; y++) {
      let g = 0;
      for (let x = 0; x < width; x++) {
        const i = 4 * (y * width + x);
        if (grey(i)) g++;
        if (Math.abs(d[i] - 0xd5) < 40 && Math.abs(d[i + 1] - 0x5e) < 40 && d[i + 2] < 40) orange++;
      }
      const line = g > 0.5 * width;
      if (line && !previous) lines++;
      previous = line;
    }
    return { lines, orange };
  });
}

test('every scheme in the menu quantizes the signal and draws its levels', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&bits=4');
  const ids = await page.locator('[data-testid="scheme"] option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(ids.length >= 14, `schemes listed: ${ids}`);
  const seen = new Map();
  for (const id of ids) {
    await page.locator('[data-testid="scheme"]').selectOption(id);
    await page.waitForFunction((v) => new URLSearchParams(location.search).get('scheme') === v, id);
    await page.waitForTimeout(100);
    const r = await readouts(page);
    assert.ok(Number.isFinite(r['snr-db']) && r['snr-db'] > 0, `${id}: snr ${r['snr-db']}`);
    assert.ok(r.levels >= 2, `${id}: levels ${r.levels}`);
    const drawn = await drawnLevels(page);
    assert.ok(drawn.orange > 300, `${id}: Q(x[n]) is drawn (${JSON.stringify(drawn)})`);
    if (id === 'linear') {
      // Uniform levels: one grid line each (a level at the plot's very edge may hide under
      // the frame).
      assert.ok(drawn.lines >= r.levels - 2 && drawn.lines <= r.levels, `${id}: ${r.levels} levels, ${drawn.lines} lines drawn`);
    } else if (r.levels <= 128) {
      // Non-uniform levels crowd together (near 0 for μ-law, NF4, log2): at least a few
      // distinct lines, never more than the levels.
      assert.ok(drawn.lines >= Math.min(3, r.levels) && drawn.lines <= r.levels, `${id}: ${r.levels} levels, ${drawn.lines} lines drawn`);
    } else {
      // Over 128 levels the grid is left out.
      assert.equal(drawn.lines, 0, `${id}: ${r.levels} levels, no grid`);
    }
    seen.set(id, r['snr-db']);
  }
  // Non-uniform and float formats really differ from linear.
  assert.notEqual(seen.get('mu-law'), seen.get('linear'));
  assert.ok(seen.get('fp16') > 60, `fp16 SNR ${seen.get('fp16')}`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('scheme parameters are controls and live in the URL', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&scheme=mu-law&bits=6&mu=255');
  const at255 = Number.parseFloat(await readout(page, 'snr-db'));
  assert.ok(await page.locator('[data-testid="mu"]').isVisible());
  assert.ok(!(await page.locator('[data-testid="mode"]').isVisible()), 'linear-only controls hide');
  await page.locator('[data-testid="mu"]').fill('10');
  await page.locator('[data-testid="mu"]').dispatchEvent('change');
  await page.waitForFunction(() => /mu=10\b/.test(location.search));
  assert.notEqual(Number.parseFloat(await readout(page, 'snr-db')), at255);
  await page.locator('[data-testid="scheme"]').selectOption('nf4');
  assert.ok(await page.locator('[data-testid="fixed-bits"]').isVisible());
  assert.equal(await readout(page, 'bits-per-value'), '4.5');
  await page.locator('[data-testid="double-quant"]').check();
  await page.waitForFunction(() => /double_quant=true/.test(location.search));
  assert.ok(Number.parseFloat(await readout(page, 'bits-per-value')) < 4.5);
  assert.deepEqual(page.problems, []);
  await page.close();
});
