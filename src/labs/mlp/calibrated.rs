//! The MLP lab's calibrated int4 panel: the trained model at W4 g128 and W4 per channel with
//! its codes chosen by round-to-nearest, GPTQ (in input order and in act-order) and AWQ,
//! calibrated on training images ([`quantlab_core::mlp::ptq`]), each measured on the test
//! set: accuracy, each layer's output SNR against fp32, bytes stored.

use leptos::prelude::*;
use quantlab_core::mlp::QuantConfig;
use quantlab_core::mlp::ptq::{self, Method, MethodResult};

use super::MlpContext;
use crate::format::fixed;

/// Training samples used for calibration.
const CALIBRATION: usize = 512;

/// The configurations compared.
const CONFIGS: [QuantConfig; 2] = [QuantConfig::W4_G128, QuantConfig::W4_PER_CHANNEL];

#[derive(Debug, Clone, PartialEq)]
enum Run {
    Idle,
    Running(usize),
    Done,
    Failed(String),
}

fn method_label(m: Method) -> &'static str {
    match m {
        Method::Nearest => "round to nearest",
        Method::Gptq => "GPTQ",
        Method::GptqActOrder => "GPTQ, act-order",
        Method::Awq => "AWQ scales",
    }
}

/// What calibration did, in a few words: codes changed (GPTQ) or the chosen α (AWQ).
fn calibration_words(r: &MethodResult) -> String {
    match r.method {
        Method::Nearest => "—".into(),
        Method::Awq => r
            .calibration
            .iter()
            .map(|c| {
                format!(
                    "α{} = {}",
                    c.layer,
                    c.alpha.map_or("—".into(), |a| fixed(f64::from(a), 1))
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => {
            let changed: usize = r.calibration.iter().map(|c| c.codes_changed).sum();
            format!("{changed} codes differ from RTN")
        }
    }
}

fn row_view(r: &MethodResult) -> impl IntoView + use<> {
    let id = format!("{}-{}", r.config.id(), r.method.id());
    let snrs = r
        .layers
        .iter()
        .map(|l| {
            view! { <td class="num" data-testid=format!("ptq-snr-{id}-{}", l.layer)>{fixed(l.snr_db, 1)}</td> }
        })
        .collect_view();
    view! {
        <tr data-testid=format!("ptq-row-{id}")>
            <th scope="row">{format!("{} · {}", r.config.label(), method_label(r.method))}</th>
            <td class="num" data-testid=format!("ptq-acc-{id}")>{fixed(100.0 * f64::from(r.accuracy), 2)}</td>
            {snrs}
            <td class="num" data-testid=format!("ptq-bytes-{id}")>{r.size.to_string()}</td>
            <td>{calibration_words(r)}</td>
        </tr>
    }
}

/// The panel (reads the trained model from [`MlpContext`]).
#[component]
pub fn CalibratedPanel() -> impl IntoView {
    let ctx = use_context::<MlpContext>();
    let run = RwSignal::new(Run::Idle);
    let rows = RwSignal::new(Vec::<MethodResult>::new());
    let generation = StoredValue::new(0u64);
    // A new model makes the table stale; a run still going on the old one stops.
    Effect::new(move |_| {
        if let Some(c) = ctx {
            c.model.track();
        }
        generation.update_value(|g| *g += 1);
        rows.set(Vec::new());
        run.set(Run::Idle);
    });
    let has_model = move || ctx.is_some_and(|c| c.model.with(Option::is_some));
    let total = CONFIGS.len() * Method::ALL.len();
    let start = move |_| {
        let Some(model) = ctx.and_then(|c| c.model.get_untracked()) else {
            return;
        };
        let started = generation.get_value();
        rows.set(Vec::new());
        run.set(Run::Running(0));
        leptos::task::spawn_local(async move {
            let train = &model.data.split.train;
            let m = train.n.min(CALIBRATION);
            let calib = &train.features[..m * train.d];
            let test = &model.data.split.test;
            for (i, (config, method)) in CONFIGS
                .iter()
                .flat_map(|&c| Method::ALL.map(move |m| (c, m)))
                .enumerate()
            {
                run.set(Run::Running(i));
                super::next_tick().await;
                if generation.get_value() != started {
                    return;
                }
                match ptq::compare_method(&model.mlp, config, method, calib, m, test) {
                    Ok(r) => rows.update(|v| v.push(r)),
                    Err(e) => {
                        run.set(Run::Failed(e.to_string()));
                        return;
                    }
                }
            }
            run.set(Run::Done);
        });
    };
    let layers = move || {
        ctx.and_then(|c| c.model.with(|m| m.as_ref().map(|m| m.mlp.layers.len())))
            .unwrap_or(0)
    };
    view! {
        <div class="ptq-panel" data-testid="ptq-panel">
            <h3>"Calibrated int4: GPTQ and AWQ against round to nearest"</h3>
            <p class="hint">{format!(
                "Real int4 models are not rounded weight by weight. GPTQ rounds one input column \
                 at a time and lets the columns not yet rounded absorb the error, weighted by how \
                 the layer's inputs vary together; AWQ scales each input's weights by how large \
                 that input usually is before rounding. Both look at {CALIBRATION} training images. \
                 GPTQ keeps RTN's scales (same bytes); AWQ stores one more scale per input."
            )}</p>
            <button type="button" data-testid="ptq-run" on:click=start
                disabled=move || !has_model() || run.with(|r| matches!(r, Run::Running(_)))>
                "Run GPTQ and AWQ"
            </button>
            <p class="hint" role="status" data-testid="ptq-status">{move || match run.get() {
                Run::Idle if has_model() => "Compares 8 models; each takes up to a few seconds.".to_string(),
                Run::Idle => "Train a model first.".to_string(),
                Run::Running(i) => format!("calibrating and measuring {} of {total}…", i + 1),
                Run::Done => format!("{total} models measured on the test set."),
                Run::Failed(_) => "stopped".to_string(),
            }}</p>
            {move || match run.get() {
                Run::Failed(e) => Some(view! { <p class="error" role="alert" data-testid="ptq-error">{e}</p> }),
                _ => None,
            }}
            {move || (!rows.with(Vec::is_empty)).then(|| view! {
                <table class="mem-table" data-testid="ptq-table">
                    <thead><tr>
                        <th scope="col">"weights · codes"</th>
                        <th scope="col">"accuracy %"</th>
                        {(0..layers()).map(|l| view! { <th scope="col">{format!("SNR layer {} (dB)", l + 1)}</th> }).collect_view()}
                        <th scope="col">"bytes"</th>
                        <th scope="col">"calibration"</th>
                    </tr></thead>
                    <tbody>{move || rows.with(|v| v.iter().map(row_view).collect_view())}</tbody>
                    <caption>"Each layer's output against the fp32 model's on the test set, both run end to end (so a layer's error includes what earlier layers passed on)."</caption>
                </table>
            })}
        </div>
    }
}
