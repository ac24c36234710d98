//! The MLP lab's WebGPU panel: the adapter, and the trained W8A8 model's test set run with
//! its int8 products on the GPU (`quantlab_gpu`), checked against the CPU int8 reference
//! value for value, with the throughput of each WGSL kernel beside the CPU's.
//!
//! Without WebGPU (`requestAdapter()` gives nothing) the panel says so and the rest of the
//! page works as before.

use std::rc::Rc;

use leptos::prelude::*;
use quantlab_core::mlp::accuracy_of;
use quantlab_gpu::{AdapterSummary, GpuContext, GpuError, Kernel, compare_with_cpu};

use super::MlpContext;
use super::results::TrainedModel;
use super::words::num_td;
use crate::format::fixed;
use crate::lang::numbers::{localize, number_span};
use crate::lang::{t, t_string, use_i18n};
use crate::widgets::perf::{mark, measure};

/// How long each throughput measurement repeats its pass, in milliseconds.
const MIN_MS: f64 = 250.0;

/// Where the adapter request stands.
#[derive(Debug, Clone, PartialEq)]
enum Probe {
    Probing,
    Ready(AdapterSummary, Vec<Kernel>),
    /// No adapter in this browser (`None`), or another failure in the GPU crate's words.
    Unavailable(Option<String>),
}

/// One kernel's run over the test set.
#[derive(Debug, Clone, PartialEq)]
struct KernelRun {
    kernel: Kernel,
    /// Accumulators and logits that differ from the CPU reference.
    mismatches: usize,
    /// Accumulators and logits compared.
    compared: usize,
    /// Test accuracy of the GPU's predictions, in percent.
    accuracy: f64,
    /// Samples per second of the whole forward (GPU products, CPU quantize/rescale).
    samples_per_s: f64,
}

/// A finished "Run on GPU".
#[derive(Debug, Clone, PartialEq)]
struct GpuRun {
    samples: usize,
    kernels: Vec<KernelRun>,
    /// The CPU int8 scalar reference timed the same way, in samples per second.
    cpu_int8: f64,
}

