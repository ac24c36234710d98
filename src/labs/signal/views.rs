//! The Signal lab's views: the readouts, the formulas and the figures (each a canvas with
//! its caption, live formula and exports).

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::td_string;

use super::canvases::Canvases;
use super::draw::DrawPad;
use super::figures;
use super::formulas;
use super::pipeline::{Pipeline, SignalResult};
use super::state::{SignalState, SourceKind};
use crate::charts;
use crate::format::{fixed, num};
use crate::lang::numbers::number_span;
use crate::lang::{Locale, t, use_i18n};

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
/// formula. Each readout's text is in the page's language; its `data-value` holds the
/// plain number.
#[component]
pub fn Readouts() -> impl IntoView {
    let i18n = use_i18n();
    let p = Pipeline::use_();
    let (result, result_b, compare) = (p.result, p.result_b, p.compare);
    let a = move |id, f| number_span(id, readout(result, f));
    let b = move |id, f| number_span(id, readout(result_b, f));
    let gain = move || match (result.get(), result_b.get()) {
        (Ok(a), Ok(b)) => fixed(b.metrics.snr_db - a.metrics.snr_db, 2),
        _ => "—".into(),
    };
    view! {
        {move || result.with(|r| r.as_ref().err().map(|e| view! {
            <p class="error" role="alert" data-testid="error">{e.text(i18n.get_locale())}</p>
        }))}
        <dl class="readouts">
            <div><dt>"SNR"</dt><dd>{a("snr-db", |r| fixed(r.metrics.snr_db, 2))}" dB"</dd></div>
            <div><dt>{t!(i18n, signal.theory)}</dt><dd>{a("sqnr-theory-db", |r| fixed(r.metrics.sqnr_theory_db, 2))}" dB"</dd></div>
            <div><dt>"MSE"</dt><dd>{a("mse", |r| num(r.metrics.mse))}</dd></div>
            <div><dt>"max |e|"</dt><dd>{a("max-abs-error", |r| num(r.metrics.max_abs_error))}</dd></div>
            <div><dt>{t!(i18n, signal.step)}</dt><dd>{a("step", |r| num(r.metrics.step))}</dd></div>
            <div><dt>{t!(i18n, signal.scale)}</dt><dd>{a("scale", |r| r.params.map(|p| num(p.scale)).unwrap_or_else(|| "—".into()))}</dd></div>
            <div><dt>{t!(i18n, signal.zero_point)}</dt><dd>{a("zero-point", |r| r.params.map(|p| num(p.zero_point)).unwrap_or_else(|| "—".into()))}</dd></div>
            <div><dt>{t!(i18n, signal.levels)}</dt><dd>{a("levels", |r| r.metrics.levels.to_string())}</dd></div>
            <div><dt>{t!(i18n, signal.bits_per_value)}</dt><dd>{a("bits-per-value", |r| num(r.bits_per_value))}</dd></div>
        </dl>
        <dl class="readouts compare-readouts" class:hidden=move || !compare.get()>
            <div><dt>"B: SNR"</dt><dd>{b("cmp-snr-db", |r| fixed(r.metrics.snr_db, 2))}" dB"</dd></div>
            <div><dt>"B: MSE"</dt><dd>{b("cmp-mse", |r| num(r.metrics.mse))}</dd></div>
            <div><dt>"B: max |e|"</dt><dd>{b("cmp-max-abs-error", |r| num(r.metrics.max_abs_error))}</dd></div>
            <div><dt>{t!(i18n, signal.b_levels)}</dt><dd>{b("cmp-levels", |r| r.metrics.levels.to_string())}</dd></div>
            <div><dt>{t!(i18n, signal.b_bits_per_value)}</dt><dd>{b("cmp-bits-per-value", |r| num(r.bits_per_value))}</dd></div>
            <div><dt>"SNR B − A"</dt><dd>{number_span("cmp-snr-gain-db", gain)}" dB"</dd></div>
        </dl>
        {move || compare.get().then(|| result_b.with(|r| r.as_ref().err().map(|e| view! {
            <p class="error" role="alert" data-testid="cmp-error">{
                let l = i18n.get_locale();
                crate::tdf!(l, signal.scheme_b_error, error = e.text(l))
            }</p>
        })))}
        <p class="formula" data-testid="formula">{move || {
            let l = i18n.get_locale();
            result.with(|r| r.as_ref().map(|r| formulas::scale_formula(r, l)).unwrap_or_else(|_| "—".into()))
        }}</p>
    }
}

/// One analysis figure of the page: its view id, canvas height, texts and CSV export.
struct FigureSpec {
    id: &'static str,
    height: u32,
    caption: fn(Locale) -> &'static str,
    aria: fn(Locale) -> &'static str,
    formula: Box<dyn Fn() -> String + Send + Sync>,
    csv: Box<dyn Fn() -> Option<String> + Send + Sync>,
    visible: Box<dyn Fn() -> bool + Send + Sync>,
    drawable: Box<dyn Fn() -> bool + Send + Sync>,
}

/// An analysis figure: its canvas, caption with the live formula, and PNG/CSV exports
/// (hidden in embed mode).
fn figure(f: FigureSpec) -> Option<impl IntoView> {
    let st = SignalState::use_();
    if !st.hosts(f.id) {
        return None;
    }
    let canvases = Canvases::use_();
    let embed = crate::widgets::embed::params().embed;
    let i18n = use_i18n();
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
    Some(view! {
        <figure class="view" class:hidden=move || !shown_now() data-view=id>
            <canvas node_ref=canvases.get(id) data-testid=format!("{id}-canvas") width="960" height=height class:hidden=move || !drawable()
                role="img" aria-label=move || aria(i18n.get_locale())></canvas>
            <figcaption>{move || caption(i18n.get_locale())}
                <span class="formula" data-testid=format!("formula-{id}")>{formula}</span>
            </figcaption>
            <div class="buttons figure-exports" class:hidden=embed>
                <button type="button" data-testid=format!("export-{id}-png") on:click=png>"PNG"</button>
                <button type="button" data-testid=format!("export-{id}-svg") on:click=svg>"SVG"</button>
                <button type="button" data-testid=format!("export-{id}-csv") on:click=save_csv>"CSV"</button>
            </div>
        </figure>
    })
}

