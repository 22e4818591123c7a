//! The `recursion` bench's columns: the chain and the tree walk once per
//! peer, and the consumers that drain them.
//!
//! `chain(n)` delegates to `chain(n - 1)` and then yields `n`, so it yields
//! `0..=n` and its first item comes out through `n` levels of delegation.
//! `walk(t)` is an in-order traversal of a binary tree, recursing into both
//! children.

use std::hint::black_box;
use std::pin::Pin;

use futures::{Stream, StreamExt};

// ---------------------------------------------------------------- consumers

/// Sums an iterator, one `black_box` per item.
#[inline(always)]
pub fn sum_iter<T: Into<u64>>(it: impl IntoIterator<Item = T>) -> u64 {
    let mut sum = 0u64;
    for x in it {
        sum = sum.wrapping_add(black_box(x.into()));
    }
    sum
}

/// Sums a stream with `futures::executor::block_on` and `StreamExt::next`,
/// one `black_box` per item.
#[inline(always)]
pub fn sum_stream<T: Into<u64>, S: Stream<Item = T> + ?Sized>(s: Pin<&mut S>) -> u64 {
    futures::executor::block_on(async {
        let mut s = s;
        let mut sum = 0u64;
        while let Some(x) = s.next().await {
            sum = sum.wrapping_add(black_box(x.into()));
        }
        sum
    })
}

/// The first item of a stream, with `block_on` (the drain-only setup).
pub fn first_of_stream<T, S: Stream<Item = T> + ?Sized>(mut s: Pin<&mut S>) -> Option<T> {
    futures::executor::block_on(s.next())
}

// ---------------------------------------------------------------- the tree

pub use cogen_tests::tree::{Tree, balanced};

// ---------------------------------------------------------------- hand-written

pub mod hand {
    use super::Tree;

    /// `0..=n`: what `chain(n)` yields, written without recursion.
    pub struct Chain {
        i: u64,
        n: u64,
        done: bool,
    }

    pub fn chain(n: u64) -> Chain {
        Chain {
            i: 0,
            n,
            done: false,
        }
    }

    impl Iterator for Chain {
        type Item = u64;

        #[inline]
        fn next(&mut self) -> Option<u64> {
            if self.done {
                return None;
            }
            let i = self.i;
            if i == self.n {
                self.done = true;
            } else {
                self.i += 1;
            }
            Some(i)
        }
    }

    /// In-order traversal with an explicit stack of the nodes whose left
    /// subtree is being walked.
    pub struct Walk<'a> {
        stack: Vec<&'a Tree>,
        next: Option<&'a Tree>,
    }

    pub fn walk(t: &Tree) -> Walk<'_> {
        Walk {
            stack: Vec::new(),
            next: Some(t),
        }
    }

    impl<'a> Iterator for Walk<'a> {
        type Item = u32;

        #[inline]
        fn next(&mut self) -> Option<u32> {
            while let Some(t) = self.next {
                self.stack.push(t);
                self.next = t.left.as_deref();
            }
            let t = self.stack.pop()?;
            self.next = t.right.as_deref();
            Some(t.value)
        }
    }
}

// ---------------------------------------------------------------- cogen

/// The `impl Iterator` form boxes its own state, so it recurses as is.
pub mod cogen_iter {
    use super::Tree;
    use cogen::{generator, yield_, yield_from};

    #[generator]
    pub fn chain(n: u64) -> impl Iterator<Item = u64> {
        if n > 0 {
            yield_from!(chain(n - 1));
        }
        yield_!(n);
    }

    #[generator]
    pub fn walk(t: &Tree) -> impl Iterator<Item = u32> + '_ {
        if let Some(l) = &t.left {
            yield_from!(walk(l));
        }
        yield_!(t.value);
        if let Some(r) = &t.right {
            yield_from!(walk(r));
        }
    }
}

/// The `impl Stream` form keeps its state inline: a recursive call is boxed.
pub mod cogen_stream {
    use super::Tree;
    use cogen::{Stream, async_generator, yield_, yield_from};

