//! The shared test, against this edition's build of the shared generators.
use cogen_edition_2018 as cogen_edition;

include!("../../shared/edition_test.rs");
