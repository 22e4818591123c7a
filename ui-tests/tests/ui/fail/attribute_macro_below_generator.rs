// An attribute macro below `#[generator]` that moves the body into an
// `async` block (after stripping any guard): cogen expands after it, so it
// moves the user's `yield_!`, and cogen reports that as usual.
use cogen::{generator, yield_};

#[generator]
#[attack_macros::smuggle_into_async]
fn g() -> impl Iterator<Item = u32> {
    yield_!(1);
}

fn main() {
    let _ = g();
}
