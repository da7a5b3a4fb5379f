//! Production processes of the mediator: in the target (annihilation, bremsstrahlung) and in
//! the collisions of an `e+ e-` collider (`collider_production`).

pub mod annihilation;
pub mod bremsstrahlung;
pub mod collider_production;
