//! The `async` bench's columns (also run by the `callgrind` bench): every
//! body once per peer, the [`Tick`] future of the `suspend` bodies, and the
//! consumer that drains them.
#![allow(dead_code)] // each includer uses its own subset

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};

use futures::executor::block_on;
use futures::{Stream, StreamExt};

/// Items per generator.
pub const N: u64 = 10_000;

thread_local! {
    /// How many times a [`Tick`] returned `Pending`, to check every column
    /// really suspends.
    pub static PENDINGS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Awaited before item `i`: `Pending` once (after waking its task) when
/// `i % 64 == 63`, otherwise ready at once.
pub struct Tick {
    pending: bool,
}

#[inline(always)]
pub fn tick(i: u64) -> Tick {
    Tick {
        pending: i % 64 == 63,
    }
}

impl Future for Tick {
    type Output = ();

    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.pending {
            self.pending = false;
            PENDINGS.with(|p| p.set(p.get() + 1));
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

/// Drains a stream on `block_on`, one `black_box` per item.
#[inline(always)]
pub fn drain(s: impl Stream<Item = u64>) -> u64 {
    block_on(async {
        let mut s = pin!(s);
        let mut sum = 0u64;
        while let Some(x) = s.next().await {
            sum = sum.wrapping_add(black_box(x));
        }
        sum
    })
}

// ---------------------------------------------------------------- hand-written

pub mod hand {
    use super::{Tick, tick};
    use futures::Stream;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// `0..n` as a stream.
    pub struct Count {
        i: u64,
        n: u64,
    }

    pub fn count(n: u64) -> Count {
        Count { i: 0, n }
    }

    impl Stream for Count {
        type Item = u64;

        #[inline]
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u64>> {
            if self.i < self.n {
                let i = self.i;
                self.i += 1;
                Poll::Ready(Some(i))
            } else {
                Poll::Ready(None)
            }
        }
    }

    /// `0..n`, awaiting `tick(i)` before yielding `i`: the future is made and
    /// polled for every item, and kept across a `Pending`, as an `async` body
    /// does.
    pub struct Suspend {
        i: u64,
        n: u64,
        tick: Option<Tick>,
    }

    pub fn suspend(n: u64) -> Suspend {
        Suspend {
            i: 0,
            n,
            tick: None,
        }
    }

    impl Stream for Suspend {
        type Item = u64;

        #[inline]
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
            let this = &mut *self;
            if this.i >= this.n {
                return Poll::Ready(None);
            }
            let i = this.i;
            let t = this.tick.get_or_insert_with(|| tick(i));
            // `Tick` is `Unpin`.
            if Pin::new(t).poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.tick = None;
            this.i += 1;
            Poll::Ready(Some(i))
        }
    }
}

// ---------------------------------------------------------------- futures::stream::unfold

pub mod unfold {
    use super::tick;
    use futures::Stream;

    pub fn count(n: u64) -> impl Stream<Item = u64> {
        futures::stream::unfold(0, move |i| async move {
            if i < n { Some((i, i + 1)) } else { None }
        })
    }

    pub fn suspend(n: u64) -> impl Stream<Item = u64> {
        futures::stream::unfold(0, move |i| async move {
            if i < n {
                tick(i).await;
                Some((i, i + 1))
            } else {
                None
            }
        })
    }
}

// ---------------------------------------------------------------- cogen

pub mod cogen_stream {
    use super::tick;
    use cogen::{Stream, async_generator, yield_};

    #[async_generator]
    pub fn count(n: u64) -> impl Stream<Item = u64> {
        for i in 0..n {
            yield_!(i);
        }
    }

    #[async_generator]
    pub fn suspend(n: u64) -> impl Stream<Item = u64> {
        for i in 0..n {
            tick(i).await;
            yield_!(i);
        }
    }
}

/// The same bodies with `boxed`: a `Pin<Box<dyn Stream + Send>>`.
pub mod cogen_boxed {
    use super::tick;
    use cogen::{Stream, async_generator, yield_};

    #[async_generator(boxed)]
    pub fn count(n: u64) -> impl Stream<Item = u64> + Send {
        for i in 0..n {
            yield_!(i);
        }
    }

    #[async_generator(boxed)]
    pub fn suspend(n: u64) -> impl Stream<Item = u64> + Send {
        for i in 0..n {
            tick(i).await;
            yield_!(i);
        }
    }
}

// ---------------------------------------------------------------- async-stream

pub mod as_ {
    use super::tick;
    use futures::Stream;

    pub fn count(n: u64) -> impl Stream<Item = u64> {
        async_stream::stream! {
            for i in 0..n {
                yield i;
            }
        }
    }

    pub fn suspend(n: u64) -> impl Stream<Item = u64> {
        async_stream::stream! {
            for i in 0..n {
                tick(i).await;
                yield i;
            }
        }
    }
}

// ---------------------------------------------------------------- genawaiter

/// genawaiter's generators are `Stream`s with its `futures03` feature; the
/// stack one lives in a `let_gen_using!` scope, so it is drained inside it.
pub mod ga {
    use super::tick;

    pub async fn count(co: genawaiter::stack::Co<'_, u64>, n: u64) {
        for i in 0..n {
            co.yield_(i).await;
        }
    }

    pub async fn suspend(co: genawaiter::stack::Co<'_, u64>, n: u64) {
        for i in 0..n {
            tick(i).await;
            co.yield_(i).await;
        }
    }

    pub async fn count_rc(co: genawaiter::rc::Co<u64>, n: u64) {
        for i in 0..n {
            co.yield_(i).await;
        }
    }

    pub async fn suspend_rc(co: genawaiter::rc::Co<u64>, n: u64) {
        for i in 0..n {
            tick(i).await;
            co.yield_(i).await;
        }
    }
}
