use cogen::{generator, yield_};

macro_rules! later {
    ($e:expr) => {
        || $e
    };
}

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let _f = later!(yield_!(1));
}

fn main() {
    let _ = g();
}
