//! How `yield_from!` chooses what to drive its argument as: a cogen
//! generator directly, any other generator through its public trait, a
//! stream, or an iterator, by autoref-based method resolution on [`Wrap`];
//! and the error when it is none of these.

use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;

use futures_core::Stream;

use crate::async_generator::AsyncGenerator;
use crate::chain::{Chain, Link, Source};
use crate::delegate::{
    AsyncDelegable, Delegable, ForeignAsyncGen, ForeignGen, Iter, Ready, Streamed,
};
use crate::generator::Generator;
use crate::pool::Pool;

/// `yield_from!`'s argument, before the pick.
pub struct Wrap<T>(pub T);

/// The pick: a cogen generator is delegated to directly (an async one only
/// from an async generator); otherwise any other generator through its
/// public trait (`AsyncGenerator` in async generators only, then
/// `Generator`), otherwise a stream (async generators only), otherwise an
/// iterator. Chosen at compile time by method resolution
/// (`(&&&&&&Wrap(x)).__cogen_pick()`, with only the `Via*` traits that
/// apply in scope), which tries the receiver with the most references
/// first.
pub struct PickAsyncGen;
/// See `PickAsyncGen`.
pub struct PickGen;
/// See `PickAsyncGen`.
pub struct PickForeignAsyncGen;
/// See `PickAsyncGen`.
pub struct PickForeignGen;
/// See `PickAsyncGen`.
pub struct PickStream;
/// See `PickAsyncGen`.
pub struct PickIter;
// (and, for anything else, `PickNone`, whose bound fails with a clear error.)

/// See `PickAsyncGen`.
pub trait ViaAsyncGen<Y, R, U> {
    #[doc(hidden)]
    fn __cogen_pick(&self) -> PickAsyncGen {
        PickAsyncGen
    }
}
impl<T: AsyncDelegable<Y, R, U>, Y, R, U> ViaAsyncGen<Y, R, U> for &&&&&Wrap<T> {}

/// See `PickAsyncGen`.
pub trait ViaGen<Y, R, U> {
    #[doc(hidden)]
    fn __cogen_pick(&self) -> PickGen {
        PickGen
    }
}
impl<T: Delegable<Y, R, U>, Y, R, U> ViaGen<Y, R, U> for &&&&Wrap<T> {}

/// See `PickAsyncGen`: any other [`AsyncGenerator`], through its trait.
pub trait ViaForeignAsyncGen<R> {
    #[doc(hidden)]
    fn __cogen_pick(&self) -> PickForeignAsyncGen {
        PickForeignAsyncGen
    }
}
impl<T: AsyncGenerator<R>, R> ViaForeignAsyncGen<R> for &&&Wrap<T> {}

/// See `PickAsyncGen`: any other [`Generator`], through its trait.
pub trait ViaForeignGen<R> {
    #[doc(hidden)]
    fn __cogen_pick(&self) -> PickForeignGen {
        PickForeignGen
    }
}
impl<T: Generator<R>, R> ViaForeignGen<R> for &&Wrap<T> {}

/// See `PickAsyncGen`.
pub trait ViaStream {
    #[doc(hidden)]
    fn __cogen_pick(&self) -> PickStream {
        PickStream
    }
}
impl<T: Stream> ViaStream for &Wrap<T> {}

/// See `PickAsyncGen`.
pub trait ViaIter {
    #[doc(hidden)]
    fn __cogen_pick(&self) -> PickIter {
        PickIter
    }
}
impl<T: IntoIterator> ViaIter for Wrap<T> {}

/// The last resort, reached only when `T` is none of the above: an
/// inherent method on the receiver with no reference at all. Its bound
/// always fails, with an error in the user's terms on their `yield_from!`
/// (and the move out of the borrow is then never checked).
impl<T> Wrap<T> {
    #[doc(hidden)]
    pub fn __cogen_pick(self) -> PickNone
    where
        T: YieldFromArgument,
    {
        match self.0.never(sealed::Token) {}
    }
}

