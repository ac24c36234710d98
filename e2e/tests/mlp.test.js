// MLP lab, end to end in headless Chromium: training in the page, the accuracy table, stop,
// the link, uploads, the drawing pad, and the int8 SIMD path against the scalar reference.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp, readout } from './harness.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const READY = '[data-testid="train-status"]';
const open = (query = '?lab=mlp') => openApp(browser, server.url, query, READY);
const num = async (page, id) => Number.parseFloat(await readout(page, id));

/** Waits until the accuracy table and the throughput table are filled. */
async function waitForResults(page, timeout = 120000) {
  await page.waitForSelector('[data-testid="acc-w8a8"]', { timeout });
  await page.waitForSelector('[data-testid="tp-int8-simd"]', { timeout });
}

async function accuracies(page) {
  const out = {};
  for (const id of ['acc-fp32', 'acc-w8', 'acc-w4', 'acc-w8a8']) out[id] = await num(page, id);
  return out;
}

async function setField(page, testid, value) {
  const input = page.locator(`[data-testid="${testid}"]`);
  await input.fill(String(value));
  await input.dispatchEvent('change');
}

test('Iris trains by itself with the defaults; W8 and W8A8 stay within 1 point of fp32', async () => {
  const page = await open();
  await waitForResults(page);
  const acc = await accuracies(page);
  console.log('iris', JSON.stringify(acc));
  for (const v of Object.values(acc)) assert.ok(v >= 0 && v <= 100, JSON.stringify(acc));
  assert.ok(acc['acc-fp32'] >= 93, `fp32 ${acc['acc-fp32']}`);
  assert.ok(Math.abs(acc['acc-w8'] - acc['acc-fp32']) <= 1, JSON.stringify(acc));
  assert.ok(Math.abs(acc['acc-w8a8'] - acc['acc-fp32']) <= 1, JSON.stringify(acc));
  // Sizes: int8 is smaller than fp32, int4 smaller still.
  const size = async (id) => Number.parseInt(await readout(page, `size-${id}`), 10);
  assert.ok(await size('w8') < await size('fp32'));
  assert.ok(await size('w4-g128') < await size('w8'));
  assert.equal(await readout(page, 'train-status'), 'done');
  assert.equal(await readout(page, 'epochs-done'), '30');
  // Every configuration has a row; the confusion matrix counts every test sample.
  assert.equal(await page.locator('[data-testid="accuracy-table"] tbody tr').count(), 14);
  const cells = await page.locator('[data-testid="confusion"] tbody td').allTextContents();
  assert.equal(cells.map(Number).reduce((a, b) => a + b, 0), 45);
  // Per-layer SNR: fp32 is exact, W8A8 is finite and positive.
  assert.equal(await readout(page, 'snr-fp32-0'), 'Infinity');
  assert.ok(await num(page, 'snr-w8a8-1') > 10);
  // The int16 demo and the Weight lab links.
  assert.ok(Number.isFinite(await num(page, 'i16-overflow-0')));
  assert.ok(await num(page, 'max-acc-0') > 0);
  assert.equal(await page.locator('[data-testid="weight-link-1"]').getAttribute('href'),
    '?lab=weight&source=mlp&dataset=iris&layer=1');
  // The SIMD kernel is compiled in and agrees with the scalar reference exactly.
  assert.equal(await readout(page, 'simd-compiled'), 'yes');
  assert.equal(await readout(page, 'simd-mismatches'), '0');
  assert.ok(await num(page, 'simd-compared') > 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('MXFP4, MXFP8 E4M3 and NVFP4 rows: accuracy, exact bytes, per-layer SNR, the session columns and the cm link', async () => {
  const page = await open('?lab=mlp&cm=nvfp4');
  await waitForResults(page);
  const ids = ['mxfp4', 'mxfp8-e4m3', 'nvfp4'];
  const fp32 = await num(page, 'acc-fp32');
  const row = {};
  for (const id of ids) {
    row[id] = {
      acc: await num(page, `acc-${id}`),
      delta: await num(page, `delta-${id}`),
      size: Number.parseInt(await readout(page, `size-${id}`), 10),
      snr: [await num(page, `snr-${id}-0`), await num(page, `snr-${id}-1`)],
    };
    assert.equal(await page.locator(`[data-testid="accuracy-table"] tr[data-config="${id}"]`).count(), 1, id);
  }
  console.log('iris block floats', JSON.stringify({ fp32, ...row }));
  for (const id of ids) {
    const r = row[id];
    assert.ok(r.acc >= 0 && r.acc <= 100, id);
    assert.ok(Math.abs(r.delta - (r.acc - fp32)) < 0.02, id);
    // Weight-only: finite, positive SNR on both layers (4 -> 16 -> 3).
    for (const v of r.snr) assert.ok(Number.isFinite(v) && v > 5, `${id} ${r.snr}`);
  }
  assert.ok(Math.abs(row['mxfp8-e4m3'].acc - fp32) <= 5, JSON.stringify(row));
  // Bytes, exactly: rows of 4 and 16 inputs are one block each (19 blocks), 17 / 33 / 9
  // bytes a block, NVFP4's tensor scale 4 bytes per layer, 19 fp32 biases.
  assert.equal(row.mxfp4.size, 19 * 17 + 76);
  assert.equal(row['mxfp8-e4m3'].size, 19 * 33 + 76);
  assert.equal(row.nvfp4.size, 19 * 9 + 2 * 4 + 76);
  assert.match(await readout(page, 'block-float-hint'), /4\.25, 8\.25 and 4\.5 bits per weight/);
  // The confusion matrix of the configuration in the link, and the weights column.
  assert.equal(await page.locator('[data-testid="cm-config"]').inputValue(), 'nvfp4');
  assert.match(await page.locator('[data-testid="confusion"] caption').textContent(), /NVFP4/);
  assert.equal((await page.locator('[data-testid="accuracy-table"] tr[data-config="mxfp8-e4m3"] td').first().textContent()).trim(), 'MXFP8 E4M3');
  await page.selectOption('[data-testid="cm-config"]', 'mxfp4');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('cm') === 'mxfp4');
  const cells = await page.locator('[data-testid="confusion"] tbody td').allTextContents();
  assert.equal(cells.map(Number).reduce((a, b) => a + b, 0), 45);
  // The session table lists the three as columns, filled for this dataset.
  const head = await page.locator('[data-testid="session-table"] thead').textContent();
  for (const w of ['MXFP4', 'MXFP8 E4M3', 'NVFP4']) assert.ok(head.includes(w), head);
  const irisRow = await page.locator('[data-testid="session-table"] tbody tr').first().locator('td').allTextContents();
  assert.equal(irisRow.length, 10);
  for (const v of irisRow.slice(7)) assert.ok(Number.isFinite(Number.parseFloat(v)), irisRow.join(' '));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a layer's Weight lab link opens that layer's trained weights", async () => {
  const page = await open();
  await waitForResults(page);
  await Promise.all([
    page.waitForURL(/lab=weight/),
    page.locator('[data-testid="weight-link-0"]').click(),
  ]);
  await page.waitForSelector('[data-testid="wl-snr-db"]');
  assert.match(await readout(page, 'wl-source-notice'), /^MLP iris, layer 1 W \(4 → 16\), from the model trained in the MLP lab/);
  assert.match(await readout(page, 'wl-tensor-info'), /shape \[16, 4\], 64 weights/);
  assert.ok(Number.isFinite(Number.parseFloat(await readout(page, 'wl-snr-db'))));
  // Another layer than the one handed over is refused in words, and the page keeps working.
  await page.goto(`${server.url}?lab=weight&source=mlp&dataset=iris&layer=1`);
  await page.waitForSelector('[data-testid="wl-source-notice"]');
  assert.match(await readout(page, 'wl-source-notice'), /holds layer 1 of the iris model, not layer 2 of iris/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('Digits: accuracy table, W8/W8A8 within 1 point, SIMD bit-exact; prints the throughput ratio', async () => {
  const page = await open('?lab=mlp&dataset=digits');
  await waitForResults(page, 180000);
  const acc = await accuracies(page);
  console.log('digits', JSON.stringify(acc));
  assert.ok(acc['acc-fp32'] >= 93, `fp32 ${acc['acc-fp32']}`);
  assert.ok(Math.abs(acc['acc-w8'] - acc['acc-fp32']) <= 1, JSON.stringify(acc));
  assert.ok(Math.abs(acc['acc-w8a8'] - acc['acc-fp32']) <= 1, JSON.stringify(acc));
  assert.equal(await readout(page, 'simd-mismatches'), '0');
  const tp = {
    fp32: await num(page, 'tp-fp32'),
    scalar: await num(page, 'tp-int8-scalar'),
    simd: await num(page, 'tp-int8-simd'),
  };
  for (const v of Object.values(tp)) assert.ok(v > 0 && Number.isFinite(v), JSON.stringify(tp));
  console.log(`digits throughput (samples/s): fp32 ${tp.fp32}, int8 scalar ${tp.scalar}, int8 SIMD ${tp.simd}; ` +
    `SIMD/fp32 = ${(tp.simd / tp.fp32).toFixed(2)}, SIMD/scalar = ${(tp.simd / tp.scalar).toFixed(2)}; ` +
    `relaxed SIMD in this browser: ${await readout(page, 'relaxed-simd')}`);
  const marks = await page.evaluate(() => performance.getEntriesByType('measure')
    .filter((m) => m.name.startsWith('ql-mlp-')).map((m) => `${m.name} ${m.duration.toFixed(1)} ms`));
  console.log(marks.join('; '));
  // Another dataset adds a row to the session table.
  assert.equal(await page.locator('[data-testid="session-table"] tbody tr').count(), 1);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the stop button stops a long run, and the stopped model is still measured', async () => {
  const page = await open('?lab=mlp&dataset=digits&epochs=400&hidden=128');
  await page.waitForFunction(() => document.querySelector('[data-testid="train-status"]').textContent === 'training');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="epochs-done"]').textContent) >= 1,
    null, { timeout: 60000 });
  // The page stays responsive while training: a click on Stop is handled promptly.
  await page.locator('[data-testid="stop"]').click();
  await page.waitForSelector('[data-testid="acc-fp32"]', { timeout: 60000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="train-status"]').textContent === 'stopped');
  const epochs = Number(await readout(page, 'epochs-done'));
  assert.ok(epochs >= 1 && epochs < 400, `epochs ${epochs}`);
  assert.ok(await num(page, 'train-progress') < 100);
  assert.match(await page.locator('[data-testid="accuracy-table"] caption').textContent(), /stopped after/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the link round-trips every setting, and bad settings give messages, not a dead page', async () => {
  const q = '?lab=mlp&dataset=wine&hidden=24%2C12&optimizer=sgd&lr=0.02&momentum=0.8&epochs=7&batch=8&seed=5&cm=w8';
  const page = await open(q);
  assert.equal(await page.locator('[data-testid="hidden"]').inputValue(), '24,12');
  assert.equal(await page.locator('[data-testid="optimizer"]').inputValue(), 'sgd');
  assert.equal(await page.locator('[data-testid="lr"]').inputValue(), '0.02');
  assert.equal(await page.locator('[data-testid="epochs"]').inputValue(), '7');
  assert.equal(await page.locator('[data-testid="batch"]').inputValue(), '8');
  assert.equal(await page.locator('[data-testid="seed"]').inputValue(), '5');
  assert.equal(await page.locator('[data-testid="dataset"]').inputValue(), 'wine');
  await waitForResults(page);
  assert.equal(await readout(page, 'epochs-done'), '7');
  assert.equal(await page.locator('[data-testid="cm-config"]').inputValue(), 'w8');
  const url = new URL(page.url());
  for (const [k, v] of Object.entries({ dataset: 'wine', hidden: '24,12', optimizer: 'sgd', lr: '0.02', epochs: '7', batch: '8', seed: '5', cm: 'w8' })) {
    assert.equal(url.searchParams.get(k), v, k);
  }
  // Bad settings: refused with a sentence; the page keeps working.
  await setField(page, 'hidden', '100000');
  await page.waitForSelector('[data-testid="settings-error"]');
  assert.match(await readout(page, 'settings-error'), /4,096/);
  await page.locator('[data-testid="train"]').click();
  await page.waitForSelector('[data-testid="mlp-error"]');
  await setField(page, 'hidden', '16');
  await setField(page, 'lr', 'NaN');
  assert.match(await readout(page, 'settings-error'), /learning rate/);
  await setField(page, 'lr', 'abc');
  assert.match(await readout(page, 'settings-error'), /learning rate/);
  await setField(page, 'lr', '0.01');
  await setField(page, 'epochs', '0');
  assert.match(await readout(page, 'settings-error'), /epochs/);
  await setField(page, 'epochs', '3');
  await page.waitForFunction(() => !document.querySelector('[data-testid="settings-error"]'));
  await page.locator('[data-testid="train"]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="train-status"]').textContent === 'done', null, { timeout: 60000 });
  assert.equal(await readout(page, 'epochs-done'), '3');
  // A link with junk values keeps the defaults and says which were ignored.
  const bad = await open('?lab=mlp&dataset=iris&lr=banana&epochs=-2');
  assert.match(await bad.locator('.notice').first().textContent(), /ignored lr=banana/);
  await waitForResults(bad);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(bad.problems, []);
  await page.close();
  await bad.close();
});

test('malformed uploads get a clear message and the page keeps working', async () => {
  const page = await open('?lab=mlp&dataset=upload');
  const idx = page.locator('[data-testid="upload-idx"]');
  await idx.setInputFiles([
    { name: 'train-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not an idx file at all') },
    { name: 'train-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 0, 1]) },
  ]);
  await page.waitForSelector('[data-testid="mlp-error"]');
  assert.match(await readout(page, 'mlp-error'), /train-images-idx3-ubyte: .*Nothing was loaded/);
  await idx.setInputFiles([{ name: 'one.idx', mimeType: 'application/octet-stream', buffer: Buffer.from([1, 2, 3]) }]);
  await page.waitForFunction(() => /2 IDX files/.test(document.querySelector('[data-testid="mlp-error"]').textContent));
  await page.locator('[data-testid="upload-cifar"]').setInputFiles([
    { name: 'data_batch_1.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(5000, 3) },
  ]);
  await page.waitForFunction(() => /data_batch_1\.bin: .*records/.test(document.querySelector('[data-testid="mlp-error"]').textContent));
  // A small valid IDX pair (8×8 images, 3 classes) loads, trains and is measured.
  const n = 60; const side = 8;
  const imgs = Buffer.alloc(16 + n * side * side);
  imgs.writeUInt32BE(0x803, 0); imgs.writeUInt32BE(n, 4); imgs.writeUInt32BE(side, 8); imgs.writeUInt32BE(side, 12);
  const labs = Buffer.alloc(8 + n);
  labs.writeUInt32BE(0x801, 0); labs.writeUInt32BE(n, 4);
  for (let i = 0; i < n; i++) {
    const c = i % 3; labs[8 + i] = c;
    for (let p = 0; p < side * side; p++) imgs[16 + i * side * side + p] = (p % 3 === c) ? 200 + (i % 50) : (i * 7 + p) % 40;
  }
  await idx.setInputFiles([
    { name: 'my-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: imgs },
    { name: 'my-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: labs },
  ]);
  await page.waitForSelector('[data-testid="data-summary"]');
  assert.match(await readout(page, 'data-summary'), /42 training and 18 test samples, 64 features, 3 classes/);
  await setField(page, 'epochs', '5');
  await page.locator('[data-testid="train"]').click();
  await waitForResults(page);
  assert.ok(await num(page, 'acc-fp32') > 50);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('MNIST loads only when chosen, and a drawn digit is classified by every configuration', async () => {
  const page = await open('?lab=mlp');
  const fetched = [];
  page.on('request', (r) => { if (r.url().includes('mnist')) fetched.push(r.url()); });
  await waitForResults(page);
  assert.deepEqual(fetched, [], 'no image set is fetched for Iris');
  await page.locator('[data-testid="dataset"]').selectOption('mnist');
  await page.waitForSelector('[data-testid="data-summary"]', { timeout: 60000 });
  await page.waitForFunction(() => /10000 training and 2000 test samples, 784 features/.test(document.querySelector('[data-testid="data-summary"]').textContent));
  assert.equal(fetched.length, 4);
  assert.ok(fetched.every((u) => u.includes('/assets/datasets/mnist-')), fetched.join(' '));
  // One epoch is enough for a clean stroke.
  await setField(page, 'epochs', '1');
  await page.locator('[data-testid="train"]').click();
  await waitForResults(page, 240000);
  const acc = await accuracies(page);
  console.log('mnist (1 epoch)', JSON.stringify(acc));
  assert.equal(await readout(page, 'simd-mismatches'), '0');
  const tp = { fp32: await num(page, 'tp-fp32'), scalar: await num(page, 'tp-int8-scalar'), simd: await num(page, 'tp-int8-simd') };
  console.log(`mnist throughput (samples/s): fp32 ${tp.fp32}, int8 scalar ${tp.scalar}, int8 SIMD ${tp.simd}; ` +
    `SIMD/fp32 = ${(tp.simd / tp.fp32).toFixed(2)}, SIMD/scalar = ${(tp.simd / tp.scalar).toFixed(2)}`);
  assert.ok(acc['acc-fp32'] > 85);
  // Draw a "1": a vertical stroke.
  const pad = page.locator('[data-testid="digit-pad"]');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= 20; k++) await page.mouse.move(box.x + box.width * (0.52 - k * 0.002), box.y + box.height * (0.15 + k * 0.035));
  await page.mouse.up();
  await page.waitForSelector('[data-testid="draw-pred-w8a8"]');
  const classes = {};
  for (const id of ['fp32', 'w8', 'w4-g128', 'w8a8', 'nf4-b64', 'mxfp4', 'mxfp8-e4m3', 'nvfp4']) {
    classes[id] = await readout(page, `draw-pred-${id}`);
  }
  console.log('drawn stroke classified as', JSON.stringify(classes));
  // Every configuration of the accuracy table (14) classifies the drawing.
  assert.equal(await page.locator('[data-testid^="draw-pred-"]').count(), 14);
  for (const id of ['mxfp4', 'mxfp8-e4m3', 'nvfp4']) assert.match(classes[id], /^\d$/, id);
  assert.equal(classes.fp32, '1');
  assert.equal(classes.w8a8, '1');
  // The same "1" by keyboard: clear, focus the pad, lower the pen at the top, move down, lift it.
  await page.locator('[data-testid="digit-clear"]').click();
  await pad.focus();
  assert.match(await readout(page, 'digit-pad-status'), /^row 15, column 15 of 28; pen up/);
  for (let k = 0; k < 10; k++) await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Space');
  for (let k = 0; k < 19; k++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  assert.match(await readout(page, 'digit-pad-status'), /^row 24, column 15 of 28; pen up/);
  await page.waitForFunction(() => document.querySelector('[data-testid="draw-pred-fp32"]')?.textContent.trim() === '1');
  const keyed = {};
  for (const id of ['fp32', 'w8a8']) keyed[id] = await readout(page, `draw-pred-${id}`);
  console.log('keyed stroke classified as', JSON.stringify(keyed));
  assert.equal(keyed.w8a8, '1');
  assert.deepEqual(page.problems, []);
  await page.close();
});
