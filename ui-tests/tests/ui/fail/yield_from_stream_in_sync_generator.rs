use cogen::{generator, yield_from, Stream};
use std::pin::Pin;
use std::task::{Context, Poll};

struct Ticks;

impl Stream for Ticks {
    type Item = u32;
    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
        Poll::Ready(None)
    }
}

// A sync generator cannot wait for a stream.
#[generator]
fn g() -> impl Iterator<Item = u32> {
    yield_from!(Ticks);
}

fn main() {
    let _ = g();
}
