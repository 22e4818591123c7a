// A macro that writes another generator around a `yield_!` of this one.
use cogen::{generator, yield_};

macro_rules! other_generator {
    ($e:expr) => {{
        #[generator]
        fn other() -> impl Iterator<Item = u32> {
            $e;
        }
        other()
    }};
}

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let _other = other_generator!(yield_!(1));
}

fn main() {
    let _ = g();
}
