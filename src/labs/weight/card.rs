//! The format card: the current scheme's bits per weight broken down (codes, block scales,
//! nested scales, tensor scale; [`quantlab_core::weights::storage::breakdown`]), its grid of
//! reconstruction levels in the selected group, and who uses the format.

use leptos::prelude::*;
use quantlab_core::SchemeKind;
use quantlab_core::weights::storage::{BitsBreakdown, breakdown};

use super::pipeline::WeightPipeline;
use super::state::WeightState;
use crate::format::num;
use crate::lang::fill::{fill, td_string};
use crate::lang::numbers::localize;
use crate::lang::{Locale, t_string, use_i18n};

/// Most levels drawn as ticks (a wider grid is summarised in words).
const MAX_TICKS: usize = 256;

/// Who uses the format, in `l`.
pub fn used_by(kind: SchemeKind, l: Locale) -> &'static str {
    match kind {
        SchemeKind::Linear => td_string!(l, weight.use_linear),
        SchemeKind::MuLaw | SchemeKind::ALaw => td_string!(l, weight.use_companding),
        SchemeKind::MuLawG711 | SchemeKind::ALawG711 => td_string!(l, weight.use_g711),
        SchemeKind::Log2 => td_string!(l, weight.use_log2),
        SchemeKind::Nf4 => td_string!(l, weight.use_nf4),
        SchemeKind::Fp4 => td_string!(l, weight.use_fp4),
        SchemeKind::Fp8 => td_string!(l, weight.use_fp8),
        SchemeKind::Fp16 => td_string!(l, weight.use_fp16),
        SchemeKind::Bf16 => td_string!(l, weight.use_bf16),
        SchemeKind::Q8_0
        | SchemeKind::Q4_0
        | SchemeKind::Q4_1
        | SchemeKind::Q5_0
        | SchemeKind::Q5_1 => td_string!(l, weight.use_ggml_legacy),
        SchemeKind::Iq4Nl => td_string!(l, weight.use_iq4nl),
        SchemeKind::Q2K | SchemeKind::Q3K | SchemeKind::Q4K | SchemeKind::Q5K | SchemeKind::Q6K => {
            td_string!(l, weight.use_kquant)
        }
        SchemeKind::Q8K => td_string!(l, weight.use_q8k),
        SchemeKind::KMeans | SchemeKind::KMeansOptimal | SchemeKind::LloydMax => {
            td_string!(l, weight.use_codebook)
        }
        SchemeKind::Mxfp8E4m3
        | SchemeKind::Mxfp8E5m2
        | SchemeKind::Mxfp6E3m2
        | SchemeKind::Mxfp6E2m3
        | SchemeKind::Mxint8 => td_string!(l, weight.use_mx),
        SchemeKind::Mxfp4 => td_string!(l, weight.use_mxfp4),
        SchemeKind::Nvfp4 => td_string!(l, weight.use_nvfp4),
    }
}

/// One part of the breakdown: its words and its bits per weight.
fn part(testid: &'static str, words: &'static str, v: f64, l: Locale) -> impl IntoView + use<> {
    let p = num(v);
    view! {
        <li>{words}": "<strong data-testid=testid data-value=p.clone()>{localize(&p, l)}</strong></li>
    }
}

/// The levels as ticks on a line from the smallest to the largest.
fn grid(levels: &[f32], l: Locale) -> impl IntoView + use<> {
    let (lo, hi) = levels
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let span = if hi > lo { f64::from(hi - lo) } else { 1.0 };
    let ticks = levels
        .iter()
        .take(MAX_TICKS)
        .map(|&v| {
            let x = 10.0 + 580.0 * (f64::from(v - lo) / span);
            view! { <line data-testid="card-tick" data-value=num(f64::from(v)) x1=x x2=x y1="6" y2="34" stroke="currentColor"></line> }
        })
        .collect::<Vec<_>>();
    view! {
        <svg class="card-grid" data-testid="card-grid" viewBox="0 0 600 40" width="600" height="40" role="img" aria-label=td_string!(l, weight.card_grid_aria)>
            <line x1="10" x2="590" y1="20" y2="20" stroke="currentColor" stroke-opacity="0.4"></line>
            {ticks}
        </svg>
    }
}

/// The format card.
#[component]
pub fn FormatCard() -> impl IntoView {
    let st = WeightState::use_();
    let p = WeightPipeline::use_();
    let i18n = use_i18n();
    let bits = Memo::new(move |_| {
        let (scheme, dtype) = st.state.with(|s| (s.scheme, s.scale_dtype));
        let t = p.tensor.get().ok()?;
        breakdown(&scheme, &t.shape, t.data.len(), dtype).ok()
    });
    let body = move || {
        let l = i18n.get_locale();
        let kind = st.state.with(|s| s.scheme.scheme);
        let parts = bits.get().map(|b: BitsBreakdown| {
            let total = b.codes + b.block_scales + b.nested_scales + b.tensor_scale;
            view! {
                <ul data-testid="card-bits">
                    {part("card-bits-codes", td_string!(l, weight.card_codes), b.codes, l)}
                    {part("card-bits-block", td_string!(l, weight.card_block_scales), b.block_scales, l)}
                    {part("card-bits-nested", td_string!(l, weight.card_nested_scales), b.nested_scales, l)}
                    {part("card-bits-tensor", td_string!(l, weight.card_tensor_scale), b.tensor_scale, l)}
                    {part("card-bits-total", td_string!(l, weight.card_total), total, l)}
                </ul>
            }
        });
        let levels = p
            .result
            .with(|r| r.as_ref().map(|r| r.levels.clone()).unwrap_or_default());
        let n = levels.len();
        view! {
            <p data-testid="card-used-by">{used_by(kind, l)}</p>
            {parts}
            <p>{fill(td_string!(l, weight.card_grid), &[("n", &n.to_string())])}</p>
            {grid(&levels, l)}
        }
    };
    view! {
        <section class="format-card" data-testid="format-card">
            <h3>{move || t_string!(i18n, weight.card_heading)}</h3>
            {body}
        </section>
    }
}
