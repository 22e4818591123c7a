//! Generator functions for stable Rust.
//!
//! `#[generator]` turns a function body into a resumable state machine that
//! yields values with [`yield_!`], delegates with [`yield_from!`] and cleans
//! up with [`defer!`]; `#[async_generator]` does the same for a body that also
//! `.await`s, producing a [`Stream`].
//!
//! ```
//! use cogen::{generator, yield_};
//!
//! #[generator]
//! fn fib() -> impl Iterator<Item = u64> {
//!     let (mut a, mut b) = (0, 1);
//!     loop {
//!         yield_!(a);
//!         (a, b) = (b, a + b);
//!     }
//! }
//!
//! assert_eq!(fib().take(6).collect::<Vec<_>>(), [0, 1, 1, 2, 3, 5]);
//! ```
//!
//! # The model
//!
//! * **Forms.** The return type says what you get: `impl Iterator<Item = Y>`
//!   and `impl Generator<R, Yield = Y, Return = T>` for `#[generator]`;
//!   `impl Stream<Item = Y>` and `impl AsyncGenerator<R, Yield = Y, Return = T>`
//!   for `#[async_generator]`. Extra bounds (`+ Send`, `+ 'a`, `+ use<..>`)
//!   are kept as written. `FusedIterator` / `FusedStream` may be named
//!   instead of `Iterator` / `Stream`, and `impl Stream<Item = Y> +
//!   AsyncGenerator<Yield = Y, Return = ()>` is a stream that can also be
//!   [closed](AsyncGenerator::close). The macro adds a [`Delegable`] bound to
//!   the return type, which lets [`yield_from!`] resume the generator
//!   directly.
//! * **Lazy.** Calling a generator function runs nothing; the body starts on
//!   the first `next` / `resume` / `poll_next`.
//! * **Resume arguments.** `yield_!(v)` evaluates to the argument of the
//!   next `resume`. The first resume's argument is dropped: no `yield_!` has
//!   run yet to receive it (JavaScript's rule; Python insists on `None`).
//!   Prime a coroutine that needs input with a first `yield_!`.
//! * **Return values.** A `Generator` / `AsyncGenerator` body ends with its
//!   `Return` value (`return` and `?` work as in any function); an
//!   `Iterator` / `Stream` body ends with `()`.
//! * **Borrows across yields** of the body's own locals and arguments work:
//!   the body is compiled by rustc as an `async` block, a self-referential
//!   state machine.
//! * **Fused.** After completion, `next` returns `None` and `poll_next`
//!   `Ready(None)` forever; `resume` panics, as `core::ops::Coroutine`'s does.
//! * **Panics** propagate to the caller of `next` / `resume` / `poll_next`;
//!   the generator is finished afterwards (`None` from then on), never
//!   resumed in a torn state. [`defer!`] blocks do not run on panic (the
//!   body's destructors do, as the panic unwinds).
//! * **Send.** A generator is `Send` exactly when what it holds across
//!   `yield_!` (and `.await`) is; it is always `Sync`, since it has no `&self`
//!   methods that could observe its state.
//! * **Allocation.** The `impl Generator`, `impl AsyncGenerator` and
//!   `impl Stream` forms allocate nothing. The `impl Iterator` form boxes its
//!   state once, because `Iterator::next` takes `&mut self` and the state
//!   may borrow from itself: at creation, or, if the body uses `yield_from!`,
//!   on its first resume (as a delegate: when `yield_from!` takes it), so
//!   that a recursive generator's delegates can
//!   reuse the boxes of those that completed (the outermost generator keeps
//!   up to 64 of them). It needs the `alloc` feature (default).
//!
//! # Delegation and recursion
//!
//! [`yield_from!`] yields every item of another generator, iterator or
//! stream and evaluates to its return value. A delegate that is itself a
//! cogen generator is resumed directly by the outermost generator's driver,
//! so a recursion of any depth costs O(1) per item and no native stack (a
//! chain 1,000,000 deep runs on a small thread stack). The `impl Iterator`
//! form recurses as is; the inline forms box a recursive call, as a
//! recursive `async fn` does: `yield_from!(Box::pin(walk(child)))`.
//!
//! # Cleanup and cancellation
//!
//! [`defer!`] registers cleanup for the rest of its block: it runs exactly
//! once when the block is left, whatever the way (its end, `return`, `?`,
//! `break` / `continue`, completion), and also when the generator is stopped
//! early: dropping a suspended generator, or calling
//! [`Generator::close`] / [`AsyncGenerator::close`], resumes it in a closing
//! mode where every yield point leaves its block instead of suspending, so
//! the pending cleanups run innermost first (active delegates before their
//! delegator), then the locals drop.
//!
//! ```
//! use cogen::{defer, generator, yield_};
//! use std::cell::RefCell;
//!
//! #[generator]
//! fn rows<'a>(log: &'a RefCell<Vec<&'static str>>) -> impl Iterator<Item = u32> + 'a {
//!     log.borrow_mut().push("open");
//!     defer! { log.borrow_mut().push("close"); }
//!     for i in 0.. {
//!         yield_!(i);
//!     }
//! }
//!
//! let log = RefCell::new(vec![]);
//! for r in rows(&log) {
//!     if r == 2 {
//!         break; // the generator is dropped here, suspended: "close" runs
//!     }
//! }
//! assert_eq!(*log.borrow(), ["open", "close"]);
//! ```
//!
//! In an `#[async_generator]` the cleanup may `.await`;
//! `close().await` runs it to completion. Drop cannot wait: when an async
//! generator is dropped, its cleanup runs until its first `.await` that is
//! not ready, and the rest is abandoned (its locals are dropped). Close
//! explicitly when the cleanup must finish.
//!
//! # Coming from elsewhere
//!
//! | you wrote | in cogen |
//! |---|---|
//! | async-stream: `stream! { yield x; }` | `#[async_generator] fn s() -> impl Stream<Item = T> { yield_!(x); }` |
//! | async-stream: `try_stream! { ..? }` | `#[async_generator(try)]`, `?` as usual |
//! | async-stream: `for await x in s` | `#[for_await] for x in s` |
//! | genawaiter: `Gen::new(\|co\| async move { co.yield_(x).await; })` | `#[generator] fn g() -> impl Generator<..> { yield_!(x); }` |
//! | genawaiter: `gen.resume_with(v)` | `g.as_mut().resume(v)` |
//! | Python: `x = yield v`, `gen.send(x)` | `let x = yield_!(v);`, `g.as_mut().resume(x)` |
//! | Python: `r = yield from sub()` | `let r = yield_from!(sub());` |
//! | Python: `try: .. finally: ..`, `gen.close()` | `defer! { .. }`, `g.as_mut().close()` |
//! | Python: `async for` / `aclose()` | `#[for_await] for`, `close().await` |
//! | JavaScript: `function*`, `yield* inner()` | `#[generator]`, `yield_from!(inner())` |
//! | JavaScript: `gen.return()` runs `finally` | dropping or closing runs `defer!` |
//! | C#: `yield return x` / `finally` on `Dispose` | `yield_!(x)` / `defer!` on drop |
//!
//! # What the macro expands to
//!
//! ```text
//! #[generator]
//! fn count(n: u64) -> impl Iterator<Item = u64> {
//!     for i in 0..n {
//!         yield_!(i);
//!     }
//! }
//! ```
//! becomes (abridged, with the hygienic names spelled out):
//! ```text
//! #[inline] // unless the function has an `inline` attribute of its own
//! fn count(n: u64) -> impl Iterator<Item = u64> + ::cogen::Delegable<u64> {
//!     let __cogen_body = move |__co: ::cogen::__private::Co<u64, ()>| async move {
//!         let _ = &n; // arguments move in whole, as in an `async fn`
//!         for i in 0..n {
//!             ::cogen::__private::Co::put(&__co, { let v: u64 = i; v }).await;
//!             ::cogen::__private::Co::suspend(&__co).await;
//!         }
//!     };
//!     // yield and return types; no `yield_from!`; no cleanup. `unsafe`:
//!     // the `Co`'s futures are awaited only directly in the body.
//!     unsafe { ::cogen::__private::boxed::<u64, (), false, false, _, _>(__cogen_body) }
//! }
//! ```
//! The `async` block is driven by the runtime's `Machine` (in `machine.rs`):
//! each `yield_!` is two `.await`s, one on a future that hands the value to
//! the driver through the `Context`'s waker, one on a future that stays
//! pending until the next resume. A `defer!` splits its block: the code
//! after it runs in a labelled block whose every exit (`return`, `?`,
//! `break`, the close path of a yield) first leaves the block, the cleanup
//! runs, and then the exit is replayed.
//!
//! Those futures must be polled by their own generator and no other: the
//! driver finds the frame a value goes to through the waker. A `yield_!`
//! inside another macro's arguments (`vec![yield_!(x)]`, a user's
//! `macro_rules!`) would hand that macro the `__co` code, which it could
//! move into an `async` block that a different generator polls. So that
//! macro gets only a call of a hygienic macro the expansion defines before
//! the statement, whose body it never sees:
//! ```text
//! #[allow(unused_macros)]
//! macro_rules! __cogen_yield_1 {
//!     ($($v:tt)*) => {{
//!         // never runs: a label cannot be reached from a closure, an
//!         // `async` block or a fn, so wherever the other macro moved the
//!         // call, it fails to compile there (E0767 / E0434)
//!         if false { break 'generator_body ::cogen::__private::never() }
//!         ::cogen::__private::Co::put(&__co, { let v: u64 = ($($v)*); v }).await;
//!         ::cogen::__private::Co::suspend(&__co).await
//!     }};
//! }
//! let v = vec![__cogen_yield_1!(i)];
//! ```
//! (with `'generator_body:` then labelling the body's block). An attribute
//! macro written below `#[generator]` is moved above it, so that it too
//! sees the body as written, never the expansion.
#![no_std]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