/// See [`PickAsyncGen`]: `yield_from!` of something it cannot delegate to. No
/// value of it exists.
pub struct PickNone(core::convert::Infallible);

impl PickNone {
    #[doc(hidden)]
    pub fn wrap<T, O>(self, _: Wrap<T>) -> Nothing<O> {
        match self.0 {}
    }
}

/// What `yield_from!(x)` takes: in a `#[generator]` (or `iter!` block), any
/// `IntoIterator` or any [`Generator`]; in an `#[async_generator]` (or
/// `stream!` block), also any [`Stream`](futures_core::Stream) or any
/// [`AsyncGenerator`].
///
/// The generators cogen makes are resumed directly ([`Delegable`],
/// [`AsyncDelegable`]: linear at any depth); any other generator, a
/// hand-written one or one behind an opaque `impl Generator` of a trait
/// method, through its public trait. A value that is none of these is
/// reported as not implementing this trait, which no type implements: it
/// only names the error.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` cannot delegate to `{Self}`",
    label = "not something this generator can take items from",
    note = "a #[generator] can `yield_from!` any `IntoIterator` and any `Generator`; an \
            #[async_generator] can also `yield_from!` any `Stream` and any `AsyncGenerator` \
            (a #[generator] cannot wait for their `.await`s)"
)]
pub trait YieldFromArgument {
    /// Sealed: its argument's type cannot be named outside cogen.
    #[doc(hidden)]
    fn never(self, _: sealed::Token) -> core::convert::Infallible;
}

mod sealed {
    /// See [`super::YieldFromArgument`]: public in a private module, so
    /// that no other crate can implement the trait.
    pub struct Token;
}

/// What [`PickNone`] would delegate to: no value of it exists.
pub struct Nothing<O>(core::convert::Infallible, PhantomData<fn() -> O>);

// SAFETY: uninhabited: nothing is ever linked.
#[diagnostic::do_not_recommend]
unsafe impl<Y, R, O> Source<Y, R> for Nothing<O> {
    type Output = O;

    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        _: Option<NonNull<Pool>>,
        _: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R> {
        match self.0 {}
    }

    unsafe fn __cogen_take_return(self: Pin<&mut Self>, _: Option<NonNull<Pool>>) -> O {
        match self.0 {}
    }
}

impl PickAsyncGen {
    #[doc(hidden)]
    pub fn wrap<T: AsyncDelegable<Y, R, U>, Y, R, U>(self, w: Wrap<T>) -> T {
        w.0
    }
}

impl PickGen {
    #[doc(hidden)]
    pub fn wrap<T: Delegable<Y, R, U>, Y, R, U>(self, w: Wrap<T>) -> T {
        w.0
    }
}

impl PickForeignAsyncGen {
    #[doc(hidden)]
    pub fn wrap<T: AsyncGenerator<R>, R: Default>(self, w: Wrap<T>) -> ForeignAsyncGen<T, R> {
        ForeignAsyncGen::new(w.0)
    }
}

// The `R: Default` of the foreign adapters (their first resume argument)
// is also asked here, where the pick is made: a resume type without
// `Default` is then one error, `Token: Default`, that names no trait of
// cogen's (at `Source` it named `Source` and the adapter).
impl PickForeignGen {
    #[doc(hidden)]
    pub fn wrap<T: Generator<R>, R: Default>(self, w: Wrap<T>) -> ForeignGen<T, R> {
        ForeignAsyncGen::new(Ready(w.0))
    }
}

impl PickStream {
    #[doc(hidden)]
    pub fn wrap<T: Stream>(self, w: Wrap<T>) -> Streamed<T> {
        Streamed(w.0)
    }
}

impl PickIter {
    #[doc(hidden)]
    pub fn wrap<T: IntoIterator>(self, w: Wrap<T>) -> Iter<T::IntoIter> {
        Iter(w.0.into_iter())
    }
}
