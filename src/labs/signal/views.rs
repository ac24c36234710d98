//! The Signal lab's views: the readouts, the formulas and the figures (each a canvas with
//! its caption, live formula and exports).

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::quantizer::{Fp8Format, Mode, ScaleLayout, SchemeKind};

use super::canvases::Canvases;
use super::draw::DrawPad;
use super::figures;
use super::pipeline::{Pipeline, SignalResult};
use super::state::{SignalState, SourceKind};
use crate::charts;
use crate::format::{fixed, num};

/// The formula of a scheme known by its levels alone (a codebook): their count and the
/// smallest step.
fn levels_formula(r: &SignalResult) -> String {
    format!(
        "{} levels; smallest step {}",
        r.levels.len(),
        num(r.metrics.step)
    )
}

/// The quantizer's formula with its live numbers substituted.
pub fn scale_formula(r: &SignalResult) -> String {
    let l = 1u64 << r.bits;
    let absmax = r.x_max.abs().max(r.x_min.abs());
    let sc = &r.scheme;
    let Some(p) = r.params else {
        // One decision per scale layout of the core's descriptor, exhaustive: a new layout
        // (or, below, a new group-absmax kind) must be given its formula here.
        return match sc.scheme.scales() {
            ScaleLayout::GroupAbsmax => match sc.scheme {
                SchemeKind::MuLaw => format!(
                    "x_c = sign(x)·ln(1 + μ|x|)/ln(1 + μ), μ = {};  Δc = 2/(L − 1) = 2/{} = {};  Q = sign(Q_c)·((1 + μ)^|Q_c| − 1)/μ  (x normalised by max|x| = {})",
                    num(sc.mu),
                    l - 1,
                    num(2.0 / (l - 1).max(1) as f64),
                    num(absmax)
                ),
                SchemeKind::ALaw => format!(
                    "A-law, A = {}: x_c = A|x|/(1 + ln A) for |x| < 1/A, else (1 + ln(A|x|))/(1 + ln A);  Δc = 2/(L − 1) = {};  (x normalised by max|x| = {})",
                    num(sc.a_law),
                    num(2.0 / (l - 1).max(1) as f64),
                    num(absmax)
                ),
                SchemeKind::MuLawG711 | SchemeKind::ALawG711 => format!(
                    "G.711 8-bit codec: x scaled so max|x| = {} ↦ 32768 (16-bit PCM, saturating at 32767), then 8 segments × 16 steps, step doubling per segment; {} levels",
                    num(absmax),
                    r.levels.len()
                ),
                SchemeKind::Log2 => format!(
                    "levels ±2^k · max|x| (k ≤ 0), max|x| = {};  {} bits = sign + exponent;  {} levels",
                    num(absmax),
                    r.bits,
                    r.levels.len()
                ),
                SchemeKind::Linear
                | SchemeKind::Nf4
                | SchemeKind::Fp4
                | SchemeKind::Fp8
                | SchemeKind::Fp16
                | SchemeKind::Bf16
                | SchemeKind::Q8_0
                | SchemeKind::Q4_0
                | SchemeKind::Q4_1
                | SchemeKind::Q5_0
                | SchemeKind::Q5_1
                | SchemeKind::Iq4Nl
                | SchemeKind::Q2K
                | SchemeKind::Q3K
                | SchemeKind::Q4K
                | SchemeKind::Q5K
                | SchemeKind::Q6K
                | SchemeKind::Q8K
                | SchemeKind::KMeans
                | SchemeKind::KMeansOptimal
                | SchemeKind::LloydMax
                | SchemeKind::Mxfp8E4m3
                | SchemeKind::Mxfp8E5m2
                | SchemeKind::Mxfp6E3m2
                | SchemeKind::Mxfp6E2m3
                | SchemeKind::Mxfp4
                | SchemeKind::Mxint8
                | SchemeKind::Nvfp4 => levels_formula(r),
            },
            ScaleLayout::Nf4Block => format!(
                "NF4: 16 NormalFloat levels × absmax of each block of {};  bits/value = 4 + 32/{}{} = {}",
                sc.block_size,
                sc.block_size,
                if sc.double_quant {
                    " (scales double-quantized to 8 bits)"
                } else {
                    ""
                },
                num(r.bits_per_value)
            ),
            ScaleLayout::MiniFloat => format!(
                "scale = max|x| / max_format = {} / {};  x̂ = scale · round_to_format(x / scale), saturating",
                num(absmax),
                if sc.scheme == SchemeKind::Fp4 {
                    "6"
                } else if sc.fp8 == Fp8Format::E4m3 {
                    "448"
                } else {
                    "57344"
                }
            ),
            ScaleLayout::None => format!(
                "x̂ = {}(x): round to nearest even, saturating;  smallest step here {}",
                if sc.scheme == SchemeKind::Fp16 {
                    "fp16"
                } else {
                    "bf16"
                },
                num(r.metrics.step)
            ),
            ScaleLayout::GgmlBlock(ty) => format!(
                "ggml {}: {};  bits/value = {}",
                sc.scheme.id(),
                ty.layout_words(),
                num(r.bits_per_value)
            ),
            ScaleLayout::MxBlock(element) => format!(
                "{}: blocks of 32 share X = 2^(⌊log2 max|x|⌋ − {}) (an E8M0 byte);  x̂ = X · round_to_element(x / X), saturating;  bits/value = {}",
                element.name(),
                element.emax(),
                num(r.bits_per_value)
            ),
            ScaleLayout::Nvfp4Block => format!(
                "NVFP4: s₂ = max|x|/(6·448) = {};  blocks of 16: s_b = E4M3(max|x_b|/(6·s₂));  x̂ = s_b·s₂ · E2M1(x/(s_b·s₂));  bits/value = {}",
                num(absmax / 2688.0),
                num(r.bits_per_value)
            ),
            // A codebook has no formula but its levels; a linear result always has its
            // parameters (so never reaches here).
            ScaleLayout::Codebook | ScaleLayout::Affine => levels_formula(r),
        };
    };
    let s = num(p.scale);
    match sc.mode {
        Mode::AsymFloat => format!(
            "L = 2^{b} = {l};  Δ = (x_max − x_min)/(L − 1) = ({} − {})/{} = {s};  Q(x) = Δ·round((x − x_min)/Δ) + x_min",
            num(r.x_max),
            num(r.x_min),
            l - 1,
            b = r.bits
        ),
        Mode::Sym => format!(
            "S = max|x|/(2^(b−1) − 1) = {}/{} = {s};  Z = {};  q = clamp(round(x/S) + Z, {}, {});  x̂ = S·(q − Z)",
            num(absmax),
            (l / 2).saturating_sub(1),
            num(p.zero_point),
            p.qmin,
            p.qmax
        ),
        Mode::Asym => format!(
            "S = (max − min)/(q_max − q_min) = ({} − {})/{} = {s};  Z = q_min − round(min/S) = {};  q = clamp(round(x/S) + Z, {}, {});  x̂ = S·(q − Z)",
            num(r.x_max.max(0.0)),
            num(r.x_min.min(0.0)),
            p.qmax - p.qmin,
            num(p.zero_point),
            p.qmin,
            p.qmax
        ),
        Mode::MidRise => format!(
            "Δ = 2·max|x|/2^b = 2·{}/{l} = {s};  levels at (k + ½)·Δ;  q = clamp(round(x/Δ − ½), {}, {})",
            num(absmax),
            p.qmin,
            p.qmax
        ),
    }
}

