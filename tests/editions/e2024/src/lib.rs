//! A user crate on edition 2024: the generators of `../shared/lib.rs`, compiled
//! as edition 2024 code, with every warning denied.
#![deny(warnings)]

include!("../../shared/lib.rs");
