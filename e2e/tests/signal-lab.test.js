// Signal lab sources, listening, sharing, embedding and timing, end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serveDist, launchBrowser, openApp, readout, readouts } from './harness.js';
import { wav16, npyF32, sine } from './files.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

async function upload(page, name, buffer, mimeType = 'application/octet-stream') {
  await page.locator('[data-testid="source"]').selectOption('file');
  await page.locator('[data-testid="upload"]').setInputFiles({ name, mimeType, buffer });
}

test('drawing with real mouse moves makes the signal and it travels in the URL', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&n=512&bits=4');
  await page.locator('[data-testid="source"]').selectOption('drawn');
  const pad = page.locator('[data-testid="draw-pad"]');
  await pad.waitFor();
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + 2, box.y + box.height * 0.8);
  await page.mouse.down();
  for (let i = 0; i <= 40; i++) {
    const x = box.x + 2 + (i / 40) * (box.width - 4);
    const y = box.y + box.height * (0.5 - 0.4 * Math.sin((i / 40) * 2 * Math.PI));
    await page.mouse.move(x, y);
  }
  await page.mouse.up();
  await page.waitForFunction(() => (new URLSearchParams(location.search).get('drawn') || '').length > 100);
  const drawnUrl = page.url();
  const r = await readouts(page);
  assert.ok(r['snr-db'] > 10, `snr of the drawing ${r['snr-db']}`);
  // Undo goes back to the blank pad (a zero signal: infinite SNR).
  await page.locator('[data-testid="draw-undo"]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="snr-db"]').textContent === 'Infinity');
  // The link restores the drawing.
  const again = await openApp(browser, drawnUrl);
  assert.equal((await readouts(again))['snr-db'], r['snr-db']);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(again.problems, []);
  await page.close(); await again.close();
});

test('uploading a WAV, a CSV and an npy file each becomes the signal', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&bits=8&mode=mid-rise');
  const stereo = [];
  for (const v of sine(4000)) stereo.push(v, v);
  await upload(page, 'tone.wav', wav16(stereo, { rate: 16000, channels: 2 }), 'audio/wav');
  await page.waitForFunction(() => /tone\.wav: 4000 samples at 16000 Hz/.test(document.querySelector('[data-testid="upload-info"]')?.textContent || ''));
  let r = await readouts(page);
  assert.ok(Math.abs(r['snr-db'] - 49.9) < 2, `wav snr ${r['snr-db']}`);
  assert.equal(await page.locator('[data-testid="rate"]').inputValue(), '16000');
  assert.ok(await page.locator('[data-testid="share-file-note"]').isVisible());

  await upload(page, 'numbers.csv', Buffer.from(sine(300, 3, 2).map((v) => v.toFixed(6)).join('\n')), 'text/csv');
  await page.waitForFunction(() => /numbers\.csv: 300 samples/.test(document.querySelector('[data-testid="upload-info"]')?.textContent || ''));
  r = await readouts(page);
  assert.ok(r['max-abs-error'] < 2 * 4 / 256, `csv max error ${r['max-abs-error']}`);

  // Text copied from a PDF or a web page: the Unicode minus sign (U+2212), and the page says
  // which decimal separator it understood.
  await upload(page, 'copied.csv', Buffer.from('\u22120.25\n0.5\n\u22121.0\n0.75\n'), 'text/csv');
  await page.waitForFunction(() => /copied\.csv: 4 samples/.test(document.querySelector('[data-testid="upload-info"]')?.textContent || ''));
  assert.equal(await readout(page, 'upload-info'), 'copied.csv: 4 samples, read with a decimal point (0.25)');
  assert.equal(await page.locator('[data-testid="upload-error"]').count(), 0);
  const [csvOut] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-csv"]').click()]);
  const xs = fs.readFileSync(await csvOut.path(), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
  assert.deepEqual(xs, [-0.25, 0.5, -1, 0.75]);
  await upload(page, 'europe.csv', Buffer.from('x;y\n0,5;\u22121,25\n'), 'text/csv');
  await page.waitForFunction(() => /europe\.csv: 2 samples/.test(document.querySelector('[data-testid="upload-info"]')?.textContent || ''));
  assert.equal(await readout(page, 'upload-info'), 'europe.csv: 2 samples, read with a decimal comma (0,25)');

  await upload(page, 'x.npy', npyF32(sine(1000, 7, 0.5)));
  await page.waitForFunction(() => /x\.npy: 1000 samples/.test(document.querySelector('[data-testid="upload-info"]')?.textContent || ''));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a link or an embed made after an upload opens on the preset, as the page says', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&bits=5');
  await upload(page, 'numbers.csv', Buffer.from(sine(300, 3, 2).map((v) => v.toFixed(6)).join('\n')), 'text/csv');
  await page.waitForFunction(() => /numbers\.csv: 300 samples/.test(document.querySelector('[data-testid="upload-info"]')?.textContent || ''));
  assert.match(await page.locator('[data-testid="share-file-note"]').textContent(), /open on the preset signal/);
  const link = new URL(page.url()).search;
  assert.doesNotMatch(link, /source=file/);
  const snippet = await page.locator('[data-testid="embed-snippet"]').inputValue();
  assert.doesNotMatch(snippet, /source=file/);
  for (const q of [link, snippet.match(/src="[^"?]*(\?[^"]+)"/)[1].replaceAll('&amp;', '&')]) {
    const other = await openApp(browser, server.url, q);
    assert.equal(await other.locator('[data-testid="source"]').inputValue(), 'preset', q);
    assert.ok(Number.isFinite(Number.parseFloat(await readout(other, 'snr-db'))), q);
    assert.equal(await other.locator('[data-testid="upload-error"]').count(), 0, q);
    assert.deepEqual(other.problems, []);
    await other.close();
  }
  await page.close();
});

