//! Production processes of the mediator: in the target (annihilation, bremsstrahlung; the flux
//! the resonance sees with bound, moving electrons in `effective_flux`) and in the collisions of
//! an `e+ e-` collider (`collider_production`); the radiation of the pair before it annihilates
//! (`initial_state_radiation`).

pub mod annihilation;
pub mod bremsstrahlung;
pub mod collider_production;
pub mod effective_flux;
pub mod initial_state_radiation;
pub mod line_shape;
