//! Section 9's figure: a SIMD register cut into lanes, int8 products widening into int32
//! accumulators (four products per accumulator, as `vpdpbusd` and WGSL's `dot4I8Packed`
//! do), and a dot product summed in int16 beside int32.

use leptos::prelude::*;
use leptos_i18n::td_string;
use quantlab_core::lesson::{accumulate, lanes};

use crate::lang::fill::grouped;
use crate::lang::use_i18n;

const WIDTH: f64 = 1024.0;

fn lane_bar(y: f64, count: u32, class: &'static str, label: String) -> impl IntoView {
    let w = WIDTH / f64::from(count.max(1));
    let rects = (0..count)
        .map(|i| view! { <rect class=class x=f64::from(i) * w y=y width=w height="28"></rect> })
        .collect_view();
    view! {
        <g>{rects}<text x="4" y=y + 44.0 class="lane-label">{label}</text></g>
    }
}

/// The register drawing and its two selects.
#[component]
fn Register() -> impl IntoView {
    let i18n = use_i18n();
    let register = RwSignal::new(256u32);
    let lane = RwSignal::new(8u32);
    let drawing = move || {
        let l = i18n.get_locale();
        let (reg, bits) = (register.get(), lane.get());
        let n = lanes(reg, bits);
        let text = |n: u32, b: u32| crate::tdf!(l, lesson.s9_lanes, lanes = n, bits = b);
        let widen = (bits == 8).then(|| {
            let acc = lanes(reg, 32);
            let lines = (0..n)
                .map(|i| {
                    let x1 = (f64::from(i) + 0.5) * WIDTH / f64::from(n);
                    let x2 = (f64::from(i / 4) + 0.5) * WIDTH / f64::from(acc);
                    view! { <line x1=x1 y1="28" x2=x2 y2="80" class="widen"></line> }
                })
                .collect_view();
            view! { {lines} {lane_bar(80.0, acc, "lane-acc", text(acc, 32))} }
        });
        let height = if widen.is_some() { 132 } else { 52 };
        view! {
            <svg class="register" viewBox=format!("0 0 {WIDTH} {height}") role="img" data-testid="s9-register"
                data-lanes=n.to_string() aria-label=text(n, bits)>
                {lane_bar(0.0, n, "lane", text(n, bits))}
                {widen}
            </svg>
        }
    };
    let select = |id: &'static str, sig: RwSignal<u32>, opts: &'static [(u32, &'static str)]| {
        let options = opts
            .iter()
            .map(|&(v, name)| view! { <option value=v.to_string() selected=move || sig.get() == v>{name}</option> })
            .collect_view();
        view! {
            <select data-testid=id on:change=move |ev| {
                if let Ok(v) = event_target_value(&ev).parse() { sig.set(v) }
            }>{options}</select>
        }
    };
    view! {
        <p>
            <label class="lesson-control">{move || td_string!(i18n.get_locale(), lesson.s9_register)}" "
                {select("s9-register-bits", register, &[(128, "128 bits (WASM SIMD)"), (256, "256 bits (AVX2)"), (512, "512 bits (AVX-512)")])}
            </label>
            <label class="lesson-control">{move || td_string!(i18n.get_locale(), lesson.s9_lane)}" "
                {select("s9-lane-bits", lane, &[(32, "fp32"), (16, "fp16"), (8, "int8")])}
            </label>
        </p>
        {drawing}
    }
}

/// The running sums of a·b in int32 and in a wrapping int16.
#[component]
fn Accumulators() -> impl IntoView {
    let i18n = use_i18n();
    let (a, b) = (RwSignal::new(127i8), RwSignal::new(127i8));
    let int8_box = |id: &'static str,
                    sig: RwSignal<i8>,
                    label: fn(crate::lang::Locale) -> &'static str| {
        view! {
            <label class="lesson-control">{move || label(i18n.get_locale())}" "
                <input type="number" min="-128" max="127" step="1" data-testid=id prop:value=move || sig.get().to_string()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() {
                            sig.set(v.clamp(-128, 127) as i8);
                        }
                    }/>
            </label>
        }
    };
    let rows = move || {
        let l = i18n.get_locale();
        let g = |v: i64| {
            let s = grouped(v.unsigned_abs(), l);
            if v < 0 { format!("−{s}") } else { s }
        };
        accumulate(&[a.get()], &[b.get()], 6)
            .into_iter()
            .map(|r| {
                let wrapped = r.overflowed();
                view! {
                    <tr class:wrapped=wrapped data-testid=format!("s9-row-{}", r.terms)>
                        <td>{r.terms}</td>
                        <td>{g(i64::from(r.product))}</td>
                        <td data-testid=format!("s9-int32-{}", r.terms) data-value=r.int32.to_string()>{g(i64::from(r.int32))}</td>
                        <td data-testid=format!("s9-int16-{}", r.terms) data-value=r.int16.to_string()>{g(i64::from(r.int16))}
                            {wrapped.then(|| view! { " "<strong>{td_string!(l, lesson.s9_wrapped)}</strong> })}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <p>
            {int8_box("s9-a", a, |l| td_string!(l, lesson.s9_a))}
            {int8_box("s9-b", b, |l| td_string!(l, lesson.s9_b))}
        </p>
        <table class="lesson-table">
            <thead><tr>
                <th scope="col">{move || td_string!(i18n.get_locale(), lesson.s9_terms)}</th>
                <th scope="col">{move || td_string!(i18n.get_locale(), lesson.s9_product)}</th>
                <th scope="col">{move || td_string!(i18n.get_locale(), lesson.s9_int32)}</th>
                <th scope="col">{move || td_string!(i18n.get_locale(), lesson.s9_int16)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The register and the accumulators.
#[component]
pub fn RegisterFigure() -> impl IntoView {
    view! {
        <div class="lesson-figure">
            <Register/>
            <Accumulators/>
        </div>
    }
}
