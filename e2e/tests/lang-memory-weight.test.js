// The Memory and Weight labs in Portuguese: every state that shows different words (modes,
// model sources, training methods, upload notes and errors, granularities, views, file
// tables, embeds) is opened in English and in Portuguese, and no English text may be left in
// the Portuguese page (technical terms aside). Plus a few specific checks: numbers read the
// Portuguese way while `data-value` keeps the plain number, headings and chart axis labels
// change language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp, readout } from './harness.js';
import { untranslated, visibleTexts } from './untranslated.js';
import { smallModel } from './weight-files.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const MEM_READY = '[data-testid="mem-total-gib"]';
const WL_READY = '[data-testid="wl-bits-per-weight"]';

// Technical names both languages write alike in these labs: Hugging Face repository ids and
// file names, module names of a transformer layer, GPU and memory products, tool names,
// distribution names that are the same word in Portuguese.
const MEMORY_TERMS = [
  /[\w.-]+\/\S*/g, // meta-llama/Llama-2-7b-hf, Qwen/Qwen2.5-7B
  /\b\d+(\.\d+)?[BM]\b/g, // model sizes: 7B, 3.8B
  /\bv\d[\w.]*/g, // versions: v0.1
  /\b[HA]\d+\w*/g, // H100, H200
  /\b(Bits|bits|config\.json|Hugging Face|lm_head|RMSNorm|gate|up|down|LoRA|QLoRA|NVIDIA|GeForce|RTX|AMD|Instinct|MI300X|HBM\w*|GDDR\w*|nvidia-smi|macOS|Apple silicon|Mac|sysctl|iogpu\.wired_limit_mb|cuBLAS|CUDA|ResNet-50|torchvision|resnet50|Adam|prefill|logits|embeddings|tokens|checkpointing|Total|decimal|Item|tiny-test-model)\b/g,
];
const WEIGHT_TERMS = [
  /\b[\w.]+\.(weight|bias)\b/g, // tensor names of the test file
  /\b(position_ids|q_min|q_max)\b/g,
  /\b[FIU]\d+\b/g, // file dtypes: F32, BF16, I32
  /\b[\w-]+\.(safetensors|npy)\b/g, // file names
  /^[\w-]+\.\s*$/g, // a file name alone (its extension already taken out above)
  /\b(Tensor|tensor|dtype|bytes|Bits|bits|Normal|Bimodal|Laplace|safetensors|npy|LSB|hex|Frobenius|absmax)\b/g,
];

/** Opens `query` in `lang`; waits for `ready` (and `extra` to hold). */
async function open(query, lang, ready) {
  const page = await openApp(browser, server.url, `${query}&lang=${lang}`, ready);
  return page;
}

/** Waits until the weight lab's comparison table is complete. */
async function compared(page) {
  await page.waitForFunction(() => /^\d+ (schemes|esquemas);/.test(document.querySelector('[data-testid="wl-compare-status"]')?.textContent.trim() ?? ''), null, { timeout: 60000 });
}

/** The English and Portuguese pages of one state, after `act` ran on each. */
async function both(query, ready, act = async () => {}) {
  const en = await open(query, 'en', ready);
  await act(en);
  const pt = await open(query, 'pt-BR', ready);
  await act(pt);
  return [en, pt];
}

// The language switch names each language in its own words (English, Português): not a
// text to translate.
const SHARED = ['.lang-switch'];

/** Marks the shared widgets' words as not this test's to check. */
async function leaveOutShared(page) {
  await page.evaluate((sel) => {
    for (const s of sel) for (const el of document.querySelectorAll(s)) el.setAttribute('translate', 'no');
  }, SHARED);
}

/** Asserts that the Portuguese page of the state has no English left, then closes both. */
async function noEnglish(label, en, pt, extra) {
  await leaveOutShared(en); await leaveOutShared(pt);
  const left = untranslated(await visibleTexts(en), await visibleTexts(pt), extra);
  assert.deepEqual(left, [], `${label}: English left in the Portuguese page`);
  assert.deepEqual(en.problems, [], label);
  assert.deepEqual(pt.problems, [], label);
  await en.close(); await pt.close();
}

const MEMORY_STATES = [
  ['inference, preset', '?lab=memory'],
  ['inference, mac, percent overhead, grouped int', '?lab=memory&gpu=mac-64gb&overhead=percent&weights=int3-g64&kv=int4'],
  ['inference, nothing fits', '?lab=memory&preset=llama31-70b&gpu=rtx-3060&weights=nf4-dq'],
  ['training, full', '?lab=memory&mode=training'],
  ['training, lora', '?lab=memory&mode=training&method=lora&optimizer=adam8bit'],
  ['training, qlora, checkpointing', '?lab=memory&mode=training&method=qlora&checkpointing=true&double_quant=true'],
  ['parameter count', '?lab=memory&source=params&billions=70&weights=fp32&overhead=none'],
  ['parameter count, training', '?lab=memory&source=params&billions=7&mode=training'],
  ['vision model', '?lab=memory&preset=resnet50'],
  ['full config', '?lab=memory&source=config&preset=qwen25-7b'],
  ['course table in GB', '?lab=memory&unit=gb'],
  ['embed', '?lab=memory&embed=1&views=course,breakdown,gpu-fit&controls=preset,mode-training,weights,kv,overhead,gpu'],
];

