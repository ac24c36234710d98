//! Section 5's figure: `r = S·(q − Z)` worked on one weight, every step with its numbers.

use leptos::prelude::*;
use leptos_i18n::td_string;
use quantlab_core::lesson::parse_number;
use quantlab_core::linear::AffineParams;
use quantlab_core::quantizer::{IntRange, Mode};

use crate::format::num;
use crate::lang::numbers::localize;
use crate::lang::use_i18n;

/// The steps of quantizing `r` to uint8 on `[min, max]`: `(S, Z, r/S + Z, q, r̂, r̂ − r)`.
fn steps(min: f64, max: f64, r: f64, mode: Mode) -> Option<(AffineParams, f64, i32, f32)> {
    if !(min.is_finite() && max.is_finite() && r.is_finite() && min < max) {
        return None;
    }
    let p = AffineParams::choose(min, max, 8, mode, IntRange::Unsigned).ok()?;
    let x = r as f32;
    let q = p.quantize_one(x);
    let raw = f64::from(x) / p.scale + p.zero_point;
    Some((p, raw, q, p.dequantize_one(q)))
}

fn number_box(
    id: &'static str,
    label: fn(crate::lang::Locale) -> &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="lesson-control">{move || label(i18n.get_locale())}" "
            <input type="text" inputmode="decimal" size="7" data-testid=id prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))/>
        </label>
    }
}

/// Range, weight and mode boxes, and the worked steps.
#[component]
pub fn WorkedFigure() -> impl IntoView {
    let i18n = use_i18n();
    let (min, max, r) = (
        RwSignal::new("-1.0".to_string()),
        RwSignal::new("3.0".to_string()),
        RwSignal::new("0.5".to_string()),
    );
    let sym = RwSignal::new(false);
    let lines = move || {
        let l = i18n.get_locale();
        let read = |s: RwSignal<String>| s.with(|t| parse_number(t));
        let mode = if sym.get() { Mode::Sym } else { Mode::Asym };
        let (Some(lo), Some(hi), Some(w)) = (read(min), read(max), read(r)) else {
            return view! { <p class="error" role="alert" data-testid="s5-error">{td_string!(l, lesson.s5_bad)}</p> }.into_any();
        };
        let Some((p, raw, q, back)) = steps(lo, hi, w, mode) else {
            return view! { <p class="error" role="alert" data-testid="s5-error">{td_string!(l, lesson.s5_bad)}</p> }.into_any();
        };
        let n = |v: f64| localize(&num(v), l);
        let rows = [
            ("s5-scale", "S", n(p.scale)),
            ("s5-zero", "Z", n(p.zero_point)),
            ("s5-raw", "r/S + Z", n(raw)),
            ("s5-q", "q = clamp(round(r/S + Z), 0, 255)", q.to_string()),
            ("s5-back", "r̂ = S·(q − Z)", n(f64::from(back))),
            ("s5-err", "r̂ − r", n(f64::from(back) - f64::from(w as f32))),
        ];
        let plain = [
            p.scale,
            p.zero_point,
            raw,
            f64::from(q),
            f64::from(back),
            f64::from(back) - f64::from(w as f32),
        ];
        let rows = rows
            .into_iter()
            .zip(plain)
            .map(|((id, what, text), v)| view! {
                <tr><th scope="row" translate="no">{what}</th><td data-testid=id data-value=v.to_string()>{text}</td></tr>
            })
            .collect_view();
        view! { <table class="lesson-table worked-table"><tbody>{rows}</tbody></table> }.into_any()
    };
    view! {
        <div class="lesson-figure">
            {number_box("s5-min", |l| td_string!(l, lesson.s5_min), min)}
            {number_box("s5-max", |l| td_string!(l, lesson.s5_max), max)}
            {number_box("s5-r", |l| td_string!(l, lesson.s5_r), r)}
            <label class="lesson-control">{move || td_string!(i18n.get_locale(), lesson.s5_mode)}" "
                <select data-testid="s5-mode" on:change=move |ev| sym.set(event_target_value(&ev) == "sym")>
                    <option value="asym">{move || td_string!(i18n.get_locale(), lesson.s5_asym)}</option>
                    <option value="sym">{move || td_string!(i18n.get_locale(), lesson.s5_sym)}</option>
                </select>
            </label>
            {lines}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worked_weight_matches_the_formula_and_refuses_bad_ranges() {
        let (p, raw, q, back) = steps(-1.0, 3.0, 0.5, Mode::Asym).unwrap();
        assert_eq!(p.zero_point, 64.0);
        assert!((raw - (0.5 / p.scale + 64.0)).abs() < 1e-9);
        assert_eq!(q, 96);
        assert!((f64::from(back) - p.scale * 32.0).abs() < 1e-6);
        assert!(steps(3.0, -1.0, 0.5, Mode::Asym).is_none());
        assert!(steps(f64::NAN, 1.0, 0.5, Mode::Asym).is_none());
    }
}
