//! The synchronous side: the [`Generator`] trait, and how a [`Machine`]
//! becomes a `Generator`, and a [`Boxed`] or [`LazyBoxed`] one an
//! `Iterator`.

use core::future::Future;
#[cfg(feature = "alloc")]
use core::iter::FusedIterator;
use core::pin::Pin;
use core::task::{Context, Waker};

#[cfg(feature = "alloc")]
use crate::boxed::{Boxed, LazyBoxed};
#[cfg(feature = "alloc")]
use crate::co::Co;
#[cfg(feature = "alloc")]
use crate::machine::Root;
use crate::machine::{Machine, Step};

/// The result of resuming a generator: it either yielded a value and can be
/// resumed again, or completed with its return value.
///
/// Mirrors `core::ops::CoroutineState`.
///
/// ```
/// use cogen::{generator, yield_, Generator, GeneratorState};
///
/// #[generator]
/// fn one() -> impl Generator<Yield = u8, Return = &'static str> {
///     yield_!(1);
///     "done"
/// }
///
/// let mut g = core::pin::pin!(one());
/// assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(1));
/// assert_eq!(g.as_mut().resume(()), GeneratorState::Complete("done"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GeneratorState<Y, T> {
    /// The generator suspended with a value.
    Yielded(Y),
    /// The generator finished with a return value.
    Complete(T),
}

/// A resumable computation: each [`resume`](Generator::resume) runs it to its
/// next `yield_!` or to its end. Mirrors `core::ops::Coroutine`.
///
/// `R` is the resume argument: the value `yield_!` evaluates to in the body.
/// The argument of the *first* resume is dropped, because no `yield_!` has run
/// yet to receive it (JavaScript's rule); prime such a generator with a first
/// `yield_!` if it needs a value before its first output.
///
/// ```
/// use cogen::{generator, yield_, Generator, GeneratorState};
///
/// // Running sum of the values sent in; returns how many it saw.
/// #[generator]
/// fn summer() -> impl Generator<i32, Yield = i32, Return = usize> {
///     let (mut sum, mut n) = (0, 0);
///     let mut x = yield_!(0);
///     while x != 0 {
///         sum += x;
///         n += 1;
///         x = yield_!(sum);
///     }
///     n
/// }
///
/// let mut g = core::pin::pin!(summer());
/// assert_eq!(g.as_mut().resume(99), GeneratorState::Yielded(0)); // 99 is dropped
/// assert_eq!(g.as_mut().resume(5), GeneratorState::Yielded(5));
/// assert_eq!(g.as_mut().resume(2), GeneratorState::Yielded(7));
/// assert_eq!(g.as_mut().resume(0), GeneratorState::Complete(2));
/// ```
#[must_use = "generators are lazy and do nothing unless resumed"]
pub trait Generator<R = ()> {
    /// The type of value this generator yields.
    type Yield;
    /// The type of value this generator returns when it completes.
    type Return;

    /// Runs the generator to its next yield or to its end.
    ///
    /// # Panics
    ///
    /// Panics if the generator has already completed (or panicked, or been
    /// closed), as `core::ops::Coroutine` does. A panic in the body propagates
    /// to the caller, and the generator is finished afterwards.
    fn resume(self: Pin<&mut Self>, arg: R) -> GeneratorState<Self::Yield, Self::Return>;

    /// Stops the generator early, running its pending `defer!` cleanup
    /// (innermost first, active delegates before their delegator) and then
    /// dropping its locals. Dropping a suspended generator does the same;
    /// `close` lets you choose the moment. Resuming it afterwards panics.
    ///
    /// The default does nothing, for generators with nothing to clean up.
    ///
    /// ```
    /// use cogen::{generator, yield_, Generator};
    /// use std::cell::Cell;
    ///
    /// struct Guard<'a>(&'a Cell<bool>);
    /// impl Drop for Guard<'_> {
    ///     fn drop(&mut self) { self.0.set(true) }
    /// }
    ///
    /// #[generator]
    /// fn g(closed: &Cell<bool>) -> impl Generator<Yield = u8, Return = ()> + '_ {
    ///     let _guard = Guard(closed);
    ///     yield_!(1);
    ///     yield_!(2);
    /// }
    ///
    /// let closed = Cell::new(false);
    /// let mut gen = Box::pin(g(&closed));
    /// gen.as_mut().resume(());
    /// gen.as_mut().close();
    /// assert!(closed.get()); // the suspended body's locals were dropped
    /// ```
    fn close(self: Pin<&mut Self>) {}
}

impl<G: ?Sized + Generator<R> + Unpin, R> Generator<R> for &mut G {
    type Yield = G::Yield;
    type Return = G::Return;

