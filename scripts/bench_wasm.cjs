// Times quantlab's core in WebAssembly (V8, as in Chromium) on one case of the benchmark.
//
//   node scripts/bench_wasm.cjs PKG INPUT.npy SCHEME_JSON REPEAT [NATIVE_OUTPUT.npy]
//
// PKG is `wasm-bindgen --target nodejs` output for crates/quantlab-wasm-bench (built by
// scripts/bench-numpy.sh with the web app's flags). Loads INPUT once, sets the scheme (the
// `scheme` object of `quantlab bench --json`), runs fit -> quantize -> dequantize once to
// warm up and REPEAT more times, and prints JSON: the median and fastest seconds, the SIMD
// of the build and, given the native CLI's output of the same case, how many float32
// values differ from it in their bits.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const [pkg, input, schemeJson, repeatArg, nativeOut] = process.argv.slice(2);
if (!pkg || !input || !schemeJson) {
  console.error('usage: node scripts/bench_wasm.cjs PKG INPUT.npy SCHEME_JSON REPEAT [NATIVE.npy]');
  process.exit(2);
}
const repeat = Math.max(1, Number.parseInt(repeatArg ?? '5', 10));
const wasm = require(path.resolve(pkg, 'quantlab_wasm_bench.js'));

const values = wasm.load_npy(fs.readFileSync(input));
wasm.set_scheme(schemeJson);
wasm.run(); // warm-up
const times = [];
for (let i = 0; i < repeat; i++) {
  const t0 = performance.now();
  wasm.run();
  times.push((performance.now() - t0) / 1000);
}
const sorted = [...times].sort((a, b) => a - b);
const mid = sorted.length >> 1;
const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
const out = { values, simd: wasm.simd(), seconds: times, median_s: median, min_s: sorted[0] };
if (nativeOut) out.differing = wasm.differing_bits(fs.readFileSync(nativeOut));
console.log(JSON.stringify(out));
