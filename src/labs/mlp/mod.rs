//! The MLP lab: train a small MLP on a real dataset in the page, quantize it (W8, W4 groups,
//! W8A8 dynamic, per-tensor variants, NF4), and compare accuracy, size, per-layer error and
//! the speed of the CPU paths (fp32, int8 scalar, int8 WASM SIMD).
//!
//! All the math is `quantlab_core::{dataset, mlp}`; this module is the page: [`state`] is the
//! URL state, [`data`] loads the data, [`results`] measures a trained model, [`bench`](mod@bench) times
//! the CPU paths, [`draw`] is the 28×28 drawing pad, [`views`] the tables.
//!
//! Other panels (a WebGPU one) read the trained model and its test set from [`MlpContext`]
//! and are added to the page with one line in [`MlpLab`]'s "panels" section.

pub mod bench;
mod calibrated;
pub mod data;
pub mod draw;
mod embed;
pub mod gpu;
pub mod results;
pub mod state;
pub mod tables;
pub mod views;
mod words;

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use quantlab_core::mlp::{AccumulatorReport, Trainer};

use self::bench::{Agreement, Throughput};
use self::data::LoadedData;
pub use self::embed::{EMBED_CONTROLS, EMBED_VIEWS};
use self::embed::{EMBED_CONTROLS_PT, EMBED_VIEWS_PT};
use self::results::{ConfigResult, SessionRows, TrainedModel};
use self::state::{DataChoice, MlpLabState};
use crate::charts::mlp::{TrainingCurve, TrainingLabels, draw_training};
use crate::lang::numbers::number_span;
use crate::lang::{I18nContext, Locale, t, t_string, use_i18n};
use crate::url::write_state;
use crate::widgets::embed_builder::EmbedBuilder;
use crate::widgets::perf::{mark as perf_mark, measure as perf_measure};
use crate::widgets::svg::FigureExports;

/// The trained model and its data, shared with every panel of the lab (provided as a Leptos
/// context). The W8A8 model is `model.get()?.w8a8()`, its test inputs
/// `model.get()?.data.split.test` (standardised, `(n, d)` row-major) — what a GPU path must
/// reproduce bit for bit.
#[derive(Debug, Clone, Copy)]
pub struct MlpContext {
    /// The loaded, standardised data (`None` while loading or before an upload).
    pub data: RwSignal<Option<Arc<LoadedData>>>,
    /// The last trained model with every quantized configuration (`None` before training).
    pub model: RwSignal<Option<Arc<TrainedModel>>>,
}

/// Where a training run stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Nothing running.
    Idle,
    /// Fetching or parsing data.
    Loading(String),
    /// Training.
    Training,
    /// Measuring the configurations.
    Evaluating,
    /// Finished (all epochs).
    Done,
    /// Stopped by the user.
    Stopped,
    /// Something went wrong (a sentence).
    Failed(String),
}

impl Phase {
    fn text(&self, i18n: I18nContext) -> String {
        match self {
            Phase::Idle => t_string!(i18n, mlp.phase_idle).into(),
            Phase::Loading(what) => words::fill(
                t_string!(i18n, mlp.phase_loading),
                &[("what", &(words::dataset_name(what, i18n)))],
            )
            .to_string(),
            Phase::Training => t_string!(i18n, mlp.phase_training).into(),
            Phase::Evaluating => t_string!(i18n, mlp.phase_evaluating).into(),
            Phase::Done => t_string!(i18n, mlp.phase_done).into(),
            Phase::Stopped => t_string!(i18n, mlp.phase_stopped).into(),
            Phase::Failed(e) => words::fill(t_string!(i18n, mlp.phase_failed), &[("error", &e)]),
        }
    }
}

/// Every signal of the page, in one `Copy` handle for the async tasks.
#[derive(Debug, Clone, Copy)]
struct Lab {
    state: RwSignal<MlpLabState>,
    ctx: MlpContext,
    phase: RwSignal<Phase>,
    progress: RwSignal<f32>,
    curve: RwSignal<TrainingCurve>,
    results: RwSignal<Vec<ConfigResult>>,
    acc16: RwSignal<Option<Result<Vec<AccumulatorReport>, String>>>,
    throughput: RwSignal<Option<Result<Throughput, String>>>,
    agreement: RwSignal<Option<Result<Agreement, String>>>,
    session: RwSignal<SessionRows>,
    /// Bumped by every new run or data load; a task whose number is stale stops.
    generation: StoredValue<u64>,
    stop: StoredValue<bool>,
    i18n: I18nContext,
}

