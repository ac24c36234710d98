//! The one palette of every chart: the Okabe–Ito colours (distinguishable with every
//! common colour-vision deficiency) under their hue names and, for the signal charts, under
//! what they show; three greys; and viridis for colour scales.

use plotters::style::RGBColor;

/// Okabe–Ito blue.
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe–Ito sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Okabe–Ito vermillion.
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito bluish green.
pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe–Ito yellow.
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
/// Okabe–Ito reddish purple: the second scheme of a comparison (μ-law).
pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Okabe–Ito orange: the current setting's marker.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Black: totals and theory lines.
pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Dark grey.
pub const DARK_GREY: RGBColor = RGBColor(0x5F, 0x5F, 0x5F);
/// Mid grey.
pub const MID_GREY: RGBColor = RGBColor(0x9A, 0x9A, 0x9A);
/// Light grey.
pub const LIGHT_GREY: RGBColor = RGBColor(0xD4, 0xD4, 0xD4);

/// Blue: the input `x[n]` (and the first series of any chart).
pub const INPUT: RGBColor = BLUE;
/// Vermillion: the quantized `Q(x[n])` (and the second series of any chart).
pub const QUANTIZED: RGBColor = VERMILLION;
/// Bluish green: the error e(n).
pub const ERROR: RGBColor = GREEN;
/// Grey: level grid lines, bounds and legend borders.
pub const GRID: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// Viridis at `t ∈ [0, 1]` (five stops, linear between them): perceptually ordered and
/// readable with colour-vision deficiencies.
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] = [
        (0x44, 0x01, 0x54),
        (0x3B, 0x52, 0x8B),
        (0x21, 0x91, 0x8C),
        (0x5E, 0xC9, 0x62),
        (0xFD, 0xE7, 0x25),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// `#rrggbb` of a colour, for the page's swatches.
pub fn css(colour: RGBColor) -> String {
    let RGBColor(r, g, b) = colour;
    format!("#{r:02x}{g:02x}{b:02x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_from_purple_to_yellow() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xFD, 0xE7, 0x25));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
        assert_eq!(css(BLUE), "#0072b2");
    }
}
