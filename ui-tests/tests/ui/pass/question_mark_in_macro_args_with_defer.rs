#![deny(warnings)]

// Inside a block with `defer!`, a `?` in another macro's arguments is fine
// when those arguments parse as expressions: it runs the cleanup first.
use cogen::{defer, generator, yield_, Generator, GeneratorState};
use std::cell::Cell;
use std::pin::pin;

#[generator]
fn g(
    cleaned: &Cell<bool>,
    x: Option<u32>,
) -> impl Generator<Yield = u32, Return = Option<()>> + '_ {
    defer! { cleaned.set(true); }
    if matches!(x?, 1) {
        yield_!(1);
    }
    let v = vec![x?, 2];
    yield_!(v.len() as u32);
    Some(())
}

fn main() {
    let cleaned = Cell::new(false);
    let mut gen = pin!(g(&cleaned, None));
    assert_eq!(gen.as_mut().resume(()), GeneratorState::Complete(None));
    assert!(cleaned.get());
}
