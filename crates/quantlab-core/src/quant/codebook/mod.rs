//! Codebook quantizers: levels fitted to the data, one codebook per tensor.
//!
//! - [`lloyd`]: the Lloyd iteration and codebook helpers both solvers share;
//! - [`kmeans`]: k-means (Lloyd from k-means++, and the exact optimum by dynamic programming);
//! - [`lloyd_max`]: Lloyd-Max on data and on known densities.

pub mod kmeans;
pub mod lloyd;
pub mod lloyd_max;
