//! The Signal lab's canvases: one `<canvas>` per view ([`Canvases`]) and the effect that
//! draws every visible one ([`draw_effect`]).

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;

use super::figures::VIEWS;
use super::formulas::{self, fx};
use super::pipeline::{Pipeline, SignalResult};
use super::state::{SignalState, visible_window};
use crate::charts::{self, SignalChart};
use crate::lang::Locale;
use crate::widgets::perf::measure as perf_measure;

/// The canvas of each view of [`VIEWS`], by view id (a context, [`Canvases::use_`]).
#[derive(Debug, Clone, Copy)]
pub struct Canvases([(&'static str, NodeRef<Canvas>); VIEWS.len()]);

impl Canvases {
    /// A fresh canvas reference per view.
    pub fn new() -> Canvases {
        Canvases(VIEWS.map(|(id, _)| (id, NodeRef::new())))
    }

    /// The canvases provided by the page.
    pub fn use_() -> Canvases {
        expect_context()
    }

    /// The canvas of view `id`.
    pub fn get(&self, id: &str) -> NodeRef<Canvas> {
        self.0
            .iter()
            .find(|c| c.0 == id)
            .map(|c| c.1)
            .unwrap_or_default()
    }
}

impl Default for Canvases {
    fn default() -> Self {
        Canvases::new()
    }
}

/// Compare mode's figure: the visible window of both results side by side, each titled with
/// its scheme and SNR.
fn draw_compare<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    a: &SignalResult,
    b: &SignalResult,
    lo: usize,
    hi: usize,
    locale: Locale,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| format!("{e:?}"))?;
    let (w, _) = root.dim_in_pixel();
    let (left, right) = root.split_horizontally(w / 2);
    for (area, r, name) in [(left, a, "A"), (right, b, "B")] {
        let (title, body) = area.split_vertically(24);
        title
            .draw_text(
                &format!(
                    "{name}: {} — SNR {} dB",
                    formulas::scheme_name(&r.scheme, locale),
                    fx(r.metrics.snr_db, 2, locale)
                ),
                &("sans-serif", 13).into_font().color(&BLACK),
                (10, 5),
            )
            .map_err(|e| format!("{e:?}"))?;
        let hi = hi.min(r.input.len());
        let lo = lo.min(hi);
        charts::draw_signal(
            &body,
            &SignalChart {
                input: &r.input[lo..hi],
                quantized: &r.quantized[lo..hi],
                levels: &r.levels,
                start: lo,
            },
            locale,
        )?;
    }
    Ok(())
}

/// The data a view was last drawn from (held, so its address cannot be reused) and a key of
/// its other inputs (window, bits, marker).
type Drawn = (Arc<dyn Any + Send + Sync>, u64);

/// Remembers what each view was last drawn from, so a view whose data did not change is not
/// redrawn.
#[derive(Debug, Clone, Copy)]
struct LastDrawn(StoredValue<HashMap<&'static str, Drawn>>);

impl LastDrawn {
    /// Records `data` and `key` for view `id`; whether they differ from the last ones.
    fn fresh(self, id: &'static str, data: Arc<dyn Any + Send + Sync>, key: u64) -> bool {
        self.0
            .try_update_value(|d| {
                let same = d
                    .get(id)
                    .is_some_and(|(old, k)| Arc::ptr_eq(old, &data) && *k == key);
                d.insert(id, (data, key));
                !same
            })
            .unwrap_or(true)
    }

    /// Whether compare mode's view was last drawn from exactly `a` and `b` with `key`.
    fn same_pair(self, a: &Arc<SignalResult>, b: &Arc<SignalResult>, key: u64) -> bool {
        self.0.with_value(|d| {
            d.get("compare")
                .and_then(|(old, k)| {
                    old.downcast_ref::<(Arc<SignalResult>, Arc<SignalResult>)>()
                        .map(|(oa, ob)| Arc::ptr_eq(oa, a) && Arc::ptr_eq(ob, b) && *k == key)
                })
                .unwrap_or(false)
        })
    }
}

/// One effect draws every visible figure, in order, and closes the `ql-update` measure; a
/// hidden figure's data is not even computed. The charts' words follow the page's language
/// (a change of language redraws them).
pub fn draw_effect(st: SignalState, p: Pipeline, canvases: Canvases) {
    let i18n = crate::lang::use_i18n();
    let last = LastDrawn(StoredValue::new(HashMap::new()));
    let target = move |id: &'static str, data: Arc<dyn Any + Send + Sync>, key: u64| {
        if last.fresh(id, data, key) {
            canvases.get(id).get()
        } else {
            None
        }
    };
    Effect::new(move |_| {
        let locale = i18n.get_locale();
        // Every view's key holds the language, so a change of language redraws it.
        let lang = u64::from(locale == Locale::pt_BR) << 63;
        let (zoom, pan) = st.state.with(|s| (s.zoom, s.pan));
        if let Ok(r) = p.result.get() {
            let (a, b) = visible_window(r.input.len(), zoom, pan);
            let key = (((a as u64) << 32) ^ b as u64) ^ lang;
            if st.shown("signal")
                && let Some(c) = target("signal", r.clone(), key)
            {
                let r = r.clone();
                crate::draw_figure!(c, |root| {
                    charts::draw_signal(
                        root,
                        &SignalChart {
                            input: &r.input[a..b],
                            quantized: &r.quantized[a..b],
                            levels: &r.levels,
                            start: a,
                        },
                        locale,
                    )
                });
            }
            if st.shown("error")
                && let Some(c) = target("error", r.clone(), key)
            {
                let r = r.clone();
                crate::draw_figure!(c, |root| {
                    charts::draw_error(root, &r.error[a..b], r.metrics.step, a, locale)
                });
            }
            if st.shown("compare")
                && p.compare.get()
                && let Ok(rb) = p.result_b.get()
                && let Some(c) = canvases.get("compare").get()
                && !last.same_pair(&r, &rb, key)
                && last.fresh("compare", Arc::new((r.clone(), rb.clone())), key)
            {
                let r = r.clone();
                crate::draw_figure!(c, |root| draw_compare(root, &r, &rb, a, b, locale));
            }
        }
        if st.shown("transfer")
            && let Ok(t) = p.transfer.get()
            && let Some(c) = target("transfer", t.clone(), lang)
        {
            crate::draw_figure!(c, |root| {
                charts::views::draw_transfer(
                    root,
                    &charts::views::TransferChart {
                        curve: &t.curve,
                        histogram: &t.histogram,
                    },
                    locale,
                )
            });
        }
        if st.shown("error-hist")
            && let Ok(h) = p.error_hist.get()
            && let Ok(r) = p.result.get()
            && let Some(c) = target("error-hist", h.clone(), lang)
        {
            crate::draw_figure!(c, |root| {
                charts::views::draw_error_histogram(root, &h, r.metrics.step, locale)
            });
        }
        if st.shown("snr-bits")
            && let Ok(sb) = p.snr_bits.get()
        {
            let bits = p.scheme.get().code_bits();
            if let Some(c) = target("snr-bits", sb.clone(), u64::from(bits) ^ lang) {
                crate::draw_figure!(c, |root| {
                    charts::views::draw_snr_vs_bits(
                        root,
                        &charts::views::SnrBitsChart {
                            measured: &sb.measured,
                            theory: &sb.theory,
                            current_bits: Some(bits),
                        },
                        locale,
                    )
                });
            }
        }
        if st.shown("snr-level")
            && let Ok(curve) = p.level_curve.get()
        {
            let current = p.level_point.get();
            let key = current.map_or(0, |p| {
                p.level_db.to_bits()
                    ^ p.snr_mulaw.to_bits().rotate_left(17)
                    ^ p.snr_linear.to_bits().rotate_left(41)
            }) ^ lang;
            if let Some(c) = target("snr-level", curve.clone(), key) {
                crate::draw_figure!(c, |root| {
                    charts::views::draw_snr_vs_level(
                        root,
                        &charts::views::LevelChart {
                            curve: &curve,
                            current,
                        },
                        locale,
                    )
                });
            }
        }
        if st.shown("clip")
            && let Ok(t) = p.clip.get()
            && let Some(c) = target("clip", t.clone(), lang)
        {
            crate::draw_figure!(c, |root| {
                charts::views::draw_clip_tradeoff(root, &t, locale)
            });
        }
        perf_measure("ql-update", "ql-update-start");
    });
}
