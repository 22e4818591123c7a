// A macro that moves a `yield_!` into an `async` closure.
use cogen::{async_generator, yield_, Stream};

macro_rules! later {
    ($e:expr) => {
        async || $e
    };
}

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    let _f = later!(yield_!(1));
}

fn main() {
    let _ = g();
}