test('a long file is trimmed to a window with a notice', async () => {
  const page = await openApp(browser, server.url, '?lab=signal');
  await upload(page, 'long.wav', wav16(sine(40000, 50)), 'audio/wav');
  const info = page.locator('[data-testid="upload-info"]');
  await info.waitFor();
  assert.match(await info.textContent(), /40000 samples.*window of 16384/);
  assert.equal(Number(await page.locator('[data-testid="n"]').inputValue()), 16384);
  // N moves the window up to the whole file (past the old silent cut at 262,144).
  await upload(page, 'longer.wav', wav16(sine(300000, 50)), 'audio/wav');
  await page.waitForFunction(() => /longer\.wav: 300000 samples/.test(document.querySelector('[data-testid="upload-info"]')?.textContent || ''));
  const n = page.locator('[data-testid="n"]');
  await n.fill('300000');
  await n.dispatchEvent('change');
  await page.waitForFunction(() => !/window of/.test(document.querySelector('[data-testid="upload-info"]').textContent), null, { timeout: 30000 });
  assert.equal(await page.locator('[data-testid="upload-cut"]').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('one sample limit: the N input, a link and a file longer than 4,194,304 samples', async () => {
  const LIMIT = 4194304;
  const page = await openApp(browser, server.url, `?lab=signal&n=${LIMIT + 1}`);
  assert.equal(await page.locator('[data-testid="n"]').getAttribute('max'), String(LIMIT));
  assert.equal(await page.locator('[data-testid="n"]').inputValue(), '1024', 'the link\'s n is ignored');
  assert.match(await readout(page, 'link-notice'), new RegExp(`ignored n=${LIMIT + 1}`));
  // A file of LIMIT + 1000 samples keeps its first LIMIT, and says so.
  const samples = new Array(LIMIT + 1000).fill(0).map((_, i) => Math.sin(i / 10) * 0.5);
  await upload(page, 'huge.wav', wav16(samples), 'audio/wav');
  const cut = page.locator('[data-testid="upload-cut"]');
  await cut.waitFor({ timeout: 60000 });
  assert.equal(await cut.textContent(), `huge.wav holds ${LIMIT + 1000} samples: the lab keeps the first ${LIMIT} (its limit, as for N).`);
  assert.match(await readout(page, 'upload-info'), new RegExp(`huge\\.wav: ${LIMIT} samples at 8000 Hz; showing a window of 16384`));
  assert.ok(Number.isFinite(Number.parseFloat(await readout(page, 'snr-db'))));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('bad files show a clear message, the previous signal stays and the app keeps working', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&bits=5');
  const before = await readouts(page);
  const zeroRate = wav16(sine(500));
  zeroRate.writeUInt32LE(0, 24); zeroRate.writeUInt32LE(0, 28);
  const cases = [
    ['empty.csv', Buffer.alloc(0), /empty/],
    ['broken.wav', Buffer.from('RIFF\x10\x00\x00\x00WAVEjunkjunk'), /wav|WAV/],
    ['nan.csv', Buffer.from('1\n2\nNaN\n4\n'), /not a finite number|NaN/],
    ['bad.npy', Buffer.from('\x93NUMPY\x01\x00\xff\x00{garbage', 'latin1'), /npy|header/i],
    ['words.txt', Buffer.from('hello world'), /^words\.txt: cannot read this CSV\/text file: no numbers in it: its only line of text, "hello world", holds none/],
    ['zero-rate.wav', zeroRate, /^zero-rate\.wav: cannot read this \.wav file: the header declares a sample rate of 0 Hz/],
  ];
  for (const [name, buffer, pattern] of cases) {
    await page.locator('[data-testid="source"]').selectOption('file');
    await page.locator('[data-testid="upload"]').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
    const msg = page.locator('[data-testid="upload-error"]');
    await msg.waitFor();
    assert.match(await msg.textContent(), pattern, name);
    assert.match(await msg.textContent(), /previous signal stays/);
  }
  // Back to the preset: the same readouts as before, and the controls still work.
  await page.locator('[data-testid="source"]').selectOption('preset');
  assert.deepEqual(await readouts(page), before);
  await page.locator('[data-testid="bits"]').fill('9');
  await page.waitForFunction(() => document.querySelector('[data-testid="levels"]').textContent === '512');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('embed mode shows only the chosen view and a link back; the snippet reproduces it', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&bits=6');
  const snippet = await page.locator('[data-testid="embed-snippet"]').inputValue();
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?lab=signal&amp;.*bits=6.*&amp;embed=1/);
  const src = snippet.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const embedded = await openApp(browser, src.replace('views=signal%2Cerror', 'views=error'));
  assert.ok(!(await embedded.locator('form.controls').isVisible()), 'controls hidden');
  assert.ok(await embedded.locator('[data-testid="error-canvas"]').isVisible());
  assert.ok(!(await embedded.locator('[data-testid="signal-canvas"]').isVisible()));
  const link = await embedded.locator('[data-testid="open-in-quantlab"]').getAttribute('href');
  assert.match(link, /bits=6/);
  assert.doesNotMatch(link, /embed=/);
  assert.deepEqual(embedded.problems, []);
  await page.close(); await embedded.close();
});

test('the audio graph starts on a click, really runs, and stops', async () => {
  // Keep every AudioContext the page makes, to look at the real one. With
  // QUANTLAB_E2E_SUSPEND_AUDIO=1 each context is suspended at birth: this test must then fail
  // (a check that it looks at the context, not only at the status text).
  const spy = (suspend) => {
    const Real = window.AudioContext;
    window.__contexts = [];
    window.AudioContext = class extends Real {
      constructor(...a) {
        super(...a);
        window.__contexts.push(this);
        if (suspend) { this.suspend(); this.resume = () => Promise.resolve(); }
      }
    };
  };
  const lab = await openApp(browser, server.url, '?lab=signal', undefined,
    { setup: (p) => p.addInitScript(spy, process.env.QUANTLAB_E2E_SUSPEND_AUDIO === '1') });
  await lab.locator('[data-testid="play-e"]').click();
  await lab.waitForFunction(() => /^playing e/.test(document.querySelector('[data-testid="audio-status"]').textContent));
  // The context the click made is running and its clock advances: sound is being rendered.
  await lab.waitForFunction(() => window.__contexts.length === 1 && window.__contexts[0].state === 'running', null, { timeout: 5000 });
  const t0 = await lab.evaluate(() => window.__contexts[0].currentTime);
  await lab.waitForFunction((t) => window.__contexts[0].currentTime > t + 0.1, t0, { timeout: 5000 });
  await lab.locator('[data-testid="stop"]').click();
  assert.equal(await readout(lab, 'audio-status'), 'stopped');
  await lab.waitForFunction(() => window.__contexts[0].state === 'closed');
  assert.deepEqual(lab.problems, []);
  await lab.close();
});

test('the data exports as CSV and the charts as PNG', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&n=64');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-csv"]').click()]);
  const text = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
  assert.equal(text[0], 'n,x,q,e');
  assert.equal(text.length, 65);
  const [png] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-signal-png"]').click()]);
  const bytes = fs.readFileSync(await png.path());
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
  await page.close();
});

