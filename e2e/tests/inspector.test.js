// The Weight lab's block inspector and format card, end to end in headless Chromium: a block
// chosen by keyboard and by click, its bytes, steps and elements checked against each other and
// against the format; the card's bits per weight against the lab's readout; no English left in
// the Portuguese page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp, readout } from './harness.js';
import { untranslated, visibleTexts } from './untranslated.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const READY = '[data-testid="wl-bits-per-weight"]';
const open = (query) => openApp(browser, server.url, query, READY);

/** The formats checked: the link, the values in one block and its bytes as stored. */
const FORMATS = [
  // int4, symmetric, groups of 128, fp16 scales (the default): an fp16 S, then 64 code bytes.
  { name: 'linear int4 g128', query: '', len: 128, bytes: 2 + 64, codeBits: 4 },
  // NF4 blocks of 64: the fp32 absmax, then 32 code bytes.
  { name: 'NF4', query: '&scheme=nf4', len: 64, bytes: 4 + 32, codeBits: 4 },
  // Q4_K: ggml's 144-byte super-block of 256 weights.
  { name: 'Q4_K', query: '&scheme=q4-k', len: 256, bytes: 144, codeBits: 4 },
  // MXFP4: the E8M0 byte and 32 E2M1 codes in 16 bytes.
  { name: 'MXFP4', query: '&scheme=mxfp4', len: 32, bytes: 17, codeBits: 4 },
  // NVFP4: the E4M3 byte and 16 E2M1 codes in 8 bytes.
  { name: 'NVFP4', query: '&scheme=nvfp4', len: 16, bytes: 9, codeBits: 4 },
];

/** The inspector's block as numbers. */
async function panel(page) {
  return page.evaluate(() => {
    const v = (id) => document.querySelector(`[data-testid="${id}"]`)?.dataset.value;
    const hex = document.querySelector('[data-testid="inspector-hex"]');
    return {
      block: Number(v('inspector-block')),
      len: Number(v('inspector-len')),
      codeBits: Number(v('inspector-code-bits')),
      hexCount: Number(hex?.dataset.count),
      hexBytes: hex?.textContent.trim().split(/\s+/).length,
      steps: [...document.querySelectorAll('[data-testid="inspector-step"]')].map((s) => ({ kind: s.dataset.kind, value: Number.parseFloat(s.dataset.value) })),
      elements: [...document.querySelectorAll('[data-testid="inspector-element"]')].map((r) => {
        const c = [...r.querySelectorAll('td')].map((td) => td.dataset.value);
        return {
          index: Number(r.dataset.index), code: Number(c[1]), unit: Number.parseFloat(c[3]), scale: Number.parseFloat(c[4]),
          offset: Number.parseFloat(c[5]), value: Number.parseFloat(c[6]), original: Number.parseFloat(c[7]), error: Number.parseFloat(c[8]),
        };
      }),
    };
  });
}

/** Waits until the inspector shows block `want` (any block when `want` is undefined). */
async function showsBlock(page, want) {
  await page.waitForFunction((w) => {
    const b = document.querySelector('[data-testid="inspector-block"]');
    return b && (w === undefined || Number(b.dataset.value) === w);
  }, want, { timeout: 20000 });
}

/** Six significant digits are printed: two printed numbers agree to this. */
const close = (a, b, scale) => Math.abs(a - b) <= 2e-5 * Math.max(Math.abs(a), Math.abs(b), Math.abs(scale), 1e-30);