#[derive(Debug, Clone, PartialEq)]
enum RunState {
    Idle,
    Running,
    Done(GpuRun),
    Failed(String),
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Runs the W8A8 model's test set on the GPU with every kernel the adapter has, compares
/// each with the CPU reference, and times the GPU and CPU int8 forwards (each repeated for
/// at least [`MIN_MS`]; every GPU pass is a `gpu-forward` performance measure).
async fn run_on_gpu(
    gpu: &GpuContext,
    model: &TrainedModel,
    no_w8a8: &str,
) -> Result<GpuRun, String> {
    let q = model.w8a8().ok_or_else(|| no_w8a8.to_string())?;
    let test = &model.data.split.test;
    let (x, m) = (&test.features, test.n);
    let uploaded = gpu.upload_w8a8(q).await.map_err(|e| e.to_string())?;
    let cpu = q.trace_int8(x, m).map_err(|e| e.to_string())?;
    let classes = q.out_dim();
    let mut kernels = Vec::new();
    for kernel in gpu.available_kernels() {
        let out = gpu
            .forward_w8a8_with(kernel, &uploaded, x, m)
            .await
            .map_err(|e| e.to_string())?;
        let mm = compare_with_cpu(&cpu, &out);
        let predictions = quantlab_core::mlp::argmax_rows(out.logits(), classes);
        let start = now();
        let mut reps = 0u32;
        loop {
            mark("gpu-forward-start");
            gpu.forward_w8a8_with(kernel, &uploaded, x, m)
                .await
                .map_err(|e| e.to_string())?;
            measure("gpu-forward", "gpu-forward-start");
            reps += 1;
            let elapsed = now() - start;
            if (elapsed >= MIN_MS && reps >= 2) || reps >= 10_000 {
                kernels.push(KernelRun {
                    kernel,
                    mismatches: mm.total(),
                    compared: mm.accumulators_compared + mm.logits_compared,
                    accuracy: 100.0 * f64::from(accuracy_of(&predictions, &test.labels)),
                    samples_per_s: f64::from(reps) * m as f64 * 1000.0 / elapsed.max(1e-3),
                });
                break;
            }
        }
    }
    let start = now();
    let mut reps = 0u32;
    let cpu_int8 = loop {
        q.forward(x, m).map_err(|e| e.to_string())?;
        reps += 1;
        let elapsed = now() - start;
        if (elapsed >= MIN_MS && reps >= 2) || reps >= 100_000 {
            break f64::from(reps) * m as f64 * 1000.0 / elapsed.max(1e-3);
        }
    };
    Ok(GpuRun {
        samples: m,
        kernels,
        cpu_int8,
    })
}

/// The WebGPU panel (reads the trained model from [`MlpContext`]).
#[component]
pub fn GpuPanel() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_context::<MlpContext>();
    let gpu = StoredValue::new_local(None::<Rc<GpuContext>>);
    let probe = RwSignal::new(Probe::Probing);
    let run = RwSignal::new(RunState::Idle);
    leptos::task::spawn_local(async move {
        match GpuContext::new().await {
            Ok(g) => {
                probe.set(Probe::Ready(g.adapter().clone(), g.available_kernels()));
                gpu.set_value(Some(Rc::new(g)));
            }
            Err(GpuError::NoAdapter(_)) if cfg!(target_arch = "wasm32") => {
                probe.set(Probe::Unavailable(None));
            }
            Err(e) => probe.set(Probe::Unavailable(Some(e.to_string()))),
        }
    });
    // A new model makes the last run stale, and a run still going on the old one is dropped.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        if let Some(c) = ctx {
            c.model.track();
        }
        generation.update_value(|g| *g += 1);
        run.set(RunState::Idle);
    });
    let has_model = move || ctx.is_some_and(|c| c.model.with(Option::is_some));
    let start = move |_| {
        let (Some(g), Some(model)) = (gpu.get_value(), ctx.and_then(|c| c.model.get_untracked()))
        else {
            return;
        };
        run.set(RunState::Running);
        let started = generation.get_value();
        leptos::task::spawn_local(async move {
            let result = match run_on_gpu(&g, &model, t_string!(i18n, mlp.gpu_no_w8a8)).await {
                Ok(r) => RunState::Done(r),
                Err(e) => RunState::Failed(e),
            };
            if generation.get_value() == started {
                run.set(result);
            }
        });
    };
    let ready = move || matches!(probe.get(), Probe::Ready(..));

    view! {
        <div class="gpu-panel" data-testid="gpu-panel">
            <h3>{t!(i18n, mlp.gpu_title)}</h3>
            <dl class="readouts">
                <div><dt>{t!(i18n, mlp.gpu_adapter)}</dt><dd><span data-testid="gpu-adapter">{move || match probe.get() {
                    Probe::Probing => t_string!(i18n, mlp.gpu_probing).to_string(),
                    Probe::Ready(a, _) => a.describe(),
                    Probe::Unavailable(_) => t_string!(i18n, mlp.gpu_none).to_string(),
                }}</span></dd></div>
                <div><dt>{t!(i18n, mlp.gpu_kernels)}</dt><dd><span data-testid="gpu-kernels">{move || match probe.get() {
                    Probe::Ready(_, k) => k.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "),
                    _ => "—".to_string(),
                }}</span></dd></div>
            </dl>
            {move || match probe.get() {
                Probe::Unavailable(e) => Some(view! {
                    <p class="notice" role="status" data-testid="gpu-unavailable">{match e {
                        None => t_string!(i18n, mlp.gpu_no_adapter).to_string(),
                        Some(e) => e,
                    }}</p>
                }),
                _ => None,
            }}
            <button type="button" data-testid="run-gpu" on:click=start
                disabled=move || !(ready() && has_model()) || run.with(|r| matches!(r, RunState::Running))>
                {t!(i18n, mlp.gpu_run)}
            </button>
            {move || match run.get() {
                RunState::Idle => view! {
                    <p class="hint">{move || if has_model() {
                        t_string!(i18n, mlp.gpu_hint)
                    } else {
                        t_string!(i18n, mlp.train_first)
                    }}</p>
                }.into_any(),
                RunState::Running => view! { <p class="hint" data-testid="gpu-status">{t!(i18n, mlp.gpu_running)}</p> }.into_any(),
                RunState::Failed(e) => view! { <p class="error" role="alert" data-testid="gpu-error">{e}</p> }.into_any(),
                RunState::Done(r) => {
                    let total: usize = r.kernels.iter().map(|k| k.mismatches).sum();
                    let compared: usize = r.kernels.iter().map(|k| k.compared).sum();
                    let cpu = r.cpu_int8;
                    view! {
                        <dl class="readouts">
                            <div><dt>{t!(i18n, mlp.gpu_mismatch)}</dt><dd>
                                {number_span("gpu-cpu-mismatches", move || total.to_string())}
                                {t!(i18n, mlp.of)}{number_span("gpu-compared", move || compared.to_string())}</dd></div>
                        </dl>
                        <table class="mem-table" data-testid="gpu-table">
                            <thead><tr><th>{t!(i18n, mlp.col_path)}</th><th>{t!(i18n, mlp.col_samples_s)}</th><th>{t!(i18n, mlp.col_x_cpu_int8)}</th>
                                <th>{t!(i18n, mlp.col_accuracy_pct)}</th><th>{t!(i18n, mlp.col_mismatches)}</th></tr></thead>
                            <tbody>
                                <tr><th>{t!(i18n, mlp.gpu_path_cpu)}</th>
                                    {num_td(Some("tp-gpu-cpu-int8".into()), fixed(cpu, 0), i18n)}<td class="num">"1"</td><td></td><td></td></tr>
                                {r.kernels.iter().map(|k| {
                                    let id = k.kernel.id();
                                    view! {
                                        <tr><th>{super::words::fill(t_string!(i18n, mlp.gpu_path_kernel), &[("kernel", &(k.kernel.label()))])}</th>
                                            {num_td(Some(format!("tp-gpu-{id}")), fixed(k.samples_per_s, 0), i18n)}
                                            {num_td(None, fixed(k.samples_per_s / cpu.max(1e-9), 2), i18n)}
                                            {num_td(Some(format!("gpu-acc-{id}")), fixed(k.accuracy, 2), i18n)}
                                            {num_td(Some(format!("gpu-mismatches-{id}")), k.mismatches.to_string(), i18n)}</tr>
                                    }
                                }).collect_view()}
                            </tbody>
                            <caption>{super::words::fill(t_string!(i18n, mlp.gpu_caption), &[("n", &(localize(&r.samples.to_string(), i18n.get_locale()))), ("ms", &MIN_MS)])}</caption>
                        </table>
                    }.into_any()
                }
            }}
        </div>
    }
}
