//! The matrix's workloads: for each, the hand-written baseline and the
//! generator forms, defined side by side so that both live in the same crate.
//!
//! This file is compiled four times: as `one` and `many` in the library
//! `cogen-bench-gens` (the generator defined in another crate than its
//! consumer) and as `local_one` and `local_many` in the bench (defined in the
//! consuming crate). Each copy's functions are distinct functions with the
//! very same body; `one`'s are drained from one loop, `many`'s from three.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// Returns `Pending` once, waking its own task first.
pub struct YieldNow {
    yielded: bool,
}

/// See [`YieldNow`].
#[inline]
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

impl Future for YieldNow {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// What a real-suspension item awaits: `ready(i)`, after a [`yield_now`]
/// on every 64th item. As a user writes it.
pub async fn step(i: u64) -> u64 {
    if i % 64 == 63 {
        yield_now().await;
    }
    core::future::ready(i).await
}

/// The compiler's own generators for some of the workloads below (feature
/// `nightly`): a file of their own, since their syntax does not parse on
/// stable even where it is configured out.
#[cfg(feature = "nightly")]
#[path = "nightly.rs"]
pub mod nightly;

/// `0..n`.
pub mod count {
    use cogen::{Generator, Stream, generator, yield_};

    /// By hand.
    pub struct Hand {
        i: u64,
        n: u64,
    }

    /// See [`Hand`].
    pub fn hand(n: u64) -> Hand {
        Hand { i: 0, n }
    }

    impl Iterator for Hand {
        type Item = u64;

        #[inline]
        fn next(&mut self) -> Option<u64> {
            if self.i < self.n {
                let i = self.i;
                self.i += 1;
                Some(i)
            } else {
                None
            }
        }
    }

    /// The `impl Iterator` form.
    #[generator]
    pub fn cogen_iter(n: u64) -> impl Iterator<Item = u64> {
        for i in 0..n {
            yield_!(i);
        }
    }

    /// The `impl Generator` form.
    #[generator]
    pub fn cogen_gen(n: u64) -> impl Generator<Yield = u64, Return = ()> {
        for i in 0..n {
            yield_!(i);
        }
    }

    /// A generator block (`iter!`) in a function marked `#[inline]`, as the
    /// docs advise for a library (without it a caller in another crate
    /// cannot inline the block's state machine: 2.71x hand-written on count,
    /// release, other crate, one loop).
    #[inline]
    pub fn cogen_block(n: u64) -> impl Iterator<Item = u64> {
        cogen::iter!({
            for i in 0..n {
                yield_!(i);
            }
        })
    }

    /// Peer: async-stream (drained with a no-op waker).
    pub fn async_stream(n: u64) -> impl Stream<Item = u64> {
        async_stream::stream! {
            for i in 0..n {
                yield i;
            }
        }
    }
}

/// Builds its own `Vec` and yields its elements through `v.iter()`, a
/// borrow of its own local held across yields.
pub mod self_borrow {
    use cogen::{Generator, Stream, generator, yield_};

    /// By hand: a safe iterator cannot hold `v.iter()` next to `v`, so it
    /// keeps an index.
    pub struct Hand {
        v: Vec<u64>,
        i: usize,
    }

    /// See [`Hand`].
    pub fn hand(n: u64) -> Hand {
        Hand {
            v: (0..n).collect(),
            i: 0,
        }
    }

    impl Iterator for Hand {
        type Item = u64;

        #[inline]
        fn next(&mut self) -> Option<u64> {
            let x = *self.v.get(self.i)?;
            self.i += 1;
            Some(x)
        }
    }

    /// The `impl Iterator` form.
    #[generator]
    pub fn cogen_iter(n: u64) -> impl Iterator<Item = u64> {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }

    /// The `impl Generator` form.
    #[generator]
    pub fn cogen_gen(n: u64) -> impl Generator<Yield = u64, Return = ()> {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }

    /// A generator block (`iter!`) in a function marked `#[inline]` (see
    /// `count::cogen_block`).
    #[inline]
    pub fn cogen_block(n: u64) -> impl Iterator<Item = u64> {
        cogen::iter!({
            let v: Vec<u64> = (0..n).collect();
            for x in v.iter().copied() {
                yield_!(x);
            }
        })
    }

    /// Peer: async-stream (drained with a no-op waker).
    pub fn async_stream(n: u64) -> impl Stream<Item = u64> {
        async_stream::stream! {
            let v: Vec<u64> = (0..n).collect();
            for x in v.iter().copied() {
                yield x;
            }
        }
    }
}

/// [`self_borrow`] with cleanup that must run however the generator ends:
/// a `defer!`, against the hand-written iterator's `Drop` impl. A body
/// with `defer!` is closed by resuming it (its cleanup is its own code), so
/// its `poll` has a second caller; the same cleanup as a `Drop` guard
/// local to the body is dropped with it, and adds none.
pub mod cleanup {
    use core::sync::atomic::{AtomicU64, Ordering};

