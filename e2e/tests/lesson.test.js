// The lesson (?lab=lesson): every question checked with a right and a wrong answer, the
// figures live (a control moves what they show and the open-in-lab link follows), the reader's
// place in the URL, a section embedded alone, the printed handout, a phone's width, and the
// Portuguese page with no English left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp, readout, screenshotPath } from './harness.js';
import { untranslated, visibleTexts } from './untranslated.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const open = (n, extra = '') => openApp(browser, server.url, `?lab=lesson&section=${n}${extra}`, `[data-testid="q-s${n}"]`);

/** Answers question `n` with `value` (a number typed, or a choice's id) and returns the verdict. */
async function answer(page, n, value, choice = false) {
  if (choice) await page.locator(`[data-testid="q-s${n}-choice-${value}"]`).check();
  else await page.locator(`[data-testid="q-s${n}-input"]`).fill(value);
  await page.locator(`[data-testid="q-s${n}-check"]`).click();
  const v = page.locator(`[data-testid="q-s${n}-verdict"]`);
  await page.waitForFunction((id) => document.querySelector(`[data-testid="${id}"]`)?.dataset.verdict, `q-s${n}-verdict`);
  return v.getAttribute('data-verdict');
}

// [section, right answers, wrong answers, is a choice]
const QUESTIONS = [
  [1, ['8'], ['5', '23'], false],
  [2, ['0.2857', '0,2857', '2/7'], ['0.25', '2/8'], false],
  [3, ['7', '7 bits'], ['6', '8'], false],
  [4, ['mulaw'], ['linear'], true],
  [5, ['64'], ['63', '0'], false],
  [6, ['group'], ['tensor', 'channel'], true],
  [7, ['500', '500 bytes'], ['1000', '1.000'], false],
  [8, ['35', '35 GB', '35,0'], ['32,6', '70', '140'], false],
  [9, ['64'], ['16', '32'], false],
  [10, ['w8a8'], ['w8', 'w4-g128'], true],
];

