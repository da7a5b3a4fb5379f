//! Checkpoint and shard files (JSON lines) on arbitrary bytes: their contents or an error, never
//! a panic; the damaged lines it lists are real line numbers after the first, in order.
#![no_main]

use darksens::output::checkpoint::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(contents) = parse(data, "fuzz.checkpoint.jsonl") else {
        return;
    };
    let lines = data.split(|b| *b == b'\n').count();
    assert!(contents.damaged_lines.windows(2).all(|w| w[0] < w[1]));
    assert!(
        contents
            .damaged_lines
            .iter()
            .all(|&line| line >= 2 && line <= lines),
        "{:?} in {lines} lines",
        contents.damaged_lines
    );
});
