//! The lesson (`?lab=lesson`): the course chapter retold in ten sections, each with live
//! figures that are the labs' own components, a question the page checks, and a link that
//! opens the figure's exact state in its lab.
//!
//! [`section`] names the sections and frames one (title, prose, figure, question, link);
//! [`content`] and [`content_b`] fill each frame; [`question`] checks answers; [`live`]
//! hosts the Signal and Weight labs' views with a state of their own; [`bits`], [`worked`]
//! and [`registers`] are the lesson's own figures. `section=N` in the link is the reader's
//! place; `section=all` lays every section out for printing; `embed=1` shows one section alone.

pub mod bits;
pub mod content;
pub mod content_b;
pub mod live;
pub mod question;
pub mod registers;
pub mod section;
pub mod worked;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use self::section::{Section, SectionView};
use crate::labs::Lab;
use crate::lang::{t_string, use_i18n};

/// The lesson's URL state: which section the reader is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct LessonState {
    /// `1` to `10`, or `all` (every section on one page); empty: the first.
    pub section: String,
}

/// What the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// One section.
    One(Section),
    /// Every section, one after the other (the handout).
    All,
}

impl Shown {
    /// The shown sections of a `section` value, and whether the value was unknown.
    pub fn parse(id: &str) -> (Shown, bool) {
        match id.trim() {
            "" => (Shown::One(Section::ALL[0]), false),
            "all" => (Shown::All, false),
            id => match Section::from_id(id) {
                Some(s) => (Shown::One(s), false),
                None => (Shown::One(Section::ALL[0]), true),
            },
        }
    }

    /// The `section` value.
    pub fn id(self) -> String {
        match self {
            Shown::One(s) => s.number().to_string(),
            Shown::All => "all".into(),
        }
    }
}

/// The lesson page.
#[component]
pub fn LessonPage() -> impl IntoView {
    let (initial, mut warnings) = crate::url::read_state::<LessonState>();
    let (start, unknown) = Shown::parse(&initial.section);
    if unknown {
        warnings.push(initial.section.clone());
    }
    let shown = RwSignal::new(start);
    Effect::new(move |_| {
        let section = shown.get().id();
        crate::url::write_state(Lab::Lesson, &LessonState { section });
    });
    let embed = crate::widgets::embed::params().embed;
    let i18n = use_i18n();
    let body = move || match shown.get() {
        Shown::One(s) => view! { <SectionView section=s/> }.into_any(),
        Shown::All => Section::ALL
            .map(|s| view! { <SectionView section=s/> })
            .collect_view()
            .into_any(),
    };
    if embed {
        return view! { <div class="lesson embedded-lesson">{body}</div> }.into_any();
    }
    let notice = (!warnings.is_empty()).then(|| {
        let id = warnings.join(", ");
        view! { <p class="notice" role="status" data-testid="lesson-notice">{move || crate::tdf!(i18n.get_locale(), lesson.unknown_section, id = id)}</p> }
    });
    view! {
        <section class="lab lesson" aria-labelledby="lesson-title">
            <h2 id="lesson-title">{move || t_string!(i18n, lesson.title)}</h2>
            {notice}
            <p class="lesson-intro">{move || t_string!(i18n, lesson.intro)}</p>
            <div class="lesson-body">
                <Contents shown=shown/>
                <div class="lesson-main">
                    {body}
                    <Pager shown=shown/>
                </div>
            </div>
        </section>
    }
    .into_any()
}

/// The link to a section, keeping the page's other parameters (language).
fn href(shown: Shown) -> String {
    let current = crate::url::current_query();
    crate::url::lab_query(
        Lab::Lesson.id(),
        &format!("section={}", shown.id()),
        &current,
    )
}

/// Follows a section link in place: the lesson is one page, so no reload.
fn go(shown: RwSignal<Shown>, to: Shown) -> impl Fn(leptos::ev::MouseEvent) {
    move |ev| {
        ev.prevent_default();
        shown.set(to);
        if let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
    }
}

/// The table of contents.
#[component]
fn Contents(shown: RwSignal<Shown>) -> impl IntoView {
    let i18n = use_i18n();
    let items = Section::ALL.map(|s| {
        let current = move || shown.get() == Shown::One(s);
        view! {
            <li>
                <a href=move || { shown.track(); href(Shown::One(s)) } on:click=go(shown, Shown::One(s))
                    aria-current=move || current().then_some("step") data-testid=format!("lesson-toc-{}", s.number())>
                    {move || s.title(i18n.get_locale())}
                </a>
            </li>
        }
    });
    view! {
        <nav class="lesson-toc" aria-labelledby="lesson-toc-title">
            <h3 id="lesson-toc-title">{move || t_string!(i18n, lesson.toc)}</h3>
            <ol>{items}</ol>
            <p>{move || if shown.get() == Shown::All {
                view! { <a href=href(Shown::One(Section::ALL[0])) on:click=go(shown, Shown::One(Section::ALL[0])) data-testid="lesson-one">{t_string!(i18n, lesson.one)}</a> }.into_any()
            } else {
                view! { <a href=href(Shown::All) on:click=go(shown, Shown::All) data-testid="lesson-all">{t_string!(i18n, lesson.all)}</a> }.into_any()
            }}</p>
        </nav>
    }
}

/// Previous / next and print, under a single section.
#[component]
fn Pager(shown: RwSignal<Shown>) -> impl IntoView {
    let i18n = use_i18n();
    let print = |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    move || {
        let Shown::One(s) = shown.get() else {
            return view! { <p class="lesson-pager"><button type="button" on:click=print data-testid="lesson-print">{t_string!(i18n, lesson.print)}</button></p> }.into_any();
        };
        let prev = s.prev().map(|p| view! {
            <a class="button" href=href(Shown::One(p)) on:click=go(shown, Shown::One(p)) rel="prev" data-testid="lesson-prev">{t_string!(i18n, lesson.prev)}</a>
        });
        let next = s.next().map(|n| view! {
            <a class="button" href=href(Shown::One(n)) on:click=go(shown, Shown::One(n)) rel="next" data-testid="lesson-next">{t_string!(i18n, lesson.next)}</a>
        });
        let of = crate::tdf!(
            i18n.get_locale(),
            lesson.section_of,
            n = s.number(),
            total = Section::ALL.len()
        );
        let label = of.clone();
        view! {
            <nav class="lesson-pager" aria-label=label>
                {prev}
                <span data-testid="lesson-position">{of}</span>
                {next}
                <button type="button" on:click=print data-testid="lesson-print">{t_string!(i18n, lesson.print)}</button>
            </nav>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_values_round_trip_and_unknown_ones_fall_back_to_the_first() {
        for s in Section::ALL {
            let (shown, unknown) = Shown::parse(&Shown::One(s).id());
            assert_eq!((shown, unknown), (Shown::One(s), false));
        }
        assert_eq!(Shown::parse("all"), (Shown::All, false));
        assert_eq!(Shown::parse(""), (Shown::One(Section::ALL[0]), false));
        assert_eq!(Shown::parse("11"), (Shown::One(Section::ALL[0]), true));
        assert_eq!(Shown::parse("<b>"), (Shown::One(Section::ALL[0]), true));
    }
}
