//! Small reusable pieces of UI glue shared by the labs.

pub mod embed;
pub mod embed_builder;
pub mod export;
pub mod pad_keys;
pub mod perf;
pub mod scheme_controls;
pub mod scheme_names;
pub mod select;
pub mod svg;
