//! Runs the trybuild cases. `TRYBUILD=overwrite` rewrites the `.stderr` files.

#[test]
fn fail() {
    trybuild::TestCases::new().compile_fail("tests/ui/fail/*.rs");
}

#[test]
fn pass() {
    trybuild::TestCases::new().pass("tests/ui/pass/*.rs");
}
