//! Compile-fail and compile-pass cases for cogen's macros, run by trybuild.
//!
//! The cases live in `tests/ui/fail` (each with the `.stderr` users see) and
//! `tests/ui/pass`; `tests/ui.rs` runs them. Regenerate the expected output
//! with `TRYBUILD=overwrite cargo test -p cogen-ui-tests` and read every
//! changed `.stderr` before committing it.
