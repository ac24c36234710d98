//! The core's English words in the Memory lab, in the page's language.
//!
//! `quantlab_core::memory` writes its item labels, formulas, notes, model sources, GPU
//! names and notes, and the assumptions of an uploaded config.json as English text. The
//! core is not translated (its words are its API for now); the page swaps the core's fixed
//! phrases for their translation (the pairs are the `k_*` keys of the `memory` namespace,
//! whose English value is the core's exact phrase) and writes the numbers in the page's
//! separators. English text is shown as the core wrote it.

use crate::lang::Locale;
use crate::lang::fill::{localize_numbers, td_string};

/// A phrase in a language.
type Phrase = fn(Locale) -> &'static str;

/// The core's phrases, longest and most specific first.
const PHRASES: [Phrase; 70] = [
    |l| td_string!(l, memory.k_base_linear),
    |l| td_string!(l, memory.k_base_weights),
    |l| td_string!(l, memory.k_working_copy),
    |l| td_string!(l, memory.k_each),
    |l| td_string!(l, memory.k_unquantized),
    |l| td_string!(l, memory.k_adapter_weights),
    |l| td_string!(l, memory.k_master),
    |l| td_string!(l, memory.k_gradients),
    |l| td_string!(l, memory.k_adam_m),
    |l| td_string!(l, memory.k_adam_v),
    |l| td_string!(l, memory.k_act_ckpt),
    |l| td_string!(l, memory.k_act_stored),
    |l| td_string!(l, memory.k_act_peak),
    |l| td_string!(l, memory.k_logits_all),
    |l| td_string!(l, memory.k_logits_last),
    |l| td_string!(l, memory.k_overhead),
    |l| td_string!(l, memory.k_weights_of),
    |l| td_string!(l, memory.k_kv_of),
    |l| td_string!(l, memory.k_token_embeddings),
    |l| td_string!(l, memory.k_attention),
    |l| td_string!(l, memory.k_mlp),
    |l| td_string!(l, memory.k_norms),
    |l| td_string!(l, memory.k_lm_head),
    |l| td_string!(l, memory.k_given),
    |l| td_string!(l, memory.k_tied_formula),
    |l| td_string!(l, memory.k_notes_kv_missing),
    |l| td_string!(l, memory.k_notes_no_kv),
    |l| td_string!(l, memory.k_notes_act_missing),
    |l| td_string!(l, memory.k_notes_lora),
    |l| td_string!(l, memory.k_adapter_params),
    |l| td_string!(l, memory.k_params),
    |l| td_string!(l, memory.k_parameters),
    |l| td_string!(l, memory.k_layers),
    |l| td_string!(l, memory.k_kv_heads),
    |l| td_string!(l, memory.k_head_dim),
    |l| td_string!(l, memory.k_batch),
    |l| td_string!(l, memory.k_hidden),
    |l| td_string!(l, memory.k_intermediate),
    |l| td_string!(l, memory.k_vocab),
    |l| td_string!(l, memory.k_rank),
    |l| td_string!(l, memory.k_qkv_biases),
    |l| td_string!(l, memory.k_o_bias),
    |l| td_string!(l, memory.k_biases),
    |l| td_string!(l, memory.k_final),
    |l| td_string!(l, memory.k_fixed),
    |l| td_string!(l, memory.k_src_qwen),
    |l| td_string!(l, memory.k_src_vision),
    |l| td_string!(l, memory.k_src_hand),
    |l| td_string!(l, memory.k_src_uploaded),
    |l| td_string!(l, memory.k_name_uploaded),
    |l| td_string!(l, memory.k_as_text_config),
    |l| td_string!(l, memory.k_absent),
    |l| td_string!(l, memory.k_mha),
    |l| td_string!(l, memory.k_tie_default),
    |l| td_string!(l, memory.k_qwen2_biases),
    |l| td_string!(l, memory.k_mac),
    |l| td_string!(l, memory.k_unified_gb),
    |l| td_string!(l, memory.k_unified_shared),
    |l| td_string!(l, memory.k_by_default),
    |l| td_string!(l, memory.k_raise),
    |l| td_string!(l, memory.k_smi_about),
    |l| td_string!(l, memory.k_smi_shows),
    |l| td_string!(l, memory.k_driver),
    |l| td_string!(l, memory.k_h200),
    |l| td_string!(l, memory.k_custom_gpu),
    |l| td_string!(l, memory.k_double_quant),
    |l| td_string!(l, memory.k_absmax_block),
    |l| td_string!(l, memory.k_absmax_dq),
    |l| td_string!(l, memory.k_scale_group),
    |l| td_string!(l, memory.k_weights_tail),
];

/// `text` with the core's phrases in `locale`; the numbers stay as they are (for names
/// such as `meta-llama/Llama-3.1-8B config.json`).
pub fn words(text: &str, locale: Locale) -> String {
    if locale == Locale::en {
        return text.to_string();
    }
    let mut out = text.to_string();
    for p in PHRASES {
        let en = p(Locale::en);
        if out.contains(en) {
            out = out.replace(en, p(locale));
        }
    }
    out
}

/// `text` with the core's phrases and its numbers in `locale` (labels, formulas, notes).
pub fn text(text: &str, locale: Locale) -> String {
    localize_numbers(&words(text, locale), locale)
}