/// `x[n]` with `Q(x[n])`, and the error `e(n)`: the page's first two views.
#[component]
pub fn SignalFigures() -> impl IntoView {
    let st = SignalState::use_();
    let canvases = Canvases::use_();
    let result = Pipeline::use_().result;
    let i18n = use_i18n();
    let dense = move || {
        result.with(|r| match r {
            Ok(r) if r.levels.len() > charts::MAX_GRID_LINES => {
                let count =
                    crate::lang::numbers::localize(&r.levels.len().to_string(), i18n.get_locale());
                crate::tdf!(i18n.get_locale(), signal.too_dense, count = count)
            }
            _ => String::new(),
        })
    };
    let signal = st.hosts("signal").then(|| view! {
        <figure class="view" data-view="signal" class:hidden=move || !st.shown("signal")>
            <canvas node_ref=canvases.get("signal") data-testid="signal-canvas" width="960" height="320"
                role="img" aria-label=move || td_string!(i18n.get_locale(), signal.aria_signal)></canvas>
            <figcaption>
                {t!(i18n, signal.caption_signal)}" "
                {dense}
            </figcaption>
        </figure>
    });
    let error = st.hosts("error").then(|| view! {
        <figure class="view" data-view="error" class:hidden=move || !st.shown("error")>
            <canvas node_ref=canvases.get("error") data-testid="error-canvas" width="960" height="200"
                role="img" aria-label=move || td_string!(i18n.get_locale(), signal.aria_error)></canvas>
            <figcaption>{t!(i18n, signal.caption_error)}" "
                <span class="formula" data-testid="formula-error">{move || {
                    let l = i18n.get_locale();
                    result.with(|r| match r {
                        Ok(r) => formulas::error_formula(r, l),
                        Err(e) => e.text(l),
                    })
                }}</span>
            </figcaption>
        </figure>
    });
    view! { {signal} {error} }
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
    let i18n = use_i18n();
    let loc = move || i18n.get_locale();
    let always = || Box::new(|| true);
    view! {
        {figure(FigureSpec {
            id: "compare", height: 280,
            caption: |l| td_string!(l, signal.caption_compare),
            aria: |l| td_string!(l, signal.aria_compare),
            formula: Box::new(move || match (result.get(), result_b.get()) {
                (Ok(a), Ok(b)) => formulas::compare_formula(&a, &b, loc()),
                (Err(e), _) | (_, Err(e)) => e.text(loc()),
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
            caption: |l| td_string!(l, signal.caption_transfer),
            aria: |l| td_string!(l, signal.aria_transfer),
            formula: Box::new(move || result.with(|r| r.as_ref().map(|r| formulas::transfer_formula(r, loc())).unwrap_or_else(|e| e.text(loc())))),
            csv: Box::new(move || transfer.get_untracked().ok().map(|t| figures::transfer_csv(&t))),
            visible: always(),
            drawable: always(),
        })}
        {figure(FigureSpec {
            id: "error-hist", height: 240,
            caption: |l| td_string!(l, signal.caption_error_hist),
            aria: |l| td_string!(l, signal.aria_error_hist),
            formula: Box::new(move || match (result.get(), error_hist.get()) {
                (Ok(r), Ok(h)) => formulas::error_histogram_formula(&r, &h, loc()),
                (Err(e), _) | (_, Err(e)) => e.text(loc()),
            }),
            csv: Box::new(move || error_hist.get_untracked().ok().map(|h| figures::histogram_csv(&h))),
            visible: always(),
            drawable: always(),
        })}
        {figure(FigureSpec {
            id: "snr-bits", height: 280,
            caption: |l| td_string!(l, signal.caption_snr_bits),
            aria: |l| td_string!(l, signal.aria_snr_bits),
            formula: Box::new(move || result.with(|r| r.as_ref().map(|r| formulas::snr_bits_formula(r, loc())).unwrap_or_else(|e| e.text(loc())))),
            csv: Box::new(move || snr_bits.get_untracked().ok().map(|s| figures::snr_bits_csv(&s))),
            visible: always(),
            drawable: always(),
        })}
        {figure(FigureSpec {
            id: "snr-level", height: 280,
            caption: |l| td_string!(l, signal.caption_snr_level),
            aria: |l| td_string!(l, signal.aria_snr_level),
            formula: Box::new(move || {
                let (bits, mu) = level_key.get();
                formulas::level_formula(bits, mu, level_point.get().as_ref(), loc())
            }),
            csv: Box::new(move || level_curve.get_untracked().ok().map(|c| figures::level_csv(&c))),
            visible: always(),
            drawable: always(),
        })}
        {figure(FigureSpec {
            id: "clip", height: 280,
            caption: |l| td_string!(l, signal.caption_clip),
            aria: |l| td_string!(l, signal.aria_clip),
            formula: Box::new(move || match clip.get() {
                Ok(t) => formulas::clip_formula(&t, &scheme.get(), loc()),
                Err(e) => e.text(loc()),
            }),
            csv: Box::new(move || clip.get_untracked().ok().map(|t| figures::clip_csv(&t))),
            visible: always(),
            drawable: Box::new(move || clip.with(|c| c.is_ok())),
        })}
    }
}