for (const [label, query] of MEMORY_STATES) {
  test(`memory, ${label}: nothing left in English`, async () => {
    const [en, pt] = await both(query, MEM_READY, async (p) => {
      // The item-by-item parameter count is folded: open it so its words are checked.
      const d = p.locator('.model-summary details');
      if (await d.count()) await d.evaluate((el) => { el.open = true; });
    });
    await noEnglish(label, en, pt, MEMORY_TERMS);
  });
}

const config = {
  _name_or_path: 'tiny-test-model', model_type: 'qwen2', num_hidden_layers: 4, hidden_size: 512,
  num_attention_heads: 8, intermediate_size: 1376, vocab_size: 32000, max_position_embeddings: 2048,
};

test('memory, upload note with assumptions and an upload error: nothing left in English', async () => {
  const good = async (p) => {
    await p.locator('[data-testid="config-upload"]').setInputFiles({
      name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(config)),
    });
    await p.locator('[data-testid="upload-note"]').waitFor();
  };
  let [en, pt] = await both('?lab=memory', MEM_READY, good);
  assert.match(await readout(pt, 'upload-note'), /carregado: seus valores/);
  await noEnglish('upload note', en, pt, MEMORY_TERMS);
  // A file that is not text of JSON: the message is in Portuguese around the core's words.
  const bad = async (p) => {
    await p.locator('[data-testid="config-upload"]').setInputFiles({
      name: 'config.json', mimeType: 'application/json', buffer: Buffer.from('{"hidden_size": 4096, "num_hidden_layers": '),
    });
    await p.locator('[data-testid="memory-error"]').waitFor();
  };
  [en, pt] = await both('?lab=memory', MEM_READY, bad);
  assert.match(await readout(pt, 'memory-error'), /^config\.json não foi carregado \(o modelo não mudou\): /);
  // The core's message (QuantError) stays English by design: leave it out of the check.
  const strip = async (p) => p.evaluate(() => { document.querySelector('[data-testid="memory-error"]').setAttribute('translate', 'no'); });
  await strip(en); await strip(pt);
  await noEnglish('upload error', en, pt, MEMORY_TERMS);
});

test('memory in Portuguese: readouts with decimal commas and plain data-value, headings, chart', async () => {
  const [en, pt] = await both('?lab=memory', MEM_READY);
  const span = (p, id) => p.locator(`[data-testid="${id}"]`).first();
  assert.equal(await readout(pt, 'mem-weights-gib'), '12,55');
  assert.equal(await span(pt, 'mem-weights-gib').getAttribute('data-value'), '12.55');
  assert.equal(await readout(en, 'mem-weights-gib'), '12.55');
  assert.equal(await readout(pt, 'params-computed'), '6.738.415.616');
  assert.equal(await span(pt, 'params-computed').getAttribute('data-value'), '6738415616');
  assert.equal(await readout(en, 'params-computed'), '6,738,415,616');
  assert.equal(await span(en, 'params-computed').getAttribute('data-value'), '6738415616');
  assert.equal(await readout(pt, 'params-published'), '6,74 bi');
  assert.equal(await readout(pt, 'seed-70B-FP32'), '260,77');
  assert.equal(await span(pt, 'seed-70B-FP32').getAttribute('data-value'), '260.77');
  assert.equal((await pt.locator('#memory-lab-title').textContent()).trim(), 'Calculadora de memória');
  assert.match(await pt.locator('[data-testid="item-kv-cache"]').textContent(),
    /2 · 32 camadas · 32 cabeças KV · 128 dim\. da cabeça · 2 B · 4096 tokens · 1 lote = 2,00 GiB/);
  assert.match(await readout(pt, 'max-context-explanation'), /^Em 1 × NVIDIA RTX 4090 24 GB|^Em 1 × /);
  // The chart's legend and axis are drawn in the page's language: the canvases differ.
  const pixels = (p) => p.evaluate(() => document.querySelector('[data-testid="memory-canvas"]').toDataURL());
  assert.notEqual(await pixels(en), await pixels(pt));
  await en.close(); await pt.close();
});

