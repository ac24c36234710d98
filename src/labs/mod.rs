//! One module per lab, and [`Lab`]: which lab a page shows.

pub mod lesson;
pub mod memory;
pub mod mlp;
pub mod signal;
pub mod weight;

/// The labs of the app, in the order of the nav; `?lab=<id>` picks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lab {
    /// The Signal lab (the default page).
    #[default]
    Signal,
    /// The Memory calculator.
    Memory,
    /// The Weight lab.
    Weight,
    /// The MLP lab.
    Mlp,
    /// The lesson: the course chapter with live figures.
    Lesson,
}

impl Lab {
    /// Every lab, in nav order.
    pub const ALL: [Lab; 5] = [Lab::Lesson, Lab::Signal, Lab::Memory, Lab::Weight, Lab::Mlp];

    /// The URL id (`?lab=<id>`).
    pub fn id(self) -> &'static str {
        match self {
            Lab::Signal => "signal",
            Lab::Memory => "memory",
            Lab::Weight => "weight",
            Lab::Mlp => "mlp",
            Lab::Lesson => "lesson",
        }
    }

    /// The lab's name in the page's language (the nav, an embed's heading).
    pub fn name(self, i18n: crate::lang::I18nContext) -> &'static str {
        use crate::lang::t_string;
        match self {
            Lab::Signal => t_string!(i18n, app.lab_signal),
            Lab::Memory => t_string!(i18n, app.lab_memory),
            Lab::Weight => t_string!(i18n, app.lab_weight),
            Lab::Mlp => t_string!(i18n, app.lab_mlp),
            Lab::Lesson => t_string!(i18n, app.lab_lesson),
        }
    }

    /// The lab of a URL id; `None` for an unknown one.
    pub fn from_id(id: &str) -> Option<Lab> {
        Lab::ALL.into_iter().find(|l| l.id() == id)
    }

    /// The page's link: `?lab=<id>`.
    pub fn href(self) -> String {
        format!("?lab={}", self.id())
    }

    /// The page's link carrying the language named in `current` (a query string), if any:
    /// `?lab=<id>&lang=pt-BR`.
    pub fn href_from(self, current: &str) -> String {
        let lang = crate::lang::query_pair(current);
        if lang.is_empty() {
            self.href()
        } else {
            format!("{}&{lang}", self.href())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lab;

    #[test]
    fn lab_ids_round_trip_and_unknown_ones_are_none() {
        for lab in Lab::ALL {
            assert_eq!(Lab::from_id(lab.id()), Some(lab));
        }
        assert_eq!(Lab::from_id("hub"), None);
        assert_eq!(Lab::default(), Lab::Signal);
        assert_eq!(Lab::Weight.href(), "?lab=weight");
        assert_eq!(
            Lab::Weight.href_from("?lab=memory&lang=pt-BR"),
            "?lab=weight&lang=pt-BR"
        );
        assert_eq!(Lab::Weight.href_from("?lab=memory"), "?lab=weight");
    }
}
