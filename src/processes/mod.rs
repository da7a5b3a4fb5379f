//! Production processes of the mediator in the target.

pub mod annihilation;
pub mod bremsstrahlung;
