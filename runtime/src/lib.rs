//! Generator functions for stable Rust.
//!
//! `#[generator]` turns a function body into a resumable state machine that
//! yields values with [`yield_!`]; `#[async_generator]` does the same for a
//! body that also `.await`s, producing a [`Stream`].
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
//! * **Lazy.** Calling a generator function runs nothing; the body starts on
//!   the first `next` / `resume` / `poll_next`.
//! * **Forms.** The return type says what you get: `impl Iterator<Item = Y>`
//!   and `impl Generator<R, Yield = Y, Return = T>` for `#[generator]`;
//!   `impl Stream<Item = Y>` and `impl AsyncGenerator<R, Yield = Y, Return = T>`
//!   for `#[async_generator]`. Extra bounds (`+ Send`, `+ 'a`, `+ use<..>`)
//!   are kept as written.
//! * **Resume arguments.** `yield_!(v)` evaluates to the argument of the
//!   next `resume`. The first resume's argument is dropped: no `yield_!` has
//!   run yet to receive it (JavaScript's rule).
//! * **Borrows across yields** of the body's own locals and arguments work:
//!   the body is compiled by rustc as an `async` block, a self-referential
//!   state machine.
//! * **Fused.** After completion, `next` returns `None` and `poll_next`
//!   `Ready(None)` forever; `resume` panics, as `core::ops::Coroutine` does.
//! * **Panics** propagate to the caller of `next` / `resume` / `poll_next`;
//!   the generator is finished afterwards (`None` from then on), never
//!   resumed in a torn state.
//! * **Send.** A generator is `Send` exactly when what it holds across
//!   `yield_!` (and `.await`) is; it is always `Sync`, since it has no `&self`
//!   methods that could observe its state.
//! * **Allocation.** The `impl Generator`, `impl AsyncGenerator` and
//!   `impl Stream` forms allocate nothing. The `impl Iterator` form boxes its
//!   state once, at creation, because `Iterator::next` takes `&mut self` and
//!   the state may borrow from itself; it needs the `alloc` feature (default).
//!
//! # What the macro expands to
//!
//! ```text
//! #[generator]
//! fn count(n: u64) -> impl Iterator<Item = u64> {
//!     for i in 0..n { yield_!(i); }
//! }
//! ```
//! becomes (`cargo expand` shows the same, modulo hygiene)
//! ```text
//! fn count(n: u64) -> impl Iterator<Item = u64> {
//!     ::cogen::__private::boxed(::cogen::__private::new::<u64, (), (), _, _>(
//!         false,
//!         move |__co| async move {
//!             let n = n;
//!             for i in 0..n {
//!                 ::cogen::__private::Co::yield_(&__co, i).await;
//!             }
//!         },
//!     ))
//! }
//! ```
#![no_std]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

mod async_generator;
mod delegate;
mod generator;
mod machine;

pub use async_generator::{AsyncGenerator, Close, Resume};
pub use cogen_macros::{async_generator, generator};
pub use delegate::Delegable;
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
    pub use crate::delegate::{ViaGen, ViaIter, ViaStream, Wrap};
    #[cfg(feature = "alloc")]
    pub use crate::generator::Boxed;
    pub use crate::generator::LastItem;
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

    /// Builds a generator whose body yields `Y`, receives `R` and ends with `T`.
    #[inline(always)]
    pub fn new<Y, R, T, F, Fut>(cleanup: bool, body: F) -> Machine<F, Fut, Y, R>
    where
        F: FnOnce(Co<Y, R>) -> Fut,
        Fut: Future<Output = T>,
    {
        Machine::new(cleanup, body)
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

    /// The `impl Iterator` form.
    #[cfg(feature = "alloc")]
    #[inline(always)]
    pub fn boxed<F, Fut, Y>(machine: Machine<F, Fut, Y, ()>) -> Boxed<Machine<F, Fut, Y, ()>>
    where
        F: FnOnce(Co<Y, ()>) -> Fut,
        Fut: Future,
    {
        Boxed::new(machine)
    }
}
