// Memory calculator, end to end in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp, readout, canvasStats } from './harness.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const READY = '[data-testid="mem-total-gib"]';
const open = (query = '?lab=memory') => openApp(browser, server.url, query, READY);
const IDS = ['mem-weights-gib', 'mem-kv-gib', 'mem-activations-gib', 'mem-total-gib', 'mem-total-gb', 'max-context'];

/** The stable readouts, as text. */
async function memReadouts(page) {
  const out = {};
  for (const id of IDS) out[id] = await readout(page, id);
  return out;
}

/** Fills a number input and commits it the way a user does (change on blur/Enter). */
async function setNumber(page, testid, value) {
  const input = page.locator(`[data-testid="${testid}"]`);
  await input.fill(String(value));
  await input.dispatchEvent('change');
}

/** Waits until a readout's text differs from `previous`. */
async function changed(page, id, previous) {
  await page.waitForFunction(([i, p]) => document.querySelector(`[data-testid="${i}"]`).textContent.trim() !== p,
    [id, previous]);
}

test('the course table renders with the course numbers, and the GB toggle converts', async () => {
  const page = await open();
  const cell = (size, dtype) => readout(page, `seed-${size}-${dtype}`);
  assert.equal(await cell('70B', 'FP32'), '260.77');
  assert.equal(await cell('7B', 'FP16'), '13.04');
  assert.equal(await cell('13B', 'BF16'), '24.21');
  assert.equal(await cell('1B', 'INT8'), '0.93');
  assert.equal(await cell('70B', 'INT4'), '32.60');
  assert.equal(await page.locator('[data-testid^="seed-"]').count(), 20);
  await page.locator('[data-testid="unit-gb"]').check();
  await page.waitForFunction(() => document.querySelector('[data-testid="seed-70B-FP32"]').textContent.trim() === '280.00');
  assert.equal(await cell('7B', 'FP16'), '14.00');
  assert.equal(await readout(page, 'course-unit'), 'GB');
  assert.match(page.url(), /unit=gb/);
  // The explanation of the two units is on the page.
  assert.match(await page.locator('.units-note').textContent(), /1024³/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the default model gives the course KV cache figure: Llama-2-7B, 4096 tokens, fp16 = 2.00 GiB', async () => {
  const page = await open();
  const r = await memReadouts(page);
  assert.equal(r['mem-kv-gib'], '2.00');
  assert.equal(r['mem-weights-gib'], '12.55');
  for (const id of IDS) assert.ok(Number.isFinite(Number.parseFloat(r[id])), `${id} = ${r[id]}`);
  assert.match(await readout(page, 'params-computed'), /^6,738,415,616$/);
  assert.equal(await readout(page, 'params-published'), '6.74 B');
  // Every item has its formula with the numbers substituted.
  assert.match(await page.locator('[data-testid="item-kv-cache"]').textContent(),
    /2 · 32 layers · 32 KV heads · 128 head dim · 2 B · 4096 tokens · 1 batch = 2\.00 GiB/);
  const stats = await canvasStats(page, 'memory-canvas', [0x00, 0x72, 0xb2]);
  assert.ok(stats.colour > 2000, `blue weight pixels: ${stats.colour}`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a preset change and a context change update the totals', async () => {
  const page = await open();
  const before = await memReadouts(page);
  await page.locator('[data-testid="preset"]').selectOption('llama31-8b');
  await changed(page, 'mem-total-gib', before['mem-total-gib']);
  const at4k = await memReadouts(page);
  assert.equal(at4k['mem-kv-gib'], '0.50', 'GQA: 8 KV heads');
  await setNumber(page, 'context', 8192);
  await changed(page, 'mem-kv-gib', '0.50');
  const at8k = await memReadouts(page);
  assert.equal(at8k['mem-kv-gib'], '1.00');
  assert.ok(Number.parseFloat(at8k['mem-total-gib']) > Number.parseFloat(at4k['mem-total-gib']));
  assert.match(page.url(), /preset=llama31-8b/);
  assert.match(page.url(), /context=8192/);
  // A quantized KV cache halves it again.
  await page.locator('[data-testid="kv"]').selectOption('fp8');
  await changed(page, 'mem-kv-gib', '1.00');
  assert.equal(await readout(page, 'mem-kv-gib'), '0.50');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the overhead is visible and changeable', async () => {
  const page = await open();
  const total = await readout(page, 'mem-total-gib');
  assert.match(await page.locator('[data-testid="item-overhead"]').textContent(), /fixed allowance 1 GiB/);
  await setNumber(page, 'overhead-gib', 3);
  await changed(page, 'mem-total-gib', total);
  assert.equal((Number.parseFloat(await readout(page, 'mem-total-gib')) - Number.parseFloat(total)).toFixed(2), '2.00');
  await page.locator('[data-testid="overhead"]').selectOption('none');
  await page.waitForSelector('[data-testid="item-overhead"]', { state: 'detached' });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('training: full fine-tuning states 16 B per parameter, QLoRA is far smaller', async () => {
  const page = await open('?lab=memory&preset=llama2-7b&mode=training');
  assert.match(await readout(page, 'adam-bytes'), /2 \+ 4 \+ 2 \+ 4 \+ 4 = 16 B/);
  const full = Number.parseFloat(await readout(page, 'mem-total-gib'));
  assert.ok(full > 100, `full fine-tuning of 7B: ${full} GiB`);
  assert.equal(await readout(page, 'mem-kv-gib'), '0.00');
  assert.equal(await readout(page, 'max-context'), '—');
  await page.locator('[data-testid="method"]').selectOption('qlora');
  await changed(page, 'mem-total-gib', full.toFixed(2));
  const qlora = Number.parseFloat(await readout(page, 'mem-total-gib'));
  assert.ok(qlora < 20, `QLoRA of 7B: ${qlora} GiB`);
  const stored = await readout(page, 'mem-activations-gib');
  await page.locator('[data-testid="checkpointing"]').check();
  await changed(page, 'mem-activations-gib', stored);
  assert.ok(Number.parseFloat(await readout(page, 'mem-activations-gib')) < Number.parseFloat(stored) / 4);
  assert.match(page.url(), /method=qlora/);
  assert.match(page.url(), /checkpointing=true/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the largest context follows the chosen GPU', async () => {
  const page = await open('?lab=memory&preset=llama31-8b&gpu=rtx-4090');
  const on4090 = Number.parseInt(await readout(page, 'max-context'), 10);
  assert.ok(on4090 > 8192 && on4090 < 131072, `4090: ${on4090}`);
  await page.locator('[data-testid="gpu"]').selectOption('rtx-3060');
  await changed(page, 'max-context', String(on4090));
  const on3060 = await readout(page, 'max-context');
  assert.equal(on3060, '0', 'fp16 Llama-3.1-8B does not fit in 12 GiB');
  assert.equal(await readout(page, 'need-rtx-3060'), '2');
  assert.equal(await readout(page, 'need-h100-80gb'), '1');
  await setNumber(page, 'gpus', 2);
  await changed(page, 'max-context', on3060);
  assert.ok(Number.parseInt(await readout(page, 'max-context'), 10) > 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the URL restores the state', async () => {
  const page = await open();
  await page.locator('[data-testid="preset"]').selectOption('mistral-7b');
  await page.locator('[data-testid="weights"]').selectOption('q4-k');
  await page.locator('[data-testid="kv"]').selectOption('int8');
  await setNumber(page, 'context', 16384);
  await setNumber(page, 'batch', 2);
  await page.locator('[data-testid="gpu"]').selectOption('a100-40gb');
  await page.waitForFunction(() => /batch=2/.test(location.search) && /gpu=a100-40gb/.test(location.search));
  const first = await memReadouts(page);
  const url = page.url();
  assert.match(url, /lab=memory/);
  assert.match(url, /weights=q4-k/);
  const again = await openApp(browser, url, '', READY);
  assert.deepEqual(await memReadouts(again), first);
  assert.equal(await again.locator('[data-testid="preset"]').inputValue(), 'mistral-7b');
  assert.equal(await again.locator('[data-testid="weights"]').inputValue(), 'q4-k');
  assert.equal(await again.locator('[data-testid="context"]').inputValue(), '16384');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(again.problems, []);
  await page.close(); await again.close();
});

test('a malformed config.json shows the message and the page keeps working', async () => {
  const page = await open('?lab=memory&preset=llama31-8b');
  const before = await memReadouts(page);
  await page.locator('[data-testid="config-upload"]').setInputFiles({
    name: 'config.json', mimeType: 'application/json', buffer: Buffer.from('{"hidden_size": 4096, "num_hidden_layers": '),
  });
  const alert = page.locator('[data-testid="memory-error"]');
  await alert.waitFor();
  assert.equal(await alert.getAttribute('role'), 'alert');
  assert.match(await alert.textContent(), /config\.json is not valid JSON/);
  // The previous model is kept.
  assert.deepEqual(await memReadouts(page), before);
  // A well-formed file with a missing field names the field.
  await page.locator('[data-testid="config-upload"]').setInputFiles({
    name: 'partial.json', mimeType: 'application/json', buffer: Buffer.from('{"num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32}'),
  });
  await page.waitForFunction(() => /intermediate_size/.test(document.querySelector('[data-testid="memory-error"]').textContent));
  // The page keeps working.
  await setNumber(page, 'context', 8192);
  await changed(page, 'mem-kv-gib', before['mem-kv-gib']);
  assert.equal(await readout(page, 'mem-kv-gib'), '1.00');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a valid config.json fills the config fields; the link keeps the shapes, not the file', async () => {
  const page = await open();
  const config = {
    _name_or_path: 'tiny-test-model', model_type: 'llama', num_hidden_layers: 4, hidden_size: 512,
    num_attention_heads: 8, num_key_value_heads: 2, intermediate_size: 1376, vocab_size: 32000,
    max_position_embeddings: 2048, tie_word_embeddings: true,
  };
  await page.locator('[data-testid="config-upload"]').setInputFiles({
    name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(config)),
  });
  const note = page.locator('[data-testid="upload-note"]');
  await note.waitFor();
  assert.match(await note.textContent(), /not part of the link/);
  assert.equal(await readout(page, 'model-name'), 'Custom config');
  // 32000·512 + 4·(512·512 + 2·512·128 + 512·512 + 3·512·1376) + 4·2·512 + 512, lm_head tied
  assert.equal(await readout(page, 'params-computed'), '27,464,192');
  assert.equal(await page.locator('[data-testid="cfg-kv-heads"]').inputValue(), '2');
  assert.match(page.url(), /source=config/);
  assert.match(page.url(), /kv_heads=2/);
  const again = await openApp(browser, page.url(), '', READY);
  assert.equal(await readout(again, 'params-computed'), '27,464,192');
  assert.equal(await readout(again, 'mem-total-gib'), await readout(page, 'mem-total-gib'));
  assert.deepEqual(page.problems, []);
  assert.deepEqual(again.problems, []);
  await page.close(); await again.close();
});

test('a model given by parameter count: weights only, KV cache unknown', async () => {
  const page = await open('?lab=memory&source=params&billions=70&weights=fp32&overhead=none');
  assert.equal(await readout(page, 'mem-total-gib'), '260.77');
  assert.equal(await readout(page, 'mem-total-gb'), '280.00');
  assert.equal(await readout(page, 'mem-kv-gib'), '—');
  assert.equal(await readout(page, 'max-context'), '—');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the nav switches labs and the controls are labelled', async () => {
  const page = await open();
  assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), 'Memory calculator');
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('.memory-lab input, .memory-lab select')]
    .filter((el) => !el.closest('label') && !el.getAttribute('aria-label'))
    .map((el) => el.dataset.testid || el.outerHTML));
  assert.deepEqual(unlabelled, []);
  // Keyboard: focus the preset select and pick the next preset with the arrow key.
  await page.locator('[data-testid="preset"]').focus();
  const total = await readout(page, 'mem-total-gib');
  await page.keyboard.press('ArrowDown');
  await changed(page, 'mem-total-gib', total);
  assert.equal(await page.locator('[data-testid="preset"]').inputValue(), 'llama2-13b');
  await page.locator('nav a', { hasText: 'Signal lab' }).click();
  await page.waitForSelector('[data-testid="snr-db"]');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('garbage in the URL is ignored with a notice, not a crash', async () => {
  const page = await open('?lab=memory&preset=gpt-9&context=lots&weights=int9-g0&gpu=tpu');
  assert.match(await page.locator('.notice').first().textContent(), /ignored/);
  assert.equal(await readout(page, 'mem-kv-gib'), '2.00');
  assert.deepEqual(page.problems, []);
  await page.close();
});
