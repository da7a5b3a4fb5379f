//! Detectors: targets, selections and the signal yields they collect; emulsion boxes near a
//! collider and their acceptance.

pub mod emulsion;
pub mod thick_target;
pub mod yields;
