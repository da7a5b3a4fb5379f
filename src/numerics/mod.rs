//! Numerical building blocks: quadrature with error estimates, tables, divided differences,
//! convolution by FFT.

pub mod chebyshev;
pub mod convolution;
pub mod divided_difference;
pub mod log_panels;
pub mod moments;
pub mod product;
pub mod quadrature;
pub mod table;
pub mod vegas;