    use cogen::{Generator, Stream, defer, generator, yield_};

    /// How many cleanups ran (read by nobody: it only has to happen).
    pub static CLEANUPS: AtomicU64 = AtomicU64::new(0);

    fn clean_up() {
        CLEANUPS.fetch_add(1, Ordering::Relaxed);
    }

    /// By hand: [`super::self_borrow::Hand`] with a `Drop` impl.
    pub struct Hand(super::self_borrow::Hand);

    /// See [`Hand`].
    pub fn hand(n: u64) -> Hand {
        Hand(super::self_borrow::hand(n))
    }

    impl Iterator for Hand {
        type Item = u64;

        #[inline]
        fn next(&mut self) -> Option<u64> {
            self.0.next()
        }
    }

    impl Drop for Hand {
        fn drop(&mut self) {
            clean_up();
        }
    }

    /// The `impl Iterator` form, with `defer!`.
    #[generator]
    pub fn cogen_iter(n: u64) -> impl Iterator<Item = u64> {
        defer! { clean_up(); }
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }

    /// The `impl Generator` form, with `defer!`.
    #[generator]
    pub fn cogen_gen(n: u64) -> impl Generator<Yield = u64, Return = ()> {
        defer! { clean_up(); }
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }

    /// A `Drop` guard in the body instead of `defer!`.
    struct Guard;

    impl Drop for Guard {
        fn drop(&mut self) {
            clean_up();
        }
    }

    /// The `impl Iterator` form, with a `Drop` guard.
    #[generator]
    pub fn cogen_guard(n: u64) -> impl Iterator<Item = u64> {
        let _guard = Guard;
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }

    /// Peer: async-stream, which has no `defer!`: a `Drop` guard.
    pub fn async_stream(n: u64) -> impl Stream<Item = u64> {
        async_stream::stream! {
            let _guard = Guard;
            let v: Vec<u64> = (0..n).collect();
            for x in v.iter().copied() {
                yield x;
            }
        }
    }
}

/// Flattening borrowed chunks: `yield_from!` of an iterator per chunk,
/// against the standard library's `Flatten` (what a user would write by
/// hand), and the same generator with a `for` loop of `yield_!`s.
pub mod flatten {
    use cogen::{generator, yield_, yield_from};

    /// By hand: `Flatten` over the chunks.
    pub fn hand(chunks: &[Vec<u64>]) -> impl Iterator<Item = u64> + '_ {
        chunks.iter().flatten().copied()
    }

    /// The `impl Iterator` form, with `yield_from!` per chunk.
    #[generator]
    pub fn cogen_iter(chunks: &[Vec<u64>]) -> impl Iterator<Item = u64> + '_ {
        for chunk in chunks {
            yield_from!(chunk.iter().copied());
        }
    }

    /// The same with a `for` loop of `yield_!`s instead of `yield_from!`.
    #[generator]
    pub fn cogen_loop(chunks: &[Vec<u64>]) -> impl Iterator<Item = u64> + '_ {
        for chunk in chunks {
            for x in chunk.iter().copied() {
                yield_!(x);
            }
        }
    }
}

/// `0..n` as a stream, drained on `block_on` with `next().await`.
pub mod async_count {
    use core::pin::Pin;
    use core::task::{Context, Poll};

    use cogen::{Stream, async_generator, yield_};

    /// By hand.
    pub struct Hand {
        i: u64,
        n: u64,
    }

    /// See [`Hand`].
    pub fn hand(n: u64) -> Hand {
        Hand { i: 0, n }
    }

    impl Stream for Hand {
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

    /// The `impl Stream` form.
    #[async_generator]
    pub fn cogen_stream(n: u64) -> impl Stream<Item = u64> {
        for i in 0..n {
            yield_!(i);
        }
    }

    /// A generator block (`stream!`) in a function marked `#[inline]` (see
    /// `count::cogen_block`).
    #[inline]
    pub fn cogen_block(n: u64) -> impl Stream<Item = u64> {
        cogen::stream!({
            for i in 0..n {
                yield_!(i);
            }
        })
    }

    /// Peer: async-stream.
    pub fn async_stream(n: u64) -> impl Stream<Item = u64> {
        async_stream::stream! {
            for i in 0..n {
                yield i;
            }
        }
    }
}

/// Real suspension: each item awaits [`step`] (which awaits
/// `ready(i)`, and every 64th item first a [`yield_now`]).
pub mod suspend {
    use core::pin::Pin;
    use core::task::{Context, Poll};

    use cogen::{Stream, async_generator, yield_};

