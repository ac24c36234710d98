// MLP lab, the WebGPU panel, in headless Chromium: with `--enable-unsafe-webgpu` (SwiftShader,
// a software fallback adapter) the trained W8A8 model's test set runs with its int8 products
// on the GPU and every accumulator and logit equals the CPU int8 reference; without the flag
// `requestAdapter()` gives nothing, the panel says so and the CPU paths still work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp, readout } from './harness.js';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server?.close(); });

const READY = '[data-testid="train-status"]';
const num = async (page, id) => Number.parseFloat(await readout(page, id));

/** Percentile `p` (0–1) of sorted numbers. */
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

test('with WebGPU: the W8A8 test set on the GPU equals the CPU int8 reference, both kernels', async () => {
  const browser = await launchBrowser(['--enable-unsafe-webgpu']);
  try {
    // Iris trains by itself (30 epochs, a few hundred milliseconds).
    const page = await openApp(browser, server.url, '?lab=mlp&dataset=iris', READY);
    await page.waitForSelector('[data-testid="acc-w8a8"]', { timeout: 120000 });
    await page.waitForFunction(
      () => / · WebGPU/.test(document.querySelector('[data-testid="gpu-adapter"]').textContent),
      null, { timeout: 30000 });
    const adapter = await readout(page, 'gpu-adapter');
    console.log('adapter:', adapter, '| kernels:', await readout(page, 'gpu-kernels'));
    assert.match(adapter, /swiftshader/i);
    assert.match(adapter, /software fallback adapter — not representative of real GPUs/);
    assert.equal(await page.locator('[data-testid="gpu-unavailable"]').count(), 0);

    await page.locator('[data-testid="run-gpu"]').click();
    await page.waitForSelector('[data-testid="gpu-cpu-mismatches"]', { timeout: 120000 });
    const mismatches = await readout(page, 'gpu-cpu-mismatches');
    assert.match(mismatches, /^\d+$/);
    assert.equal(Number(mismatches), 0);
    // Iris: 4-16-3, 30 test samples → 30·(16 + 3) accumulators and 30·3 logits per kernel.
    const compared = await num(page, 'gpu-compared');
    // SwiftShader reports packed_4x8_integer_dot_product: both kernels ran.
    for (const k of ['dot4i8packed', 'portable']) {
      assert.equal(await readout(page, `gpu-mismatches-${k}`), '0', k);
      // The GPU's predictions are the CPU W8A8 model's: the same test accuracy.
      assert.equal(await readout(page, `gpu-acc-${k}`), await readout(page, 'acc-w8a8'), k);
      assert.ok(await num(page, `tp-gpu-${k}`) > 0, k);
    }
    assert.ok(compared > 0 && compared % 2 === 0, `compared ${compared}`);
    const cpu = await num(page, 'tp-gpu-cpu-int8');
    assert.ok(cpu > 0);
    console.log('samples/s: CPU int8', cpu, '| GPU dot4I8Packed', await num(page, 'tp-gpu-dot4i8packed'),
      '| GPU portable', await num(page, 'tp-gpu-portable'), '| compared', compared);

    // Every GPU forward pass is a performance measure: print p50/p95.
    const ms = (await page.evaluate(() => performance.getEntriesByName('gpu-forward').map((e) => e.duration)))
      .sort((a, b) => a - b);
    assert.ok(ms.length >= 4, `${ms.length} measures`);
    console.log(`gpu-forward over the Iris test set: n=${ms.length} p50=${pct(ms, 0.5).toFixed(2)} ms p95=${pct(ms, 0.95).toFixed(2)} ms`);
    assert.deepEqual(page.problems, []);
  } finally {
    await browser.close();
  }
});

test('a larger model (Digits) also matches bit for bit on the GPU', async () => {
  const browser = await launchBrowser(['--enable-unsafe-webgpu']);
  try {
    const page = await openApp(browser, server.url, '?lab=mlp&dataset=digits&epochs=3', READY);
    await page.waitForSelector('[data-testid="acc-w8a8"]', { timeout: 180000 });
    await page.waitForFunction(
      () => / · WebGPU/.test(document.querySelector('[data-testid="gpu-adapter"]').textContent),
      null, { timeout: 30000 });
    await page.locator('[data-testid="run-gpu"]').click();
    await page.waitForSelector('[data-testid="gpu-cpu-mismatches"]', { timeout: 120000 });
    assert.equal(await readout(page, 'gpu-cpu-mismatches'), '0');
    const compared = await num(page, 'gpu-compared');
    console.log('digits: compared', compared, '| GPU dot4I8Packed samples/s', await num(page, 'tp-gpu-dot4i8packed'));
    assert.ok(compared > 10000, `compared ${compared}`);
    assert.deepEqual(page.problems, []);
  } finally {
    await browser.close();
  }
});

test('without WebGPU: the panel says so, Run on GPU is off, the CPU paths still work', async () => {
  const browser = await launchBrowser();
  try {
    const page = await openApp(browser, server.url, '?lab=mlp&dataset=iris', READY);
    await page.waitForSelector('[data-testid="gpu-unavailable"]', { timeout: 30000 });
    assert.match(await readout(page, 'gpu-unavailable'), /This browser has no WebGPU adapter/);
    assert.match(await readout(page, 'gpu-unavailable'), /CPU paths still work/);
    assert.equal(await readout(page, 'gpu-adapter'), 'none');
    assert.ok(await page.locator('[data-testid="run-gpu"]').isDisabled());
    // The CPU results are all there.
    await page.waitForSelector('[data-testid="acc-w8a8"]', { timeout: 120000 });
    await page.waitForSelector('[data-testid="tp-int8-simd"]', { timeout: 120000 });
    const acc = await num(page, 'acc-w8a8');
    assert.ok(acc >= 0 && acc <= 100, String(acc));
    assert.ok(await num(page, 'acc-fp32') >= 90);
    assert.equal(await page.locator('[data-testid="gpu-cpu-mismatches"]').count(), 0);
    assert.deepEqual(page.problems, []);
  } finally {
    await browser.close();
  }
});
