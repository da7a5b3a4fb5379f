//! Electromagnetic showers in the target: positron track lengths and photon punch-through.

pub mod pair_positrons;
pub mod punch_through;
pub mod track_length;