/// `f` of a result as a live readout, `—` while there is none.
fn readout(
    result: Memo<super::pipeline::SignalOutcome<SignalResult>>,
    f: fn(&SignalResult) -> String,
) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || result.with(|r| r.as_ref().map(|r| f(r)).unwrap_or_else(|_| "—".into()))
}

/// The drawing pad, while the source is a drawing.
#[component]
pub fn DrawnSignal() -> impl IntoView {
    let st = SignalState::use_();
    move || {
        (st.source.get() == SourceKind::Drawn).then(|| {
            let initial = st
                .state
                .with_untracked(|s| quantlab_core::drawn::decode(&s.drawn).unwrap_or_default());
            view! {
                <DrawPad initial=initial on_commit=Callback::new(move |pts: Vec<f32>| {
                    let text = quantlab_core::drawn::encode(&pts);
                    st.set(|s| s.drawn = text);
                })/>
            }
        })
    }
}

/// The errors, the readouts of scheme A (and of B in compare mode) and the quantizer's
/// formula.
#[component]
pub fn Readouts() -> impl IntoView {
    let p = Pipeline::use_();
    let (result, result_b, compare) = (p.result, p.result_b, p.compare);
    let a = move |f| readout(result, f);
    let b = move |f| readout(result_b, f);
    view! {
        {move || result.with(|r| r.as_ref().err().map(|e| view! {
            <p class="error" role="alert" data-testid="error">{e.to_string()}</p>
        }))}
        <dl class="readouts">
            <div><dt>"SNR"</dt><dd><span data-testid="snr-db">{a(|r| fixed(r.metrics.snr_db, 2))}</span>" dB"</dd></div>
            <div><dt>"Theory 6.02·b + 1.76"</dt><dd><span data-testid="sqnr-theory-db">{a(|r| fixed(r.metrics.sqnr_theory_db, 2))}</span>" dB"</dd></div>
            <div><dt>"MSE"</dt><dd><span data-testid="mse">{a(|r| num(r.metrics.mse))}</span></dd></div>
            <div><dt>"max |e|"</dt><dd><span data-testid="max-abs-error">{a(|r| num(r.metrics.max_abs_error))}</span></dd></div>
            <div><dt>"Step Δ"</dt><dd><span data-testid="step">{a(|r| num(r.metrics.step))}</span></dd></div>
            <div><dt>"Scale S"</dt><dd><span data-testid="scale">{a(|r| r.params.map(|p| num(p.scale)).unwrap_or_else(|| "—".into()))}</span></dd></div>
            <div><dt>"Zero-point Z"</dt><dd><span data-testid="zero-point">{a(|r| r.params.map(|p| num(p.zero_point)).unwrap_or_else(|| "—".into()))}</span></dd></div>
            <div><dt>"Levels L"</dt><dd><span data-testid="levels">{a(|r| r.metrics.levels.to_string())}</span></dd></div>
            <div><dt>"Bits per value (with scales)"</dt><dd><span data-testid="bits-per-value">{a(|r| num(r.bits_per_value))}</span></dd></div>
        </dl>
        <dl class="readouts compare-readouts" class:hidden=move || !compare.get()>
            <div><dt>"B: SNR"</dt><dd><span data-testid="cmp-snr-db">{b(|r| fixed(r.metrics.snr_db, 2))}</span>" dB"</dd></div>
            <div><dt>"B: MSE"</dt><dd><span data-testid="cmp-mse">{b(|r| num(r.metrics.mse))}</span></dd></div>
            <div><dt>"B: max |e|"</dt><dd><span data-testid="cmp-max-abs-error">{b(|r| num(r.metrics.max_abs_error))}</span></dd></div>
            <div><dt>"B: levels"</dt><dd><span data-testid="cmp-levels">{b(|r| r.metrics.levels.to_string())}</span></dd></div>
            <div><dt>"B: bits per value"</dt><dd><span data-testid="cmp-bits-per-value">{b(|r| num(r.bits_per_value))}</span></dd></div>
            <div><dt>"SNR B − A"</dt><dd><span data-testid="cmp-snr-gain-db">{move || match (result.get(), result_b.get()) { (Ok(a), Ok(b)) => fixed(b.metrics.snr_db - a.metrics.snr_db, 2), _ => "—".into() }}</span>" dB"</dd></div>
        </dl>
        {move || compare.get().then(|| result_b.with(|r| r.as_ref().err().map(|e| view! {
            <p class="error" role="alert" data-testid="cmp-error">{format!("Scheme B: {e}")}</p>
        })))}
        <p class="formula" data-testid="formula">{a(scale_formula)}</p>
    }
}

