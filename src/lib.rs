//! darksens: expected limits on light dark matter from thick-target and collider searches.
#![doc = "See README.md for the command-line tool."]

pub mod detectors;
pub mod materials;
pub mod models;
pub mod numerics;
pub mod processes;
pub mod showers;
pub mod sources;
pub mod units;
