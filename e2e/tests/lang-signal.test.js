// The Signal lab (and the shared widgets: scheme controls, embed builder, drawing pad) in
// Portuguese: every state that shows different words is opened in English and in Portuguese,
// and no English text may be left in the Portuguese page (untranslated.js); plus readouts with
// a decimal comma and a plain data-value, a Portuguese heading and Portuguese chart labels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp } from './harness.js';
import { untranslated, visibleTexts } from './untranslated.js';
import { wav16, sine } from './files.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

// Terms this lab writes alike in both languages, beyond untranslated.js's list: "Bits" (the
// unit, as a label) and "Amplitude" (the same word in Portuguese); names in the technical
// scheme labels (QLoRA NormalFloat, OCP MX, bfloat16, Lloyd); dBFS.
const EXTRA = [
  /\bBits\b/g, /\bAmplitude\b/g,
  /\b(QLoRA|NormalFloat|OCP|MX|bfloat16|Lloyd|ggml|dBFS)\b/g,
];

/** Opens `query` in `lang` (the link's lang=), runs `prepare`, and returns the page and its texts. */
async function render(query, lang, { ready = '[data-testid="snr-db"]', prepare, skip = [] } = {}) {
  const page = await openApp(browser, server.url, `${query}&lang=${lang}`, ready);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  if (prepare) await prepare(page);
  await page.waitForTimeout(250);
  // Texts the core writes (its QuantError messages stay in English in this task), and the
  // language switch's options, each in its own language.
  const core = await page.evaluate((ids) => [
    ...ids.flatMap((id) => [...document.querySelectorAll(`[data-testid="${id}"]`)]),
    ...document.querySelectorAll('[data-testid="lang"] option'),
  ].map((e) => e.textContent.replace(/\s+/g, ' ').trim()), skip);
  const texts = (await visibleTexts(page)).filter((t) => !core.includes(t));
  return { page, texts };
}

/** Asserts that `query` in Portuguese shows no text of its English rendering. */
async function bothLanguages(query, opts = {}) {
  const en = await render(query, 'en', opts);
  const pt = await render(query, 'pt-BR', opts);
  const left = untranslated(en.texts, pt.texts, EXTRA);
  assert.deepEqual(left, [], `${query}: English left in Portuguese: ${JSON.stringify(left)}`);
  assert.deepEqual(en.page.problems, [], query);
  assert.deepEqual(pt.page.problems, [], query);
  await en.page.close(); await pt.page.close();
}

// Every mode, every view: the linear scheme's four range mappings, its clip strategies, and
// the other scheme families (each with its own formula and controls).
const STATES = [
  '?lab=signal',
  '?lab=signal&n=2048&bits=4&mode=sym',
  '?lab=signal&bits=4&mode=asym&clip=percentile',
  '?lab=signal&bits=4&mode=mid-rise&clip=mse',
  '?lab=signal&signal=speech&bits=6',
  '?lab=signal&signal=gaussian&bits=5',
  '?lab=signal&compare=true&cmp.bits=4&bits=4',
  '?lab=signal&n=4096&bits=10',
];
const NON_LINEAR = [
  'scheme=mu-law&bits=8', 'scheme=a-law&bits=8', 'scheme=mu-law-g711', 'scheme=log2&bits=4',
  'scheme=nf4&block_size=64&double_quant=true', 'scheme=fp8&fp8=e5m2', 'scheme=fp4', 'scheme=fp16',
  'scheme=q4-k&n=1024', 'scheme=q4-1', 'scheme=mxfp4', 'scheme=nvfp4', 'scheme=lloyd-max&bits=3',
];

for (const q of STATES) {
  test(`the Signal lab in Portuguese: ${q}`, () => bothLanguages(q));
}

test('the Signal lab in Portuguese: every scheme family (formulas and controls)', async () => {
  // The clip view needs the linear scheme: its message is the core's.
  for (const s of NON_LINEAR) await bothLanguages(`?lab=signal&${s}`, { skip: ['formula-clip'] });
});

