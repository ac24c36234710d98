//! Section 1's figure: a typed value as fp32, fp16, bf16 and int8 hold it, bit by bit.

use leptos::prelude::*;
use leptos_i18n::td_string;
use quantlab_core::lesson::{BitLayout, FieldKind, NumberFormat, layout, parse_number};

use crate::lang::numbers::localize;
use crate::lang::{Locale, use_i18n};

fn field_name(kind: FieldKind, format: NumberFormat, l: Locale) -> &'static str {
    match (kind, format) {
        (FieldKind::Sign, _) => td_string!(l, lesson.s1_sign),
        (FieldKind::Exponent, _) => td_string!(l, lesson.s1_exponent),
        (FieldKind::Mantissa, NumberFormat::Int8) => td_string!(l, lesson.s1_magnitude),
        (FieldKind::Mantissa, _) => td_string!(l, lesson.s1_mantissa),
    }
}

fn class(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Sign => "bit-sign",
        FieldKind::Exponent => "bit-exp",
        FieldKind::Mantissa => "bit-man",
    }
}

fn row(lay: BitLayout, l: Locale) -> impl IntoView {
    let id = lay.format.id();
    let fields = lay
        .fields
        .iter()
        .map(|f| {
            let bits = f.bits.iter().map(|&b| if b { "1" } else { "0" }).collect::<String>();
            view! {
                <span class=format!("bits {}", class(f.kind)) title=field_name(f.kind, lay.format, l)>{bits}</span>
            }
        })
        .collect_view();
    let legend = lay
        .fields
        .iter()
        .map(|f| format!("{} {}", f.bits.len(), field_name(f.kind, lay.format, l)))
        .collect::<Vec<_>>()
        .join(" · ");
    let stored = format!("{}", lay.stored);
    let note = if lay.saturated && lay.stored.is_infinite() {
        td_string!(l, lesson.s1_inf).to_string()
    } else if lay.saturated {
        td_string!(l, lesson.s1_overflow).to_string()
    } else if lay.error.is_finite() {
        crate::tdf!(
            l,
            lesson.s1_error,
            error = localize(&format!("{:+.3e}", lay.error), l)
        )
    } else {
        String::new()
    };
    let hex_width = (lay.format.total_bits() / 4) as usize;
    view! {
        <tr data-testid=format!("s1-row-{id}")>
            <th scope="row" translate="no">{id}</th>
            <td class="mono bit-cells" translate="no" data-testid=format!("s1-bits-{id}") data-bits=lay.bits_text()>{fields}</td>
            <td class="mono" translate="no">{format!("0x{:0hex_width$X}", lay.raw)}</td>
            <td>
                <span data-testid=format!("s1-stored-{id}") data-value=stored.clone()>{crate::tdf!(l, lesson.s1_stores, value = localize(&stored, l))}</span>
                <br/><small>{note}</small><br/><small class="hint">{legend}</small>
            </td>
        </tr>
    }
}

/// A value box and the table of its four layouts.
#[component]
pub fn BitsFigure() -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new("0.1".to_string());
    let table = move || {
        let l = i18n.get_locale();
        let Some(v) = typed.with(|t| parse_number(t)) else {
            return view! { <p class="error" role="alert" data-testid="s1-error">{td_string!(l, lesson.s1_not_number)}</p> }.into_any();
        };
        let rows = NumberFormat::ALL
            .into_iter()
            .filter_map(|f| layout(v, f).ok())
            .map(|lay| row(lay, l))
            .collect_view();
        view! { <table class="lesson-table bit-table"><tbody>{rows}</tbody></table> }.into_any()
    };
    view! {
        <div class="lesson-figure">
            <label class="lesson-control">{move || td_string!(i18n.get_locale(), lesson.s1_value)}" "
                <input type="text" inputmode="decimal" data-testid="s1-value" prop:value=typed
                    on:input=move |ev| typed.set(event_target_value(&ev))/>
            </label>
            {table}
        </div>
    }
}