/**
 * Periods of the Q(x[n]) trace drawn on the signal canvas: the vermillion pixels' mean
 * height per column, and how often it crosses its middle (two crossings a period). The
 * x-range the chart draws sets how many periods of a sine are on it.
 */
async function drawnPeriods(page) {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="signal-canvas"]');
    const { width, height } = c;
    const d = c.getContext('2d').getImageData(0, 0, width, height).data;
    const ys = [];
    for (let x = 0; x < width; x++) {
      let sum = 0; let k = 0;
      for (let y = 0; y < height; y++) {
        const i = 4 * (y * width + x);
        if (Math.abs(d[i] - 0xd5) < 40 && Math.abs(d[i + 1] - 0x5e) < 40 && Math.abs(d[i + 2]) < 40) { sum += y; k++; }
      }
      if (k) ys.push(sum / k);
    }
    // Crossings with hysteresis (±20 % of the swing), so a staircase riser or the legend's
    // swatch near the middle does not count twice.
    const lo = Math.min(...ys); const hi = Math.max(...ys);
    const mid = (lo + hi) / 2; const h = 0.2 * (hi - lo);
    let crossings = 0; let side = 0;
    for (const y of ys) {
      const s = y > mid + h ? 1 : y < mid - h ? -1 : 0;
      if (s !== 0 && side !== 0 && s !== side) crossings++;
      if (s !== 0) side = s;
    }
    return { periods: crossings / 2, columns: ys.length };
  });
}

