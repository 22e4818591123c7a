// In an async generator with `defer!`, `.await` is rewritten to give up when
// the generator is closed; that rewrite uses the generator's handle too, so
// a macro moving an `.await` into an `async` block must not get it.
use cogen::{async_generator, defer, yield_, Stream};

macro_rules! detach {
    ($e:expr) => {
        async move { $e }
    };
}

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    defer! {}
    let _f = detach!(std::future::ready(1).await);
    yield_!(1);
}

fn main() {
    let _ = g();
}
