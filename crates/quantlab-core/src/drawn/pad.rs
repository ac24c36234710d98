//! The 28×28 drawing pad of the image sets: inking a stroke, and framing a drawing like
//! the training images (MNIST's centre-of-mass framing, Fashion-MNIST's fill).
//!
//! Pure math on `PAD_SIDE·PAD_SIDE` intensities in `[0, 1]` (1 = ink), row-major; the app
//! draws the pad and calls these.

/// Side of the pad in pixels of the model's input.
pub const PAD_SIDE: usize = 28;

const SIDE: usize = PAD_SIDE;

/// How a drawing is framed before classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// MNIST's: the strokes scaled to fit a 20×20 box, then moved so their centre of mass
    /// sits at the centre of the 28×28 image.
    Digit,
    /// Fashion-MNIST's: the object scaled to fill the 28×28 frame, centred.
    Fill,
}

/// The value of a bilinear sample of `img` (`SIDE`×`SIDE`) at `(y, x)`; 0 outside.
fn bilinear(img: &[f32], y: f64, x: f64) -> f32 {
    let at = |r: i64, c: i64| -> f64 {
        if (0..SIDE as i64).contains(&r) && (0..SIDE as i64).contains(&c) {
            f64::from(img[r as usize * SIDE + c as usize])
        } else {
            0.0
        }
    };
    let (y0, x0) = (y.floor(), x.floor());
    let (fy, fx) = (y - y0, x - x0);
    let (r, c) = (y0 as i64, x0 as i64);
    let v = at(r, c) * (1.0 - fy) * (1.0 - fx)
        + at(r, c + 1) * (1.0 - fy) * fx
        + at(r + 1, c) * fy * (1.0 - fx)
        + at(r + 1, c + 1) * fy * fx;
    v as f32
}

