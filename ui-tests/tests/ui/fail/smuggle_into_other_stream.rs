// A macro that moves a `yield_!` into an `async` block, which another
// generator then awaits: the yield would be polled by the other one.
use cogen::{async_generator, yield_, Stream};
use std::future::Future;
use std::pin::Pin;

macro_rules! detach {
    ($e:expr) => {
        Box::pin(async move {
            $e;
        })
    };
}

#[async_generator]
fn awaits<'a>(f: Pin<Box<dyn Future<Output = ()> + 'a>>) -> impl Stream<Item = String> + 'a {
    f.await;
    yield_!(String::new());
}

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    let _other = awaits(detach!(yield_!(1)));
}

fn main() {
    let _ = g();
}
