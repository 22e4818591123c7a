//! The shared test, against this edition's build of the shared generators.
use cogen_edition_2024 as cogen_edition;

include!("../../shared/edition_test.rs");
