//! A `<select>` over an enum's URL ids, shared by the labs' forms.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::url::parse_id;

/// A `<select>` of ids: `options` are `(value, id, label)`; a choice is parsed back through
/// serde ([`parse_id`]) and handed to `set`.
pub fn id_select<T, S>(
    testid: String,
    options: Vec<(T, &'static str, String)>,
    current: impl Fn() -> T + Copy + Send + Sync + 'static,
    set: S,
) -> impl IntoView
where
    T: DeserializeOwned + PartialEq + Copy + Send + Sync + 'static,
    S: Fn(T) + Send + Sync + 'static,
{
    view! {
        <select data-testid=testid on:change=move |ev| {
            if let Some(v) = parse_id::<T>(&event_target_value(&ev)) {
                set(v);
            }
        }>
            {options.into_iter().map(|(v, id, label)| view! {
                <option value=id selected=move || current() == v>{label}</option>
            }).collect_view()}
        </select>
    }
}
