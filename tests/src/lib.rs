//! Integration tests, benchmarks and examples for cogen live in this package.
