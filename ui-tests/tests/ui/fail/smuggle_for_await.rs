// `#[for_await]` with `defer!`: its awaits are rewritten like `.await`'s.
use cogen::{async_generator, defer, yield_, Stream};

#[async_generator]
fn two() -> impl Stream<Item = u32> {
    yield_!(1);
    yield_!(2);
}

macro_rules! detach {
    ($($t:tt)*) => {
        async move { $($t)* }
    };
}

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    defer! {}
    let _f = detach!({
        #[for_await]
        for _x in two() {}
    });
    yield_!(1);
}

fn main() {
    let _ = g();
}
