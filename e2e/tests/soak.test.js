// The soak: thousands of seeded random control events across every lab and the lesson —
// sliders, selects, checkboxes, text and number boxes (garbage included), uploads of the fuzz
// corpus files, URL edits, language switches and lab switches. The page must never throw or
// panic, every readout must stay a number or sit beside a stated message, and the JS heap after
// the run must stay within 2× of the heap after the first 100 events.
//
// SOAK_EVENTS sets the count (5,000 by default; `scripts/soak.sh` runs it alone) and
// SOAK_SEED the seed. Buttons are left alone (training on MNIST or a GPU run are long jobs,
// not control events), as are the audio players.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launchBrowser, repoRoot } from './harness.js';

const EVENTS = Number.parseInt(process.env.SOAK_EVENTS ?? '5000', 10);
const SEED = Number.parseInt(process.env.SOAK_SEED ?? '20261201', 10);
const LABS = ['signal', 'memory', 'weight', 'mlp', 'lesson'];

let server; let browser;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser(['--js-flags=--expose-gc', '--enable-precise-memory-info']);
});
after(async () => { await browser?.close(); await server?.close(); });

/** mulberry32: a small seeded generator, the same sequence on every machine. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every file of the fuzz corpora (malformed and well-formed uploads). */
function corpusFiles() {
  const dir = path.join(repoRoot, 'fuzz', 'corpus');
  const out = [];
  for (const t of ['npy', 'safetensors', 'wav', 'csv', 'gguf', 'idx', 'hf_config']) {
    const d = path.join(dir, t);
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d).sort().slice(0, 40)) {
      const ext = { hf_config: 'json', safetensors: 'safetensors', gguf: 'gguf', npy: 'npy', wav: 'wav', csv: 'csv', idx: 'idx' }[t];
      out.push({ name: `${f}.${ext}`, mimeType: 'application/octet-stream', buffer: fs.readFileSync(path.join(d, f)) });
    }
  }
  return out;
}

const GARBAGE = ['', 'abc', '-1', '0', '1e999', 'NaN', '−0,25', '3.5', '99999999', '1/0', ' 7 ', '0x10'];

/** A random value for a text or number box. */
function typed(r, el) {
  if (r() < 0.4) {
    const g = GARBAGE[Math.floor(r() * GARBAGE.length)];
    // A number box takes no letters from a keyboard either.
    return el.type === 'number' && !/^-?[\d.e]*$/.test(g) ? '-1' : g;
  }
  const min = Number.isFinite(el.min) ? el.min : -10;
  const max = Number.isFinite(el.max) ? el.max : 10;
  const v = min + r() * (Math.min(max, min + 1000) - min);
  return el.step === 1 ? String(Math.round(v)) : v.toPrecision(4);
}

/** The controls a reader can use now: visible, enabled inputs and selects. */
async function controls(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('[data-soak]')) el.removeAttribute('data-soak');
    const els = document.querySelectorAll('main input, main select, main textarea, header select');
    els.forEach((el, i) => {
      if (el.disabled || el.closest('[hidden]') || !el.getClientRects().length) return;
      const s = getComputedStyle(el);
      if (s.visibility === 'hidden' || s.display === 'none') return;
      el.dataset.soak = String(i);
      out.push({
        key: String(i), tag: el.tagName.toLowerCase(), type: (el.type || '').toLowerCase(),
        min: Number.parseFloat(el.min), max: Number.parseFloat(el.max),
        step: Number.parseFloat(el.step), options: el.tagName === 'SELECT' ? [...el.options].map((o) => o.value) : [],
      });
    });
    return out;
  });
}

/** Readouts that are neither a number nor beside a stated message. */
async function brokenReadouts(page) {
  return page.evaluate(() => {
    const shown = (el) => el.getClientRects().length > 0 && el.textContent.trim() !== '';
    const message = [...document.querySelectorAll('.error, [role="alert"], .notice, [data-testid$="-error"]')].some(shown);
    const bad = [];
    for (const el of document.querySelectorAll('[data-value]')) {
      if (!el.getClientRects().length) continue;
      const v = el.dataset.value.trim();
      const number = /^-?(inf|Infinity|NaN)$/i.test(v) || /^(true|false)$/.test(v)
        || Number.isFinite(Number.parseFloat(v)) || /^[a-z][\w.-]*$/i.test(v);
      if (!number && !message) bad.push(`${el.dataset.testid}=${JSON.stringify(v)}`);
    }
    return bad;
  });
}

