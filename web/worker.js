// The page's Web Worker (a module worker; see src/worker/). It runs the app's own module:
// the first message names the wasm-bindgen script and the .wasm the page started from, and
// the same files (from the browser's cache) are instantiated here. The app's `main` finds
// no window in a worker and mounts nothing; the functions src/main.rs exports do the work.
//
// The worker lives as long as the page's job slot: it keeps the last tensor it was sent (a
// job carries `data` and `shape` only when the tensor changed), and a newer job or a
// `cancel` makes the current job stop at its next step (between two rows of a comparison).
let app = null;
// The job being run; null after a cancel.
let current = null;

async function start(js, wasm) {
  try {
    const mod = await import(js);
    await mod.default({ module_or_path: wasm });
    return mod;
  } catch (e) {
    postMessage({ failed: String(e) });
    return null;
  }
}

// Lets the messages that arrived meanwhile (a newer job, a cancel) be handled.
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

onmessage = async (e) => {
  const m = e.data;
  if (m.kind === 'init') {
    app = start(m.js, m.wasm);
    return;
  }
  if (m.kind === 'cancel') {
    current = null;
    return;
  }
  current = m.job;
  const mod = await app;
  if (!mod) return;
  // Jobs resume in the order they arrived: a tensor is loaded even if its job is already
  // stale, since the jobs after it use it.
  if (m.data) mod.worker_load(m.data, m.shape);
  if (current !== m.job) return;
  if (m.kind === 'compare') {
    // One row per standard scheme, each posted as soon as it is done.
    for (let index = 0; index < m.total; index++) {
      if (index > 0) await pause();
      if (current !== m.job) return;
      try {
        postMessage({ job: m.job, index, row: mod.worker_compare_row(index, m.dtype) });
      } catch (error) {
        postMessage({ job: m.job, index, error: String(error) });
      }
    }
    postMessage({ job: m.job, done: true });
  } else if (m.kind === 'rotation') {
    try {
      postMessage({ job: m.job, rotation: mod.worker_rotation(m.query) });
    } catch (error) {
      postMessage({ job: m.job, error: String(error) });
    }
  }
};
