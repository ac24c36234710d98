//! A `<select>` over an enum's URL ids, shared by the labs' forms.
//!
//! The generic [`id_select`] only maps its values to option indices; the element itself is
//! built once, by a non-generic private `index_select`, so the ten selects in the app share one
//! copy of the view code in the wasm instead of one monomorphised copy each.

use std::sync::Arc;

use leptos::prelude::*;

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
    let (values, entries): (Vec<T>, Vec<(&'static str, String)>) = options
        .into_iter()
        .map(|(v, id, label)| (v, (id, label)))
        .unzip();
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
    entries: Vec<(&'static str, String)>,
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
                <option value=id selected=move || selected.get() == Some(i)>{label}</option>
            }).collect_view()}
        </select>
    }
    .into_any()
}
