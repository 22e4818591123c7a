// Issue 13's reproducer: a macro that strips the guard it is handed and
// moves the rest into an `async` block polled by another generator. cogen
// hands it only a call of its own macro, which expands inside the `async`
// block and cannot reach the generator's body from there.
use cogen::{async_generator, yield_, Stream};
use std::future::Future;
use std::pin::{pin, Pin};

macro_rules! strip_guard {
    ({ $u:ident ! $ua:tt ; if false $g:block $($rest:tt)* }) => { async { $($rest)* } };
    ($($t:tt)*) => { async { $($t)* } };
}

#[async_generator]
fn inner<'a>(f: Pin<Box<dyn Future<Output = ()> + 'a>>) -> impl Stream<Item = Box<i32>> + 'a {
    yield_!(Box::new(12345));
    f.await;
}

#[async_generator]
fn outer() -> impl Stream<Item = usize> {
    let y = strip_guard!(yield_!(42_usize));
    let mut s = pin!(inner(Box::pin(y)));
    while let Some(b) = std::future::poll_fn(|cx| s.as_mut().poll_next(cx)).await {
        yield_!(*b as usize);
    }
}

fn main() {
    let _ = outer();
}
