// A panic shows a notice with "reload at this state" instead of a dead page. The panic on
// purpose (`?debug_panic=1`) exists only in debug builds, so this test needs one:
//   trunk build --dist dist-debug
//   QUANTLAB_DEBUG_DIST=$PWD/../dist-debug node --test tests/panic.test.js   (from e2e/)
// Without QUANTLAB_DEBUG_DIST it is skipped (the suite runs the release build).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser } from './harness.js';

const dir = process.env.QUANTLAB_DEBUG_DIST;
let server; let browser;
before(async () => { if (dir) { server = await serveDist({ dir }); browser = await launchBrowser(); } });
after(async () => { await browser?.close(); await server?.close(); });

test('a panic shows a notice with a link that reloads the page at its state', { skip: !dir && 'set QUANTLAB_DEBUG_DIST to a debug build' }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const query = '?lab=signal&bits=5&scheme=mu-law&debug_panic=1';
  await page.goto(server.url + query);
  const notice = page.locator('[data-testid="panic"]');
  await notice.waitFor({ timeout: 60000 });
  assert.equal(await notice.getAttribute('role'), 'alert');
  assert.match(await notice.textContent(), /internal error and stopped/);
  assert.match(await page.locator('[data-testid="panic-detail"]').textContent(), /debug_panic=1: a panic on purpose/);
  const link = page.locator('[data-testid="panic-reload"]');
  assert.equal(await link.textContent(), 'reload at this state');
  // The page's URL when it panicked, which holds the lab's state.
  const href = new URL(await link.getAttribute('href'));
  assert.equal(href.origin + href.pathname, new URL(page.url()).origin + new URL(page.url()).pathname);
  for (const [k, v] of [['lab', 'signal'], ['bits', '5'], ['scheme', 'mu-law']]) assert.equal(href.searchParams.get(k), v);
  assert.ok(await notice.isVisible());
  assert.ok(errors.some((e) => /unreachable|panic/i.test(e)), `the panic reached the console: ${errors}`);
  await page.close();
});
