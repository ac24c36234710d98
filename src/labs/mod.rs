//! One module per lab.

pub mod memory;
pub mod mlp;
pub mod signal;
pub mod weight;
