// Starts the app: imports the wasm-bindgen module and instantiates its .wasm, whose hashed
// names Trunk writes into this script's own tag (`pattern_script` in Trunk.toml). It is a
// file of the app's origin, not Trunk's default inline script, so the Content-Security-Policy
// in index.html can allow scripts from 'self' only, with no inline script at all.
const tag = document.querySelector('script[data-js][data-wasm]');
const here = (p) => new URL(p, document.baseURI).href;
const { default: init } = await import(here(tag.dataset.js));
const wasm = await init({ module_or_path: here(tag.dataset.wasm) });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