/// One analysis figure of the page: its view id, canvas height, texts and CSV export.
struct FigureSpec {
    id: &'static str,
    height: u32,
    caption: &'static str,
    aria: &'static str,
    formula: Box<dyn Fn() -> String + Send + Sync>,
    csv: Box<dyn Fn() -> Option<String> + Send + Sync>,
    visible: Box<dyn Fn() -> bool + Send + Sync>,
    drawable: Box<dyn Fn() -> bool + Send + Sync>,
}

/// An analysis figure: its canvas, caption with the live formula, and PNG/CSV exports
/// (hidden in embed mode).
fn figure(f: FigureSpec) -> impl IntoView {
    let st = SignalState::use_();
    let canvases = Canvases::use_();
    let embed = crate::widgets::embed::params().embed;
    let FigureSpec {
        id,
        height,
        caption,
        aria,
        formula,
        csv,
        visible,
        drawable,
    } = f;
    let visible = Arc::new(visible);
    let shown_now = {
        let v = visible.clone();
        move || st.shown(id) && v()
    };
    let png = move |_| {
        let _ = crate::widgets::export::canvas_png(
            &format!("{id}-canvas"),
            &format!("quantlab-{id}.png"),
        );
    };
    let svg = move |_| {
        let _ =
            crate::widgets::svg::download(&format!("{id}-canvas"), &format!("quantlab-{id}.svg"));
    };
    let save_csv = move |_| {
        if let Some(text) = csv() {
            let _ =
                crate::widgets::export::text_file(&text, "text/csv", &format!("quantlab-{id}.csv"));
        }
    };
    view! {
        <figure class="view" class:hidden=move || !shown_now() data-view=id>
            <canvas node_ref=canvases.get(id) data-testid=format!("{id}-canvas") width="960" height=height class:hidden=move || !drawable()
                role="img" aria-label=aria></canvas>
            <figcaption>{caption}
                <span class="formula" data-testid=format!("formula-{id}")>{formula}</span>
            </figcaption>
            <div class="buttons figure-exports" class:hidden=embed>
                <button type="button" data-testid=format!("export-{id}-png") on:click=png>"PNG"</button>
                <button type="button" data-testid=format!("export-{id}-svg") on:click=svg>"SVG"</button>
                <button type="button" data-testid=format!("export-{id}-csv") on:click=save_csv>"CSV"</button>
            </div>
        </figure>
    }
}

