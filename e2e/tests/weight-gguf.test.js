// The Weight lab reads GGUF checkpoints and FP8 safetensors with their scale tensors: the
// file `gguf` (llama.cpp's Python package) wrote for the core's reference test is uploaded,
// listed with its types, stored bits per weight and metadata, and a quantized tensor is
// decoded to gguf's own values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launchBrowser, openApp, readout, repoRoot } from './harness.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const READY = '[data-testid="wl-bits-per-weight"]';
const DATA = path.join(repoRoot, 'crates/quantlab-core/tests/data');

async function upload(page, name, buffer) {
  await page.locator('[data-testid="wl-source"]').selectOption('file');
  const before = Number(await readout(page, 'wl-upload-attempts'));
  await page.locator('[data-testid="wl-upload"]').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
  await page.waitForFunction((b) => Number(document.querySelector('[data-testid="wl-upload-attempts"]').textContent) > b,
    before, { timeout: 30000 });
}

/** The first weights the packing view shows, as numbers. */
async function firstWeights(page) {
  return (await readout(page, 'wl-pack-weights')).split(/\s+/).map(Number.parseFloat);
}

test('a GGUF file: every tensor listed with its type and stored bits, metadata, Q8_0 decoded as gguf decodes it', async () => {
  const page = await openApp(browser, server.url, '?lab=weight', READY);
  await upload(page, 'ref.gguf', fs.readFileSync(path.join(DATA, 'ref.gguf')));
  assert.equal(await page.locator('[data-testid="wl-upload-error"]').count(), 0);
  const options = await page.locator('[data-testid="wl-tensor"] option').allTextContents();
  assert.ok(options.includes('t.q4_k [3, 256] Q4_K'), options.join(' | '));
  assert.equal(await page.locator('[data-testid="wl-tensor"] option[value="t.iq2_xxs"]').getAttribute('disabled'), '');
  const stored = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="wl-tensor-row"]')]
    .map((r) => [r.dataset.name, Number(r.querySelector('td[data-col="stored-bits"]').dataset.value)])));
  assert.equal(stored['t.q4_k'], 4.5);
  assert.equal(stored['t.q2_k'], 2.625);
  assert.equal(stored['t.mxfp4'], 4.25);
  assert.equal(stored['t.f16'], 16);
  assert.match(await page.locator('[data-testid="wl-metadata"]').textContent(), /general\.architecture\s*"llama"/);
  // Q8_0: the first values equal gguf's dequantization.
  const ref = JSON.parse(fs.readFileSync(path.join(DATA, 'gguf_ref.json'), 'utf8'));
  const q8 = ref.tensors.find((t) => t.name === 't.q8_0');
  const want = [...new Float32Array(new Uint8Array(Buffer.from(q8.values_f32, 'base64')).buffer)];
  await page.locator('[data-testid="wl-tensor"]').selectOption('t.q8_0');
  await page.waitForFunction(() => document.querySelector('[data-testid="wl-tensor-info"]')?.textContent.includes('t.q8_0'), null, { timeout: 20000 });
  const got = await firstWeights(page);
  assert.ok(got.length >= 4, got.join(' '));
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])), `${i}: ${g} vs ${want[i]}`));
  assert.ok(Number.isFinite(Number.parseFloat(await readout(page, 'wl-snr-db'))));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('an FP8 weight with its per-row weight_scale is read as code × scale', async () => {
  const page = await openApp(browser, server.url, '?lab=weight', READY);
  const header = JSON.stringify({
    'fc.weight': { dtype: 'F8_E4M3', shape: [2, 2], data_offsets: [0, 4] },
    'fc.weight_scale': { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
  });
  const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(header.length));
  const scales = Buffer.alloc(8); scales.writeFloatLE(0.5, 0); scales.writeFloatLE(0.25, 4);
  // E4M3 codes 0x38 = 1, 0x40 = 2, 0xB8 = −1, 0x7E = 448.
  const file = Buffer.concat([len, Buffer.from(header), Buffer.from([0x38, 0x40, 0xB8, 0x7E]), scales]);
  await upload(page, 'fp8.safetensors', file);
  const options = await page.locator('[data-testid="wl-tensor"] option').allTextContents();
  assert.ok(options.includes('fc.weight [2, 2] F8_E4M3 × fc.weight_scale'), options.join(' | '));
  await page.waitForFunction(() => document.querySelector('[data-testid="wl-tensor-info"]')?.textContent.includes('fc.weight'), null, { timeout: 20000 });
  assert.deepEqual(await firstWeights(page), [0.5, 1, -0.25, 112]);
  assert.deepEqual(page.problems, []);
  await page.close();
});
