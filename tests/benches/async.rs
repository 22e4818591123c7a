//! Async generators: cogen's `Stream` against a hand-written `Stream` and
//! peer crates.
//!
//! ```text
//! cargo bench -p cogen-tests --bench async
//! cargo +nightly bench -p cogen-tests --bench async --features nightly   # adds futures-async-stream
//! ```
//!
//! Every stream is drained the same way: `futures::executor::block_on` around
//! a `StreamExt::next` loop, adding each item through `black_box`.
//!
//! * `async_count`: yields `0..N` with nothing to wait for.
//! * `suspend`: before each item the body awaits a [`Tick`]: a future that is
//!   ready at once, except before every 64th item, where it wakes its own
//!   task and returns `Pending` once. So every column goes back to the
//!   executor N / 64 times, as a stream reading from a buffered source would.
#![cfg_attr(feature = "nightly", feature(coroutines, proc_macro_hygiene))]

use std::future::Future;
use std::hint::black_box;
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::executor::block_on;
use futures::{Stream, StreamExt};

const N: u64 = 10_000;

thread_local! {
    /// How many times a [`Tick`] returned `Pending`, to check every column
    /// really suspends.
    static PENDINGS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
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
fn drain(s: impl Stream<Item = u64>) -> u64 {
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

mod hand {
    use super::{tick, Tick};
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

mod unfold {
    use super::tick;
    use futures::Stream;

    pub fn count(n: u64) -> impl Stream<Item = u64> {
        futures::stream::unfold(0, move |i| async move {
            if i < n {
                Some((i, i + 1))
            } else {
                None
            }
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

mod cogen_stream {
    use super::tick;
    use cogen::{async_generator, yield_, Stream};

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

// ---------------------------------------------------------------- async-stream

mod as_ {
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
mod ga {
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

// ---------------------------------------------------------------- futures-async-stream (nightly)

// Out of line: `yield` is feature-gated while parsing, so it may not appear
// in this file even behind a `cfg`.
#[cfg(feature = "nightly")]
#[path = "nightly/futures_async_stream.rs"]
mod fas;

// ---------------------------------------------------------------- groups

/// The columns of one group: `$body` names the body (`count` or `suspend`),
/// `$ga` and `$ga_rc` genawaiter's producers of it.
macro_rules! columns {
    ($c:expr, $group:literal, $body:ident, $ga:ident, $ga_rc:ident) => {{
        let mut g = $c.benchmark_group($group);
        g.throughput(Throughput::Elements(N));
        g.bench_function("hand-written", |b| {
            b.iter(|| drain(hand::$body(black_box(N))))
        });
        g.bench_function("futures unfold", |b| {
            b.iter(|| drain(unfold::$body(black_box(N))))
        });
        g.bench_function("cogen Stream", |b| {
            b.iter(|| drain(cogen_stream::$body(black_box(N))))
        });
        g.bench_function("async-stream", |b| {
            b.iter(|| drain(as_::$body(black_box(N))))
        });
        g.bench_function("genawaiter stack", |b| {
            b.iter(|| {
                let n = black_box(N);
                genawaiter::stack::let_gen_using!(gen, |co| ga::$ga(co, n));
                drain(gen)
            })
        });
        g.bench_function("genawaiter rc", |b| {
            b.iter(|| {
                let n = black_box(N);
                drain(genawaiter::rc::Gen::new(|co| ga::$ga_rc(co, n)))
            })
        });
        #[cfg(feature = "nightly")]
        g.bench_function("futures-async-stream (nightly)", |b| {
            b.iter(|| drain(fas::$body(black_box(N))))
        });
        g.finish();
    }};
}

/// Every column yields the same items and suspends as often (checked once,
/// outside the timings). `columns` are (name, drain) pairs.
fn check(body: &str, pendings: u64, columns: &[(&str, &dyn Fn() -> u64)]) {
    let expected: u64 = (0..N).sum();
    for (name, run) in columns {
        let before = PENDINGS.with(|p| p.get());
        assert_eq!(run(), expected, "{body}: {name} yields something else");
        let after = PENDINGS.with(|p| p.get());
        assert_eq!(
            after - before,
            pendings,
            "{body}: {name} suspends differently"
        );
    }
}

fn async_count(c: &mut Criterion) {
    check(
        "count",
        0,
        &[
            ("hand-written", &|| drain(hand::count(N))),
            ("unfold", &|| drain(unfold::count(N))),
            ("cogen", &|| drain(cogen_stream::count(N))),
            ("async-stream", &|| drain(as_::count(N))),
            ("genawaiter stack", &|| {
                genawaiter::stack::let_gen_using!(gen, |co| ga::count(co, N));
                drain(gen)
            }),
            ("genawaiter rc", &|| {
                drain(genawaiter::rc::Gen::new(|co| ga::count_rc(co, N)))
            }),
            #[cfg(feature = "nightly")]
            ("futures-async-stream", &|| drain(fas::count(N))),
        ],
    );
    columns!(c, "async_count", count, count, count_rc);
}

fn suspend(c: &mut Criterion) {
    check(
        "suspend",
        N / 64,
        &[
            ("hand-written", &|| drain(hand::suspend(N))),
            ("unfold", &|| drain(unfold::suspend(N))),
            ("cogen", &|| drain(cogen_stream::suspend(N))),
            ("async-stream", &|| drain(as_::suspend(N))),
            ("genawaiter stack", &|| {
                genawaiter::stack::let_gen_using!(gen, |co| ga::suspend(co, N));
                drain(gen)
            }),
            ("genawaiter rc", &|| {
                drain(genawaiter::rc::Gen::new(|co| ga::suspend_rc(co, N)))
            }),
            #[cfg(feature = "nightly")]
            ("futures-async-stream", &|| drain(fas::suspend(N))),
        ],
    );
    columns!(c, "suspend", suspend, suspend, suspend_rc);
}

criterion_group!(benches, async_count, suspend);
criterion_main!(benches);
