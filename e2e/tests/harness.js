// Shared test harness: a static server for dist/ on 127.0.0.1 and Debian's headless Chromium
// driven by playwright-core (which never downloads a browser of its own).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

/**
 * Every origin a test server of this process serves; a page may ask for nothing else
 * (besides data: and blob: URLs, which stay in the page). Any other request is recorded in
 * `foreignRequests` and fails the test it happened in: uploads and everything else the app
 * does never leave the machine.
 */
const servedOrigins = new Set();
export const foreignRequests = [];

/** Allows `origin` (a second local server a test runs on purpose, e.g. a host page). */
export function allowOrigin(origin) {
  servedOrigins.add(origin);
}

/** Records `url` when it is neither served here nor local to the page. */
function checkRequest(url) {
  const u = new URL(url);
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return;
  if (!servedOrigins.has(u.origin)) foreignRequests.push(url);
}

/** Watches every request of `context` (pages and their workers). */
function watchContext(context) {
  if (context.__watched) return;
  context.__watched = true;
  context.on('request', (r) => checkRequest(r.url()));
}

// Runs after every test of every file that imports the harness.
afterEach(() => {
  const seen = foreignRequests.splice(0);
  assert.deepEqual(seen, [], `requests to another origin: ${seen.join(', ')}`);
});

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
const dist = process.env.QUANTLAB_DIST || path.join(repoRoot, 'dist');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.png': 'image/png',
  '.md': 'text/markdown',
};

/**
 * Where a test writes a screenshot: e2e/artifacts/ (ignored by git), or docs/ when
 * QUANTLAB_UPDATE_SCREENSHOTS=1 asks to refresh the README's pictures on purpose.
 */
export function screenshotPath(name) {
  const dir = process.env.QUANTLAB_UPDATE_SCREENSHOTS === '1'
    ? path.join(repoRoot, 'docs')
    : path.join(repoRoot, 'e2e', 'artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/**
 * Serves dist/ (or `dir`) on an ephemeral loopback port; resolves to { url, close, requests }.
 * With `prefix` (e.g. '/a/b/quantlab/') the app lives under that path only, as on a course
 * site, and everything outside it is a 404. `requests` lists every path asked for.
 */
export function serveDist({ prefix = '/', dir = dist } = {}) {
  const dist = dir;
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`no built app in ${dist}: run the release build first`);
  }
  const requests = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    requests.push(u.pathname);
    if (!u.pathname.startsWith(prefix)) { res.writeHead(404); res.end('not found'); return; }
    const rel = '/' + u.pathname.slice(prefix.length);
    let file = path.normalize(path.join(dist, decodeURIComponent(rel)));
    if (!file.startsWith(dist)) { res.writeHead(403); res.end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
      res.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      servedOrigins.add(`http://127.0.0.1:${port}`);
      resolve({
        url: `http://127.0.0.1:${port}${prefix}`,
        origin: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

/** Launches headless Chromium with the flags that work as root on this machine. */
export async function launchBrowser(extraArgs = []) {
  // Playwright gives every launch a fresh, empty profile directory of its own.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...extraArgs,
    ],
  });
  // Every page and context this browser opens reports its requests (see checkRequest).
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...a) => { const c = await newContext(...a); watchContext(c); return c; };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...a) => { const p = await newPage(...a); watchContext(p.context()); return p; };
  return browser;
}

/**
 * Opens `query` (e.g. '?lab=signal&bits=4') on a fresh page that records console errors and
 * uncaught exceptions in `page.problems`. Waits until the app has rendered its readouts.
 * `setup(page)` runs before the page loads (e.g. `page.addInitScript`).
 */
export async function openApp(browser, base, query = '', readySelector = '[data-testid="snr-db"]', { setup } = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  if (setup) await setup(page);
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('requestfailed', (r) => page.problems.push(`requestfailed: ${r.url()}`));
  await page.goto(base + query);
  await page.waitForSelector(readySelector, { timeout: 20000 });
  return page;
}

/** Text of the element with the given data-testid. */
export async function readout(page, id) {
  return (await page.locator(`[data-testid="${id}"]`).first().textContent()).trim();
}

/** All the Signal lab readouts as numbers. */
export async function readouts(page) {
  const ids = ['snr-db', 'sqnr-theory-db', 'mse', 'max-abs-error', 'step', 'scale', 'zero-point', 'levels'];
  const out = {};
  for (const id of ids) out[id] = Number.parseFloat(await readout(page, id));
  return out;
}

/** Counts canvas pixels close to an RGB colour, and pixels that are not white. */
export async function canvasStats(page, testid, rgb) {
  return page.evaluate(([id, [r, g, b]]) => {
    const c = document.querySelector(`[data-testid="${id}"]`);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let colour = 0; let ink = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) ink++;
      if (Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40) colour++;
    }
    return { colour, ink, total: d.length / 4 };
  }, [testid, rgb]);
}
