//! The quantlab web app: a Leptos (client-side rendered) UI over `quantlab-core`.
//!
//! Layout: [`app`] holds the shell and lab switcher, [`labs`] one module per lab,
//! [`charts`] pure drawing functions generic over plotters' `DrawingBackend`,
//! [`mod@format`] number formatting shared by readouts, [`url`] the link ⇄ state glue,
//! [`lang`] the page's language (English or Brazilian Portuguese), [`worker`] the page's Web
//! Worker for long work.

#![warn(missing_docs)]

pub mod app;
pub mod charts;
pub mod format;
pub mod handoff;
pub mod labs;
pub mod lang;
pub mod panic;
pub mod url;
pub mod widgets;
pub mod worker;