test('the Signal lab in Portuguese: a bad setting, a link with ignored parameters', async () => {
  await bothLanguages('?lab=signal&mode=sym&bits=1', { skip: ['error', 'formula-error', 'formula-transfer', 'formula-error-hist', 'formula-snr-bits', 'formula-clip'] });
  await bothLanguages('?lab=signal&bits=banana&n=-5');
});

test('the Signal lab in Portuguese: drawing by hand, the pad focused, the embed preview, the player', async () => {
  const prepare = async (page) => {
    await page.locator('[data-testid="draw-pad"]').focus();
    await page.keyboard.press('ArrowUp');
    await page.locator('[data-testid="embed-preview-toggle"]').click();
    await page.locator('[data-testid="play-x"]').click();
  };
  await bothLanguages('?lab=signal&source=drawn&bits=4', { prepare });
});

test('the Signal lab in Portuguese: no file yet, a file loaded, a file refused', async () => {
  await bothLanguages('?lab=signal&source=file', { skip: ['formula-clip'] });
  const upload = (name, buffer) => async (page) => {
    await page.locator('[data-testid="upload"]').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
    await page.waitForSelector('[data-testid="upload-info"], [data-testid="upload-error"]');
  };
  await bothLanguages('?lab=signal&source=file&n=1000', { prepare: upload('tone.wav', wav16(sine(40000))) });
  await bothLanguages('?lab=signal', {
    prepare: async (page) => {
      await page.locator('[data-testid="source"]').selectOption('file');
      await upload('empty.csv', Buffer.alloc(0))(page);
    },
  });
});

test('the Signal lab in Portuguese: an embed with its views and controls', async () => {
  await bothLanguages('?lab=signal&embed=1&views=signal,error,transfer,snr-level&controls=bits,scheme,signal,amp',
    { ready: '[data-testid="open-in-quantlab"]' });
});

test('in Portuguese a readout has a decimal comma and a plain data-value, and the heading is Portuguese', async () => {
  const { page } = await render('?lab=signal&bits=4&mode=sym', 'pt-BR');
  const snr = page.locator('[data-testid="snr-db"]');
  const [text, value] = [(await snr.textContent()).trim(), await snr.getAttribute('data-value')];
  assert.match(text, /^\d+,\d\d$/);
  assert.match(value, /^\d+\.\d\d$/);
  assert.equal(text.replace(',', '.'), value);
  assert.equal((await page.locator('#signal-lab-title').textContent()).trim(), 'Laboratório de sinais');
  assert.match(await page.locator('[data-testid="formula-snr-bits"]').textContent(), /6,02·4 \+ 1,76 = 25,84/);
  // The scheme menu names the schemes in Portuguese; technical names stay.
  const options = await page.locator('[data-testid="scheme"] option').allTextContents();
  assert.ok(options.includes('Linear (uniforme)') && options.includes('ggml Q4_K'), options.join(' | '));
  await page.close();
  const en = await render('?lab=signal&bits=4&mode=sym', 'en');
  assert.equal(await en.page.locator('[data-testid="snr-db"]').textContent(), value);
  await en.page.close();
});

test('the charts are labelled in the page language: the same state draws different pixels', async () => {
  const pixels = async (lang) => {
    const { page } = await render('?lab=signal&bits=4&mode=sym', lang);
    const out = await page.evaluate(() => ['error-hist', 'snr-level', 'clip']
      .map((id) => document.querySelector(`[data-testid="${id}-canvas"]`).toDataURL()));
    await page.close();
    return out;
  };
  const [en, pt] = [await pixels('en'), await pixels('pt-BR')];
  for (let i = 0; i < en.length; i++) assert.notEqual(en[i], pt[i], `canvas ${i} is the same in both languages`);
  // The language switch redraws the charts at once.
  const { page } = await render('?lab=signal&bits=4&mode=sym', 'en');
  await page.selectOption('[data-testid="lang"]', 'pt-BR');
  await page.waitForFunction(() => document.documentElement.lang === 'pt-BR');
  await page.waitForTimeout(300);
  const switched = await page.evaluate(() => document.querySelector('[data-testid="error-hist-canvas"]').toDataURL());
  assert.equal(switched, pt[0]);
  assert.equal((await page.locator('[data-testid="embed-snippet"]').inputValue()).includes('lang=pt-BR'), true);
  await page.close();
});
