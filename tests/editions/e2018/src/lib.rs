//! A user crate on edition 2018: the generators of `../shared/lib.rs`, compiled
//! as edition 2018 code, with every warning denied.
#![deny(warnings)]

include!("../../shared/lib.rs");
