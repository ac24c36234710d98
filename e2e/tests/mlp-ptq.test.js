// The MLP lab's calibrated int4 panel: after training, "Run GPTQ and AWQ" measures W4 g128
// and W4 per channel with round-to-nearest, GPTQ, GPTQ act-order and AWQ on the test set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openApp, readout } from './harness.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const num = async (page, id) => Number.parseFloat(await readout(page, id));

test('GPTQ and AWQ rows: same bytes as RTN for GPTQ, more for AWQ, a lower first-layer error for GPTQ', async () => {
  const page = await openApp(browser, server.url, '?lab=mlp&dataset=digits', '[data-testid="train-status"]');
  await page.waitForSelector('[data-testid="acc-w8a8"]', { timeout: 180000 });
  assert.equal(await readout(page, 'ptq-status'), 'Compares 8 models; each takes up to a few seconds.');
  await page.click('[data-testid="ptq-run"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="ptq-status"]')
    ?.textContent.includes('8 models measured'), null, { timeout: 120000 });
  assert.equal(await page.locator('[data-testid="ptq-table"] tbody tr').count(), 8);
  const rows = {};
  for (const config of ['w4-g128', 'w4-channel']) {
    for (const method of ['rtn', 'gptq', 'gptq-act-order', 'awq']) {
      const id = `${config}-${method}`;
      rows[id] = {
        acc: await num(page, `ptq-acc-${id}`),
        bytes: await num(page, `ptq-bytes-${id}`),
        snr0: await num(page, `ptq-snr-${id}-0`),
      };
      assert.ok(rows[id].acc >= 0 && rows[id].acc <= 100, JSON.stringify(rows[id]));
    }
    const r = (m) => rows[`${config}-${m}`];
    console.log(config, JSON.stringify({ rtn: r('rtn'), gptq: r('gptq'), act: r('gptq-act-order'), awq: r('awq') }));
    assert.equal(r('gptq').bytes, r('rtn').bytes);
    assert.equal(r('gptq-act-order').bytes, r('rtn').bytes);
    assert.ok(r('awq').bytes > r('rtn').bytes);
    assert.ok(r('gptq').snr0 > r('rtn').snr0, `${config}: GPTQ ${r('gptq').snr0} dB vs RTN ${r('rtn').snr0} dB`);
    assert.ok(Math.abs(r('gptq').acc - r('rtn').acc) <= 5, `${config}: ${r('gptq').acc} vs ${r('rtn').acc}`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});
