//! darksens: expected limits on light dark matter from thick-target and collider searches.
#![doc = "See README.md for the command-line tool."]
#![allow(
    clippy::result_large_err,
    reason = "scenario errors are built once per run on the input path and carry file, line, key and hint; boxing them would only obscure the fields"
)]

pub mod assets;
pub mod backgrounds;
pub mod detectors;
pub mod digest;
pub mod error;
pub mod files;
pub mod limits;
pub mod materials;
pub mod models;
pub mod numerics;
pub mod output;
pub mod pipeline;
pub mod processes;
pub mod published;
pub mod reproduce;
pub mod scenario;
pub mod showers;
pub mod signal;
pub mod sources;
pub mod units;
