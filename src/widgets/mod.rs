//! Small reusable pieces of UI glue shared by the labs.

pub mod export;
pub mod perf;
pub mod scheme_controls;
pub mod select;
