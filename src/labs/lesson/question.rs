//! A question the page checks: a number typed (either decimal separator) or a choice, the
//! verdict, and why the answer is what it is once it is found.

use leptos::prelude::*;
use leptos_i18n::td_string;
use quantlab_core::lesson::{Answer, Verdict, check};

use crate::lang::Locale;

/// A word in the page's language.
pub type Words = fn(Locale) -> &'static str;

/// A choice: its id (what the answer names) and its label.
pub type Choice = (&'static str, Words);

/// How the reader answers.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A number in a text box.
    Number,
    /// One of these choices: `(id, label)`.
    Choice(Vec<Choice>),
}

/// A question: prompt, answer box or choices, a Check button and the verdict.
///
/// Test ids: `q-<id>-input` (number) or `q-<id>-choice-<choice>`, `q-<id>-check`, and
/// `q-<id>-verdict` whose `data-verdict` is `right`, `wrong` or `unreadable`.
#[component]
pub fn Question(
    /// The section's short id (`s3`).
    id: &'static str,
    /// The question.
    prompt: fn(Locale) -> &'static str,
    /// How it is answered.
    kind: Kind,
    /// The right answer, computed by the core (`None` while the figure has none).
    #[prop(into)]
    answer: Signal<Option<Answer>>,
    /// Why the answer is right, shown once it is found.
    #[prop(into)]
    why: Signal<String>,
) -> impl IntoView {
    let i18n = crate::lang::use_i18n();
    let typed = RwSignal::new(String::new());
    let verdict = RwSignal::new(None::<Verdict>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let v = answer.with_untracked(|a| {
            a.as_ref()
                .map_or(Verdict::Unreadable, |a| check(a, &typed.get_untracked()))
        });
        verdict.set(Some(v));
    };
    let number = matches!(kind, Kind::Number);
    let field = match kind {
        Kind::Number => view! {
            <label>{move || td_string!(i18n.get_locale(), lesson.answer_label)}" "
                <input type="text" inputmode="decimal" autocomplete="off" data-testid=format!("q-{id}-input")
                    prop:value=typed on:input=move |ev| typed.set(event_target_value(&ev))/>
            </label>
        }
        .into_any(),
        Kind::Choice(choices) => choices
            .into_iter()
            .map(|(c, label)| view! {
                <label class="choice">
                    <input type="radio" name=format!("q-{id}") value=c data-testid=format!("q-{id}-choice-{c}")
                        on:change=move |_| typed.set(c.to_string())/>
                    " "{move || label(i18n.get_locale())}
                </label>
            })
            .collect_view()
            .into_any(),
    };
    let said = move || {
        let l = i18n.get_locale();
        verdict.get().map(|v| match v {
            Verdict::Right => format!("{} {}", td_string!(l, lesson.right), why.get()),
            Verdict::Wrong => td_string!(l, lesson.wrong).to_string(),
            Verdict::Unreadable if number => td_string!(l, lesson.unreadable).to_string(),
            Verdict::Unreadable => td_string!(l, lesson.choose).to_string(),
        })
    };
    let state = move || {
        verdict.get().map(|v| match v {
            Verdict::Right => "right",
            Verdict::Wrong => "wrong",
            Verdict::Unreadable => "unreadable",
        })
    };
    view! {
        <form class="lesson-question" data-testid=format!("q-{id}") on:submit=submit>
            <fieldset>
                <legend><strong>{move || td_string!(i18n.get_locale(), lesson.question)}": "</strong>{move || prompt(i18n.get_locale())}</legend>
                {field}
                " "<button type="submit" data-testid=format!("q-{id}-check")>{move || td_string!(i18n.get_locale(), lesson.check)}</button>
            </fieldset>
            <p class="verdict" role="status" aria-live="polite" data-testid=format!("q-{id}-verdict")
                data-verdict=state class:right=move || verdict.get() == Some(Verdict::Right)>{said}</p>
        </form>
    }
}
