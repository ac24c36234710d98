// The page's language: English or Brazilian Portuguese, from the link, else the browser, with a
// switch in the header that writes the link; <html lang> follows; labs and nav keep `lang`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser } from './harness.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const READY = '[data-testid="mem-total-gib"]';

/** Opens `query` in a browser whose languages are `locale`; records page errors. */
async function open(query, locale = 'en-US') {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  await page.goto(server.url + query);
  await page.waitForSelector(READY, { timeout: 20000 });
  return page;
}

const shell = (page) => page.evaluate(() => ({
  lang: document.documentElement.lang,
  tagline: document.querySelector('.tagline').textContent.trim(),
  nav: [...document.querySelectorAll('nav a')].map((a) => a.textContent.trim()),
  navLabel: document.querySelector('nav').getAttribute('aria-label'),
  hrefs: [...document.querySelectorAll('nav a')].map((a) => a.getAttribute('href')),
  switchValue: document.querySelector('[data-testid="lang"]').value,
}));

test('lang=pt-BR in the link: the shell is in Portuguese and <html lang> says so', async () => {
  const page = await open('?lab=memory&lang=pt-BR');
  const s = await shell(page);
  assert.equal(s.lang, 'pt-BR');
  assert.equal(s.switchValue, 'pt-BR');
  assert.deepEqual(s.nav, ['Aula', 'Laboratório de sinais', 'Calculadora de memória', 'Laboratório de pesos', 'Laboratório de MLP']);
  assert.equal(s.navLabel, 'Laboratórios');
  assert.match(s.tagline, /^Um laboratório interativo de quantização/);
  // The nav carries the language to the other labs.
  assert.deepEqual(s.hrefs, ['?lab=lesson&lang=pt-BR', '?lab=signal&lang=pt-BR', '?lab=memory&lang=pt-BR', '?lab=weight&lang=pt-BR', '?lab=mlp&lang=pt-BR']);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('without lang the browser language decides; lang=en in the link wins over it', async () => {
  const pt = await open('?lab=memory', 'pt-BR');
  assert.equal((await shell(pt)).lang, 'pt-BR');
  assert.equal((await shell(pt)).nav[2], 'Calculadora de memória');
  await pt.context().close();
  const en = await open('?lab=memory&lang=en', 'pt-BR');
  const s = await shell(en);
  assert.equal(s.lang, 'en');
  assert.equal(s.nav[2], 'Memory calculator');
  await en.context().close();
  const other = await open('?lab=memory', 'de-DE');
  assert.equal((await shell(other)).lang, 'en');
  await other.context().close();
});

test('the header switch changes the words at once and writes lang into the link, which the lab keeps', async () => {
  const page = await open('?lab=memory');
  assert.equal((await shell(page)).lang, 'en');
  await page.selectOption('[data-testid="lang"]', 'pt-BR');
  await page.waitForFunction(() => document.documentElement.lang === 'pt-BR');
  const s = await shell(page);
  assert.equal(s.nav[0], 'Aula');
  assert.equal(s.nav[1], 'Laboratório de sinais');
  assert.match(page.url(), /[?&]lang=pt-BR(&|$)/);
  assert.ok(s.hrefs.every((h) => h.endsWith('&lang=pt-BR')), s.hrefs.join(' '));
  // A control change rewrites the lab's link; the language stays in it.
  const before = page.url();
  await page.selectOption('[data-testid="weights"]', { index: 2 });
  await page.waitForFunction((b) => location.href !== b, before);
  assert.match(page.url(), /[?&]weights=/);
  assert.match(page.url(), /[?&]lang=pt-BR(&|$)/);
  // Reloading the link opens it in Portuguese in an English browser.
  await page.reload();
  await page.waitForSelector(READY);
  assert.equal((await shell(page)).lang, 'pt-BR');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an embed in Portuguese: its open-in-quantlab link is in Portuguese and keeps the language', async () => {
  const page = await open('?lab=memory&embed=1&lang=pt-BR');
  const link = page.locator('[data-testid="open-in-quantlab"]');
  assert.equal((await link.textContent()).trim(), 'abrir no quantlab ↗');
  assert.match(await link.getAttribute('href'), /lang=pt-BR/);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'pt-BR');
  await page.context().close();
});
