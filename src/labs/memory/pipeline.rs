//! The pure computation behind the Memory lab: state → model → itemised answer, GPU fit,
//! max context.

use quantlab_core::memory::{
    GpuFit, GpuSpec, ItemKind, MaxContext, MemoryBreakdown, ModelSpec, ParameterBreakdown,
    gpu_fits, gpu_presets, inference_memory, max_context, training_memory,
};

use super::state::{LabMode, MemoryLabState};

/// Everything the page shows for one state.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryAnswer {
    /// The model.
    pub model: ModelSpec,
    /// Its parameter count, itemised.
    pub params: ParameterBreakdown,
    /// The itemised memory.
    pub breakdown: MemoryBreakdown,
    /// Inference or training.
    pub mode: LabMode,
    /// Each GPU preset: fits on one? how many?
    pub fits: Vec<GpuFit>,
    /// The GPU chosen for the context answer.
    pub gpu: GpuSpec,
    /// How many of it are counted (1 for Macs).
    pub gpu_count: u64,
    /// Memory of `gpu_count` of them.
    pub available_bytes: u64,
    /// The largest context on that GPU (inference), or why there is none.
    pub max_context: Result<MaxContext, String>,
}

impl MemoryAnswer {
    /// Bytes of the weights (quantized and unquantized parts).
    pub fn weights_bytes(&self) -> u64 {
        self.breakdown.bytes_of(ItemKind::Weights)
            + self.breakdown.bytes_of(ItemKind::UnquantizedWeights)
    }

    /// Bytes of the KV cache; `None` when it cannot be known (a language model given by
    /// parameter count, in inference).
    pub fn kv_bytes(&self) -> Option<u64> {
        let unknown = self.mode == LabMode::Inference
            && self.model.transformer().is_none()
            && self.model.has_kv_cache();
        (!unknown).then(|| self.breakdown.bytes_of(ItemKind::KvCache))
    }

    /// Bytes of the activations; `None` when the model's shapes are unknown.
    pub fn activation_bytes(&self) -> Option<u64> {
        self.model
            .transformer()
            .map(|_| self.breakdown.bytes_of(ItemKind::Activations))
    }
}