function checkBlock(f, p) {
  assert.equal(p.len, f.len, `${f.name}: values in the block`);
  assert.equal(p.elements.length, f.len, `${f.name}: element rows`);
  assert.equal(p.hexCount, f.bytes, `${f.name}: bytes of the block`);
  assert.equal(p.hexBytes, f.bytes, `${f.name}: hex bytes shown`);
  assert.equal(p.codeBits, f.codeBits, `${f.name}: code bits`);
  assert.ok(p.steps.length > 0, `${f.name}: steps`);
  for (const e of p.elements) {
    // Each reconstruction is the decoded code times its scale (plus its offset).
    // (The terms are printed to six digits each: the tolerance follows the larger term.)
    assert.ok(close(e.unit * e.scale + e.offset, e.value, Math.abs(e.unit * e.scale) + Math.abs(e.offset)), `${f.name}: ${JSON.stringify(e)}`);
    assert.ok(close(e.original - e.value, e.error, Math.max(Math.abs(e.original), e.scale)), `${f.name}: error of ${JSON.stringify(e)}`);
  }
  // Consecutive weights of one block (the default tensor's rows are longer than any block).
  const idx = p.elements.map((e) => e.index);
  assert.deepEqual(idx, idx.map((_, k) => idx[0] + k), `${f.name}: indices`);
  assert.equal(idx[0] % f.len, 0, `${f.name}: the block starts on a block boundary`);
}

