//! Compile errors that only a crate without cogen's `alloc` feature sees.
//! `TRYBUILD=overwrite` rewrites the `.stderr` files.

#[test]
fn fail() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
