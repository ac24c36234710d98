#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| quantlab_fuzz::drawn(data));
