//! Detectors: targets, selections and the signal yields they collect.

pub mod thick_target;
pub mod yields;