test('zooming narrows the time axis the chart draws, and lives in the URL', async () => {
  // 8 periods on 4096 samples: the whole signal shows 8, a zoom of 8 shows one.
  const page = await openApp(browser, server.url, '?lab=signal&n=4096&freq=8&bits=8&mode=mid-rise');
  await page.waitForTimeout(200);
  const whole = await drawnPeriods(page);
  assert.ok(Math.abs(whole.periods - 8) <= 1, `unzoomed: ${JSON.stringify(whole)}`);
  const zoom = page.locator('[data-testid="zoom"]');
  await zoom.fill('8');
  await page.waitForFunction(() => Number.parseFloat(new URLSearchParams(location.search).get('zoom')) === 8);
  await page.waitForTimeout(200);
  const zoomed = await drawnPeriods(page);
  assert.ok(Math.abs(zoomed.periods - 1) <= 0.5, `zoom 8: ${JSON.stringify(zoomed)}`);
  assert.ok(zoomed.columns > whole.columns * 0.8, 'the zoomed trace still spans the plot');
  // The link reopens the same drawn range.
  const again = await openApp(browser, page.url());
  await again.waitForTimeout(200);
  assert.ok(Math.abs((await drawnPeriods(again)).periods - 1) <= 0.5);
  assert.deepEqual(page.problems, []);
  await page.close(); await again.close();
});

test('timing: a control change recomputes and redraws (N = 4096), p50/p95 reported', async () => {
  const page = await openApp(browser, server.url, '?lab=signal&n=4096&bits=8');
  await page.evaluate(() => performance.clearMeasures('ql-update'));
  for (let i = 0; i < 40; i++) {
    await page.locator('[data-testid="bits"]').fill(String(2 + (i % 14)));
  }
  await page.waitForTimeout(300);
  const d = await page.evaluate(() => performance.getEntriesByName('ql-update').map((e) => e.duration).sort((a, b) => a - b));
  assert.ok(d.length >= 20, `measures: ${d.length}`);
  const q = (p) => d[Math.min(d.length - 1, Math.floor(p * d.length))];
  console.log(`signal-lab update N=4096: p50 ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms over ${d.length} changes`);
  await page.close();
});
