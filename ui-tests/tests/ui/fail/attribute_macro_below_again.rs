// An attribute macro that, moved above `#[generator]`, puts an attribute
// macro below it again, to receive cogen's expansion after all.
use cogen::{generator, yield_};

#[generator]
#[attack_macros::below_again]
fn g() -> impl Iterator<Item = u32> {
    yield_!(1);
}

fn main() {
    let _ = g();
}
