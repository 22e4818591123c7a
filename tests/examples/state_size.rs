//! Prints, as a markdown table, the size in bytes of each bench column's
//! generator value (see `benches/sync.rs` and `benches/async.rs`), for the
//! same bodies the benches time.
//!
//! ```text
//! cargo run -p cogen-tests --release --example state_size
//! cargo +nightly run -p cogen-tests --release --example state_size --features nightly
//! ```
//!
//! Where a value is a handle to state kept elsewhere, the state is listed
//! too, as `handle + state`:
//!
//! * cogen's `impl Iterator` form is a `Box` of the machine that the
//!   `impl Generator` form returns unboxed, so its state is measured as the
//!   same body in the `impl Generator` form.
//! * genawaiter's stack generator is a `&mut Gen` to a `Gen` and its
//!   `Shelf` on the caller's stack (state = both); its rc generator boxes
//!   the body's future (and shares an `Rc` airlock with it, not counted).
//! * next-gen's `mk_gen!` pins the `GeneratorFn` on the caller's stack and
//!   hands out a `Pin<&mut _>`.
//!
//! Nightly `gen` blocks are not here: they need the nightly toolchain (see
//! the `sync` bench's nightly columns).
#![cfg_attr(feature = "nightly", feature(coroutines, proc_macro_hygiene))]

use std::future::Future;
use std::mem::size_of_val;
use std::pin::Pin;
use std::task::{Context, Poll};

const N: u64 = 10_000;

/// The `suspend` bench's future: `Pending` once every 64th item.
pub struct Tick {
    pending: bool,
}

pub fn tick(i: u64) -> Tick {
    Tick {
        pending: i % 64 == 63,
    }
}

impl Future for Tick {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.pending {
            self.pending = false;
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

/// The benches' hand-written iterators and streams, as data (only their
/// sizes are used here).
#[allow(dead_code)]
mod hand {
    pub struct Count {
        pub i: u64,
        pub n: u64,
    }

    pub struct Double<'a> {
        pub xs: std::slice::Iter<'a, u64>,
    }

    pub struct OwnVec {
        pub v: Vec<u64>,
        pub i: usize,
    }

    pub struct Suspend {
        pub i: u64,
        pub n: u64,
        pub tick: Option<super::Tick>,
    }
}

mod cogen_bodies {
    use super::tick;
    use cogen::{Generator, Stream, async_generator, generator, yield_};

    #[generator]
    pub fn count_iter(n: u64) -> impl Iterator<Item = u64> {
        for i in 0..n {
            yield_!(i);
        }
    }

    #[generator]
    pub fn count(n: u64) -> impl Generator<Yield = u64, Return = ()> {
        for i in 0..n {
            yield_!(i);
        }
    }

    #[generator]
    pub fn double_iter<'a>(xs: &'a [u64]) -> impl Iterator<Item = u64> + 'a {
        for &x in xs {
            yield_!(x * 2);
        }
    }

    #[generator]
    pub fn double<'a>(xs: &'a [u64]) -> impl Generator<Yield = u64, Return = ()> + 'a {
        for &x in xs {
            yield_!(x * 2);
        }
    }

    #[generator]
    pub fn own_vec_iter(n: u64) -> impl Iterator<Item = u64> {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }

    #[generator]
    pub fn own_vec(n: u64) -> impl Generator<Yield = u64, Return = ()> {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }

    #[async_generator]
    pub fn count_stream(n: u64) -> impl Stream<Item = u64> {
        for i in 0..n {
            yield_!(i);
        }
    }

    #[async_generator]
    pub fn suspend_stream(n: u64) -> impl Stream<Item = u64> {
        for i in 0..n {
            tick(i).await;
            yield_!(i);
        }
    }
}

mod ga {
    use super::tick;
    use genawaiter::{rc, stack};

    pub async fn count(co: stack::Co<'_, u64>, n: u64) {
        for i in 0..n {
            co.yield_(i).await;
        }
    }