    #[track_caller]
    fn resume(mut self: Pin<&mut Self>, arg: R) -> GeneratorState<G::Yield, G::Return> {
        G::resume(Pin::new(&mut **self), arg)
    }

    fn close(mut self: Pin<&mut Self>) {
        G::close(Pin::new(&mut **self))
    }
}

/// `Pin<&mut G>`, `Pin<Box<G>>`: a pinned pointer to a generator is one (as
/// futures-core does for `Stream`), one impl for every such pointer.
impl<P, R> Generator<R> for Pin<P>
where
    P: core::ops::DerefMut<Target: Generator<R>> + Unpin,
{
    type Yield = <P::Target as Generator<R>>::Yield;
    type Return = <P::Target as Generator<R>>::Return;

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: R) -> GeneratorState<Self::Yield, Self::Return> {
        self.get_mut().as_mut().resume(arg)
    }

    fn close(self: Pin<&mut Self>) {
        self.get_mut().as_mut().close()
    }
}

impl<Y, T> Step<Y, T> {
    /// What [`Generator::resume`] returns for this step of a sync body:
    /// there is nothing to wait for, so a `Pending` that is not a yield
    /// means the body awaited a foreign future, which the macro rejects
    /// wherever it can see it.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn resumed(self) -> GeneratorState<Y, T> {
        match self {
            Step::Yielded(y) => GeneratorState::Yielded(y),
            Step::Complete(out) => GeneratorState::Complete(out),
            Step::Pending => pending_in_sync(),
            Step::Finished => resumed_after_completion(),
        }
    }
}

#[cfg(feature = "alloc")]
impl<Y, T: LastItem<Y>> Step<Y, T> {
    /// What `Iterator::next` returns for this step of a sync body (see
    /// [`Step::resumed`] for `Pending`).
    #[inline(always)]
    pub(crate) fn next_item(self) -> Option<Y> {
        match self {
            Step::Yielded(y) => Some(y),
            Step::Complete(out) => out.last_item(),
            Step::Pending => pending_in_sync(),
            Step::Finished => None,
        }
    }
}

#[cold]
#[inline(never)]
pub(crate) fn pending_in_sync() -> ! {
    panic!("cogen: a #[generator] body awaited a future that was not ready; use #[async_generator] to await")
}

impl<Fut, Y, R, const D: bool, const C: bool> Generator<R> for Machine<Fut, Y, R, D, C>
where
    Fut: Future,
{
    type Yield = Y;
    type Return = Fut::Output;

    // The "resumed after completion" panic points at the caller's line.
    #[inline]
    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: R) -> GeneratorState<Y, Fut::Output> {
        let mut cx = Context::from_waker(Waker::noop());
        // SAFETY: no pool: a delegating function keeps its own in a
        // `Pooled` (`pooled.rs`); this one (a block, a `boxed` generator)
        // keeps none.
        unsafe { self.step(&mut cx, &mut Some(arg), None) }.resumed()
    }

    fn close(self: Pin<&mut Self>) {
        let mut cx = Context::from_waker(Waker::noop());
        if self.poll_close(&mut cx).is_pending() {
            pending_in_sync()
        }
    }
}

#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn resumed_after_completion() -> ! {
    panic!(
        "cogen: `resume` called on a generator that has already completed, panicked or been closed"
    )
}

/// What a body's final value contributes to an `Iterator` or `Stream`: `()`
/// contributes nothing; in the `try` flavour an `Err` is the last item.
pub trait LastItem<Y> {
    /// The item this final value ends the sequence with, if any.
    fn last_item(self) -> Option<Y>;
}

impl<Y> LastItem<Y> for () {
    #[inline(always)]
    fn last_item(self) -> Option<Y> {
        None
    }
}

impl<T, E> LastItem<Result<T, E>> for Result<(), E> {
    #[inline(always)]
    fn last_item(self) -> Option<Result<T, E>> {
        self.err().map(Err)
    }
}

#[cfg(feature = "alloc")]
impl<Fut, Y, const D: bool, const C: bool> Iterator for Boxed<Machine<Fut, Y, (), D, C>>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    type Item = Y;

    #[inline]
    fn next(&mut self) -> Option<Y> {
        let mut cx = Context::from_waker(Waker::noop());
        // SAFETY: no pool.
        unsafe { self.machine().step(&mut cx, &mut Some(()), None) }.next_item()
    }
}

#[cfg(feature = "alloc")]
impl<Fut, Y, const D: bool, const C: bool> FusedIterator for Boxed<Machine<Fut, Y, (), D, C>>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
}

#[cfg(feature = "alloc")]
impl<F, Fut, Y, const D: bool, const C: bool, K: Root> FusedIterator
    for LazyBoxed<F, Machine<Fut, Y, (), D, C>, K>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
}