test('memory: switching the language in the page re-words the lab at once', async () => {
  const page = await open('?lab=memory', 'en', MEM_READY);
  await page.selectOption('[data-testid="lang"]', 'pt-BR');
  await page.waitForFunction(() => document.querySelector('#memory-lab-title').textContent.trim() === 'Calculadora de memória');
  assert.equal(await readout(page, 'mem-kv-gib'), '2,00');
  assert.match(await page.locator('[data-testid="items-table"] caption').textContent(), /Memória de inferência/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

const WEIGHT_STATES = [
  ['synthetic, per group', '?lab=weight'],
  ['per channel, student-t, log count', '?lab=weight&granularity=channel&dist=student-t&log=true'],
  ['per tensor, asymmetric, 3-bit packing', '?lab=weight&granularity=tensor&mode=asym&pack_bits=3'],
  ['bimodal, clipped weight', '?lab=weight&dist=bimodal&clip=percentile&percentile=90&granularity=tensor&pick=1'],
  ['nf4 (not r = S(q - Z))', '?lab=weight&scheme=nf4'],
  ['drawn histogram', '?lab=weight&source=drawn'],
  ['embed', '?lab=weight&embed=1&views=histogram,worked,heatmap,packing,comparison&controls=wl-scheme,wl-bits,wl-dist,wl-pack-bits,wl-log'],
];

for (const [label, query] of WEIGHT_STATES) {
  test(`weight, ${label}: nothing left in English`, async () => {
    const [en, pt] = await both(query, WL_READY, async (p) => {
      await compared(p);
      // The drawing pad's status line changes when it has the focus.
      if (query.includes('source=drawn')) await p.locator('[data-testid="wl-drawn-canvas"]').focus();
    });
    await noEnglish(label, en, pt, WEIGHT_TERMS);
  });
}

/** Chooses the file source and uploads `buffer` as `name`; waits for the attempt to end. */
async function upload(page, name, buffer) {
  await page.locator('[data-testid="wl-source"]').selectOption('file');
  const before = Number(await readout(page, 'wl-upload-attempts'));
  await page.locator('[data-testid="wl-upload"]').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
  await page.waitForFunction((b) => Number(document.querySelector('[data-testid="wl-upload-attempts"]').textContent) > b,
    before, { timeout: 30000 });
}

test('weight, a file with its tensor tables, then a refused file: nothing left in English', async () => {
  const [en, pt] = await both('?lab=weight', WL_READY, async (p) => {
    await upload(p, 'model.safetensors', smallModel());
    await p.waitForSelector('[data-testid="wl-tensor-table"]');
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid="wl-tensor-row"] td[data-col="snr"]')].every((t) => t.textContent.trim() !== '—'), null, { timeout: 30000 });
    await compared(p);
  });
  assert.match(await readout(pt, 'wl-tensor-info'), /^layers\.0\.weight: forma \[/);
  assert.match(await pt.locator('[data-testid="wl-file-size-table"]').textContent(), /como armazenado/);
  await leaveOutShared(en); await leaveOutShared(pt);
  const lefts = untranslated(await visibleTexts(en), await visibleTexts(pt), WEIGHT_TERMS);
  assert.deepEqual(lefts, [], 'file tables');
  // A file with no float tensor: the error in Portuguese, the previous tensor stays.
  const ints = Buffer.from('{"ids":{"dtype":"I32","shape":[3],"data_offsets":[0,12]}}');
  const head = Buffer.alloc(8); head.writeBigUInt64LE(BigInt(ints.length));
  const onlyInts = Buffer.concat([head, ints, Buffer.alloc(12)]);
  for (const p of [en, pt]) await upload(p, 'ints.safetensors', onlyInts);
  assert.equal(await readout(en, 'wl-upload-error'), 'ints.safetensors holds no F32, F16, BF16 or F64 tensor; the previous tensor stays');
  assert.equal(await readout(pt, 'wl-upload-error'), 'ints.safetensors não contém nenhum tensor F32, F16, BF16 ou F64; o tensor anterior continua');
  await noEnglish('refused file', en, pt, WEIGHT_TERMS);
});

test('weight in Portuguese: readouts, headings and the histogram axis', async () => {
  const [en, pt] = await both('?lab=weight', WL_READY, compared);
  const snr = pt.locator('[data-testid="wl-snr-db"]');
  const plain = await snr.getAttribute('data-value');
  assert.equal(plain, await readout(en, 'wl-snr-db'));
  assert.equal(await readout(pt, 'wl-snr-db'), plain.replace('.', ','));
  assert.equal(await readout(pt, 'wl-bits-per-weight'), '4,125');
  assert.equal(await pt.locator('[data-testid="wl-bits-per-weight"]').getAttribute('data-value'), '4.125');
  assert.equal((await pt.locator('#weight-lab-title').textContent()).trim(), 'Laboratório de pesos');
  assert.equal(await pt.locator('[data-testid="wl-hist-canvas"]').getAttribute('data-x-label'), 'peso');
  assert.equal(await en.locator('[data-testid="wl-hist-canvas"]').getAttribute('data-x-label'), 'weight');
  const pixels = (p) => p.evaluate(() => document.querySelector('[data-testid="wl-hist-canvas"]').toDataURL());
  assert.notEqual(await pixels(en), await pixels(pt));
  // Comparison cells: decimal commas in the text, the plain number in data-value.
  const cell = pt.locator('[data-testid="wl-compare-row"] td[data-col="snr"]').first();
  assert.equal(await cell.textContent(), (await cell.getAttribute('data-value')).replace('.', ','));
  await en.close(); await pt.close();
});
