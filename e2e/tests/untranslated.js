// Finds English left in a Portuguese page: a text (or a label-like attribute) that is the same
// in the English and the Portuguese rendering of one state, once the technical terms both
// languages write alike (SNR, MSE, int8, NF4, Q4_K, dB, …) are taken out, still has a word in
// it. Numbers, formulas and symbols pass; words do not.

/** Terms that are the same in both languages. Whole tokens, case-sensitive unless noted. */
export const TECHNICAL = [
  /\b(SNR|SQNR|MSE|RMSE|MAE|PSNR|dB|Hz|kHz|ms|GiB|GB|MiB|MB|KiB|KB|B|KV|VRAM|GPU|CPU|WASM|SIMD|WebGPU|CSV|PNG|SVG|WAV|JSON|URL|npy|safetensors|IDX|MNIST|CIFAR-10|ReLU|MLP|LLM|AdamW|Adam|SGD|FLOP|GOP|LUT)\b/g,
  /\b(fp|bf|nf|int|uint|float|e\d?m\d)\d*\b/gi,
  /\b[gb]\d+\b/g, // group and block sizes: g128, b64
  /\b(-?Infinity|NaN)\b/g,
  /\b(FP|MX|MXFP|MXINT|NVFP|NF|INT|UINT|BF|TF|Q|IQ|E|W|A)\d[\w.-]*\b/g,
  /\b(μ-law|A-law|G\.711|Lloyd-Max|k-means|Hadamard|GPTQ|AWQ|ggml|GGUF|llama\.cpp|numpy|PyTorch|quantlab|bitsandbytes|torchao)\b/gi,
  /\b(NormalFloat|QLoRA|LoRA|OCP|MX|bfloat16|Lloyd|dBFS|OFP8|SwiftShader|WebAssembly)\b/g,
  /\b(Llama|Mistral|Mixtral|Qwen|Gemma|Phi|GPT|BERT|Falcon)[\w.-]*\b/g,
  /\b(max|min|log|ln|exp|sgn|round|clip|abs|sign|absmax)\b/g,
  /\b[a-zA-Z]\b/g, // single-letter symbols: S, Z, q, r, x, b, n, L, Δ
];

/** What is left of `text` once the technical terms and everything but letters are removed. */
export function words(text, extra = []) {
  let t = text;
  for (const re of [...TECHNICAL, ...extra]) t = t.replace(re, ' ');
  // Letters only: À-Ö, Ø-ö, ø-ÿ (× and ÷ sit between them).
  return t.replace(/[^A-Za-zÀ-ÖØ-öø-ÿ]+/g, ' ').trim();
}

/** Every visible text of the page (text nodes, and placeholder / aria-label / title / alt). */
export async function visibleTexts(page) {
  return page.evaluate(() => {
    const out = new Set();
    const visible = (el) => {
      if (!el) return false;
      const s = getComputedStyle(el);
      if (s.display === 'none' || s.visibility === 'hidden') return false;
      return el.getClientRects().length > 0 || el.closest('[role="img"], svg, option') != null;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const p = n.parentElement;
      if (!p || p.closest('script, style, code, [translate="no"]')) continue;
      const t = n.textContent.replace(/\s+/g, ' ').trim();
      if (t && visible(p)) out.add(t);
    }
    for (const el of document.body.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
      if (el.closest('[translate="no"]') || !visible(el)) continue;
      for (const a of ['placeholder', 'aria-label', 'title', 'alt']) {
        const v = el.getAttribute(a);
        if (v && v.trim()) out.add(v.replace(/\s+/g, ' ').trim());
      }
    }
    return [...out];
  });
}

/**
 * The texts of `ptTexts` that also appear in `enTexts` and still hold a word after
 * [`words`]: English that the Portuguese page shows. `extra` adds allowed terms (RegExps with
 * the g flag) for one lab.
 */
export function untranslated(enTexts, ptTexts, extra = []) {
  const en = new Set(enTexts);
  return ptTexts.filter((t) => en.has(t) && words(t, extra) !== '');
}