mod async_generator;
mod delegate;
mod generator;
mod machine;
mod pool;

pub use async_generator::{AsyncGenerator, Close, Resume};
pub use cogen_macros::{async_generator, generator};
pub use delegate::{AsyncDelegable, Delegable};
pub use futures_core::{FusedStream, Stream};
pub use generator::{Generator, GeneratorState};

/// Suspends the generator, handing a value out; evaluates to the next resume
/// argument (`()` for `Iterator` and `Stream` forms).
///
/// Only meaningful directly inside a `#[generator]` or `#[async_generator]`
/// body (also inside other macros' arguments there); anywhere else it is a
/// compile error.
///
/// ```
/// use cogen::{generator, yield_};
///
/// #[generator]
/// fn twice(x: u32) -> impl Iterator<Item = u32> {
///     yield_!(x);
///     yield_!(x);
/// }
/// assert_eq!(twice(7).collect::<Vec<_>>(), [7, 7]);
/// ```
#[macro_export]
macro_rules! yield_ {
    // Emitted by the attribute beside each rewritten call, so that the
    // user's `use cogen::yield_` counts as used. Expands to nothing.
    (@__cogen_used) => {};
    ($($tokens:tt)*) => {
        ::core::compile_error! {
            "`yield_!` can only be used inside the body of a `#[generator]` or `#[async_generator]` function"
        }
    };
}

