//! The MLP lab's calibrated int4 panel: the trained model at W4 g128 and W4 per channel with
//! its codes chosen by round-to-nearest, GPTQ (in input order and in act-order) and AWQ,
//! calibrated on training images ([`quantlab_core::mlp::ptq`]), each measured on the test
//! set: accuracy, each layer's output SNR against fp32, bytes stored.

use leptos::prelude::*;
use quantlab_core::mlp::QuantConfig;
use quantlab_core::mlp::ptq::{self, Method, MethodResult};

use super::MlpContext;
use super::words::{config_label, num_td};
use crate::format::fixed;
use crate::lang::numbers::localize;
use crate::lang::{I18nContext, t, t_string, use_i18n};

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

fn method_label(m: Method, i18n: I18nContext) -> &'static str {
    match m {
        Method::Nearest => t_string!(i18n, mlp.method_nearest),
        Method::Gptq => "GPTQ",
        Method::GptqActOrder => t_string!(i18n, mlp.method_gptq_act),
        Method::Awq => t_string!(i18n, mlp.method_awq),
    }
}

/// What calibration did, in a few words: codes changed (GPTQ) or the chosen α (AWQ).
fn calibration_words(r: &MethodResult, i18n: I18nContext) -> String {
    let l = i18n.get_locale();
    match r.method {
        Method::Nearest => "—".into(),
        Method::Awq => r
            .calibration
            .iter()
            .map(|c| {
                format!(
                    "α{} = {}",
                    c.layer,
                    c.alpha
                        .map_or("—".into(), |a| localize(&fixed(f64::from(a), 1), l))
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => {
            let changed: usize = r.calibration.iter().map(|c| c.codes_changed).sum();
            super::words::fill(
                t_string!(i18n, mlp.codes_differ),
                &[("n", &(localize(&changed.to_string(), l)))],
            )
            .to_string()
        }
    }
}

fn row_view(r: &MethodResult, i18n: I18nContext) -> impl IntoView + use<> {
    let id = format!("{}-{}", r.config.id(), r.method.id());
    let snrs = r
        .layers
        .iter()
        .map(|l| {
            num_td(
                Some(format!("ptq-snr-{id}-{}", l.layer)),
                fixed(l.snr_db, 1),
                i18n,
            )
        })
        .collect_view();
    view! {
        <tr data-testid=format!("ptq-row-{id}")>
            <th scope="row">{format!("{} · {}", config_label(r.config, i18n), method_label(r.method, i18n))}</th>
            {num_td(Some(format!("ptq-acc-{id}")), fixed(100.0 * f64::from(r.accuracy), 2), i18n)}
            {snrs}
            {num_td(Some(format!("ptq-bytes-{id}")), r.size.to_string(), i18n)}
            <td>{calibration_words(r, i18n)}</td>
        </tr>
    }
}

/// The panel (reads the trained model from [`MlpContext`]).
#[component]
pub fn CalibratedPanel() -> impl IntoView {
    let i18n = use_i18n();
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
            <h3>{t!(i18n, mlp.ptq_title)}</h3>
            <p class="hint">{move || super::words::fill(t_string!(i18n, mlp.ptq_hint), &[("n", &CALIBRATION)])}</p>
            <button type="button" data-testid="ptq-run" on:click=start
                disabled=move || !has_model() || run.with(|r| matches!(r, Run::Running(_)))>
                {t!(i18n, mlp.ptq_run)}
            </button>
            <p class="hint" role="status" data-testid="ptq-status">{move || match run.get() {
                Run::Idle if has_model() => t_string!(i18n, mlp.ptq_idle).to_string(),
                Run::Idle => t_string!(i18n, mlp.train_first).to_string(),
                Run::Running(i) => super::words::fill(t_string!(i18n, mlp.ptq_running), &[("i", &(i + 1)), ("total", &total)]),
                Run::Done => super::words::fill(t_string!(i18n, mlp.ptq_done), &[("total", &total)]),
                Run::Failed(_) => t_string!(i18n, mlp.ptq_stopped).to_string(),
            }}</p>
            {move || match run.get() {
                Run::Failed(e) => Some(view! { <p class="error" role="alert" data-testid="ptq-error">{e}</p> }),
                _ => None,
            }}
            {move || (!rows.with(Vec::is_empty)).then(|| view! {
                <table class="mem-table" data-testid="ptq-table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, mlp.ptq_col_codes)}</th>
                        <th scope="col">{t!(i18n, mlp.col_accuracy_pct)}</th>
                        {(0..layers()).map(|l| view! { <th scope="col">{move || super::words::fill(t_string!(i18n, mlp.ptq_col_snr), &[("n", &(l + 1))])}</th> }).collect_view()}
                        <th scope="col">{t!(i18n, mlp.ptq_col_bytes)}</th>
                        <th scope="col">{t!(i18n, mlp.ptq_col_calibration)}</th>
                    </tr></thead>
                    <tbody>{move || rows.with(|v| v.iter().map(|r| row_view(r, i18n)).collect_view())}</tbody>
                    <caption>{t!(i18n, mlp.ptq_caption)}</caption>
                </table>
            })}
        </div>
    }
}
