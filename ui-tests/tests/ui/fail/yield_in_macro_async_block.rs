use cogen::{generator, yield_};

macro_rules! wrap {
    ($e:expr) => {
        async { $e }
    };
}

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let _f = wrap!(yield_!(1));
}

fn main() {
    let _ = g();
}
