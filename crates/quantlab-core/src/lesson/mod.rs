//! The numbers behind the lesson (`?lab=lesson`): the figures the labs do not already draw
//! (a number's bit layout, SIMD lanes and accumulators) and the answers its questions check.
//!
//! Every answer is computed here from the same core functions the labs use, never written
//! down by hand, so a question and the figure beside it cannot disagree.

pub mod answers;
pub mod bits;
pub mod question;
pub mod registers;

pub use self::bits::{BitField, BitLayout, FieldKind, NumberFormat, layout};
pub use self::question::{Answer, Verdict, check, parse_number};
pub use self::registers::{AccumulateRow, accumulate, lanes};
