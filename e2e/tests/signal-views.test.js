// Signal lab analysis views, compare mode and embedding of chosen views, end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serveDist, launchBrowser, openApp, readout, canvasStats } from './harness.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const ANALYSIS = ['transfer', 'error-hist', 'snr-bits', 'snr-level', 'clip'];
// The data each view draws, by colour (the palette of src/charts/palette.rs; bars are drawn
// at 70 % over white). A legend swatch is a few dozen pixels: 150 means the data is there.
const BLUE = [0x00, 0x72, 0xb2]; const VERMILLION = [0xd5, 0x5e, 0x00]; const PURPLE = [0xcc, 0x79, 0xa7];
const GREEN_BARS = [76, 187, 157]; const BLUE_BARS = [76, 156, 201];
const SERIES = {
  transfer: [VERMILLION, BLUE_BARS], 'error-hist': [GREEN_BARS], 'snr-bits': [VERMILLION],
  'snr-level': [BLUE, PURPLE], clip: [BLUE, VERMILLION],
};

/** Asserts that view `id` shows each of its data series (pixels of the series colour). */
async function assertDrawn(page, id) {
  for (const colour of SERIES[id]) {
    const s = await canvasStats(page, `${id}-canvas`, colour);
    assert.ok(s.colour >= 150, `${id}: series ${colour} has ${s.colour} pixels (${JSON.stringify(s)})`);
  }
}
const num = (s) => Number.parseFloat(s);

test('every analysis view is drawn and its formula carries the live numbers', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&n=2048&bits=4&mode=sym');
  await page.waitForTimeout(300);
  for (const id of ANALYSIS) {
    const canvas = page.locator(`[data-testid="${id}-canvas"]`);
    assert.ok(await canvas.isVisible(), `${id} visible`);
    await assertDrawn(page, id);
    assert.ok((await readout(page, `formula-${id}`)).length > 20, `${id} formula`);
  }
  const step = await readout(page, 'step');
  const scale = await readout(page, 'scale');
  assert.match(await readout(page, 'formula-transfer'), new RegExp(`S = ${scale.replace('.', '\\.')}`));
  const eh = await readout(page, 'formula-error-hist');
  assert.ok(eh.includes(`= ${step}²/12`), eh);
  assert.ok(eh.includes('0 of 2048 samples beyond'), eh);
  const sb = await readout(page, 'formula-snr-bits');
  assert.ok(sb.includes(`= ${await readout(page, 'snr-db')} dB at b = 4`), sb);
  assert.ok(sb.includes('6.02·4 + 1.76 = 25.84'), sb);
  assert.ok((await readout(page, 'formula-snr-level')).includes('μ = 255'));
  assert.ok((await readout(page, 'formula-clip')).includes('clip to ['));

  // A bits change reaches every formula.
  await page.locator('[data-testid="bits"]').fill('6');
  await page.waitForTimeout(200);
  assert.ok((await readout(page, 'formula-snr-bits')).includes('6.02·6 + 1.76 = 37.88'));
  assert.ok((await readout(page, 'formula-snr-level')).includes('b = 6'));
  assert.ok((await readout(page, 'formula-error-hist')).includes(`= ${await readout(page, 'step')}²/12`));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the clipping view follows the clip strategy and explains itself for non-linear schemes', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&signal=laplacian&n=4096&bits=4&mode=sym');
  const before = await readout(page, 'formula-clip');
  assert.ok(before.includes('0 values clipped'), before);
  await page.locator('[data-testid="clip"]').selectOption('mse');
  await page.waitForTimeout(200);
  const after = await readout(page, 'formula-clip');
  assert.ok(after.startsWith('MSE-optimal'), after);
  const clipped = Number.parseInt(after.match(/; (\d+) values clipped/)[1], 10);
  assert.ok(clipped > 0, after);
  assert.ok(page.url().includes('clip=mse'));
  await page.locator('[data-testid="scheme"]').selectOption('mu-law');
  await page.waitForTimeout(200);
  assert.ok((await readout(page, 'formula-clip')).includes('needs the linear scheme'));
  assert.equal(await page.locator('[data-testid="clip-canvas"]').isVisible(), false);
  // The other views keep working.
  assert.ok((await readout(page, 'formula-transfer')).includes('nearest of L = 16 levels'));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('compare mode: two schemes side by side on the same signal, in the URL', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&signal=speech&n=4096&bits=8&mode=sym');
  assert.equal(await page.locator('[data-testid="compare-canvas"]').isVisible(), false);
  await page.locator('[data-testid="compare"]').check();
  await page.waitForTimeout(200);
  assert.ok(await page.locator('[data-testid="compare-canvas"]').isVisible());
  // B starts as μ-law at A's bits.
  assert.equal(await readout(page, 'cmp-bits-value'), '8');
  assert.equal(await page.locator('[data-testid="cmp-scheme"]').inputValue(), 'mu-law');
  const a = num(await readout(page, 'snr-db'));
  const b = num(await readout(page, 'cmp-snr-db'));
  assert.ok(Number.isFinite(a) && Number.isFinite(b));
  assert.equal(num(await readout(page, 'cmp-snr-gain-db')).toFixed(2), (b - a).toFixed(2));
  assert.equal(await readout(page, 'cmp-levels'), '256');
  const f = await readout(page, 'formula-compare');
  assert.ok(f.includes('A = linear sym, 8 bits') && f.includes('B = μ-law μ = 255, 8 bits'), f);
  const stats = await canvasStats(page, 'compare-canvas', [0xD5, 0x5E, 0x00]);
  assert.ok(stats.colour > 500, JSON.stringify(stats));

  // B's own controls change only B.
  await page.locator('[data-testid="cmp-bits"]').fill('4');
  await page.waitForTimeout(200);
  assert.equal(await readout(page, 'cmp-levels'), '16');
  assert.equal(num(await readout(page, 'snr-db')), a);
  const url = page.url();
  assert.ok(url.includes('compare=true') && url.includes('cmp.bits=4') && url.includes('cmp.scheme=mu-law'), url);

  // The link reproduces both columns.
  const again = await openApp(browser, server.url, url.slice(url.indexOf('?')));
  assert.equal(await readout(again, 'cmp-snr-db'), await readout(page, 'cmp-snr-db'));
  assert.ok(await again.locator('[data-testid="compare-canvas"]').isVisible());

  // Bad B settings: a message for B, A untouched.
  await page.locator('[data-testid="cmp-scheme"]').selectOption('linear');
  await page.locator('[data-testid="cmp-mode"]').selectOption('sym');
  await page.locator('[data-testid="cmp-bits"]').fill('1');
  await page.waitForTimeout(200);
  assert.ok((await readout(page, 'cmp-error')).includes('Scheme B'));
  assert.equal(num(await readout(page, 'snr-db')), a);

  // Exporting the comparison while B has no result offers nothing and breaks nothing.
  let downloads = 0;
  page.on('download', () => { downloads++; });
  await page.locator('[data-testid="export-compare-csv"]').click();
  await page.waitForTimeout(300);
  assert.equal(downloads, 0);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(again.problems, []);
  await again.close();
  await page.close();
});