/// The whole computation behind the page.
pub fn compute(state: &MemoryLabState) -> Result<MemoryAnswer, String> {
    let model = state.model()?;
    let params = model.parameter_breakdown().map_err(|e| e.to_string())?;
    let inference = state.inference_settings();
    let breakdown = match state.mode {
        LabMode::Inference => inference_memory(&model, &inference),
        LabMode::Training => training_memory(&model, &state.training_settings()?),
    }
    .map_err(|e| e.to_string())?;
    let fits = gpu_fits(breakdown.total_bytes, &gpu_presets()).map_err(|e| e.to_string())?;
    let (gpu, gpu_count, available_bytes) = state.target_gpu();
    let max_context = match state.mode {
        LabMode::Inference => {
            max_context(&model, &inference, available_bytes).map_err(|e| e.to_string())
        }
        LabMode::Training => Err(
            "the largest context is computed for inference (switch the mode to inference)".into(),
        ),
    };
    Ok(MemoryAnswer {
        model,
        params,
        breakdown,
        mode: state.mode,
        fits,
        gpu,
        gpu_count,
        available_bytes,
        max_context,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::memory::state::*;
    use quantlab_core::memory::{
        GIB, GpuPreset, LoraTargets, ModelPreset, WeightFormat, parse_hf_config,
    };
    use quantlab_core::url_state::{from_query, to_query};

    fn gib2(bytes: Option<u64>) -> String {
        format!("{:.2}", bytes.unwrap() as f64 / GIB as f64)
    }

    #[test]
    fn the_default_state_round_trips_through_the_url() {
        let s = MemoryLabState::default();
        let (back, warnings) = from_query::<MemoryLabState>(&to_query(&s));
        assert_eq!(back, s);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_changed_state_round_trips_with_readable_ids() {
        let s = MemoryLabState {
            preset: ModelPreset::Mistral7b,
            mode: LabMode::Training,
            method: Method::Qlora,
            optimizer: Optimizer::Adam8bit,
            weights: WeightFormat::int_grouped(2, 128).unwrap(),
            gpu: GpuPreset::Mac64,
            targets: "q,v".into(),
            overhead: OverheadKind::Percent,
            ..MemoryLabState::default()
        };
        let q = to_query(&s);
        for part in [
            "preset=mistral-7b",
            "gpu=mac-64gb",
            "weights=int2-g128",
            "method=qlora",
            "optimizer=adam8bit",
            "targets=q%2Cv",
        ] {
            assert!(q.contains(part), "{part} not in {q}");
        }
        let (back, warnings) = from_query::<MemoryLabState>(&q);
        assert_eq!(back, s);
        assert!(warnings.is_empty());
    }

    #[test]
    fn bad_link_values_keep_the_defaults_with_warnings() {
        let (s, warnings) =
            from_query::<MemoryLabState>("preset=gpt-9&weights=int9-g64&context=lots&gpu=tpu");
        assert_eq!(s, MemoryLabState::default());
        assert_eq!(warnings.len(), 4, "{warnings:?}");
    }

    #[test]
    fn the_course_kv_cache_figures() {
        let s = MemoryLabState::default();
        let a = compute(&s).unwrap();
        assert_eq!(gib2(a.kv_bytes()), "2.00");
        let s = MemoryLabState {
            preset: ModelPreset::Llama31_8b,
            context: 8192,
            ..MemoryLabState::default()
        };
        let a = compute(&s).unwrap();
        assert_eq!(gib2(a.kv_bytes()), "1.00");
        assert!(a.max_context.unwrap().tokens > 8192);
    }

    #[test]
    fn a_parameter_count_model_has_unknown_kv_and_activations() {
        let s = MemoryLabState {
            source: ModelSource::Params,
            billions: 70.0,
            weights: WeightFormat::Fp32,
            overhead: OverheadKind::None,
            ..MemoryLabState::default()
        };
        let a = compute(&s).unwrap();
        assert_eq!(format!("{:.2}", a.breakdown.total_gib()), "260.77");
        assert_eq!(a.kv_bytes(), None);
        assert_eq!(a.activation_bytes(), None);
        assert!(a.max_context.is_err());
        // LoRA needs shapes: an error message, not a panic.
        let t = MemoryLabState {
            mode: LabMode::Training,
            method: Method::Lora,
            ..s
        };
        assert!(compute(&t).unwrap_err().contains("LoRA"));
    }

    #[test]
    fn entering_the_full_config_starts_from_the_preset() {
        let mut s = MemoryLabState {
            preset: ModelPreset::Llama31_8b,
            ..MemoryLabState::default()
        };
        s.set_source(ModelSource::Config);
        assert_eq!((s.kv_heads, s.vocab, s.max_pos), (8, 128256, 131072));
        let preset = compute(&MemoryLabState {
            preset: ModelPreset::Llama31_8b,
            ..MemoryLabState::default()
        })
        .unwrap();
        let custom = compute(&s).unwrap();
        assert_eq!(preset.breakdown.total_bytes, custom.breakdown.total_bytes);
        assert_eq!(preset.max_context, custom.max_context);
    }

    #[test]
    fn an_upload_fills_the_config_and_a_bad_one_changes_nothing() {
        let mut s = MemoryLabState::default();
        let json = r#"{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4,
            "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 1000,
            "max_position_embeddings": 512, "tie_word_embeddings": true}"#;
        let parsed = parse_hf_config(json).unwrap();
        s.apply_upload(&parsed);
        assert_eq!(s.source, ModelSource::Config);
        assert_eq!(
            (s.layers, s.head_dim, s.max_pos, s.tied),
            (2, 16, 512, true)
        );
        let a = compute(&s).unwrap();
        assert_eq!(a.params.total, parsed.model.parameter_count().unwrap());
        assert!(parse_hf_config("{\"hidden_size\": ").is_err());
    }

    #[test]
    fn targets_parse_and_print() {
        assert_eq!(parse_targets("q, v").unwrap(), LoraTargets::QV);
        assert_eq!(
            targets_to_string(LoraTargets::ATTENTION),
            "q,k,v,o".to_string()
        );
        assert!(parse_targets("q,x").unwrap_err().contains("\"x\""));
        let s = MemoryLabState {
            mode: LabMode::Training,
            method: Method::Lora,
            targets: String::new(),
            ..MemoryLabState::default()
        };
        assert!(compute(&s).unwrap_err().contains("at least one"));
    }

    #[test]
    fn macs_are_not_combined() {
        let s = MemoryLabState {
            gpu: GpuPreset::Mac16,
            gpus: 4,
            ..MemoryLabState::default()
        };
        let (gpu, n, avail) = s.target_gpu();
        assert_eq!(n, 1);
        assert_eq!(avail, gpu.usable_bytes);
        let s = MemoryLabState {
            gpu: GpuPreset::H100_80gb,
            gpus: 2,
            ..MemoryLabState::default()
        };
        assert_eq!(s.target_gpu().2, 160 * GIB);
    }
}