/// Registers cleanup for the rest of the enclosing block of a generator body.
///
/// The cleanup runs exactly once when the block is left, however it is left:
/// falling off its end, `return`, `?`, `break` / `continue`, completion,
/// the generator being dropped while suspended, or
/// [`Generator::close`] / [`AsyncGenerator::close`]. Several run last
/// registered first. It is not a closure: it may use the block's locals
/// freely, and in an `#[async_generator]` it may `.await`.
///
/// ```
/// use cogen::{defer, generator, yield_};
/// use std::cell::RefCell;
///
/// #[generator]
/// fn lines<'a>(log: &'a RefCell<Vec<String>>) -> impl Iterator<Item = u32> + 'a {
///     let conn = "db";
///     log.borrow_mut().push(format!("open {conn}"));
///     defer! { log.borrow_mut().push(format!("close {conn}")); }
///     for i in 0.. {
///         yield_!(i);
///     }
/// }
///
/// let log = RefCell::new(Vec::new());
/// let first: Vec<_> = lines(&log).take(2).collect(); // dropped after 2 items
/// assert_eq!(first, [0, 1]);
/// assert_eq!(*log.borrow(), ["open db", "close db"]);
/// ```
///
/// Because the cleanup runs after the rest of the block, the code after the
/// `defer!` cannot move out a local the cleanup still uses (E0382 at the
/// cleanup): clone it, or move it after the block.
///
/// It does **not** run when the body panics (as a `finally` would not run
/// on `abort`): use a `Drop` guard for cleanup that must survive a panic.
/// It cannot contain `yield_!`, `return`, `?`, or a `break` / `continue`
/// that leaves it.
#[macro_export]
macro_rules! defer {
    (@__cogen_used) => {};
    ($($tokens:tt)*) => {
        ::core::compile_error! {
            "`defer!` can only be used inside the body of a `#[generator]` or `#[async_generator]` function"
        }
    };
}

