// A borrowed resume type with no input lifetime to take: rustc's E0106,
// once, at the user's `&`, with a suggestion that applies as written (the
// `Delegable` bound the macro adds keeps the type's own spans).
use cogen::{generator, yield_, Generator};

#[generator]
fn parser() -> impl Generator<&[u8], Yield = usize, Return = ()> {
    let mut chunk = yield_!(0);
    while !chunk.is_empty() {
        chunk = yield_!(chunk.len());
    }
}

fn main() {}