    pub async fn double(co: stack::Co<'_, u64>, xs: &[u64]) {
        for &x in xs {
            co.yield_(x * 2).await;
        }
    }

    pub async fn own_vec(co: stack::Co<'_, u64>, n: u64) {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            co.yield_(x).await;
        }
    }

    pub async fn suspend(co: stack::Co<'_, u64>, n: u64) {
        for i in 0..n {
            tick(i).await;
            co.yield_(i).await;
        }
    }

    pub async fn count_rc(co: rc::Co<u64>, n: u64) {
        for i in 0..n {
            co.yield_(i).await;
        }
    }

    pub async fn double_rc(co: rc::Co<u64>, xs: &[u64]) {
        for &x in xs {
            co.yield_(x * 2).await;
        }
    }

    pub async fn own_vec_rc(co: rc::Co<u64>, n: u64) {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            co.yield_(x).await;
        }
    }

    pub async fn suspend_rc(co: rc::Co<u64>, n: u64) {
        for i in 0..n {
            tick(i).await;
            co.yield_(i).await;
        }
    }

    /// `handle + shelf` of a stack generator built from `producer`.
    /// (`let_gen_using!` keeps both the `Gen` and its `Shelf` on the stack.)
    pub fn stack_size<'s, F: std::future::Future<Output = ()> + 's>(
        producer: impl FnOnce(stack::Co<'s, u64>) -> F,
    ) -> String {
        let handle = size_of::<&mut stack::Gen<'s, u64, (), F>>();
        let generator = size_of::<stack::Gen<'s, u64, (), F>>();
        let shelf = size_of::<stack::Shelf<u64, (), F>>();
        drop(producer);
        format!("{handle} + {}", generator + shelf)
    }

    /// `handle + boxed future` of an rc generator built from `producer`.
    pub fn rc_size<F: std::future::Future<Output = ()>>(
        producer: impl FnOnce(rc::Co<u64>) -> F,
    ) -> String {
        let handle = size_of::<rc::Gen<u64, (), F>>();
        let future = size_of::<F>();
        drop(producer);
        format!("{handle} + {future}")
    }

    use std::mem::size_of;
}

mod ng {
    use next_gen::prelude::*;

    #[generator(yield(u64))]
    pub fn count(n: u64) {
        for i in 0..n {
            yield_!(i);
        }
    }

    #[generator(yield(u64))]
    pub fn double(xs: &[u64]) {
        for &x in xs {
            yield_!(x * 2);
        }
    }

    #[generator(yield(u64))]
    pub fn own_vec(n: u64) {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }

    /// `handle + pinned state` of each body.
    pub fn sizes(xs: &[u64]) -> [String; 3] {
        mk_gen!(let a = count(super::N));
        mk_gen!(let b = double(xs));
        mk_gen!(let c = own_vec(super::N));
        let size = |handle: usize, state: usize| format!("{handle} + {state}");
        [
            size(size_of_val(&a), size_of_val(&*a)),
            size(size_of_val(&b), size_of_val(&*b)),
            size(size_of_val(&c), size_of_val(&*c)),
        ]
    }

