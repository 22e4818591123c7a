// `#[tracing::instrument]` would keep its span entered while the generator is
// suspended: refused in plain words, written below the attribute or above it
// (here a stand-in that wraps the body as tracing does).
use cogen::{async_generator, generator, yield_, Stream};

#[generator]
#[tracing::instrument]
fn below(n: u32) -> impl Iterator<Item = u32> {
    yield_!(n);
}

#[attack_macros::instrument_like]
#[async_generator]
fn above(n: u32) -> impl Stream<Item = u32> {
    yield_!(n);
}

fn main() {
    let _ = below(1);
    let _ = above(1);
}
