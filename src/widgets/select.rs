//! A `<select>` over an enum's URL ids, shared by the labs' forms.
//!
//! The generic [`id_select`] and [`id_select_in`] only map their values to option indices;
//! the element itself is built once, by a non-generic private `index_select`, so the selects
//! in the app share one copy of the view code in the wasm instead of one monomorphised copy
//! each.

use std::sync::Arc;

use leptos::prelude::*;

use crate::lang::{Locale, use_i18n};

/// A `<select>` of ids: `options` are `(value, id, label)`; the option whose value is
/// `current()` is selected, and a choice hands its value to `set`.
pub fn id_select<T, S>(
    testid: String,
    options: Vec<(T, &'static str, String)>,
    current: impl Fn() -> T + Copy + Send + Sync + 'static,
    set: S,
) -> impl IntoView
where
    T: PartialEq + Copy + Send + Sync + 'static,
    S: Fn(T) + Send + Sync + 'static,
{
    let (values, entries): (Vec<T>, Vec<(&'static str, Signal<String>)>) = options
        .into_iter()
        .map(|(v, id, label)| (v, (id, Signal::stored(label))))
        .unzip();
    select_of(testid, values, entries, current, set)
}

/// [`id_select`] with labels in the page's language: `options` are `(value, id)` and
/// `label(value, locale)` names each option (e.g.
/// [`scheme_label`](crate::widgets::scheme_names::scheme_label)); the options follow the
/// language switch.
pub fn id_select_in<T, L, S>(
    testid: String,
    options: Vec<(T, &'static str)>,
    label: L,
    current: impl Fn() -> T + Copy + Send + Sync + 'static,
    set: S,
) -> impl IntoView
where
    T: PartialEq + Copy + Send + Sync + 'static,
    L: Fn(T, Locale) -> String + Copy + Send + Sync + 'static,
    S: Fn(T) + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let (values, entries): (Vec<T>, Vec<(&'static str, Signal<String>)>) = options
        .into_iter()
        .map(|(v, id)| (v, (id, Signal::derive(move || label(v, i18n.get_locale())))))
        .unzip();
    select_of(testid, values, entries, current, set)
}

/// The index mapping shared by [`id_select`] and [`id_select_in`].
fn select_of<T, S>(
    testid: String,
    values: Vec<T>,
    entries: Vec<(&'static str, Signal<String>)>,
    current: impl Fn() -> T + Copy + Send + Sync + 'static,
    set: S,
) -> AnyView
where
    T: PartialEq + Copy + Send + Sync + 'static,
    S: Fn(T) + Send + Sync + 'static,
{
    let values: Arc<[T]> = values.into();
    let lookup = Arc::clone(&values);
    let selected = Signal::derive(move || {
        let now = current();
        lookup.iter().position(|v| *v == now)
    });
    let pick = Callback::new(move |i: usize| {
        if let Some(&v) = values.get(i) {
            set(v);
        }
    });
    index_select(testid, entries, selected, pick)
}

/// The element behind [`id_select`]: options `(id, label)` by index, the selected index, and
/// the index a choice picks.
fn index_select(
    testid: String,
    entries: Vec<(&'static str, Signal<String>)>,
    selected: Signal<Option<usize>>,
    pick: Callback<usize>,
) -> AnyView {
    let ids: Arc<[&'static str]> = entries.iter().map(|(id, _)| *id).collect();
    view! {
        <select data-testid=testid on:change=move |ev| {
            let chosen = event_target_value(&ev);
            if let Some(i) = ids.iter().position(|id| *id == chosen) {
                pick.run(i);
            }
        }>
            {entries.into_iter().enumerate().map(|(i, (id, label))| view! {
                <option value=id selected=move || selected.get() == Some(i)>{move || label.get()}</option>
            }).collect_view()}
        </select>
    }
    .into_any()
}