for (const [n, rights, wrongs, choice] of QUESTIONS) {
  test(`section ${n}: the question takes its right answer and refuses a wrong one`, async () => {
    const page = await open(n);
    for (const w of wrongs) assert.equal(await answer(page, n, w, choice), 'wrong', `wrong answer ${w}`);
    for (const r of rights) assert.equal(await answer(page, n, r, choice), 'right', `right answer ${r}`);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test('a number question says when the answer is not a number, a choice question when none is chosen', async () => {
  const page = await open(2);
  assert.equal(await answer(page, 2, 'a quarter'), 'unreadable');
  assert.match(await readout(page, 'q-s2-verdict'), /Type a number/);
  await page.close();
  const p10 = await open(10);
  await p10.locator('[data-testid="q-s10-check"]').click();
  await p10.waitForFunction(() => document.querySelector('[data-testid="q-s10-verdict"]')?.dataset.verdict === 'unreadable');
  await p10.close();
});

test('section 1 draws a typed value in fp32, fp16, bf16 and int8, and fp16 overflows past 65504', async () => {
  const page = await open(1);
  const bits = (f) => page.locator(`[data-testid="s1-bits-${f}"]`).getAttribute('data-bits');
  assert.equal(await bits('fp32'), '0 01111011 10011001100110011001101');
  assert.equal(await bits('bf16'), '0 01111011 1001101');
  assert.equal(await page.locator('[data-testid="s1-stored-fp16"]').getAttribute('data-value'), '0.0999755859375');
  await page.locator('[data-testid="s1-value"]').fill('70000');
  await page.waitForFunction(() => document.querySelector('[data-testid="s1-stored-fp16"]')?.dataset.value === 'inf');
  assert.equal(await page.locator('[data-testid="s1-stored-int8"]').getAttribute('data-value'), '127');
  await page.locator('[data-testid="s1-value"]').fill('-3,75');
  await page.waitForFunction(() => document.querySelector('[data-testid="s1-stored-bf16"]')?.dataset.value === '-3.75');
  await page.locator('[data-testid="s1-value"]').fill('oops');
  await page.locator('[data-testid="s1-error"]').waitFor();
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('section 2: the bits slider redraws the staircase and the open-in-lab link carries the state', async () => {
  const page = await open(2);
  const formula = () => readout(page, 'formula-transfer');
  const before = await formula();
  assert.match(await page.locator('[data-testid="s2-open"]').getAttribute('href'), /lab=signal.*bits=3/);
  await page.locator('[data-testid="s2-bits"]').fill('5');
  await page.waitForFunction((b) => document.querySelector('[data-testid="formula-transfer"]')?.textContent.trim() !== b, before);
  assert.equal(await page.locator('[data-testid="s2-bits-value"]').getAttribute('data-value'), '5');
  const href = await page.locator('[data-testid="s2-open"]').getAttribute('href');
  assert.match(href, /bits=5/);
  // The lab opens at that state: 5 bits, 32 levels.
  const lab = await openApp(browser, server.url, href);
  assert.equal(Number.parseFloat(await readout(lab, 'levels')), 32);
  await lab.close();
  // Only the hosted views are in the section: no compare or clipping figure.
  assert.equal(await page.locator('[data-testid="clip-canvas"]').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('sections 5 and 9 work their numbers: Z = 64, q = 96; 64 int8 lanes, int16 wraps at the third product', async () => {
  const p5 = await open(5);
  const val = (p, id) => p.locator(`[data-testid="${id}"]`).getAttribute('data-value');
  assert.equal(await val(p5, 's5-zero'), '64');
  assert.equal(await val(p5, 's5-q'), '96');
  await p5.locator('[data-testid="s5-mode"]').selectOption('sym');
  await p5.waitForFunction(() => document.querySelector('[data-testid="s5-zero"]')?.dataset.value === '128');
  await p5.locator('[data-testid="s5-max"]').fill('-2');
  await p5.locator('[data-testid="s5-error"]').waitFor();
  await p5.close();
  const p9 = await open(9);
  await p9.locator('[data-testid="s9-register-bits"]').selectOption('512');
  await p9.waitForFunction(() => document.querySelector('[data-testid="s9-register"]')?.dataset.lanes === '64');
  await p9.locator('[data-testid="s9-lane-bits"]').selectOption('32');
  await p9.waitForFunction(() => document.querySelector('[data-testid="s9-register"]')?.dataset.lanes === '16');
  assert.equal(await val(p9, 's9-int16-2'), '32258');
  assert.equal(await val(p9, 's9-int16-3'), '-17149');
  assert.equal(await val(p9, 's9-int32-3'), '48387');
  assert.equal(await p9.locator('[data-testid="s9-row-3"].wrapped').count(), 1);
  assert.deepEqual(p9.problems, []);
  await p9.close();
});

test('section 6: switching the granularity lowers the MSE shown', async () => {
  const page = await open(6);
  const mse = async () => Number.parseFloat(await page.locator('[data-testid="s6-mse"]').getAttribute('data-value'));
  await page.waitForFunction(() => document.querySelector('[data-testid="s6-mse"]')?.dataset.value);
  const tensor = await mse();
  await page.locator('[data-testid="s6-granularity"]').selectOption('group');
  await page.waitForFunction((t) => Number.parseFloat(document.querySelector('[data-testid="s6-mse"]').dataset.value) < t, tensor);
  assert.ok((await mse()) < tensor / 2, 'per group of 32 cuts the error of this tensor by more than half');
  assert.match(await page.locator('[data-testid="s6-open"]').getAttribute('href'), /lab=weight.*granularity=group/);
  await page.close();
});

test('the reader\'s place is in the URL: next, previous, the contents, a reload, and the language kept', async () => {
  const page = await open(1, '&lang=pt-BR');
  await page.locator('[data-testid="lesson-next"]').click();
  await page.locator('[data-testid="q-s2"]').waitFor();
  assert.match(page.url(), /section=2/);
  assert.match(page.url(), /lang=pt-BR/);
  assert.equal(await readout(page, 'lesson-position'), 'Seção 2 de 10');
  await page.locator('[data-testid="lesson-toc-8"]').click();
  await page.locator('[data-testid="q-s8"]').waitFor();
  assert.match(page.url(), /section=8/);
  await page.reload();
  await page.locator('[data-testid="q-s8"]').waitFor();
  await page.locator('[data-testid="lesson-prev"]').click();
  await page.locator('[data-testid="q-s7"]').waitFor();
  assert.match(page.url(), /section=7/);
  assert.equal(await page.locator('.lesson-section').count(), 1);
  await page.close();
  // An unknown section says so and opens the first.
  const odd = await openApp(browser, server.url, '?lab=lesson&section=99', '[data-testid="q-s1"]');
  assert.match(await readout(odd, 'lesson-notice'), /99/);
  await odd.close();
});

test('section=all lays out every section, and prints as a handout without navigation or buttons', async () => {
  const page = await openApp(browser, server.url, '?lab=lesson&section=all', '[data-testid="q-s10"]');
  assert.equal(await page.locator('.lesson-section').count(), 10);
  await page.emulateMedia({ media: 'print' });
  for (const sel of ['.lesson-toc', '.lesson-pager', 'header.top nav', '[data-testid="q-s3-check"]']) {
    assert.equal(await page.locator(sel).first().isVisible(), false, `${sel} is hidden in print`);
  }
  assert.ok(await page.locator('[data-testid="snr-bits-canvas"]').isVisible(), 'figures print');
  assert.ok(await page.locator('[data-testid="s1-bits-fp32"]').isVisible());
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('one section embeds alone: no header, no contents, no other section', async () => {
  const page = await openApp(browser, server.url, '?lab=lesson&section=3&embed=1', '[data-testid="q-s3"]');
  assert.equal(await page.locator('header.top').count(), 0);
  assert.equal(await page.locator('.lesson-toc').count(), 0);
  assert.equal(await page.locator('.lesson-section').count(), 1);
  assert.ok(await page.locator('[data-testid="snr-bits-canvas"]').isVisible());
  assert.ok(await page.locator('[data-testid="open-in-quantlab"]').isVisible());
  // The section's own control and question work inside the embed.
  assert.ok(await page.locator('[data-testid="s3-bits"]').isVisible());
  assert.equal(await answer(page, 3, '7'), 'right');
  await page.close();
});

test('on a phone no section scrolls sideways', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  for (const n of [1, 2, 5, 6, 7, 8, 9, 10]) {
    await page.goto(`${server.url}?lab=lesson&section=${n}`);
    await page.locator(`[data-testid="q-s${n}"]`).waitFor();
    const [sw, w] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(sw <= w, `section ${n}: ${sw} px wide on a ${w} px screen`);
  }
  await page.close();
});

// Words both languages write alike in the lesson.
const LESSON_TERMS = [/μ-law/g, /\b(bytes|hex|q_min)\b/g, /\b(Bits|bits|mantissa|linear|lanes?|Config|AVX\d*|AVX-512)\b/g];

for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
  test(`section ${n} in Portuguese: nothing left in English, answers checked in Portuguese`, async () => {
    const en = await open(n, '&lang=en');
    const pt = await open(n, '&lang=pt-BR');
    for (const p of [en, pt]) {
      await p.evaluate(() => { for (const el of document.querySelectorAll('.lang-switch')) el.setAttribute('translate', 'no'); });
    }
    const left = untranslated(await visibleTexts(en), await visibleTexts(pt), LESSON_TERMS);
    assert.deepEqual(left, [], `section ${n}: English left in the Portuguese page`);
    assert.equal(await pt.evaluate(() => document.documentElement.lang), 'pt-BR');
    const [, , wrongs, choice] = QUESTIONS[n - 1];
    assert.equal(await answer(pt, n, wrongs[0], choice), 'wrong');
    assert.match(await readout(pt, `q-s${n}-verdict`), /Ainda não/);
    if (n === 1 || n === 3) {
      await en.screenshot({ path: screenshotPath(`lesson-${n}-en.png`), fullPage: true });
      await pt.screenshot({ path: screenshotPath(`lesson-${n}-pt-BR.png`), fullPage: true });
    }
    await en.close(); await pt.close();
  });
}