/// `x[n]` with `Q(x[n])`, and the error `e(n)`: the page's first two views.
#[component]
pub fn SignalFigures() -> impl IntoView {
    let st = SignalState::use_();
    let canvases = Canvases::use_();
    let result = Pipeline::use_().result;
    view! {
        <figure class="view" data-view="signal" class:hidden=move || !st.shown("signal")>
            <canvas node_ref=canvases.get("signal") data-testid="signal-canvas" width="960" height="320"
                role="img" aria-label="x[n] and Q(x[n]) over n, with the quantization levels as horizontal lines"></canvas>
            <figcaption>
                "x[n] (blue) and Q(x[n]) (orange) over the level grid. "
                {move || result.with(|r| match r {
                    Ok(r) if r.levels.len() > charts::MAX_GRID_LINES =>
                        format!("{} levels: too dense to draw as lines.", r.levels.len()),
                    _ => String::new(),
                })}
            </figcaption>
        </figure>
        <figure class="view" data-view="error" class:hidden=move || !st.shown("error")>
            <canvas node_ref=canvases.get("error") data-testid="error-canvas" width="960" height="200"
                role="img" aria-label="quantization error e(n) over n, with the ±Δ/2 bounds dashed"></canvas>
            <figcaption>"e(n) = x[n] − Q(x[n]), with ±Δ/2 dashed. "
                <span class="formula" data-testid="formula-error">{move || result.with(|r| match r {
                    Ok(r) => format!("Δ = {}, ±Δ/2 = ±{}; max |e| = {}; MSE = {}", num(r.metrics.step), num(r.metrics.step / 2.0), num(r.metrics.max_abs_error), num(r.metrics.mse)),
                    Err(e) => e.to_string(),
                })}</span>
            </figcaption>
        </figure>
    }
}

