//! Published limits as data: curves `eps(m)` read from files (`.lmt`, CSV, HEPData tables) and the library of
//! curves with their provenance (`limits/<collection>/<name>.csv` + `.toml`).
//!
//! This module sits low in the stack: it knows files and numbers, not scenarios or searches.

pub mod curve;
pub mod hepdata;
pub mod library;

pub use curve::PublishedLimit;
