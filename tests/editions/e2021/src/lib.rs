//! A user crate on edition 2021: the generators of `../shared/lib.rs`, compiled
//! as edition 2021 code, with every warning denied.
#![deny(warnings)]

include!("../../shared/lib.rs");
