// Files past what a wasm32 address can hold: a 1 GiB and a 5 GiB safetensors file (sparse on
// disk, so the test writes a few KiB) are listed from their headers alone, and a tensor stored
// past 4 GiB of offset (beyond 2^32, where a 32-bit usize would wrap) is read to the right bytes.
// Before the header was checked in u64, both files were refused ("overflow computing buffer
// size"): the safetensors crate sizes tensors in usize bits, which wraps on wasm32 at 512 MiB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launchBrowser, openApp, readout } from './harness.js';
import { withHeader } from './weight-files.js';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.close(); });

const GiB = 2 ** 30;

/**
 * A sparse safetensors file of about `gib` GiB: a small F32 tensor `near` first, U8 fillers of
 * at most 1 GiB each (`filler.0`, …), and an F32 tensor `far` of 4 × 64 values after them.
 * Returns the path, the size, where `far` starts in the file, and the values written.
 */
function sparseFile(dir, gib) {
  const near = Float32Array.from({ length: 256 }, (_, i) => Math.fround(0.05 * Math.sin(i * 0.37)));
  const far = Float32Array.from({ length: 256 }, (_, i) => Math.fround(0.5 + 0.001 * i));
  const header = { near: { dtype: 'F32', shape: [4, 64], data_offsets: [0, 1024] } };
  let at = 1024;
  for (let i = 0; i < gib; i++) {
    const len = i === 0 ? GiB - 2048 : GiB;
    header[`filler.${i}`] = { dtype: 'U8', shape: [len], data_offsets: [at, at + len] };
    at += len;
  }
  header.far = { dtype: 'F32', shape: [4, 64], data_offsets: [at, at + 1024] };
  const head = withHeader(JSON.stringify(header), Buffer.alloc(0));
  const file = path.join(dir, `big-${gib}.safetensors`);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, head, 0, head.length, 0);
  fs.writeSync(fd, Buffer.from(near.buffer), 0, 1024, head.length);
  fs.writeSync(fd, Buffer.from(far.buffer), 0, 1024, head.length + at);
  fs.closeSync(fd);
  return { file, size: head.length + at + 1024, farOffset: head.length + at, near, far, tensors: gib + 2 };
}

for (const gib of [1, 5]) {
  test(`a ${gib} GiB file is listed from its header and its last tensor read at its offset`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wl-huge-'));
    try {
      const f = sparseFile(dir, gib);
      assert.equal(fs.statSync(f.file).size, f.size);
      if (gib === 5) assert.ok(f.farOffset > 2 ** 32, 'the far tensor lies past 4 GiB');
      const page = await openApp(browser, server.url, '?lab=weight', '[data-testid="wl-bits-per-weight"]');
      await page.locator('[data-testid="wl-source"]').selectOption('file');
      await page.locator('[data-testid="wl-upload"]').setInputFiles(f.file);
      await page.waitForFunction(() => /^near: shape \[4, 64\]/.test(document.querySelector('[data-testid="wl-tensor-info"]')?.textContent ?? ''), null, { timeout: 60000 });
      assert.equal(await page.locator('[data-testid="wl-tensor-row"]').count(), f.tensors);
      // The far tensor: its first weights are the bytes written past the filler.
      await page.locator('[data-testid="wl-tensor"]').selectOption('far');
      await page.waitForFunction(() => /^far: shape \[4, 64\]/.test(document.querySelector('[data-testid="wl-tensor-info"]')?.textContent ?? ''), null, { timeout: 60000 });
      const shown = (await readout(page, 'wl-pack-weights')).split(/\s+/).map(Number.parseFloat);
      assert.ok(shown.length >= 4, `weights shown: ${shown}`);
      shown.forEach((w, i) => assert.ok(Math.abs(w - f.far[i]) < 1e-4, `far[${i}] = ${w}, written ${f.far[i]}`));
      assert.match(page.url(), /tensor=far/);
      assert.deepEqual(page.problems, []);
      await page.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