/// Yields every item of another generator, iterator or stream, and
/// evaluates to its return value (yield-each, Python's `yield from`,
/// JavaScript's `yield*`).
///
/// * A cogen generator (either kind; an `impl Generator` one behind
///   `Box::pin` when the call is recursive) is resumed directly by the
///   outermost generator's driver: resume arguments pass through to it,
///   its return value is the value of `yield_from!`, and a recursion of any
///   depth costs O(1) per item and no native stack.
/// * Any other `IntoIterator` (and, in an `#[async_generator]`, any
///   `Stream`) is drained; `yield_from!` then evaluates to `()`.
///
/// ```
/// use cogen::{generator, yield_, yield_from};
///
/// struct Tree { value: u32, children: Vec<Tree> }
///
/// #[generator]
/// fn walk(t: &Tree) -> impl Iterator<Item = u32> + '_ {
///     yield_!(t.value);
///     for c in &t.children {
///         yield_from!(walk(c)); // recursive, linear time at any depth
///     }
///     yield_from!([100, 200]); // any IntoIterator
/// }
///
/// let t = Tree { value: 1, children: vec![Tree { value: 2, children: vec![] }] };
/// assert_eq!(walk(&t).collect::<Vec<_>>(), [1, 2, 100, 200, 100, 200]);
/// ```
#[macro_export]
macro_rules! yield_from {
    (@__cogen_used) => {};
    ($($tokens:tt)*) => {
        ::core::compile_error! {
            "`yield_from!` can only be used inside the body of a `#[generator]` or `#[async_generator]` function"
        }
    };
}

#[doc(hidden)]
pub mod __private {
    //! Used by the code the macros generate; not a public API.
    pub use crate::delegate::{ViaAsyncGen, ViaGen, ViaIter, ViaStream, Wrap};
    pub use crate::generator::LastItem;
    #[cfg(feature = "alloc")]
    pub use crate::generator::{Boxed, LazyBoxed};
    pub use crate::machine::{Co, Machine};
    pub use core::future::Future;
    pub use core::ops::ControlFlow;
    pub use core::option::Option::{self, None, Some};
    pub use core::result::Result::{Err, Ok};

    /// The error type of a `try` generator's `Result` items.
    pub trait TryItem {
        type Error;
    }

    impl<T, E> TryItem for Result<T, E> {
        type Error = E;
    }

    /// Builds a generator whose body yields `Y`, receives `R` and ends with
    /// `T`. `D`: whether the body delegates with `yield_from!`; `C`: whether
    /// it has cleanup (`defer!`, delegation) that closing must run. What a
    /// body does not need is compiled out of its driver.
    ///
    /// # Safety
    /// `body` may await the futures of the [`Co`] it is given (and of the
    /// delegation helpers that take it) only directly in the future it
    /// returns, never in another future nor after moving the `Co` out:
    /// they find their generator through the polling `Context`, and would
    /// misread any other. The macros' lowering guarantees this.
    #[inline(always)]
    pub unsafe fn new<Y, R, T, const D: bool, const C: bool, F, Fut>(
        body: F,
    ) -> Machine<Fut, Y, R, D, C>
    where
        F: FnOnce(Co<Y, R>) -> Fut,
        Fut: Future<Output = T>,
    {
        Machine::new(body(Co::new()))
    }

