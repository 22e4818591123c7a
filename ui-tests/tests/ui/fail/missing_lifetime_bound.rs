// Edition 2021: an `impl Trait` return type captures no elided lifetime
// unless the signature says so.
use cogen::{generator, yield_};

#[generator]
fn lengths(input: &str) -> impl Iterator<Item = usize> {
    for w in input.split(' ') {
        yield_!(w.len());
    }
}

fn main() {
    let _ = lengths("a b");
}
