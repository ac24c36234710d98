#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| quantlab_fuzz::url_state(data));