    #[async_generator]
    pub fn chain(n: u64) -> impl Stream<Item = u64> {
        if n > 0 {
            yield_from!(Box::pin(chain(n - 1)));
        }
        yield_!(n);
    }

    #[async_generator]
    pub fn walk(t: &Tree) -> impl Stream<Item = u32> + '_ {
        if let Some(l) = &t.left {
            yield_from!(Box::pin(walk(l)));
        }
        yield_!(t.value);
        if let Some(r) = &t.right {
            yield_from!(Box::pin(walk(r)));
        }
    }
}

// ---------------------------------------------------------------- genawaiter

/// genawaiter has no delegation: each level re-yields its child's items.
/// The recursive producer future is boxed (its type would be infinite).
pub mod ga {
    use super::Tree;
    use genawaiter::rc::{Co, Gen};
    use std::future::Future;
    use std::pin::Pin;

    pub type Boxed<'a, T> = Gen<T, (), Pin<Box<dyn Future<Output = ()> + 'a>>>;

    pub fn chain(n: u64) -> Boxed<'static, u64> {
        Gen::new(move |co: Co<u64>| {
            Box::pin(async move {
                if n > 0 {
                    for x in chain(n - 1) {
                        co.yield_(x).await;
                    }
                }
                co.yield_(n).await;
            }) as Pin<Box<dyn Future<Output = ()>>>
        })
    }

    pub fn walk(t: &Tree) -> Boxed<'_, u32> {
        Gen::new(move |co: Co<u32>| {
            Box::pin(async move {
                if let Some(l) = &t.left {
                    for x in walk(l) {
                        co.yield_(x).await;
                    }
                }
                co.yield_(t.value).await;
                if let Some(r) = &t.right {
                    for x in walk(r) {
                        co.yield_(x).await;
                    }
                }
            }) as Pin<Box<dyn Future<Output = ()> + '_>>
        })
    }
}

// ---------------------------------------------------------------- next-gen

/// next-gen has no delegation either: each level re-yields, and the
/// recursive generator is boxed and type-erased (`call_boxed`).
pub mod ng {
    use super::Tree;
    use next_gen::prelude::*;
    use std::pin::Pin;

    pub type Boxed<'a, T> = Pin<Box<dyn Generator<(), Yield = T, Return = ()> + 'a>>;

    #[generator(yield(u64))]
    fn chain_body(n: u64) {
        if n > 0 {
            for x in chain(n - 1) {
                yield_!(x);
            }
        }
        yield_!(n);
    }

    pub fn chain(n: u64) -> Boxed<'static, u64> {
        chain_body.call_boxed((n,))
    }

    #[generator(yield(u32))]
    fn walk_body(t: &Tree) {
        if let Some(l) = &t.left {
            for x in walk(l) {
                yield_!(x);
            }
        }
        yield_!(t.value);
        if let Some(r) = &t.right {
            for x in walk(r) {
                yield_!(x);
            }
        }
    }

    pub fn walk(t: &Tree) -> Boxed<'_, u32> {
        walk_body.call_boxed((t,))
    }
}

// ---------------------------------------------------------------- async-stream

/// async-stream has no delegation: each level re-yields, and the recursive
/// stream is boxed.
pub mod as_ {
    use super::Tree;
    use futures::{Stream, StreamExt};
    use std::pin::Pin;

    pub type Boxed<'a, T> = Pin<Box<dyn Stream<Item = T> + 'a>>;

    pub fn chain(n: u64) -> Boxed<'static, u64> {
        Box::pin(async_stream::stream! {
            if n > 0 {
                let mut inner = chain(n - 1);
                while let Some(x) = inner.next().await {
                    yield x;
                }
            }
            yield n;
        })
    }

    pub fn walk(t: &Tree) -> Boxed<'_, u32> {
        Box::pin(async_stream::stream! {
            if let Some(l) = &t.left {
                let mut inner = walk(l);
                while let Some(x) = inner.next().await {
                    yield x;
                }
            }
            yield t.value;
            if let Some(r) = &t.right {
                let mut inner = walk(r);
                while let Some(x) = inner.next().await {
                    yield x;
                }
            }
        })
    }
}
