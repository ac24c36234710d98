//! The Share box's embed builder: tick the figures and controls an embed shows, see a live
//! preview of exactly what the iframe will show, copy the snippet.

use leptos::prelude::*;

use super::embed::{EmbedParams, snippet};
use crate::lang::{t, t_string, use_i18n};

/// One figure or control a lab offers to embeds: its id (in `views=` / `controls=`) and a
/// label for the checkbox.
pub type Choice = (&'static str, &'static str);

/// The address of the page itself (without its query), where embeds point.
pub fn page_base() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split(['?', '#']).next().unwrap_or_default().to_string())
        .unwrap_or_default()
}

/// The embed's address: the page, the lab, its state and the embedding parameters.
pub fn embed_src(base: &str, lab: &str, state_query: &str, p: &EmbedParams) -> String {
    let mut q = format!("?lab={lab}");
    for part in [state_query, &p.to_query()] {
        if !part.is_empty() {
            q.push('&');
            q.push_str(part);
        }
    }
    format!("{base}{q}")
}

/// The embed builder. `views` and `controls` list what the lab can embed; `default_views`
/// are ticked at first; `state_query` is the lab's current state as a query (without `lab=`).
///
/// The checkboxes show the labels of `views` and `controls` unless `view_label` /
/// `control_label` name a choice (by its id) in the page's language; the iframe's title is
/// the lab's name in the page's language (`title` for a lab the nav does not know). When the
/// page's link names a language (`lang=`), the embed's does too.
#[component]
pub fn EmbedBuilder(
    /// The lab's id in `?lab=`.
    lab: &'static str,
    /// The lab's name, for the iframe's title.
    title: &'static str,
    /// The figures the lab can embed.
    views: &'static [Choice],
    /// The figures ticked at first.
    default_views: &'static [&'static str],
    /// The controls the lab can embed.
    controls: &'static [Choice],
    /// The lab's state as a query string.
    #[prop(into)]
    state_query: Signal<String>,
    /// A figure's label in the page's language, by its id (the label of `views` if `None`).
    #[prop(optional, into)]
    view_label: Option<Callback<&'static str, String>>,
    /// A control's label in the page's language, by its id (the label of `controls` if
    /// `None`).
    #[prop(optional, into)]
    control_label: Option<Callback<&'static str, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen_views = RwSignal::new(
        default_views
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    );
    let chosen_controls = RwSignal::new(Vec::<String>::new());
    let params = move || EmbedParams {
        embed: true,
        // Keep the lab's order whatever the order of the clicks.
        views: Some(
            views
                .iter()
                .map(|(id, _)| id.to_string())
                .filter(|id| chosen_views.with(|v| v.contains(id)))
                .collect(),
        ),
        controls: Some(
            controls
                .iter()
                .map(|(id, _)| id.to_string())
                .filter(|id| chosen_controls.with(|v| v.contains(id)))
                .collect(),
        ),
    };
    let page_query = use_context::<crate::url::CurrentQuery>();
    let src = Memo::new(move |_| {
        let lang = page_query
            .map(|q| crate::lang::query_pair(&q.0.get()))
            .unwrap_or_default();
        let mut state = state_query.get();
        if !lang.is_empty() {
            if !state.is_empty() {
                state.push('&');
            }
            state.push_str(&lang);
        }
        embed_src(&page_base(), lab, &state, &params())
    });
    let name = move || {
        crate::labs::Lab::from_id(lab)
            .map(|l| l.name(i18n))
            .unwrap_or(title)
    };
    let text = move || snippet(&src.get(), &format!("quantlab: {}", name()));
    let copied = RwSignal::new(false);
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text());
        }
        copied.set(true);
    };
    let preview = RwSignal::new(false);
    let toggle = |list: RwSignal<Vec<String>>, id: &'static str| {
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            list.update(|v| {
                v.retain(|x| x != id);
                if on {
                    v.push(id.to_string());
                }
            });
        }
    };
    let boxes = move |list: RwSignal<Vec<String>>,
                      choices: &'static [Choice],
                      kind: &'static str,
                      named: Option<Callback<&'static str, String>>| {
        choices
            .iter()
            .map(|&(id, label)| {
                let label = move || match named {
                    Some(f) => {
                        // Re-run when the language changes.
                        let _ = i18n.get_locale();
                        f.run(id)
                    }
                    None => label.to_string(),
                };
                view! {
                    <label class="check">
                        <input type="checkbox" data-testid=format!("embed-{kind}-{id}")
                            prop:checked=move || list.with(|v| v.iter().any(|x| x == id))
                            on:change=toggle(list, id)/>
                        {label}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <div class="embed-builder" data-testid="embed-builder">
            <fieldset>
                <legend>{t!(i18n, widgets.embed_figures)}</legend>
                {boxes(chosen_views, views, "view", view_label)}
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, widgets.embed_controls)}</legend>
                {boxes(chosen_controls, controls, "control", control_label)}
            </fieldset>
            // The snippet is code (an iframe and a script), not text to translate.
            <textarea readonly rows="5" data-testid="embed-snippet" translate="no"
                aria-label=move || t_string!(i18n, widgets.embed_snippet)>{text}</textarea>
            <div class="buttons">
                <button type="button" data-testid="copy-embed" on:click=copy>{t!(i18n, widgets.copy_embed)}</button>
                <button type="button" data-testid="embed-preview-toggle" aria-pressed=move || preview.get().to_string()
                    on:click=move |_| preview.update(|p| *p = !*p)>
                    {move || if preview.get() { t_string!(i18n, widgets.hide_preview) } else { t_string!(i18n, widgets.preview) }}
                </button>
                <span role="status">{move || if copied.get() { t_string!(i18n, widgets.copied) } else { "" }}</span>
            </div>
            <Show when=move || preview.get()>
                <iframe class="embed-preview" data-testid="embed-preview" title=move || t_string!(i18n, widgets.preview_title)
                    src=move || src.get() data-quantlab-embed></iframe>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embed_address_carries_lab_state_and_choices() {
        let p = EmbedParams {
            embed: true,
            views: Some(vec!["error".into()]),
            controls: Some(vec!["bits".into(), "scheme".into()]),
        };
        assert_eq!(
            embed_src("https://x.org/course/q/", "signal", "bits=4&n=256", &p),
            "https://x.org/course/q/?lab=signal&bits=4&n=256&embed=1&views=error&controls=bits%2Cscheme"
        );
        assert_eq!(
            embed_src("/", "memory", "", &EmbedParams::default()),
            "/?lab=memory"
        );
    }
}
