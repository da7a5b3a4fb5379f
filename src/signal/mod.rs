//! Signal yields: what a detector collects from a source through the physics.
//!
//! - [`thick_target`]: annihilation and bremsstrahlung yields per `eps^2` of positrons (or
//!   electrons) entering a thick target [DPT Eq. 4.4-4.7, C.1-C.2], with the tables they need.
//! - [`emulsion`]: signal events of emulsion boxes near an `e+ e-` collider [EMU Eq. 20-21].
pub mod emulsion;
pub mod thick_target;