test('each view exports its chart as PNG and its data as CSV', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&n=256&bits=3&mode=sym&compare=true');
  const headers = {
    transfer: 'x,q', 'error-hist': 'bin_lo,bin_hi,count', 'snr-bits': 'bits,snr_db,theory_db',
    'snr-level': 'level_db,snr_linear_db,snr_mulaw_db', clip: 'alpha,rounding_mse,clipping_mse,total_mse',
    compare: 'n,x,q_a,q_b,e_a,e_b',
  };
  for (const [id, header] of Object.entries(headers)) {
    await page.waitForTimeout(200);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid="export-${id}-csv"]`).click()]);
    const lines = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
    assert.equal(lines[0], header, id);
    assert.ok(lines.length > 2, `${id}: ${lines.length} lines`);
    const [png] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid="export-${id}-png"]`).click()]);
    assert.equal(fs.readFileSync(await png.path()).subarray(1, 4).toString(), 'PNG', id);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('embed mode shows only the chosen views, picked in the Share box', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&n=1024&bits=5&mode=sym');
  await page.locator('[data-testid="embed-view-signal"]').uncheck();
  await page.locator('[data-testid="embed-view-error"]').uncheck();
  await page.locator('[data-testid="embed-view-transfer"]').check();
  await page.locator('[data-testid="embed-view-snr-level"]').check();
  const snippet = await page.locator('[data-testid="embed-snippet"]').inputValue();
  assert.ok(snippet.includes('views=transfer%2Csnr-level'), snippet);
  const src = snippet.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const embed = await openApp(browser, server.url, src.slice(src.indexOf('?')), '[data-testid="transfer-canvas"]');
  await embed.waitForTimeout(300);
  for (const id of ['transfer', 'snr-level']) {
    assert.ok(await embed.locator(`[data-testid="${id}-canvas"]`).isVisible(), id);
    await assertDrawn(embed, id);
  }
  for (const id of ['signal', 'error', 'error-hist', 'snr-bits', 'clip', 'compare']) {
    assert.equal(await embed.locator(`[data-testid="${id}-canvas"]`).isVisible(), false, id);
  }
  assert.equal(await embed.locator('[data-testid="bits"]').isVisible(), false);
  assert.equal(await embed.locator('[data-testid="export-transfer-png"]').isVisible(), false);
  const open = await embed.locator('[data-testid="open-in-quantlab"]').getAttribute('href');
  assert.ok(open.includes('bits=5') && !open.includes('embed='), open);
  assert.deepEqual(embed.problems, []);
  await embed.close();
  await page.close();
});

test('timing: a bits change recomputes and redraws every view (N = 4096), p50/p95 reported', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&n=4096&bits=8&mode=sym&compare=true');
  // Let the idle prefill of the companding curves finish, as it has for a reader.
  await page.waitForTimeout(1500);
  await page.evaluate(() => performance.clearMeasures());
  for (let i = 0; i < 40; i++) {
    await page.locator('[data-testid="bits"]').fill(String(2 + (i % 14)));
  }
  await page.waitForTimeout(300);
  const d = await page.evaluate(() => performance.getEntriesByName('ql-update').map((e) => e.duration).sort((a, b) => a - b));
  assert.ok(d.length >= 20, `measures: ${d.length}`);
  const q = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  console.log(`signal-lab all views + compare, N=4096: p50 ${q(d, 0.5).toFixed(2)} ms, p95 ${q(d, 0.95).toFixed(2)} ms over ${d.length} changes`);
  // Where the time goes: every step's p50 (steps that did not run on a change are absent).
  const steps = await page.evaluate(() => {
    const by = {};
    for (const e of performance.getEntriesByType('measure')) {
      if (!e.name.startsWith('ql-step-')) continue;
      (by[e.name.slice(8)] ||= []).push(e.duration);
    }
    return by;
  });
  const parts = Object.entries(steps).map(([k, xs]) => {
    xs.sort((a, b) => a - b);
    return `${k} ${q(xs, 0.5).toFixed(2)} (${xs.length}×)`;
  });
  console.log(`signal-lab step p50 ms: ${parts.join(', ')}`);
  await page.close();
});