for (const f of FORMATS) {
  test(`${f.name}: a block chosen by keyboard and by click decodes to its own numbers`, async () => {
    const page = await open(`?lab=weight${f.query}`);
    const heat = page.locator('[data-testid="wl-heat-canvas"]');
    await heat.focus();
    await page.keyboard.press('Enter');
    await showsBlock(page, 0);
    const first = await panel(page);
    checkBlock(f, first);
    // A step of the scale decode for the formats with a block scale.
    const kinds = new Set(first.steps.map((s) => s.kind));
    if (f.name === 'Q4_K') for (const k of ['SuperScale', 'SuperMin', 'SubScale', 'SubMin']) assert.ok(kinds.has(k), k);
    if (f.name === 'NVFP4') for (const k of ['TensorScale', 'BlockScale', 'EffectiveScale']) assert.ok(kinds.has(k), k);
    if (f.name === 'NVFP4') {
      // d = s_b · s₂.
      const s = Object.fromEntries(first.steps.map((x) => [x.kind, x.value]));
      assert.ok(close(s.BlockScale * s.TensorScale, s.EffectiveScale, s.EffectiveScale));
    }
    // End moves the cursor to the last cell of the row: a later block.
    await page.keyboard.press('End');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="inspector-block"]')?.dataset.value) > 0, null, { timeout: 20000 });
    const next = await panel(page);
    assert.ok(next.elements[0].index > first.elements[0].index);
    checkBlock(f, next);
    // ArrowLeft goes back one cell: never a later weight.
    await page.keyboard.press('ArrowLeft');
    await page.waitForTimeout(300);
    const left = await panel(page);
    assert.ok(left.elements[0].index <= next.elements[0].index);
    // A click in the middle of the map (plot area: x 64–842, y 8–324 of the 960 × 360 canvas).
    const box = await heat.boundingBox();
    await heat.click({ position: { x: box.width * (64 + 778 * 0.5) / 960, y: box.height * (8 + 316 * 0.5) / 360 } });
    await page.waitForFunction(([a, b]) => {
      const v = Number(document.querySelector('[data-testid="inspector-block"]')?.dataset.value);
      return v !== a && v !== b;
    }, [first.block, next.block], { timeout: 20000 });
    const clicked = await panel(page);
    checkBlock(f, clicked);
    // Half-way down the map: a row far below the first.
    assert.ok(clicked.elements[0].index > next.elements[0].index);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test('a weight of the packing view opens its block, by click and by Tab and Enter', async () => {
  const f = FORMATS[0]; // linear int4 g128: the packing view applies
  const page = await open('?lab=weight');
  const buttons = page.locator('[data-testid="wl-pack-weight"]');
  await buttons.first().waitFor({ timeout: 20000 });
  // The cell still reads as the list of packed weights.
  const shown = (await readout(page, 'wl-pack-weights')).split(' ').map(Number.parseFloat);
  assert.equal(shown.length, await buttons.count());
  await buttons.nth(5).click();
  await showsBlock(page, 0);
  let p = await panel(page);
  checkBlock(f, p);
  // The weight clicked is in the block, with the value the packing view shows.
  const e5 = p.elements.find((e) => e.index === 5);
  assert.ok(e5, 'weight 5 is listed');
  assert.ok(close(e5.original, shown[5], shown[5]), `${e5.original} vs ${shown[5]}`);
  assert.match(await readout(page, 'inspector-title'), /weight 5 /);
  // Keyboard: focus weight 9 and press Enter.
  await buttons.nth(9).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /weight 9 /.test(document.querySelector('[data-testid="inspector-title"]')?.textContent ?? ''), null, { timeout: 20000 });
  p = await panel(page);
  assert.ok(p.elements.some((e) => e.index === 9 && close(e.original, shown[9], shown[9])));
  // A heat-map cell chosen afterwards names its cell again.
  await page.locator('[data-testid="wl-heat-canvas"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /heat-map cell/.test(document.querySelector('[data-testid="inspector-title"]')?.textContent ?? ''), null, { timeout: 20000 });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the format card: the parts of the bits per weight sum to the lab\'s readout, and the grid has the levels', async () => {
  for (const f of FORMATS) {
    const page = await open(`?lab=weight${f.query}`);
    await page.waitForSelector('[data-testid="card-bits-total"]');
    const parts = await page.evaluate(() => Object.fromEntries(['codes', 'block', 'nested', 'tensor', 'total'].map((k) => [k,
      Number.parseFloat(document.querySelector(`[data-testid="card-bits-${k}"]`).dataset.value)])));
    const bpw = Number.parseFloat(await readout(page, 'wl-bits-per-weight'));
    const sum = parts.codes + parts.block + parts.nested + parts.tensor;
    assert.ok(Math.abs(sum - bpw) < 1e-4, `${f.name}: ${JSON.stringify(parts)} vs ${bpw}`);
    assert.ok(Math.abs(parts.total - bpw) < 1e-4, `${f.name}: ${parts.total} vs ${bpw}`);
    assert.equal(parts.codes, 4, f.name);
    const ticks = await page.locator('[data-testid="card-tick"]').count();
    assert.ok(ticks >= 8 && ticks <= 16, `${f.name}: ${ticks} levels`);
    assert.ok((await page.locator('[data-testid="card-used-by"]').textContent()).length > 20);
    await page.close();
  }
});

test('the Portuguese page shows the inspector and the card without English', async () => {
  const pages = [];
  for (const lang of ['en', 'pt-BR']) {
    const page = await open(`?lab=weight&scheme=q4-k&lang=${lang}`);
    await page.locator('[data-testid="wl-heat-canvas"]').focus();
    await page.keyboard.press('Enter');
    await showsBlock(page, 0);
    pages.push(page);
  }
  const only = async (page) => page.evaluate(() => {
    // The inspector and the card only: the rest of the lab has its own walk.
    for (const el of document.body.querySelectorAll('*')) {
      if (!el.closest('[data-testid="block-inspector"], [data-testid="format-card"]') && !el.querySelector('[data-testid="block-inspector"], [data-testid="format-card"]')) el.setAttribute('translate', 'no');
    }
  });
  for (const p of pages) await only(p);
  const extra = [/\b(bits|bytes|ggml|GGUF|K-quant|Q4_K_M|absmax|OpenAI|gpt-oss|Apple|Core ML|Deep Compression|Blackwell|Hopper|NVIDIA|tensor cores?|TPUs?|GPUs?|ITU-T)\b/g];
  const left = untranslated(await visibleTexts(pages[0]), await visibleTexts(pages[1]), extra);
  assert.deepEqual(left, [], 'English left in the Portuguese inspector or card');
  for (const p of pages) { assert.deepEqual(p.problems, []); await p.close(); }
});
