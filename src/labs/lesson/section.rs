//! The ten sections, and the frame every section shares: number and title, its body, and an
//! anchor so a printed page or a link lands on it.

use leptos::prelude::*;
use leptos_i18n::td_string;

use super::{content, content_b};
use crate::lang::Locale;

/// A section of the lesson, in reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// A model is numbers, a number is bits.
    Bits,
    /// Linear quantization: Δ, L, the staircase and e(n).
    Linear,
    /// Why 6.02·b + 1.76 dB.
    Snr,
    /// μ-law in three steps.
    MuLaw,
    /// r = S·(q − Z).
    Affine,
    /// Per tensor, per channel, per group.
    Granularity,
    /// Packing 2 and 4 bits into bytes.
    Packing,
    /// The memory of an LLM.
    Memory,
    /// Registers and SIMD lanes.
    Registers,
    /// The int8 MLP.
    Mlp,
}

impl Section {
    /// Every section, in reading order.
    pub const ALL: [Section; 10] = [
        Section::Bits,
        Section::Linear,
        Section::Snr,
        Section::MuLaw,
        Section::Affine,
        Section::Granularity,
        Section::Packing,
        Section::Memory,
        Section::Registers,
        Section::Mlp,
    ];

    /// 1 to 10.
    pub fn number(self) -> usize {
        Section::ALL
            .iter()
            .position(|&s| s == self)
            .map_or(1, |i| i + 1)
    }

    /// The section numbered `id` (`"3"`).
    pub fn from_id(id: &str) -> Option<Section> {
        let n: usize = id.parse().ok()?;
        Section::ALL.get(n.checked_sub(1)?).copied()
    }

    /// The one before, if any.
    pub fn prev(self) -> Option<Section> {
        Section::ALL.get(self.number().checked_sub(2)?).copied()
    }

    /// The one after, if any.
    pub fn next(self) -> Option<Section> {
        Section::ALL.get(self.number()).copied()
    }

    /// The title in `l`.
    pub fn title(self, l: Locale) -> &'static str {
        match self {
            Section::Bits => td_string!(l, lesson.s1_title),
            Section::Linear => td_string!(l, lesson.s2_title),
            Section::Snr => td_string!(l, lesson.s3_title),
            Section::MuLaw => td_string!(l, lesson.s4_title),
            Section::Affine => td_string!(l, lesson.s5_title),
            Section::Granularity => td_string!(l, lesson.s6_title),
            Section::Packing => td_string!(l, lesson.s7_title),
            Section::Memory => td_string!(l, lesson.s8_title),
            Section::Registers => td_string!(l, lesson.s9_title),
            Section::Mlp => td_string!(l, lesson.s10_title),
        }
    }

    fn body(self) -> AnyView {
        match self {
            Section::Bits => content::bits().into_any(),
            Section::Linear => content::linear().into_any(),
            Section::Snr => content::snr().into_any(),
            Section::MuLaw => content::mu_law().into_any(),
            Section::Affine => content::affine().into_any(),
            Section::Granularity => content_b::granularity().into_any(),
            Section::Packing => content_b::packing().into_any(),
            Section::Memory => content_b::memory().into_any(),
            Section::Registers => content_b::registers().into_any(),
            Section::Mlp => content_b::mlp().into_any(),
        }
    }
}

/// One section: its number and title, then its prose, figures and question.
#[component]
pub fn SectionView(
    /// Which section.
    section: Section,
) -> impl IntoView {
    let i18n = crate::lang::use_i18n();
    let n = section.number();
    view! {
        <article class="lesson-section" id=format!("section-{n}") data-testid=format!("lesson-section-{n}")
            aria-labelledby=format!("section-{n}-title")>
            <h3 id=format!("section-{n}-title")>{format!("{n}. ")}{move || section.title(i18n.get_locale())}</h3>
            {section.body()}
        </article>
    }
}

/// Paragraphs of prose, each a key's text.
pub fn prose(paragraphs: &'static [fn(Locale) -> &'static str]) -> impl IntoView {
    let i18n = crate::lang::use_i18n();
    paragraphs
        .iter()
        .map(|p| view! { <p class="lesson-prose">{move || p(i18n.get_locale())}</p> })
        .collect_view()
}

/// "Open this in the lab ↗": the figure's exact state in its lab, in the page's language.
pub fn open_in_lab(
    testid: &'static str,
    href: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = crate::lang::use_i18n();
    view! {
        <p class="lesson-open"><a data-testid=testid href=href target="_blank" rel="noopener">{move || td_string!(i18n.get_locale(), lesson.open_in_lab)}</a></p>
    }
}

/// The link to `lab` with `state` (its URL query), keeping the page's language.
pub fn lab_href(lab: crate::labs::Lab, state_query: &str) -> String {
    let lang = crate::lang::query_pair(&crate::url::current_query());
    let mut q = format!("?lab={}", lab.id());
    for part in [state_query, lang.as_str()] {
        if !part.is_empty() {
            q.push('&');
            q.push_str(part);
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::Section;

    #[test]
    fn sections_are_numbered_one_to_ten_with_neighbours() {
        assert_eq!(Section::ALL[0].number(), 1);
        assert_eq!(Section::Mlp.number(), 10);
        assert_eq!(Section::from_id("4"), Some(Section::MuLaw));
        assert_eq!(Section::from_id("0"), None);
        assert_eq!(Section::from_id("11"), None);
        assert_eq!(Section::from_id("x"), None);
        assert_eq!(Section::Bits.prev(), None);
        assert_eq!(Section::Bits.next(), Some(Section::Linear));
        assert_eq!(Section::Mlp.next(), None);
    }
}