    /// `#[for_await]`: the next item of a pinned stream.
    #[inline(always)]
    pub fn next<S: crate::Stream + ?Sized>(stream: core::pin::Pin<&mut S>) -> Next<'_, S> {
        Next(stream)
    }

    /// Future returned by [`next`].
    pub struct Next<'a, S: ?Sized>(core::pin::Pin<&'a mut S>);

    impl<S: crate::Stream + ?Sized> Future for Next<'_, S> {
        type Output = Option<S::Item>;

        #[inline(always)]
        fn poll(
            mut self: core::pin::Pin<&mut Self>,
            cx: &mut core::task::Context<'_>,
        ) -> core::task::Poll<Self::Output> {
            self.0.as_mut().poll_next(cx)
        }
    }

    /// How the code after a `defer!` left its block; replayed after the
    /// cleanup has run.
    pub enum Exit<T, R, B> {
        /// It ran to its end with this value.
        Normal(T),
        /// `return` (or `?`) with this value.
        Return(R),
        /// The generator is being closed.
        Close,
        /// `break` to the n-th outer target, with its value.
        Break(u8, Option<B>),
        /// `continue` to the n-th outer target.
        Continue(u8),
    }

    /// `?` inside a `defer!` scope, for the types `?` works on: split into
    /// the value and what an early `return` carries.
    pub trait Branch {
        /// What `?` evaluates to.
        type Output;
        /// What `?` returns with.
        type Residual;
        /// Continue with the output, or break with the residual.
        fn branch(self) -> ControlFlow<Self::Residual, Self::Output>;
    }

    impl<T, E> Branch for Result<T, E> {
        type Output = T;
        type Residual = Result<core::convert::Infallible, E>;
        #[inline(always)]
        fn branch(self) -> ControlFlow<Self::Residual, T> {
            match self {
                Ok(v) => ControlFlow::Continue(v),
                Err(e) => ControlFlow::Break(Err(e)),
            }
        }
    }

    impl<T> Branch for Option<T> {
        type Output = T;
        type Residual = Option<core::convert::Infallible>;
        #[inline(always)]
        fn branch(self) -> ControlFlow<Self::Residual, T> {
            match self {
                Some(v) => ControlFlow::Continue(v),
                None => ControlFlow::Break(None),
            }
        }
    }

    /// `x?` inside a `defer!` scope.
    #[inline(always)]
    pub fn branch<T: Branch>(x: T) -> ControlFlow<T::Residual, T::Output> {
        x.branch()
    }

    /// The early return of `?`, converted as `?` converts it.
    pub trait FromResidual<R> {
        /// Converts the residual.
        fn from_residual(residual: R) -> Self;
    }

    impl<T, E, F: From<E>> FromResidual<Result<core::convert::Infallible, E>> for Result<T, F> {
        #[inline(always)]
        fn from_residual(residual: Result<core::convert::Infallible, E>) -> Self {
            match residual {
                Err(e) => Err(From::from(e)),
                Ok(never) => match never {},
            }
        }
    }

    impl<T> FromResidual<Option<core::convert::Infallible>> for Option<T> {
        #[inline(always)]
        fn from_residual(_: Option<core::convert::Infallible>) -> Self {
            None
        }
    }

    /// See [`FromResidual`].
    #[inline(always)]
    pub fn from_residual<T: FromResidual<R>, R>(residual: R) -> T {
        T::from_residual(residual)
    }

    /// The value of a `break` that never runs (see `lower.rs`).
    #[inline(always)]
    pub fn never<T>() -> T {
        unreachable!()
    }

    /// The `impl Iterator` form: [`new`], on the heap.
    ///
    /// # Safety
    /// As for [`new`].
    #[cfg(feature = "alloc")]
    #[inline(always)]
    pub unsafe fn boxed<Y, T, const D: bool, const C: bool, F, Fut>(
        body: F,
    ) -> Boxed<Machine<Fut, Y, (), D, C>>
    where
        F: FnOnce(Co<Y, ()>) -> Fut,
        Fut: Future<Output = T>,
    {
        Boxed::new_with(|| Machine::new(body(Co::new())))
    }

    /// The `impl Iterator` form of a body that delegates: boxed on its
    /// first resume, or when it is linked as a delegate (see [`LazyBoxed`]).
    ///
    /// # Safety
    /// As for [`new`].
    #[cfg(feature = "alloc")]
    #[inline(always)]
    pub unsafe fn lazy_boxed<Y, T, const C: bool, F, Fut>(
        body: F,
    ) -> LazyBoxed<F, Machine<Fut, Y, (), true, C>>
    where
        F: FnOnce(Co<Y, ()>) -> Fut,
        Fut: Future<Output = T>,
    {
        LazyBoxed::new(body)
    }
}
