//! One module per lab.

pub mod memory;
pub mod signal;
pub mod weight;