async function heap(page) {
  return page.evaluate(() => { if (window.gc) window.gc(); return performance.memory?.usedJSHeapSize ?? 0; });
}

test(`soak: ${EVENTS} seeded random events across every lab leave no error, no panic, no leak`, { timeout: 3600_000 }, async () => {
  const r = rng(SEED);
  const files = corpusFiles();
  assert.ok(files.length > 10, 'the fuzz corpora give the uploads');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('dialog', (d) => d.dismiss());
  await page.goto(`${server.url}?lab=signal`);
  await page.waitForSelector('main');
  let heapAt100 = 0;
  let docStart = 0;
  const counts = {};
  const settled = Math.floor(0.8 * EVENTS);
  for (let i = 0; i < EVENTS; i++) {
    const p = i < settled ? r() : 0.06 + 0.94 * r();
    if (p < 0.06) docStart = i + 1;
    let kind;
    if (p < 0.03) {
      kind = 'lab';
      const lab = LABS[Math.floor(r() * LABS.length)];
      const lang = r() < 0.5 ? '&lang=pt-BR' : '';
      const extra = lab === 'lesson' ? `&section=${1 + Math.floor(r() * 10)}` : '';
      await page.goto(`${server.url}?lab=${lab}${extra}${lang}`);
      await page.waitForSelector('main');
    } else if (p < 0.06) {
      kind = 'url';
      const u = new URL(page.url());
      const keys = [...u.searchParams.keys()].filter((k) => k !== 'lab');
      const k = keys.length && r() < 0.8 ? keys[Math.floor(r() * keys.length)] : 'bits';
      u.searchParams.set(k, GARBAGE[Math.floor(r() * GARBAGE.length)]);
      await page.goto(u.toString());
      await page.waitForSelector('main');
    } else {
      const list = await controls(page);
      if (!list.length) { kind = 'none'; continue; }
      const c = list[Math.floor(r() * list.length)];
      const loc = page.locator(`[data-soak="${c.key}"]`);
      kind = c.tag === 'select' ? 'select' : c.type || c.tag;
      try {
        if (c.tag === 'select') {
          if (c.options.length) await loc.selectOption(c.options[Math.floor(r() * c.options.length)], { timeout: 2000 });
        } else if (c.type === 'file') {
          const f = files[Math.floor(r() * files.length)];
          await loc.setInputFiles(f, { timeout: 2000 });
        } else if (c.type === 'checkbox' || c.type === 'radio') {
          await loc.click({ timeout: 2000 });
        } else if (c.type === 'range') {
          const steps = Number.isFinite(c.step) && c.step > 0 ? Math.round((c.max - c.min) / c.step) : 100;
          const v = c.min + Math.round(r() * steps) * (Number.isFinite(c.step) && c.step > 0 ? c.step : (c.max - c.min) / 100);
          await loc.fill(String(v), { timeout: 2000 });
        } else if (['text', 'number', 'search', '', 'textarea', 'url'].includes(c.type)) {
          await loc.fill(typed(r, c), { timeout: 2000 });
        } else {
          kind = 'skipped';
        }
      } catch (e) {
        // A control that went away between listing and acting (the page re-rendered): fine.
        if (!/detached|not attached|Timeout|not visible|outside of the viewport|intercepts pointer/.test(String(e))) throw e;
        kind = 'gone';
      }
    }
    counts[kind] = (counts[kind] ?? 0) + 1;
    // Let the app settle (two frames) before the next event.
    await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))));
    assert.deepEqual(problems, [], `event ${i} (${kind}) at ${page.url()}`);
    assert.equal(await page.locator('.panic').count(), 0, `panic at event ${i} (${kind}) at ${page.url()}`);
    if (i % 250 === 249) assert.deepEqual(await brokenReadouts(page), [], `readouts after event ${i} at ${page.url()}`);
    if (i === docStart + 99) heapAt100 = await heap(page);
  }
  const heapEnd = await heap(page);
  console.log(`soak: ${EVENTS} events ${JSON.stringify(counts)}; the last page (${EVENTS - docStart} events at ${page.url()}): JS heap ${(heapAt100 / 1048576).toFixed(1)} MiB after its first 100, ${(heapEnd / 1048576).toFixed(1)} MiB at the end`);
  assert.ok(EVENTS - docStart >= 100, 'the last page lived for 100 events at least');
  if (heapAt100 > 0) assert.ok(heapEnd <= 2 * heapAt100, `JS heap grew from ${heapAt100} to ${heapEnd}`);
  await page.close();
});