/// `performance.now()` in milliseconds (0 without a window).
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Lets the browser run (paint, handle input) before the next chunk of work.
async fn next_tick() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window().is_some_and(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
                .is_ok()
        });
        if !scheduled {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// Rounds of throughput measurement (the best of each path counts).
const ROUNDS: usize = 3;

/// Milliseconds of training between two yields to the browser.
const SLICE_MS: f64 = 20.0;

impl Lab {
    fn bump(self) -> u64 {
        let g = self.generation.get_value() + 1;
        self.generation.set_value(g);
        g
    }

    fn current(self, g: u64) -> bool {
        self.generation.get_value() == g
    }

    fn clear_outputs(self) {
        self.ctx.model.set(None);
        self.results.set(Vec::new());
        self.acc16.set(None);
        self.throughput.set(None);
        self.agreement.set(None);
        self.curve.set(TrainingCurve::default());
        self.progress.set(0.0);
    }

    /// Loads a shipped dataset (fetching its files), then trains on it if it is tabular.
    fn load_builtin(self, choice: DataChoice) {
        let Some(id) = choice.builtin() else { return };
        let g = self.bump();
        self.ctx.data.set(None);
        self.clear_outputs();
        self.phase.set(Phase::Loading(id.label().into()));
        leptos::task::spawn_local(async move {
            let mut files = Vec::new();
            for f in id.files() {
                match data::fetch_asset(f).await {
                    Ok(b) => files.push(b),
                    Err(e) => {
                        if self.current(g) {
                            self.phase.set(Phase::Failed(e));
                        }
                        return;
                    }
                }
            }
            if !self.current(g) {
                return;
            }
            next_tick().await;
            match data::load_builtin(id, &files) {
                Ok(d) => {
                    self.ctx.data.set(Some(Arc::new(d)));
                    if id.is_image() {
                        self.phase.set(Phase::Idle);
                    } else {
                        self.start_training();
                    }
                }
                Err(e) => self.phase.set(Phase::Failed(e)),
            }
        });
    }

    /// Starts a training run on the loaded data (stopping any other).
    fn start_training(self) {
        let g = self.bump();
        self.stop.set_value(false);
        self.clear_outputs();
        let Some(data) = self.ctx.data.get_untracked() else {
            let i18n = self.i18n;
            self.phase
                .set(Phase::Failed(t_string!(i18n, mlp.no_data).into()));
            return;
        };
        let (train, test) = (&data.split.train, &data.split.test);
        let config = match self
            .state
            .with_untracked(|s| s.train_config(train.d, train.classes))
        {
            Ok(c) => c,
            Err(e) => {
                let i18n = self.i18n;
                self.phase.set(Phase::Failed(words::problem(&e, i18n)));
                return;
            }
        };
        let epochs = config.epochs;
        let mut trainer = match Trainer::new(config, train.clone(), Some(test.clone())) {
            Ok(t) => t,
            Err(e) => {
                self.phase.set(Phase::Failed(e.to_string()));
                return;
            }
        };
        let choice = self.state.with_untracked(|s| s.dataset);
        self.curve.set(TrainingCurve {
            epochs,
            ..TrainingCurve::default()
        });
        self.phase.set(Phase::Training);
        leptos::task::spawn_local(async move {
            let per_epoch = trainer.batches_per_epoch().max(1) as f64;
            let mut batches = 0usize;
            let mut stopped = false;
            loop {
                next_tick().await;
                if !self.current(g) {
                    return;
                }
                if self.stop.get_value() {
                    stopped = true;
                    break;
                }
                let t0 = now();
                let (mut loss, mut ran) = (0.0f64, 0usize);
                let mut finished = Vec::new();
                while now() - t0 < SLICE_MS && !trainer.is_done() {
                    match trainer.step_batches(1) {
                        Ok(r) => {
                            loss += f64::from(r.loss) * r.batches as f64;
                            ran += r.batches;
                            finished.extend(r.finished);
                        }
                        Err(e) => {
                            self.phase.set(Phase::Failed(e.to_string()));
                            return;
                        }
                    }
                }
                batches += ran;
                self.curve.update(|c| {
                    if ran > 0 {
                        c.loss.push((batches as f64 / per_epoch, loss / ran as f64));
                    }
                    for e in &finished {
                        let x = e.epoch as f64;
                        c.train_acc.push((x, f64::from(e.train_accuracy)));
                        if let Some(a) = e.test_accuracy {
                            c.test_acc.push((x, f64::from(a)));
                        }
                        if let Some(l) = e.test_loss {
                            c.test_loss.push((x, f64::from(l)));
                        }
                    }
                });
                self.progress.set(trainer.progress());
                if trainer.is_done() {
                    break;
                }
            }
            let done = trainer.epochs_done();
            let model = match TrainedModel::new(choice, data, trainer.into_model(), done, stopped) {
                Ok(m) => Arc::new(m),
                Err(e) => {
                    self.phase.set(Phase::Failed(e));
                    return;
                }
            };
            self.ctx.model.set(Some(model.clone()));
            self.evaluate(g, model, stopped).await;
        });
    }

    /// Measures every configuration, one per tick, then the int16 demo and the CPU paths.
    async fn evaluate(self, g: u64, model: Arc<TrainedModel>, stopped: bool) {
        self.phase.set(Phase::Evaluating);
        next_tick().await;
        let reference = match results::reference(&model) {
            Ok(r) => r,
            Err(e) => {
                self.phase.set(Phase::Failed(e));
                return;
            }
        };
        for i in 0..model.quantized.len() {
            if !self.current(g) {
                return;
            }
            match results::evaluate_one(&model, i, &reference) {
                Ok(r) => self.results.update(|v| v.push(r)),
                Err(e) => {
                    self.phase.set(Phase::Failed(e));
                    return;
                }
            }
            next_tick().await;
        }
        self.acc16.set(Some(results::int16_demo(&model)));
        let row: Vec<(String, f32)> = self
            .results
            .with_untracked(|v| v.iter().map(|r| (r.config.id(), r.accuracy)).collect());
        let name = model.data.name.clone();
        self.session
            .update(|s| match s.iter_mut().find(|(n, _)| *n == name) {
                Some(existing) => existing.1 = row,
                None => s.push((name, row)),
            });
        self.phase
            .set(if stopped { Phase::Stopped } else { Phase::Done });
        self.measure(g, model).await;
    }

    /// Checks SIMD against scalar and times the three CPU paths over the test set.
    async fn measure(self, g: u64, model: Arc<TrainedModel>) {
        self.throughput.set(None);
        self.agreement.set(None);
        let Some(q) = model.w8a8() else { return };
        let t = &model.data.split.test;
        next_tick().await;
        if !self.current(g) {
            return;
        }
        self.agreement
            .set(Some(bench::compare_kernels(q, &t.features, t.n)));
        // Three rounds of the three paths, interleaved; the best rate of each path counts
        // (other work on the machine only ever slows a round down).
        let mut rates = [0.0f64; 3];
        for round in 0..ROUNDS {
            for (which, r) in rates.iter_mut().enumerate() {
                next_tick().await;
                if !self.current(g) {
                    return;
                }
                perf_mark("ql-mlp-path-start");
                match bench::measure_path(which, &model.mlp, q, &t.features, t.n, &now, 200.0) {
                    Ok(v) => *r = r.max(v),
                    Err(e) => {
                        self.throughput.set(Some(Err(e)));
                        return;
                    }
                }
                if round == 0 {
                    perf_measure(
                        ["ql-mlp-fp32", "ql-mlp-int8-scalar", "ql-mlp-int8-simd"][which],
                        "ql-mlp-path-start",
                    );
                }
            }
        }
        self.throughput.set(Some(Ok(Throughput {
            fp32: rates[0],
            int8_scalar: rates[1],
            int8_simd: rates[2],
            samples: t.n,
        })));
    }

    /// Re-runs the measurement on the current model.
    fn remeasure(self) {
        let Some(model) = self.ctx.model.get_untracked() else {
            return;
        };
        let g = self.generation.get_value();
        leptos::task::spawn_local(async move { self.measure(g, model).await });
    }
}

/// Whether the browser validates a WebAssembly module that uses `ops` in one function
/// returning a `v128` (the function body: a `v128.const 0`, then `ops`, then `end`).
fn browser_validates(ops: &[u8]) -> bool {
    let mut body = vec![0x00, 0xfd, 0x0c];
    body.extend([0u8; 16]);
    body.extend(ops);
    body.push(0x0b);
    let mut code = vec![0x01, body.len() as u8];
    code.extend(&body);
    let mut m = vec![
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
        0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
        0x03, 0x02, 0x01, 0x00, // one function of type 0
        0x0a, // code section
    ];
    m.push(code.len() as u8);
    m.extend(code);
    let bytes = js_sys::Uint8Array::from(m.as_slice());
    js_sys::WebAssembly::validate(&bytes).unwrap_or(false)
}

/// Relaxed SIMD in this browser: `i32x4.relaxed_trunc_f32x4_s` (opcode `0xfd 0x101`).
fn has_relaxed_simd() -> bool {
    browser_validates(&[0xfd, 0x81, 0x02])
}

/// Plain simd128 in this browser (a `v128.const` alone).
fn has_simd128() -> bool {
    browser_validates(&[])
}

/// The MLP lab page.
#[component]
pub fn MlpLab() -> impl IntoView {
    let i18n = use_i18n();
    let query = crate::url::current_query();
    let (initial, warnings) = MlpLabState::from_query(&query);
    let state = RwSignal::new(initial);
    let ctx = MlpContext {
        data: RwSignal::new(None),
        model: RwSignal::new(None),
    };
    provide_context(ctx);
    let lab = Lab {
        state,
        ctx,
        phase: RwSignal::new(Phase::Idle),
        progress: RwSignal::new(0.0),
        curve: RwSignal::new(TrainingCurve::default()),
        results: RwSignal::new(Vec::new()),
        acc16: RwSignal::new(None),
        throughput: RwSignal::new(None),
        agreement: RwSignal::new(None),
        session: RwSignal::new(Vec::new()),
        generation: StoredValue::new(0),
        stop: StoredValue::new(false),
        i18n,
    };
    Effect::new(move |_| state.with(|s| write_state(crate::labs::Lab::Mlp, s)));

    // Load the chosen shipped set (image sets only now that they are chosen).
    let choice = Memo::new(move |_| state.with(|s| s.dataset));
    Effect::new(move |_| {
        let c = choice.get();
        if c.builtin().is_some() {
            lab.load_builtin(c);
        }
    });

    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let curve = lab.curve.get();
        let labels = TrainingLabels {
            loss: t_string!(i18n, mlp.chart_loss),
            accuracy: t_string!(i18n, mlp.chart_accuracy),
            epoch: t_string!(i18n, mlp.chart_epoch),
            train_batches: t_string!(i18n, mlp.chart_train_batches),
            test_epoch_end: t_string!(i18n, mlp.chart_test_epoch_end),
            train: t_string!(i18n, mlp.chart_train),
            test: t_string!(i18n, mlp.chart_test),
            locale: i18n.get_locale(),
        };
        let Some(c) = canvas.get() else { return };
        let _ = c.set_attribute("data-x-label", labels.epoch);
        crate::draw_figure!(c, |root| draw_training(root, &curve, &labels));
    });

    let running = move || matches!(lab.phase.get(), Phase::Training);
    let settings_error = Memo::new(move |_| {
        let data = ctx.data.get();
        state.with(|s| {
            let (d, c) = data
                .as_ref()
                .map_or((4, 3), |d| (d.split.train.d, d.split.train.classes));
            s.train_config(d, c).err()
        })
    });
    let simd_in_browser = has_simd128();
    let relaxed = has_relaxed_simd();

    view! {
        <section class="lab mlp-lab" aria-labelledby="mlp-lab-title">
            <h2 id="mlp-lab-title">{t!(i18n, mlp.title)}</h2>
            {(!warnings.is_empty()).then(|| view! {
                <p class="notice" role="status">{let list = warnings.join("; "); move || words::fill(t_string!(i18n, mlp.ignored_params), &[("list", &(list.clone()))])}</p>
            })}
            <div class="lab-body">
                <views::Controls state=state lab_start=Callback::new(move |_| lab.start_training())
                    lab_stop=Callback::new(move |_| lab.stop.set_value(true))
                    on_upload=Callback::new(move |d: Result<LoadedData, String>| match d {
                        Ok(d) => {
                            lab.bump();
                            lab.clear_outputs();
                            ctx.data.set(Some(Arc::new(d)));
                            lab.phase.set(Phase::Idle);
                        }
                        Err(e) => lab.phase.set(Phase::Failed(e)),
                    })
                    running=Signal::derive(running)
                    settings_error=Signal::derive(move || settings_error.get().map(|p| words::problem(&p, i18n)))
                    data=ctx.data.into()/>
                <div class="views">
                    <div data-view="training">
                    <dl class="readouts">
                        <div><dt>{t!(i18n, mlp.status)}</dt><dd><span data-testid="train-status">{move || lab.phase.with(|p| p.text(i18n))}</span></dd></div>
                        <div><dt>{t!(i18n, mlp.progress)}</dt><dd>{number_span("train-progress", move || crate::format::fixed(f64::from(lab.progress.get()) * 100.0, 1))}" %"</dd></div>
                        <div><dt>{t!(i18n, mlp.epochs_done)}</dt><dd>{number_span("epochs-done", move || lab.curve.with(|c| c.train_acc.len().to_string()))}</dd></div>
                        <div><dt>{t!(i18n, mlp.test_acc_live)}</dt><dd>{number_span("test-acc-live", move || lab.curve.with(|c| c.test_acc.last().map(|p| crate::format::fixed(100.0 * p.1, 2)).unwrap_or_else(|| "—".into())))}" %"</dd></div>
                    </dl>
                    {move || lab.phase.with(|p| match p {
                        Phase::Failed(e) => Some(view! { <p class="error" role="alert" data-testid="mlp-error">{e.clone()}</p> }),
                        _ => None,
                    })}
                    <views::DataSummary data=ctx.data.into()/>
                    <figure>
                        <canvas node_ref=canvas data-testid="train-canvas" width="960" height="260"
                            role="img" aria-label=move || t_string!(i18n, mlp.train_canvas_aria)></canvas>
                        <figcaption>{t!(i18n, mlp.train_caption)}</figcaption>
                        <FigureExports canvas="train-canvas" name="training"/>
                    </figure>
                    </div>
                    <div data-view="accuracy"><views::AccuracyTable results=lab.results.into() model=ctx.model.into()/></div>
                    <div data-view="pad"><tables::DrawPanel model=ctx.model.into()/></div>
                    <div data-view="session"><views::SessionTable session=lab.session.into()/></div>
                    <div data-view="confusion"><views::Confusion state=state results=lab.results.into() model=ctx.model.into()/></div>
                    <div data-view="layers"><views::LayerErrors results=lab.results.into() model=ctx.model.into()/></div>
                    <div data-view="int16"><tables::Int16Demo acc16=lab.acc16.into() model=ctx.model.into()/></div>
                    <div data-view="throughput"><tables::ThroughputTable throughput=lab.throughput.into() agreement=lab.agreement.into()
                        simd_compiled=quantlab_core::mlp::simd::simd_compiled() simd_in_browser=simd_in_browser relaxed=relaxed
                        remeasure=Callback::new(move |_| lab.remeasure())/></div>
                    // Panels that read `MlpContext` (e.g. a WebGPU one) go here, one line each.
                    <div data-view="gpu"><gpu::GpuPanel/></div>
                    <div data-view="ptq"><calibrated::CalibratedPanel/></div>
                    <section class="share" aria-labelledby="mlp-share-title">
                        <h3 id="mlp-share-title">{t!(i18n, mlp.share_title)}</h3>
                        <p class="hint">{t!(i18n, mlp.share_hint)}</p>
                        {move || {
                            let pt = i18n.get_locale() == Locale::pt_BR;
                            view! {
                                <EmbedBuilder lab="mlp" title=t_string!(i18n, app.lab_mlp)
                                    views={if pt { EMBED_VIEWS_PT } else { EMBED_VIEWS }}
                                    default_views=&["accuracy"]
                                    controls={if pt { EMBED_CONTROLS_PT } else { EMBED_CONTROLS }}
                                    state_query=Signal::derive(move || state.with(quantlab_core::url_state::to_query))/>
                            }
                        }}
                    </section>
                </div>
            </div>
        </section>
    }
}
