#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| quantlab_fuzz::hf_config(data));
