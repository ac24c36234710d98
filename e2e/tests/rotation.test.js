// Rotation before quantization in the Weight lab, end to end in headless Chromium: the
// checkbox of the shared scheme controls, the rotation figure (errors side by side,
// histogram and channel absmax before and after), the URL, and the Portuguese page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp, readout, canvasStats } from './harness.js';
import { untranslated, visibleTexts } from './untranslated.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const READY = '[data-testid="wl-bits-per-weight"]';
const ROT_READY = '[data-testid="wl-rot-mse-rotated"]';
const SHOWCASE = '?lab=weight&outliers=8';
const open = (query = SHOWCASE) => openApp(browser, server.url, query, READY);
const value = async (page, id) => page.locator(`[data-testid="${id}"]`).first().getAttribute('data-value');
const num = async (page, id) => Number.parseFloat(await value(page, id));
/** Asserts `a ≈ b` to the 6 significant digits the readouts print. */
const near = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-5 * Math.abs(b), `${what}: ${a} vs ${b}`);
const visible = async (page, id) => page.locator(`[data-testid="${id}"]`).first().isVisible();

/** Waits until a readout's plain value differs from `previous`. */
async function changed(page, id, previous) {
  await page.waitForFunction(([i, p]) => {
    const e = document.querySelector(`[data-testid="${i}"]`);
    return e && e.getAttribute('data-value') !== p;
  }, [id, previous], { timeout: 20000 });
}

/** Waits until the rotation study has numbers. */
async function studied(page) {
  await page.waitForFunction((sel) => Number.isFinite(Number.parseFloat(document.querySelector(sel)?.getAttribute('data-value'))), ROT_READY, { timeout: 20000 });
}

/** Fills a number input and commits it (change). */
async function setNumber(page, testid, v) {
  const input = page.locator(`[data-testid="${testid}"]`);
  await input.fill(String(v));
  await input.dispatchEvent('change');
}

const BLUE = [0x00, 0x72, 0xb2];
const VERMILLION = [0xd5, 0x5e, 0x00];

