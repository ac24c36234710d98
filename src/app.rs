//! The app shell: header, lab switcher, footer.

use leptos::prelude::*;

use crate::labs::Lab;
use crate::labs::lesson::LessonPage;
use crate::labs::memory::MemoryLab;
use crate::labs::mlp::MlpLab;
use crate::labs::signal::SignalLab;
use crate::labs::weight::WeightLab;
use crate::lang::{LangSwitch, t};
use crate::widgets::embed::{
    EmbedContext, EmbedParams, hiding_css, listen_for_preview_heights, report_height_to_parent,
    strip_params,
};

/// The whole app: the `lab` parameter of the URL picks the page ([`Lab::Signal`] when missing
/// or unknown).
#[component]
pub fn App() -> impl IntoView {
    let lab = crate::url::current_lab();
    let embed = EmbedParams::from_query(&crate::url::current_query());
    let query = RwSignal::new(crate::url::current_query());
    provide_context(crate::url::CurrentQuery(query));
    let i18n = crate::lang::provide(crate::lang::initial(&query.get_untracked()));
    provide_context(EmbedContext(StoredValue::new(embed.clone())));
    if embed.embed {
        report_height_to_parent();
    } else {
        listen_for_preview_heights();
    }
    let hiding = hiding_css(&embed);
    let page = match lab {
        Lab::Memory => view! { <MemoryLab/> }.into_any(),
        Lab::Weight => view! { <WeightLab/> }.into_any(),
        Lab::Mlp => view! { <MlpLab/> }.into_any(),
        Lab::Signal => view! { <SignalLab/> }.into_any(),
        Lab::Lesson => view! { <LessonPage/> }.into_any(),
    };
    if embed.embed {
        // In someone else's page: the chosen figures and controls, and a way out to the full lab.
        let full = move || {
            let base = crate::widgets::embed_builder::page_base();
            format!("{base}?{}", strip_params(&query.get()))
        };
        return view! {
            <style>{hiding}</style>
            <main class="embedded">
                <h1 class="visually-hidden">{move || format!("quantlab: {}", lab.name(i18n))}</h1>
                <p class="embed-link"><a data-testid="open-in-quantlab" target="_blank" rel="noopener"
                    href=full>{t!(i18n, app.open_in_quantlab)}</a></p>
                {page}
            </main>
        }
        .into_any();
    }
    view! {
        <header class="top">
            <h1><a href=move || Lab::Signal.href_from(&query.get())>"quantlab"</a></h1>
            <p class="tagline">{t!(i18n, app.tagline)}</p>
            <nav aria-label=move || crate::lang::t_string!(i18n, app.nav_label)>
                {Lab::ALL.map(|l| view! {
                    <a href=move || l.href_from(&query.get()) aria-current=(l == lab).then_some("page")>
                        {move || l.name(i18n)}
                    </a>
                })}
            </nav>
            <LangSwitch/>
        </header>
        <main>
            {page}
        </main>
    }
    .into_any()
}
