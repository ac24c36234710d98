// The MLP lab in Portuguese: no English left in the same states as the English page (Iris
// trained, throughput measured, the GPTQ/AWQ table filled; the upload form), readouts with a
// decimal comma and the plain number in data-value, the chart's words in the language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp } from './harness.js';
import { untranslated, visibleTexts } from './untranslated.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

// Dataset names and Iris's class names are the same in both languages.
const NAMES = [/\b(Iris|Wine|Breast Cancer Wisconsin|Digits|Fashion-MNIST|setosa|versicolor|virginica)\b/g,
  // Words Brazilian Portuguese writes as they are, and GPTQ's option name.
  /\b(Kernels?|bytes?|act-order)\b/g];

/** Opens the lab in `lang`, waits for Iris to train and every readout to be measured. */
async function trained(lang) {
  const page = await openApp(browser, server.url, `?lab=mlp&lang=${lang}`, '[data-testid="train-status"]');
  await page.waitForSelector('[data-testid="acc-w8a8"]', { timeout: 120000 });
  await page.waitForSelector('[data-testid="tp-fp32"]', { timeout: 120000 });
  await page.click('[data-testid="ptq-run"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="ptq-table"] tbody tr').length === 8,
    null, { timeout: 120000 });
  // The language switch names each language in its own words: not a text to translate.
  await page.evaluate(() => document.querySelector('.lang-switch')?.setAttribute('translate', 'no'));
  return page;
}

test('MLP lab: the trained Iris page and the upload form have no English left in Portuguese', async () => {
  const en = await trained('en');
  const pt = await trained('pt-BR');
  const left = untranslated(await visibleTexts(en), await visibleTexts(pt), NAMES);
  assert.deepEqual(left, []);

  // A heading, a readout with a decimal comma and a plain data-value, the chart's x axis.
  assert.equal(await pt.locator('#mlp-lab-title').textContent(), 'Laboratório de MLP: treinar, quantizar, rodar em int8');
  assert.equal(await en.locator('#mlp-lab-title').textContent(), 'MLP lab: train, quantize, run int8');
  const acc = pt.locator('[data-testid="acc-w8a8"]');
  const plain = await acc.getAttribute('data-value');
  assert.match(plain, /^\d+\.\d\d$/);
  assert.equal((await acc.textContent()).trim(), plain.replace('.', ','));
  const enAcc = en.locator('[data-testid="acc-w8a8"]');
  assert.equal((await enAcc.textContent()).trim(), await enAcc.getAttribute('data-value'));
  assert.equal(await pt.locator('[data-testid="train-canvas"]').getAttribute('data-x-label'), 'época');
  assert.equal(await en.locator('[data-testid="train-canvas"]').getAttribute('data-x-label'), 'epoch');
  assert.equal((await pt.locator('[data-testid="train-status"]').textContent()).trim(), 'concluído');
  assert.match(await pt.locator('[data-testid="ptq-status"]').textContent(), /8 modelos medidos/);

  // The upload form.
  for (const page of [en, pt]) await page.selectOption('[data-testid="dataset"]', 'upload');
  await pt.waitForSelector('[data-testid="upload-idx"]', { state: 'visible' });
  await en.waitForSelector('[data-testid="upload-idx"]', { state: 'visible' });
  const left2 = untranslated(await visibleTexts(en), await visibleTexts(pt), NAMES);
  assert.deepEqual(left2, []);

  assert.deepEqual(en.problems, []);
  assert.deepEqual(pt.problems, []);
  await en.close();
  await pt.close();
});
