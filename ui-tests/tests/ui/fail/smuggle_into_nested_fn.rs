// A macro that moves a `yield_!` into a nested function.
use cogen::{generator, yield_};

macro_rules! in_fn {
    ($e:expr) => {{
        fn f() {
            $e;
        }
        f
    }};
}

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let _f = in_fn!(yield_!(1));
}

fn main() {
    let _ = g();
}