/// Frames a drawing (`PAD_SIDE·PAD_SIDE` intensities in `[0, 1]`, 1 = ink) like the training images
/// ([`Framing`]); a blank drawing stays blank, and a buffer of another length gives a blank
/// image.
///
/// The ink (values above 0.05) is cropped to its bounding box, scaled (bilinear) so its
/// longer side is 20 pixels ([`Framing::Digit`]) or 26 ([`Framing::Fill`]) and centred;
/// for digits the result is then shifted by whole pixels so that its centre of mass sits
/// at the centre of the image, as MNIST was prepared.
pub fn frame_digit(img: &[f32], framing: Framing) -> Vec<f32> {
    let n = SIDE * SIDE;
    if img.len() != n {
        return vec![0.0; n];
    }
    let ink: Vec<(usize, usize)> = (0..n)
        .filter(|&i| img[i] > 0.05)
        .map(|i| (i / SIDE, i % SIDE))
        .collect();
    if ink.is_empty() {
        return vec![0.0; n];
    }
    let (r0, r1) = ink
        .iter()
        .fold((SIDE, 0), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (c0, c1) = ink
        .iter()
        .fold((SIDE, 0), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (h, w) = ((r1 - r0 + 1) as f64, (c1 - c0 + 1) as f64);
    let target = match framing {
        Framing::Digit => 20.0,
        Framing::Fill => 26.0,
    };
    let s = target / h.max(w);
    let (oy, ox) = ((SIDE as f64 - h * s) / 2.0, (SIDE as f64 - w * s) / 2.0);
    let mut out = vec![0.0f32; n];
    for (i, v) in out.iter_mut().enumerate() {
        let (y, x) = ((i / SIDE) as f64 + 0.5, (i % SIDE) as f64 + 0.5);
        let sy = (y - oy) / s + r0 as f64 - 0.5;
        let sx = (x - ox) / s + c0 as f64 - 0.5;
        *v = bilinear(img, sy, sx).clamp(0.0, 1.0);
    }
    if framing == Framing::Digit {
        let total: f64 = out.iter().map(|&v| f64::from(v)).sum();
        if total > 0.0 {
            let (my, mx) = out.iter().enumerate().fold((0.0, 0.0), |(a, b), (i, &v)| {
                (
                    a + f64::from(v) * (i / SIDE) as f64,
                    b + f64::from(v) * (i % SIDE) as f64,
                )
            });
            let centre = (SIDE as f64 - 1.0) / 2.0;
            let dy = (centre - my / total).round() as i64;
            let dx = (centre - mx / total).round() as i64;
            let mut moved = vec![0.0f32; n];
            for (i, v) in moved.iter_mut().enumerate() {
                let (r, c) = ((i / SIDE) as i64 - dy, (i % SIDE) as i64 - dx);
                if (0..SIDE as i64).contains(&r) && (0..SIDE as i64).contains(&c) {
                    *v = out[r as usize * SIDE + c as usize];
                }
            }
            out = moved;
        }
    }
    out
}

/// Inks a stroke from `a` to `b` (pad coordinates `(row, col)` in pixels of the 28×28
/// grid): a soft round pen about 4 pixels wide; ink only ever increases. A buffer of
/// another length is left alone.
pub fn stroke(img: &mut [f32], a: (f64, f64), b: (f64, f64)) {
    if img.len() != SIDE * SIDE {
        return;
    }
    let steps = ((b.0 - a.0).hypot(b.1 - a.1) / 0.25).ceil().max(1.0) as usize;
    for k in 0..=steps {
        let t = k as f64 / steps as f64;
        let (y, x) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        for r in (y - 2.0).floor() as i64..=(y + 2.0).ceil() as i64 {
            for c in (x - 2.0).floor() as i64..=(x + 2.0).ceil() as i64 {
                if !(0..SIDE as i64).contains(&r) || !(0..SIDE as i64).contains(&c) {
                    continue;
                }
                let d = (r as f64 + 0.5 - y).hypot(c as f64 + 0.5 - x);
                let v = (1.9 - d).clamp(0.0, 1.0) as f32;
                let p = &mut img[r as usize * SIDE + c as usize];
                *p = p.max(v);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The app's framing before it moved here (`src/labs/mlp/draw.rs`), verbatim: the
    /// oracle the core's version must match bit for bit.
    mod app {
        pub const SIDE: usize = 28;

        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Framing {
            Digit,
            Fill,
        }

        /// The value of a bilinear sample of `img` (`SIDE`×`SIDE`) at `(y, x)`; 0 outside.
        fn bilinear(img: &[f32], y: f64, x: f64) -> f32 {
            let at = |r: i64, c: i64| -> f64 {
                if (0..SIDE as i64).contains(&r) && (0..SIDE as i64).contains(&c) {
                    f64::from(img[r as usize * SIDE + c as usize])
                } else {
                    0.0
                }
            };
            let (y0, x0) = (y.floor(), x.floor());
            let (fy, fx) = (y - y0, x - x0);
            let (r, c) = (y0 as i64, x0 as i64);
            let v = at(r, c) * (1.0 - fy) * (1.0 - fx)
                + at(r, c + 1) * (1.0 - fy) * fx
                + at(r + 1, c) * fy * (1.0 - fx)
                + at(r + 1, c + 1) * fy * fx;
            v as f32
        }

        /// Frames a drawing (`SIDE·SIDE` intensities in `[0, 1]`, 1 = ink) like the training images
        /// ([`Framing`]); a blank drawing stays blank.
        pub fn frame(img: &[f32], framing: Framing) -> Vec<f32> {
            let n = SIDE * SIDE;
            if img.len() != n {
                return vec![0.0; n];
            }
            let ink: Vec<(usize, usize)> = (0..n)
                .filter(|&i| img[i] > 0.05)
                .map(|i| (i / SIDE, i % SIDE))
                .collect();
            if ink.is_empty() {
                return vec![0.0; n];
            }
            let (r0, r1) = ink
                .iter()
                .fold((SIDE, 0), |(a, b), p| (a.min(p.0), b.max(p.0)));
            let (c0, c1) = ink
                .iter()
                .fold((SIDE, 0), |(a, b), p| (a.min(p.1), b.max(p.1)));
            let (h, w) = ((r1 - r0 + 1) as f64, (c1 - c0 + 1) as f64);
            let target = match framing {
                Framing::Digit => 20.0,
                Framing::Fill => 26.0,
            };
            let s = target / h.max(w);
            let (oy, ox) = ((SIDE as f64 - h * s) / 2.0, (SIDE as f64 - w * s) / 2.0);
            let mut out = vec![0.0f32; n];
            for (i, v) in out.iter_mut().enumerate() {
                let (y, x) = ((i / SIDE) as f64 + 0.5, (i % SIDE) as f64 + 0.5);
                let sy = (y - oy) / s + r0 as f64 - 0.5;
                let sx = (x - ox) / s + c0 as f64 - 0.5;
                *v = bilinear(img, sy, sx).clamp(0.0, 1.0);
            }
            if framing == Framing::Digit {
                let total: f64 = out.iter().map(|&v| f64::from(v)).sum();
                if total > 0.0 {
                    let (my, mx) = out.iter().enumerate().fold((0.0, 0.0), |(a, b), (i, &v)| {
                        (
                            a + f64::from(v) * (i / SIDE) as f64,
                            b + f64::from(v) * (i % SIDE) as f64,
                        )
                    });
                    let centre = (SIDE as f64 - 1.0) / 2.0;
                    let dy = (centre - my / total).round() as i64;
                    let dx = (centre - mx / total).round() as i64;
                    let mut moved = vec![0.0f32; n];
                    for (i, v) in moved.iter_mut().enumerate() {
                        let (r, c) = ((i / SIDE) as i64 - dy, (i % SIDE) as i64 - dx);
                        if (0..SIDE as i64).contains(&r) && (0..SIDE as i64).contains(&c) {
                            *v = out[r as usize * SIDE + c as usize];
                        }
                    }
                    out = moved;
                }
            }
            out
        }

        /// Inks a stroke from `a` to `b` (pad coordinates in pixels of the 28×28 grid).
        pub fn stroke(img: &mut [f32], a: (f64, f64), b: (f64, f64)) {
            let steps = ((b.0 - a.0).hypot(b.1 - a.1) / 0.25).ceil().max(1.0) as usize;
            for k in 0..=steps {
                let t = k as f64 / steps as f64;
                let (y, x) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                for r in (y - 2.0).floor() as i64..=(y + 2.0).ceil() as i64 {
                    for c in (x - 2.0).floor() as i64..=(x + 2.0).ceil() as i64 {
                        if !(0..SIDE as i64).contains(&r) || !(0..SIDE as i64).contains(&c) {
                            continue;
                        }
                        let d = (r as f64 + 0.5 - y).hypot(c as f64 + 0.5 - x);
                        let v = (1.9 - d).clamp(0.0, 1.0) as f32;
                        let p = &mut img[r as usize * SIDE + c as usize];
                        *p = p.max(v);
                    }
                }
            }
        }
    }

    fn app_framing(f: Framing) -> app::Framing {
        match f {
            Framing::Digit => app::Framing::Digit,
            Framing::Fill => app::Framing::Fill,
        }
    }

    /// One drawing: its strokes, `(from, to)` in pad coordinates.
    type Strokes<'a> = &'a [((f64, f64), (f64, f64))];

    /// A few drawings: strokes of different sizes and places, a dot, a full image.
    fn drawings() -> Vec<Vec<f32>> {
        let strokes: &[Strokes] = &[
            &[((2.0, 3.0), (8.0, 3.0))],
            &[((5.0, 5.0), (22.0, 20.0)), ((22.0, 5.0), (5.0, 20.0))],
            &[((14.0, 14.0), (14.0, 14.0))],
            &[
                ((1.0, 1.0), (1.0, 26.0)),
                ((1.0, 26.0), (26.0, 26.0)),
                ((26.0, 26.0), (26.0, 1.0)),
            ],
            &[((20.0, 2.0), (26.5, 9.25)), ((3.3, 17.7), (9.1, 25.9))],
        ];
        let mut out: Vec<Vec<f32>> = strokes
            .iter()
            .map(|s| {
                let mut img = vec![0.0f32; SIDE * SIDE];
                for &(a, b) in *s {
                    stroke(&mut img, a, b);
                }
                img
            })
            .collect();
        out.push(vec![1.0; SIDE * SIDE]);
        out.push(
            (0..SIDE * SIDE)
                .map(|i| ((i * 37) % 101) as f32 / 100.0)
                .collect(),
        );
        out
    }

    #[test]
    fn strokes_ink_exactly_as_the_app_did() {
        for d in drawings().iter().take(5) {
            assert!(d.iter().any(|&v| v > 0.5));
        }
        let mut a = vec![0.0f32; SIDE * SIDE];
        let mut b = a.clone();
        for (p, q) in [
            ((2.0, 3.0), (8.0, 3.0)),
            ((0.0, 27.9), (27.9, 0.0)),
            ((-3.0, 4.0), (30.0, 12.5)),
        ] {
            stroke(&mut a, p, q);
            app::stroke(&mut b, p, q);
        }
        assert_eq!(a, b);
    }

    #[test]
    fn framing_matches_the_apps_code_bit_for_bit() {
        for (k, img) in drawings().iter().enumerate() {
            for f in [Framing::Digit, Framing::Fill] {
                assert_eq!(
                    frame_digit(img, f),
                    app::frame(img, app_framing(f)),
                    "drawing {k} {f:?}"
                );
            }
        }
    }

    #[test]
    fn a_small_off_centre_stroke_is_scaled_and_centred_like_mnist() {
        let mut img = vec![0.0f32; SIDE * SIDE];
        stroke(&mut img, (2.0, 3.0), (8.0, 3.0));
        let out = frame_digit(&img, Framing::Digit);
        let total: f32 = out.iter().sum();
        let my = out
            .iter()
            .enumerate()
            .map(|(i, v)| v * (i / SIDE) as f32)
            .sum::<f32>()
            / total;
        let mx = out
            .iter()
            .enumerate()
            .map(|(i, v)| v * (i % SIDE) as f32)
            .sum::<f32>()
            / total;
        assert!((my - 13.5).abs() < 1.0, "{my}");
        assert!((mx - 13.5).abs() < 1.0, "{mx}");
        let rows = (0..SIDE)
            .filter(|r| (0..SIDE).any(|c| out[r * SIDE + c] > 0.3))
            .count();
        assert!((18..=23).contains(&rows), "{rows}");
    }

    #[test]
    fn blank_or_mis_sized_drawings_frame_to_blank() {
        assert_eq!(
            frame_digit(&[0.0; SIDE * SIDE], Framing::Fill),
            vec![0.0; SIDE * SIDE]
        );
        assert_eq!(
            frame_digit(&[1.0; 3], Framing::Digit),
            vec![0.0; SIDE * SIDE]
        );
        let mut short = vec![0.0f32; 5];
        stroke(&mut short, (1.0, 1.0), (2.0, 2.0));
        assert_eq!(short, vec![0.0; 5]);
    }
}
