//! Replays every committed corpus (`fuzz/corpus/<target>/*`) through its target: what the
//! fuzzer found once must keep passing, on stable, in seconds.

use std::path::PathBuf;

#[test]
fn every_corpus_file_passes_its_target() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut total = 0;
    for (name, run) in quantlab_fuzz::TARGETS {
        let dir = root.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            panic!("no corpus for target {name} in {}", dir.display());
        };
        let mut n = 0;
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            run(&bytes);
            n += 1;
        }
        assert!(n > 0, "the corpus of {name} is empty");
        total += n;
    }
    println!("{total} corpus files replayed");
}