/// The analysis figures: compare mode, transfer, error histogram, SNR against bits and
/// against level, rounding against clipping.
#[component]
pub fn AnalysisFigures() -> impl IntoView {
    let Pipeline {
        result,
        result_b,
        compare,
        scheme,
        transfer,
        error_hist,
        snr_bits,
        level_key,
        level_curve,
        level_point,
        clip,
        ..
    } = Pipeline::use_();
    let always = || Box::new(|| true);
    view! {
        {figure(FigureSpec {
            id: "compare", height: 280,
            caption: "Compare: the same signal through scheme A (left) and scheme B (right).",
            aria: "two charts side by side: x[n] and Q(x[n]) for scheme A and for scheme B",
            formula: Box::new(move || match (result.get(), result_b.get()) {
                (Ok(a), Ok(b)) => figures::compare_formula(&a, &b),
                (Err(e), _) | (_, Err(e)) => e.to_string(),
            }),
            csv: Box::new(move || match (result.get_untracked(), result_b.get_untracked()) {
                (Ok(a), Ok(b)) => Some(figures::compare_csv(&a, &b)),
                _ => None,
            }),
            visible: Box::new(move || compare.get()),
            drawable: always(),
        })}
        {figure(FigureSpec {
            id: "transfer", height: 360,
            caption: "Transfer staircase Q(x) against x (vermillion; identity dashed), with the input's histogram beneath it.",
            aria: "the transfer function Q(x) as a staircase over x, above a histogram of the input",
            formula: Box::new(move || result.with(|r| r.as_ref().map(|r| figures::transfer_formula(r)).unwrap_or_else(|e| e.to_string()))),
            csv: Box::new(move || transfer.get_untracked().ok().map(|t| figures::transfer_csv(&t))),
            visible: always(),
            drawable: always(),
        })}
        {figure(FigureSpec {
            id: "error-hist", height: 240,
            caption: "Histogram of e(n), with ±Δ/2 dashed: flat between the bounds when the uniform-noise model holds.",
            aria: "histogram of the quantization error with the bounds plus and minus half a step",
            formula: Box::new(move || match (result.get(), error_hist.get()) {
                (Ok(r), Ok(h)) => figures::error_histogram_formula(&r, &h),
                (Err(e), _) | (_, Err(e)) => e.to_string(),
            }),
            csv: Box::new(move || error_hist.get_untracked().ok().map(|h| figures::histogram_csv(&h))),
            visible: always(),
            drawable: always(),
        })}
        {figure(FigureSpec {
            id: "snr-bits", height: 280,
            caption: "SNR against bits for this signal (vermillion) and the 6.02·b + 1.76 dB line (black, dashed); the current bits in orange.",
            aria: "signal-to-noise ratio in decibels against the number of bits, measured and theoretical",
            formula: Box::new(move || result.with(|r| r.as_ref().map(|r| figures::snr_bits_formula(r)).unwrap_or_else(|e| e.to_string()))),
            csv: Box::new(move || snr_bits.get_untracked().ok().map(|s| figures::snr_bits_csv(&s))),
            visible: always(),
            drawable: always(),
        })}
        {figure(FigureSpec {
            id: "snr-level", height: 280,
            caption: "SNR against input level, −60 … 0 dB below full scale, for linear (blue) and μ-law (purple) at the same bits: the companding figure. This signal's point in orange.",
            aria: "signal-to-noise ratio against input level for a uniform and a mu-law quantizer",
            formula: Box::new(move || {
                let (bits, mu) = level_key.get();
                figures::level_formula(bits, mu, level_point.get().as_ref())
            }),
            csv: Box::new(move || level_curve.get_untracked().ok().map(|c| figures::level_csv(&c))),
            visible: always(),
            drawable: always(),
        })}
        {figure(FigureSpec {
            id: "clip", height: 280,
            caption: "Rounding (blue), clipping (vermillion) and total (black) MSE against the clip threshold α; the current clip range in orange.",
            aria: "rounding error, clipping error and their total against the clipping threshold",
            formula: Box::new(move || match clip.get() {
                Ok(t) => figures::clip_formula(&t, &scheme.get()),
                Err(e) => e.to_string(),
            }),
            csv: Box::new(move || clip.get_untracked().ok().map(|t| figures::clip_csv(&t))),
            visible: always(),
            drawable: Box::new(move || clip.with(|c| c.is_ok())),
        })}
    }
}
