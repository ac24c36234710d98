//! One module per lab.

pub mod signal;