    /// By hand, as one writes it: `poll_next` produces the item directly
    /// and, every 64th item, wakes itself and returns `Pending` once. No
    /// `async fn` inside.
    pub struct Hand {
        i: u64,
        n: u64,
        waited: bool,
    }

    /// See [`Hand`].
    pub fn hand(n: u64) -> Hand {
        Hand {
            i: 0,
            n,
            waited: false,
        }
    }

    impl Stream for Hand {
        type Item = u64;

        #[inline]
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
            let i = self.i;
            if i >= self.n {
                return Poll::Ready(None);
            }
            if i % 64 == 63 && !self.waited {
                self.waited = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            self.waited = false;
            self.i += 1;
            Poll::Ready(Some(i))
        }
    }

    /// The `impl Stream` form.
    #[async_generator]
    pub fn cogen_stream(n: u64) -> impl Stream<Item = u64> {
        for i in 0..n {
            let x = super::step(i).await;
            yield_!(x);
        }
    }

    /// Peer: async-stream.
    pub fn async_stream(n: u64) -> impl Stream<Item = u64> {
        async_stream::stream! {
            for i in 0..n {
                let x = super::step(i).await;
                yield x;
            }
        }
    }
}

/// In-order walk of a balanced tree: recursion with `yield_from!` against
/// an explicit stack.
pub mod tree {
    use ::cogen_bench_gens::shared::Tree;
    use cogen::{generator, yield_, yield_from};

    /// By hand: an explicit stack of the nodes whose left subtree is being
    /// walked.
    pub struct Hand<'a> {
        stack: Vec<&'a Tree>,
        next: Option<&'a Tree>,
    }

    /// See [`Hand`].
    pub fn hand(t: &Tree) -> Hand<'_> {
        Hand {
            stack: Vec::new(),
            next: Some(t),
        }
    }

    impl Iterator for Hand<'_> {
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

    /// The `impl Iterator` form, recursing as is.
    #[generator]
    pub fn cogen_iter(t: &Tree) -> impl Iterator<Item = u32> + '_ {
        if let Some(l) = &t.left {
            yield_from!(cogen_iter(l));
        }
        yield_!(t.value);
        if let Some(r) = &t.right {
            yield_from!(cogen_iter(r));
        }
    }
}

/// The same walk in the `impl Generator` form (its state is inline, so a
/// recursive call is boxed), driven by `resume`; the baseline is
/// [`tree::Hand`].
pub mod tree_gen {
    use ::cogen_bench_gens::shared::Tree;
    use cogen::{Generator, generator, yield_, yield_from};

    /// The `impl Generator` form.
    #[generator]
    pub fn cogen_gen(t: &Tree) -> impl Generator<Yield = u32, Return = ()> + '_ {
        if let Some(l) = &t.left {
            yield_from!(cogen_gen(l));
        }
        yield_!(t.value);
        if let Some(r) = &t.right {
            yield_from!(cogen_gen(r));
        }
    }
}

/// The same walk as streams: the `impl Stream` form's recursion (a
/// recursive call is boxed, from the outermost generator's free list)
/// against the explicit stack behind `poll_next`.
pub mod tree_stream {
    use core::pin::Pin;
    use core::task::{Context, Poll};

    use ::cogen_bench_gens::shared::Tree;
    use cogen::{Stream, async_generator, yield_, yield_from};

    /// By hand: [`super::tree::Hand`] as a stream.
    pub struct Hand<'a>(super::tree::Hand<'a>);

    /// See [`Hand`].
    pub fn hand(t: &Tree) -> Hand<'_> {
        Hand(super::tree::hand(t))
    }

    impl Stream for Hand<'_> {
        type Item = u32;

        #[inline]
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
            Poll::Ready(self.0.next())
        }
    }

    /// The `impl Stream` form.
    #[async_generator]
    pub fn cogen_stream(t: &Tree) -> impl Stream<Item = u32> + '_ {
        if let Some(l) = &t.left {
            yield_from!(cogen_stream(l));
        }
        yield_!(t.value);
        if let Some(r) = &t.right {
            yield_from!(cogen_stream(r));
        }
    }
}

/// A JSON tokenizer: 14 yield points in nested loops and matches, against
/// the hand-written `Iterator` that keeps its position in a field.
pub mod tokenizer {
    use ::cogen_bench_gens::shared::Token;
    use cogen::{generator, yield_};

