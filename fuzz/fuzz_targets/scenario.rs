//! Scenario parsing and validation on arbitrary text, with arbitrary `--set` overrides: every
//! input must give a scenario or an error, never a panic, and a scenario that validates must
//! hold only finite numbers in its scan.
#![no_main]

use darksens::scenario::{Override, ScenarioDocument};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Lines starting with "--set " after a "\0" separator are overrides.
    let (scenario, overrides) = text.split_once('\0').unwrap_or((text, ""));
    let overrides: Vec<Override> = overrides
        .lines()
        .filter_map(|l| Override::parse(l).ok())
        .collect();
    let Ok(document) =
        ScenarioDocument::from_text(Path::new("fuzz.toml"), scenario.to_string(), &overrides)
    else {
        return;
    };
    if let Ok(curves) = document.curves() {
        for curve in &curves {
            if let Some(scan) = &curve.scenario.scan {
                assert!(scan.values.iter().all(|v| v.is_finite()));
            }
        }
    }
});