test('the rotation figure shows both errors, the histogram and the channel absmax before and after', async () => {
  const page = await open();
  await studied(page);
  const fig = page.locator('[data-view="rotation"]');
  assert.ok(await fig.isVisible());
  // Without the checkbox the readouts are the unrotated column of the figure.
  assert.equal(await value(page, 'wl-mse'), await value(page, 'wl-rot-mse-plain'));
  assert.equal(await value(page, 'wl-bits-per-weight'), '4.125');
  const plain = await num(page, 'wl-rot-mse-plain');
  const rotated = await num(page, 'wl-rot-mse-rotated');
  assert.ok(rotated * 2 < plain, `MSE ${plain} → ${rotated}`);
  assert.ok(await num(page, 'wl-rot-snr-rotated') > await num(page, 'wl-rot-snr-plain') + 3);
  // The outlier channels: the largest channel absmax over the mean falls towards 1.
  assert.ok(await num(page, 'wl-rot-peak-before') > 5);
  assert.ok(await num(page, 'wl-rot-peak-after') < 2.5);
  assert.ok(await num(page, 'wl-rot-kurtosis-before') > 20);
  // Only the seed is stored: 64 bits over 131072 weights.
  near(await num(page, 'wl-rot-bits-rotated'), 4.125 + 64 / (256 * 512), 'bits with the seed');
  assert.match(await readout(page, 'wl-rot-summary'), /Groups of 128, seed 0: the rotation divides the MSE by \d/);
  assert.match(await readout(page, 'wl-rot-channels-caption'), /512 input channels/);
  // Both series are drawn on both canvases.
  for (const id of ['wl-rot-hist-canvas', 'wl-rot-channels-canvas']) {
    const blue = await canvasStats(page, id, BLUE);
    const red = await canvasStats(page, id, VERMILLION);
    assert.ok(blue.colour > 200, `${id}: blue pixels ${blue.colour}`);
    assert.ok(red.colour > 200, `${id}: vermillion pixels ${red.colour}`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('turning the rotation on changes the readouts, goes into the URL and reloads with it', async () => {
  const page = await open();
  await studied(page);
  const box = page.locator('[data-testid="wl-rotate"]');
  assert.ok(await box.isVisible(), 'offered for per-group granularity');
  assert.equal(await box.isChecked(), false);
  assert.ok(await visible(page, 'wl-rotate-hint'));
  assert.equal(await visible(page, 'wl-rotate-seed'), false);
  const before = { mse: await value(page, 'wl-mse'), snr: await value(page, 'wl-snr-db') };
  await box.check();
  await changed(page, 'wl-mse', before.mse);
  // The readouts are now the rotated column, measured on the original weights.
  assert.equal(await value(page, 'wl-mse'), await value(page, 'wl-rot-mse-rotated'));
  assert.ok(await num(page, 'wl-mse') * 2 < Number.parseFloat(before.mse));
  assert.ok(await num(page, 'wl-snr-db') > Number.parseFloat(before.snr));
  near(await num(page, 'wl-bits-per-weight'), 4.125 + 64 / (256 * 512), 'bits with the seed');
  assert.ok(await visible(page, 'wl-worked-rotated'));
  assert.ok(await visible(page, 'wl-pack-rotated'));
  assert.ok(await visible(page, 'wl-rotate-seed'));
  assert.match(page.url(), /[?&]rotate=true(&|$)/);
  // Another seed, another rotation.
  const seed0 = await value(page, 'wl-mse');
  await setNumber(page, 'wl-rotate-seed', 7);
  await changed(page, 'wl-mse', seed0);
  assert.match(page.url(), /[?&]rotate_seed=7(&|$)/);
  assert.match(await readout(page, 'wl-rot-summary'), /seed 7/);
  // The link reopens the same state.
  const url = page.url();
  const ids = ['wl-mse', 'wl-snr-db', 'wl-bits-per-weight', 'wl-rot-mse-rotated', 'wl-work-x'];
  const now = {};
  for (const id of ids) now[id] = await value(page, id) ?? await readout(page, id);
  const again = await openApp(browser, '', url, READY);
  await studied(again);
  assert.ok(await again.locator('[data-testid="wl-rotate"]').isChecked());
  for (const id of ids) assert.equal(await value(again, id) ?? await readout(again, id), now[id], id);
  // Off again: back to the unrotated numbers.
  await again.locator('[data-testid="wl-rotate"]').uncheck();
  await changed(again, 'wl-mse', now['wl-mse']);
  assert.equal(await value(again, 'wl-mse'), before.mse);
  assert.match(again.url(), /[?&]rotate=false(&|$)/);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(again.problems, []);
  await page.close(); await again.close();
});

test('the control is absent for per-tensor and per-channel granularity and for block formats', async () => {
  const page = await open(`${SHOWCASE}&rotate=true`);
  await studied(page);
  const rotatedMse = await value(page, 'wl-mse');
  await page.locator('[data-testid="wl-granularity"]').selectOption('tensor');
  await changed(page, 'wl-mse', rotatedMse);
  assert.equal(await visible(page, 'wl-rotate'), false);
  assert.equal(await visible(page, 'wl-rotate-hint'), false);
  assert.equal(await visible(page, 'wl-worked-rotated'), false);
  // The figure says why it has nothing to show, in words; the bits have no seed.
  await page.waitForSelector('[data-testid="wl-rot-unavailable"]');
  assert.match(await readout(page, 'wl-rot-unavailable'), /per-group granularity/);
  assert.equal(await visible(page, 'wl-rot-table'), false);
  near(await num(page, 'wl-bits-per-weight'), 4 + 16 / (256 * 512), 'per tensor, no seed');
  await page.locator('[data-testid="wl-granularity"]').selectOption('channel');
  await page.waitForFunction(() => document.querySelector('[data-testid="wl-groups"]')?.textContent.trim() === '256');
  assert.equal(await visible(page, 'wl-rotate'), false);
  await page.locator('[data-testid="wl-granularity"]').selectOption('group');
  await studied(page);
  assert.ok(await visible(page, 'wl-rotate'));
  assert.ok(await page.locator('[data-testid="wl-rotate"]').isChecked(), 'the choice is kept');
  // NF4 has blocks of its own: no rotation offered.
  await page.locator('[data-testid="wl-scheme"]').selectOption('nf4');
  await page.waitForSelector('[data-testid="wl-rot-unavailable"]');
  assert.equal(await visible(page, 'wl-rotate'), false);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a group that does not divide the rows is refused in words and the lab keeps working', async () => {
  const page = await open(`${SHOWCASE}&rotate=true`);
  await studied(page);
  await setNumber(page, 'wl-cols', 500);
  await page.waitForSelector('[data-testid="wl-error"]');
  assert.match(await readout(page, 'wl-error'), /128 does not divide a row of 500/);
  assert.match(await readout(page, 'wl-rot-unavailable'), /128 does not divide a row of 500/);
  assert.match(await readout(page, 'wl-pack-error'), /128 does not divide a row of 500/);
  await setNumber(page, 'wl-cols', 512);
  await studied(page);
  assert.equal(await page.locator('[data-testid="wl-error"]').count(), 0);
  // A group size that is not a power of two in a link.
  const odd = await open(`${SHOWCASE}&rotate=true&group_size=96`);
  await odd.waitForSelector('[data-testid="wl-error"]');
  assert.match(await readout(odd, 'wl-error'), /power-of-two group size/);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(odd.problems, []);
  await page.close(); await odd.close();
});

test('the outlier example button loads the showcase tensor and scheme', async () => {
  const page = await open('?lab=weight&bits=8&granularity=tensor');
  await page.waitForSelector('[data-testid="wl-rot-unavailable"]');
  await page.locator('[data-testid="wl-rot-showcase"]').click();
  await studied(page);
  const q = new URL(page.url()).searchParams;
  assert.equal(q.get('outliers'), '8');
  assert.equal(q.get('bits'), '4');
  assert.equal(q.get('granularity'), 'group');
  assert.equal(await page.locator('[data-testid="wl-outliers"]').inputValue(), '8');
  assert.ok(await num(page, 'wl-rot-mse-rotated') * 2 < await num(page, 'wl-rot-mse-plain'));
  assert.deepEqual(page.problems, []);
  await page.close();
});

// Words both languages write alike in the Weight lab (as lang-memory-weight.test.js).
const TERMS = [
  /\b(q_min|q_max)\b/g,
  /\b(Tensor|tensor|dtype|bytes|Bits|bits|Normal|Bimodal|Laplace|LSB|hex|Frobenius|absmax|Walsh)\b/g,
];

test('the Portuguese page has no English left in the rotation words', async () => {
  const states = [
    `${SHOWCASE}&rotate=true&rotate_seed=3`,
    `${SHOWCASE}&rotate=true&granularity=tensor`,
    `${SHOWCASE}&rotate=true&cols=500`,
  ];
  for (const query of states) {
    const en = await openApp(browser, server.url, `${query}&lang=en`, READY);
    const pt = await openApp(browser, server.url, `${query}&lang=pt-BR`, READY);
    for (const p of [en, pt]) {
      await p.waitForSelector('[data-testid="wl-rot-mse-rotated"], [data-testid="wl-rot-unavailable"]');
      await p.waitForFunction(() => !!document.querySelector('[data-testid="wl-rot-unavailable"]')
        || Number.isFinite(Number.parseFloat(document.querySelector('[data-testid="wl-rot-mse-rotated"]')?.getAttribute('data-value'))), null, { timeout: 20000 });
      for (const el of await p.locator('.lang-switch').all()) await el.evaluate((e) => e.setAttribute('translate', 'no'));
    }
    const left = untranslated(await visibleTexts(en), await visibleTexts(pt), TERMS);
    assert.deepEqual(left, [], `${query}: English left in the Portuguese page`);
    if (query.includes('rotate_seed')) {
      assert.match(await readout(pt, 'wl-rot-summary'), /^Grupos de 128, semente 3: a rotação divide o MSE por \d+,\d\d/);
      assert.match(await readout(pt, 'wl-rotate-hint'), /semente de 64 bits/);
    }
    assert.deepEqual(en.problems, [], query);
    assert.deepEqual(pt.problems, [], query);
    await en.close(); await pt.close();
  }
});

/** Every readout of the rotation figure (`data-value`) and its summary. */
async function figure(page) {
  await studied(page);
  return page.evaluate(() => ({
    summary: document.querySelector('[data-testid="wl-rot-summary"]').textContent,
    values: Object.fromEntries([...document.querySelectorAll('[data-view="rotation"] [data-testid^="wl-rot-"][data-value]')].map((e) => [e.dataset.testid, e.dataset.value])),
  }));
}

test('a large tensor is sent to each worker once: control changes start no worker and copy no tensor', async () => {
  const query = '?lab=weight&rows=2048&cols=2048&outliers=8';
  // Records every worker started and every message to a worker that carries a tensor.
  const record = (p) => p.addInitScript(() => {
    window.__workers = 0;
    window.__tensors = [];
    const Real = window.Worker;
    window.Worker = class extends Real {
      constructor(...args) { super(...args); window.__workers++; }
      postMessage(m, t) {
        if (m && m.data) window.__tensors.push([m.kind, m.data.length]);
        return super.postMessage(m, t);
      }
    };
  });
  const page = await openApp(browser, server.url, query, READY, { setup: record });
  await figure(page);
  const first = await page.evaluate(() => ({ workers: window.__workers, tensors: window.__tensors }));
  // The rotation figure's worker and the comparison's, each sent the tensor once.
  assert.equal(first.workers, 2, JSON.stringify(first));
  assert.deepEqual(first.tensors.map(([, n]) => n), [4194304, 4194304], JSON.stringify(first));
  // Three bits changes: each figure is studied again, by the same worker, on the tensor it holds.
  for (const bits of [3, 5, 6]) {
    const before = await value(page, 'wl-rot-mse-rotated');
    await setNumber(page, 'wl-bits', bits);
    await changed(page, 'wl-rot-mse-rotated', before);
    await studied(page);
    assert.equal(await value(page, 'wl-mse'), await value(page, 'wl-rot-mse-plain'), `bits ${bits}`);
  }
  const after = await page.evaluate(() => ({ workers: window.__workers, tensors: window.__tensors }));
  assert.deepEqual(after, first);
  // A new tensor is sent again, to the same workers.
  await setNumber(page, 'wl-seed', 9);
  await page.waitForFunction(() => window.__tensors.length >= 3);
  await studied(page);
  assert.equal(await page.evaluate(() => window.__workers), 2);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a large tensor\'s figure is studied in the page\'s worker, equal to the page\'s own, and follows the controls', async () => {
  // 2048 × 2048 = 4,194,304 weights: past the 2,097,152 the page studies itself.
  const query = '?lab=weight&rows=2048&cols=2048&outliers=8';
  const page = await open(query);
  const pending = await page.locator('[data-testid="wl-rot-unavailable"]').textContent().catch(() => '');
  const inWorker = await figure(page);
  assert.equal(Object.keys(inWorker.values).length, 12, JSON.stringify(inWorker.values));
  assert.ok(Number.parseFloat(inWorker.values['wl-rot-mse-rotated']) * 2 < Number.parseFloat(inWorker.values['wl-rot-mse-plain']));
  // The lab's own study (on the page) and the worker's unrotated side are the same numbers.
  assert.equal(await value(page, 'wl-mse'), inWorker.values['wl-rot-mse-plain']);
  const plain = await openApp(browser, server.url, query, READY, { setup: (p) => p.addInitScript(() => { delete window.Worker; }) });
  assert.deepEqual(await figure(plain), inWorker);
  // A change of bits studies the figure again, in the background.
  const before = inWorker.values['wl-rot-mse-rotated'];
  await setNumber(page, 'wl-bits', 3);
  await changed(page, 'wl-rot-mse-rotated', before);
  await studied(page);
  assert.equal(await value(page, 'wl-mse'), await value(page, 'wl-rot-mse-plain'));
  const blue = await canvasStats(page, 'wl-rot-hist-canvas', BLUE);
  assert.ok(blue.colour > 200, `histogram: blue pixels ${blue.colour}`);
  // Per tensor the figure is refused at once, in words, with no worker needed.
  await page.locator('[data-testid="wl-granularity"]').selectOption('tensor');
  await page.waitForFunction(() => /per-group/.test(document.querySelector('[data-testid="wl-rot-unavailable"]')?.textContent ?? ''));
  console.log(`rotation figure of 4,194,304 weights: first words while it was studied: "${pending.trim()}"`);
  for (const p of [page, plain]) {
    assert.deepEqual(p.problems, []);
    await p.close();
  }
});