    /// By hand.
    pub struct Hand<'a> {
        s: &'a [u8],
        i: usize,
    }

    /// See [`Hand`].
    pub fn hand(s: &[u8]) -> Hand<'_> {
        Hand { s, i: 0 }
    }

    impl Iterator for Hand<'_> {
        type Item = Token;

        #[inline]
        fn next(&mut self) -> Option<Token> {
            let s = self.s;
            let mut i = self.i;
            let token = loop {
                let Some(&b) = s.get(i) else {
                    self.i = i;
                    return None;
                };
                match b {
                    b' ' | b'\n' | b'\t' | b'\r' => i += 1,
                    b'{' => {
                        i += 1;
                        break Token::BeginObject;
                    }
                    b'}' => {
                        i += 1;
                        break Token::EndObject;
                    }
                    b'[' => {
                        i += 1;
                        break Token::BeginArray;
                    }
                    b']' => {
                        i += 1;
                        break Token::EndArray;
                    }
                    b':' => {
                        i += 1;
                        break Token::Colon;
                    }
                    b',' => {
                        i += 1;
                        break Token::Comma;
                    }
                    b'"' => {
                        let start = i + 1;
                        i = start;
                        while i < s.len() && s[i] != b'"' {
                            if s[i] == b'\\' {
                                i += 1;
                            }
                            i += 1;
                        }
                        if i >= s.len() {
                            i = s.len();
                            break Token::Error(start as u32);
                        }
                        let len = i - start;
                        i += 1;
                        break Token::Str {
                            start: start as u32,
                            len: len as u32,
                        };
                    }
                    b'-' | b'0'..=b'9' => {
                        let start = i;
                        let neg = b == b'-';
                        if neg {
                            i += 1;
                        }
                        let mut v = 0i64;
                        while let Some(&d @ b'0'..=b'9') = s.get(i) {
                            v = v.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
                            i += 1;
                        }
                        if s.get(i) == Some(&b'.') {
                            i += 1;
                            while let Some(b'0'..=b'9') = s.get(i) {
                                i += 1;
                            }
                            break Token::Float {
                                start: start as u32,
                                len: (i - start) as u32,
                            };
                        }
                        break Token::Int(if neg { v.wrapping_neg() } else { v });
                    }
                    b't' if s[i..].starts_with(b"true") => {
                        i += 4;
                        break Token::True;
                    }
                    b'f' if s[i..].starts_with(b"false") => {
                        i += 5;
                        break Token::False;
                    }
                    b'n' if s[i..].starts_with(b"null") => {
                        i += 4;
                        break Token::Null;
                    }
                    _ => {
                        i += 1;
                        break Token::Error(i as u32 - 1);
                    }
                }
            };
            self.i = i;
            Some(token)
        }
    }

    /// The `impl Iterator` form: the same scan, yielding where the
    /// hand-written one returns.
    #[generator]
    pub fn cogen_iter(s: &[u8]) -> impl Iterator<Item = Token> + '_ {
        let mut i = 0usize;
        while let Some(&b) = s.get(i) {
            match b {
                b' ' | b'\n' | b'\t' | b'\r' => i += 1,
                b'{' => {
                    i += 1;
                    yield_!(Token::BeginObject);
                }
                b'}' => {
                    i += 1;
                    yield_!(Token::EndObject);
                }
                b'[' => {
                    i += 1;
                    yield_!(Token::BeginArray);
                }
                b']' => {
                    i += 1;
                    yield_!(Token::EndArray);
                }
                b':' => {
                    i += 1;
                    yield_!(Token::Colon);
                }
                b',' => {
                    i += 1;
                    yield_!(Token::Comma);
                }
                b'"' => {
                    let start = i + 1;
                    i = start;
                    while i < s.len() && s[i] != b'"' {
                        if s[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    if i >= s.len() {
                        i = s.len();
                        yield_!(Token::Error(start as u32));
                    } else {
                        let len = i - start;
                        i += 1;
                        yield_!(Token::Str {
                            start: start as u32,
                            len: len as u32,
                        });
                    }
                }
                b'-' | b'0'..=b'9' => {
                    let start = i;
                    let neg = b == b'-';
                    if neg {
                        i += 1;
                    }
                    let mut v = 0i64;
                    while let Some(&d @ b'0'..=b'9') = s.get(i) {
                        v = v.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
                        i += 1;
                    }
                    if s.get(i) == Some(&b'.') {
                        i += 1;
                        while let Some(b'0'..=b'9') = s.get(i) {
                            i += 1;
                        }
                        yield_!(Token::Float {
                            start: start as u32,
                            len: (i - start) as u32,
                        });
                    } else {
                        yield_!(Token::Int(if neg { v.wrapping_neg() } else { v }));
                    }
                }
                b't' if s[i..].starts_with(b"true") => {
                    i += 4;
                    yield_!(Token::True);
                }
                b'f' if s[i..].starts_with(b"false") => {
                    i += 5;
                    yield_!(Token::False);
                }
                b'n' if s[i..].starts_with(b"null") => {
                    i += 4;
                    yield_!(Token::Null);
                }
                _ => {
                    i += 1;
                    yield_!(Token::Error(i as u32 - 1));
                }
            }
        }
    }
}
