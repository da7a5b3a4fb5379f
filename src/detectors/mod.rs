//! Detectors as geometry and selection: the missing-energy window of a thick target, and
//! emulsion boxes near a collider. What they collect is computed in [`crate::signal`].

pub mod emulsion;
pub mod thick_target;
