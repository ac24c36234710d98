// The page's Web Worker (a module worker; see src/worker.rs). It runs the app's own module:
// the first message names the wasm-bindgen script and the .wasm the page started from, and
// the same files (from the browser's cache) are instantiated here. The app's `main` finds
// no window in a worker and mounts nothing; the functions src/main.rs exports do the work.
let app = null;

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

onmessage = async (e) => {
  const m = e.data;
  if (m.kind === 'init') {
    app = start(m.js, m.wasm);
    return;
  }
  const mod = await app;
  if (!mod) return;
  if (m.kind === 'compare') {
    // The tensor once, then one row per standard scheme, each posted as soon as it is done.
    mod.worker_load(m.data, m.shape);
    for (let index = 0; index < m.total; index++) {
      try {
        postMessage({ job: m.job, index, row: mod.worker_compare_row(index, m.dtype) });
      } catch (error) {
        postMessage({ job: m.job, index, error: String(error) });
      }
    }
    postMessage({ job: m.job, done: true });
  } else if (m.kind === 'rotation') {
    mod.worker_load(m.data, m.shape);
    try {
      postMessage({ job: m.job, rotation: mod.worker_rotation(m.query) });
    } catch (error) {
      postMessage({ job: m.job, error: String(error) });
    }
  }
};
