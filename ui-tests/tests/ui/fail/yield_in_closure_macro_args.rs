// A `yield_!` inside another macro's arguments inside a closure: reported as
// it is outside macros (it used to become a silent `unreachable!()`).
use cogen::{generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let f = || vec![yield_!(1)];
    let _ = f;
}

fn main() {
    let _ = g();
}
