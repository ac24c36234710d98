//! Drawing pads without a pointer: one key map shared by the signal pad, the weight histogram
//! pad and the digit pad. Arrows move a cursor along the samples / bins (or over the digit's
//! grid), up and down change the value under it (Shift: bigger steps), Home and End jump to
//! the ends, Space or Enter paints (on the digit pad).

/// What a key does on a pad.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PadKey {
    /// Move the cursor by `(dx, dy)` cells.
    Move(i32, i32),
    /// Jump to the first (`false`) or last (`true`) cell of the row.
    End(bool),
    /// Change the value under the cursor by this many steps (negative: down).
    Change(i32),
    /// Paint (or erase) the cell under the cursor.
    Paint,
}

/// The action of a key (`KeyboardEvent.key`), `None` for keys a pad leaves to the page.
/// `two_d` pads (the digit) move up and down with the arrows; the others change the value.
pub fn pad_key(key: &str, shift: bool, two_d: bool) -> Option<PadKey> {
    let step = if shift { 8 } else { 1 };
    Some(match key {
        "ArrowLeft" => PadKey::Move(-step, 0),
        "ArrowRight" => PadKey::Move(step, 0),
        "ArrowUp" if two_d => PadKey::Move(0, -step),
        "ArrowDown" if two_d => PadKey::Move(0, step),
        "ArrowUp" => PadKey::Change(if shift { 5 } else { 1 }),
        "ArrowDown" => PadKey::Change(if shift { -5 } else { -1 }),
        "PageUp" => PadKey::Change(5),
        "PageDown" => PadKey::Change(-5),
        "Home" => PadKey::End(false),
        "End" => PadKey::End(true),
        " " | "Enter" => PadKey::Paint,
        _ => return None,
    })
}

/// Moves a cursor `at` by `d` within `0..len`.
pub fn step_cursor(at: usize, d: i32, len: usize) -> usize {
    let len = len.max(1) as i64;
    (at as i64 + i64::from(d)).clamp(0, len - 1) as usize
}

/// A one-dimensional pad's key: moves the cursor `at` over `len` cells (arrows, Home, End) and
/// returns the cursor and the value steps to apply under it (`Some` for up/down only), or
/// `None` for a key the pad leaves to the page.
pub fn key_1d(key: &str, shift: bool, at: usize, len: usize) -> Option<(usize, Option<i32>)> {
    Some(match pad_key(key, shift, false)? {
        PadKey::Move(dx, _) => (step_cursor(at, dx, len), None),
        PadKey::End(last) => (if last { len.saturating_sub(1) } else { 0 }, None),
        PadKey::Change(steps) => (at, Some(steps)),
        PadKey::Paint => (at, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_move_and_change_on_a_one_dimensional_pad() {
        assert_eq!(
            pad_key("ArrowRight", false, false),
            Some(PadKey::Move(1, 0))
        );
        assert_eq!(pad_key("ArrowLeft", true, false), Some(PadKey::Move(-8, 0)));
        assert_eq!(pad_key("ArrowUp", false, false), Some(PadKey::Change(1)));
        assert_eq!(pad_key("ArrowDown", true, false), Some(PadKey::Change(-5)));
        assert_eq!(pad_key("Tab", false, false), None);
    }

    #[test]
    fn arrows_move_in_two_dimensions_on_the_digit_pad() {
        assert_eq!(pad_key("ArrowUp", false, true), Some(PadKey::Move(0, -1)));
        assert_eq!(pad_key("ArrowDown", false, true), Some(PadKey::Move(0, 1)));
        assert_eq!(pad_key(" ", false, true), Some(PadKey::Paint));
    }

    #[test]
    fn a_one_dimensional_pad_moves_its_cursor_or_changes_the_value_under_it() {
        assert_eq!(key_1d("ArrowRight", true, 3, 128), Some((11, None)));
        assert_eq!(key_1d("End", false, 3, 32), Some((31, None)));
        assert_eq!(key_1d("Home", false, 3, 32), Some((0, None)));
        assert_eq!(key_1d("ArrowUp", true, 3, 32), Some((3, Some(5))));
        assert_eq!(key_1d("a", false, 3, 32), None);
    }

    #[test]
    fn the_cursor_stays_on_the_pad() {
        assert_eq!(step_cursor(0, -1, 128), 0);
        assert_eq!(step_cursor(120, 8, 128), 127);
        assert_eq!(step_cursor(5, 3, 128), 8);
        assert_eq!(step_cursor(0, 1, 0), 0);
    }
}