    use std::mem::size_of_val;
}

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

    pub fn double(xs: &[u64]) -> impl Stream<Item = u64> + '_ {
        async_stream::stream! {
            for &x in xs {
                yield x * 2;
            }
        }
    }

    pub fn own_vec(n: u64) -> impl Stream<Item = u64> {
        async_stream::stream! {
            let v: Vec<u64> = (0..n).collect();
            for x in v.iter().copied() {
                yield x;
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

mod unfold {
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

// The `async` bench's module; `yield` is gated at parse time, hence out of line.
#[cfg(feature = "nightly")]
#[path = "../benches/nightly/futures_async_stream.rs"]
mod fas;

fn main() {
    let data: Vec<u64> = (0..N).collect();
    let xs = &data[..];
    let plus = |handle: usize, state: usize| format!("{handle} + {state}");

    println!("State size in bytes (`handle + state` where the state lives elsewhere).\n");
    println!("| column | count | map_slice | self_borrow |");
    println!("|---|---|---|---|");
    let sync_rows: Vec<(&str, [String; 3])> = vec![
        (
            "hand-written",
            [
                size_of_val(&hand::Count { i: 0, n: N }).to_string(),
                size_of_val(&hand::Double { xs: xs.iter() }).to_string(),
                size_of_val(&hand::OwnVec {
                    v: data.clone(),
                    i: 0,
                })
                .to_string(),
            ],
        ),
        (
            "cogen Iterator (Box + machine)",
            [
                plus(
                    size_of_val(&cogen_bodies::count_iter(N)),
                    size_of_val(&cogen_bodies::count(N)),
                ),
                plus(
                    size_of_val(&cogen_bodies::double_iter(xs)),
                    size_of_val(&cogen_bodies::double(xs)),
                ),
                plus(
                    size_of_val(&cogen_bodies::own_vec_iter(N)),
                    size_of_val(&cogen_bodies::own_vec(N)),
                ),
            ],
        ),
        (
            "cogen Generator",
            [
                size_of_val(&cogen_bodies::count(N)).to_string(),
                size_of_val(&cogen_bodies::double(xs)).to_string(),
                size_of_val(&cogen_bodies::own_vec(N)).to_string(),
            ],
        ),
        (
            "genawaiter stack (&mut Gen + Shelf)",
            [
                ga::stack_size(|co| ga::count(co, N)),
                ga::stack_size(|co| ga::double(co, xs)),
                ga::stack_size(|co| ga::own_vec(co, N)),
            ],
        ),
        (
            "genawaiter rc (Gen + boxed future)",
            [
                ga::rc_size(|co| ga::count_rc(co, N)),
                ga::rc_size(|co| ga::double_rc(co, xs)),
                ga::rc_size(|co| ga::own_vec_rc(co, N)),
            ],
        ),
        ("next-gen (Pin<&mut> + GeneratorFn)", ng::sizes(xs)),
        (
            "async-stream",
            [
                size_of_val(&as_::count(N)).to_string(),
                size_of_val(&as_::double(xs)).to_string(),
                size_of_val(&as_::own_vec(N)).to_string(),
            ],
        ),
    ];
    for (name, [a, b, c]) in &sync_rows {
        println!("| {name} | {a} | {b} | {c} |");
    }

    println!("\n| column | async_count | suspend |");
    println!("|---|---|---|");
    let async_rows: Vec<(&str, [String; 2])> = vec![
        (
            "hand-written",
            [
                size_of_val(&hand::Count { i: 0, n: N }).to_string(),
                size_of_val(&hand::Suspend {
                    i: 0,
                    n: N,
                    tick: None,
                })
                .to_string(),
            ],
        ),
        (
            "futures unfold",
            [
                size_of_val(&unfold::count(N)).to_string(),
                size_of_val(&unfold::suspend(N)).to_string(),
            ],
        ),
        (
            "cogen Stream",
            [
                size_of_val(&cogen_bodies::count_stream(N)).to_string(),
                size_of_val(&cogen_bodies::suspend_stream(N)).to_string(),
            ],
        ),
        (
            "async-stream",
            [
                size_of_val(&as_::count(N)).to_string(),
                size_of_val(&as_::suspend(N)).to_string(),
            ],
        ),
        (
            "genawaiter stack (&mut Gen + Shelf)",
            [
                ga::stack_size(|co| ga::count(co, N)),
                ga::stack_size(|co| ga::suspend(co, N)),
            ],
        ),
        (
            "genawaiter rc (Gen + boxed future)",
            [
                ga::rc_size(|co| ga::count_rc(co, N)),
                ga::rc_size(|co| ga::suspend_rc(co, N)),
            ],
        ),
        #[cfg(feature = "nightly")]
        (
            "futures-async-stream",
            [
                size_of_val(&fas::count(N)).to_string(),
                size_of_val(&fas::suspend(N)).to_string(),
            ],
        ),
    ];
    for (name, [a, b]) in &async_rows {
        println!("| {name} | {a} | {b} |");
    }
}
