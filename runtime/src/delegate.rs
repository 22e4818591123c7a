//! `yield_from!`: delegation that stays linear at any depth.
//!
//! Every peer re-yields each item through every level of a delegation
//! chain, so a recursion of depth d costs O(d) per item, and a deep one
//! overflows the native stack. Here, `yield_from!(d)` does not loop in the
//! delegating body: it hands the delegate to the driver of the outermost
//! generator (the root) as a [`Link`] and suspends. The root then resumes the
//! innermost delegate directly; when that delegate itself delegates, its link
//! is pushed; when it completes, its link is popped and its delegating body
//! resumes, takes the return value and goes on. The links live in the pinned
//! futures of the delegating bodies, so the chain needs no allocation and no
//! native stack, and closing or dropping walks it innermost first, iteratively.
//!
//! Any `IntoIterator` (and, in async generators, any `Stream`) can be
//! delegated to as well: the root then drives it like a generator that
//! returns `()`.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use futures_core::Stream;

#[cfg(feature = "alloc")]
use crate::generator::{Boxed, LastItem, LazyBoxed};
use crate::machine::{Co, Machine, Own, Slot};
use crate::pool::Pool;

/// One resume of a delegate, type-erased: `(data, waker, arg, closing,
/// pool)`, the pool being the root's (see `pool.rs`).
type ResumeFn<Y, R> =
    unsafe fn(NonNull<()>, &Waker, &mut Option<R>, bool, Option<NonNull<Pool>>) -> Raw<Y, R>;

/// A delegate in the active chain. It lives in the `YieldFrom` future of the
/// body that delegates, which stays pinned and suspended while the link is
/// in the chain.
///
/// Aligned to 8 so that a pointer to it has three zero bits, where the root
/// keeps its phase (see `Head` in `machine.rs`).
#[repr(align(8))]
pub struct Link<Y, R> {
    delegate: NonNull<()>,
    resume: ResumeFn<Y, R>,
    /// The next outer link; `None` for the root's own body.
    up: Option<NonNull<Link<Y, R>>>,
}

// SAFETY: a link lives in a `YieldFrom` future, beside the `Pin<&mut D>` of
// the delegate it points to (so that future is `Send` only if the delegate
// is), and `up` points into a future that owns this one. Links therefore
// only ever move between threads together with everything they point to.
unsafe impl<Y, R> Send for Link<Y, R> {}

/// What resuming a delegate produced.
pub enum Raw<Y, R> {
    Yielded(Y),
    /// Done (or, when closing, closed); any return value is kept in it.
    Complete,
    Pending,
    /// It delegates in turn, to this (new) link.
    Delegate(NonNull<Link<Y, R>>),
    /// It was already delegating when it was delegated to: its chain, from
    /// innermost to outermost link, joins the root's.
    Splice(NonNull<Link<Y, R>>, NonNull<Link<Y, R>>),
}

impl<Y, R> Link<Y, R> {
    /// # Safety
    /// `link` must be in the root's chain, and `pool` as for `Machine::step`.
    #[inline(always)]
    pub(crate) unsafe fn resume(
        link: NonNull<Self>,
        waker: &Waker,
        arg: &mut Option<R>,
        closing: bool,
        pool: Option<NonNull<Pool>>,
    ) -> Raw<Y, R> {
        // SAFETY: per the contract, the link and its delegate are alive and
        // nothing else accesses them while the root drives the chain.
        unsafe {
            let link = link.as_ref();
            (link.resume)(link.delegate, waker, arg, closing, pool)
        }
    }

    /// # Safety
    /// As for [`Link::resume`].
    #[inline(always)]
    pub(crate) unsafe fn up(link: NonNull<Self>) -> Option<NonNull<Self>> {
        // SAFETY: per the contract.
        unsafe { link.as_ref().up }
    }

    /// Makes `inner` the innermost link, above `outer`.
    ///
    /// # Safety
    /// As for [`Link::resume`], for both links.
    pub(crate) unsafe fn push(mut inner: NonNull<Self>, outer: NonNull<Self>) -> NonNull<Self> {
        // SAFETY: per the contract; `inner` is not otherwise borrowed.
        unsafe { inner.as_mut().up = Some(outer) };
        inner
    }

    /// Joins the chain `inner ..= bottom` above `outer`.
    ///
    /// # Safety
    /// As for [`Link::resume`], for all the links.
    pub(crate) unsafe fn splice(
        inner: NonNull<Self>,
        mut bottom: NonNull<Self>,
        outer: NonNull<Self>,
    ) -> NonNull<Self> {
        // SAFETY: per the contract.
        unsafe { bottom.as_mut().up = Some(outer) };
        inner
    }
}

/// Implemented by the generators `#[generator]` and `#[async_generator]`
/// make (and by `Pin<Box<G>>` of them), so that `yield_from!` can resume them
/// directly, in linear time at any depth. The macros add it to the return
/// type (`impl Iterator<Item = Y> + Delegable<Y>`); there is nothing to call
/// on it.
///
/// `Y` is the yielded type, `R` the resume argument, `T` the return value.
///
/// ```
/// use cogen::{generator, yield_, yield_from, Delegable};
///
/// // What the macro gives `numbers` as its return type:
/// // `impl Iterator<Item = u32> + Delegable<u32>`.
/// #[generator]
/// fn numbers(n: u32) -> impl Iterator<Item = u32> {
///     for i in 0..n {
///         yield_!(i);
///     }
/// }
///
/// fn is_delegable<T: Delegable<u32>>(_: &T) -> bool {
///     true
/// }
/// assert!(is_delegable(&numbers(3)));
///
/// #[generator]
/// fn twice(n: u32) -> impl Iterator<Item = u32> {
///     yield_from!(numbers(n)); // resumed directly, not re-yielded
///     yield_from!(numbers(n));
/// }
/// assert_eq!(twice(2).collect::<Vec<_>>(), [0, 1, 0, 1]);
/// ```
///
/// # Safety
///
/// Implemented by cogen only: the methods must hand out a delegate pointer
/// and a resume function that agree.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` of `{Self}`, which does not yield `{Y}` (with resume argument `{R}`) like this generator",
    label = "yields another type, or takes another resume argument"
)]
pub unsafe trait Delegable<Y, R = (), T = ()> {
    #[doc(hidden)]
    fn __cogen_link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<Y, R>);
    #[doc(hidden)]
    fn __cogen_take_return(self: Pin<&mut Self>) -> T;
}

/// [`Delegable`] for `#[async_generator]`s: only an async generator can
/// delegate to one (a sync generator cannot wait for its `.await`s), while
/// an async generator delegates to either kind. The macro adds it to an
/// async generator's return type (`impl Stream<Item = Y> +
/// AsyncDelegable<Y>`).
///
/// ```
/// use cogen::{async_generator, generator, yield_, yield_from, Stream};
/// use futures::StreamExt;
///
/// #[async_generator]
/// fn ticks(n: u32) -> impl Stream<Item = u32> {
///     for i in 0..n {
///         std::future::ready(()).await;
///         yield_!(i);
///     }
/// }
///
/// #[generator]
/// fn hundreds() -> impl Iterator<Item = u32> {
///     yield_!(100);
///     yield_!(200);
/// }
///
/// #[async_generator]
/// fn both() -> impl Stream<Item = u32> {
///     yield_from!(ticks(2)); // async: resumed directly
///     yield_from!(hundreds()); // sync generators too
/// }
///
/// let all: Vec<u32> = futures::executor::block_on(both().collect());
/// assert_eq!(all, [0, 1, 100, 200]);
/// ```
///
/// # Safety
///
/// As for [`Delegable`].
#[diagnostic::on_unimplemented(
    message = "`yield_from!` of `{Self}`, which does not yield `{Y}` (with resume argument `{R}`) like this generator",
    label = "yields another type, or takes another resume argument"
)]
pub unsafe trait AsyncDelegable<Y, R = (), T = ()> {
    #[doc(hidden)]
    fn __cogen_link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<Y, R>);
    #[doc(hidden)]
    fn __cogen_take_return(self: Pin<&mut Self>) -> T;
}

/// The machine's own body, as a delegate.
unsafe fn resume_machine<Fut, Y, R, const D: bool, const C: bool>(
    data: NonNull<()>,
    waker: &Waker,
    arg: &mut Option<R>,
    closing: bool,
    _: Option<NonNull<Pool>>,
) -> Raw<Y, R>
where
    Fut: Future,
{
    // SAFETY: `data` was made from a pinned `Machine<Fut, Y, R, D, C>` by
    // `__cogen_link`, and the chain contract keeps it alive and unaliased.
    let m = unsafe { &mut *data.cast::<Machine<Fut, Y, R, D, C>>().as_ptr() };
    let mut cx = Context::from_waker(waker);
    if closing {
        // SAFETY: pinned, as above.
        return match unsafe { Pin::new_unchecked(m) }.poll_close(&mut cx) {
            Poll::Ready(()) => Raw::Complete,
            Poll::Pending => Raw::Pending,
        };
    }
    if let Some(inner) = m.take_chain() {
        let mut bottom = inner;
        // SAFETY: the chain was this machine's, valid as in `Machine::step`.
        while let Some(up) = unsafe { Link::up(bottom) } {
            bottom = up;
        }
        return Raw::Splice(inner, bottom);
    }
    match m.step_own(&mut cx, arg) {
        Own::Yielded(y) => Raw::Yielded(y),
        Own::Complete(out) => {
            m.keep_return(out);
            Raw::Complete
        }
        Own::Pending => Raw::Pending,
        Own::Finished => Raw::Complete,
        Own::Delegate(link) => Raw::Delegate(link),
    }
}

/// Resumes an `impl Iterator` generator's machine as a delegate: it ends
/// the way its `Iterator::next` does (a `try` body's error is its last
/// item). `spend` gets the finished machine's block back.
///
/// # Safety
/// As for [`resume_machine`], for `m`.
#[cfg(feature = "alloc")]
#[inline(always)]
unsafe fn resume_iterator<Fut, Y, const D: bool, const C: bool>(
    m: &mut Machine<Fut, Y, (), D, C>,
    waker: &Waker,
    closing: bool,
    spend: impl FnOnce(),
) -> Raw<Y, ()>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    let data = NonNull::from(&mut *m).cast();
    // SAFETY: per the contract.
    match unsafe { resume_machine::<Fut, Y, (), D, C>(data, waker, &mut Some(()), closing, None) } {
        Raw::Complete => {
            let last = match closing {
                false => m.take_return_if_any().and_then(LastItem::last_item),
                true => None,
            };
            spend();
            match last {
                Some(last) => Raw::Yielded(last),
                None => Raw::Complete,
            }
        }
        raw => raw,
    }
}

/// [`Boxed`] as a delegate; its block is freed when it drops.
#[cfg(feature = "alloc")]
unsafe fn resume_boxed<Fut, Y, const D: bool, const C: bool>(
    data: NonNull<()>,
    waker: &Waker,
    _: &mut Option<()>,
    closing: bool,
    _: Option<NonNull<Pool>>,
) -> Raw<Y, ()>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    // SAFETY: `data` was made from the boxed, pinned machine by
    // `__cogen_link`, and the chain contract keeps it alive and unaliased.
    let m = unsafe { &mut *data.cast::<Machine<Fut, Y, (), D, C>>().as_ptr() };
    // SAFETY: as above.
    unsafe { resume_iterator(m, waker, closing, || {}) }
}

/// [`LazyBoxed`] as a delegate: it takes its block from the root's pool on
/// its first resume, and gives it back when it completes.
#[cfg(feature = "alloc")]
unsafe fn resume_lazy<F, Fut, Y, const D: bool, const C: bool>(
    data: NonNull<()>,
    waker: &Waker,
    _: &mut Option<()>,
    closing: bool,
    pool: Option<NonNull<Pool>>,
) -> Raw<Y, ()>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    // SAFETY: `data` was made from a pinned `LazyBoxed` by `__cogen_link`,
    // and the chain contract keeps it alive and unaliased.
    let this = unsafe {
        &mut *data
            .cast::<LazyBoxed<F, Machine<Fut, Y, (), D, C>>>()
            .as_ptr()
    };
    if closing && this.is_unstarted() {
        // Nothing ran, so nothing is to clean up; the closure (the
        // arguments) drops with the `LazyBoxed`.
        return Raw::Complete;
    }
    // SAFETY: the pool is the root's, as `Machine::step` requires.
    let Some((m, _)) = (unsafe { this.started(pool) }) else {
        return Raw::Complete;
    };
    // SAFETY: the machine stays pinned in its block: only its return value
    // is moved out.
    let m: *mut _ = unsafe { m.get_unchecked_mut() };
    // SAFETY: the machine is alive and unaliased, as above; `spend` runs
    // once it has finished and its return value was taken, and nothing
    // borrows it any more.
    unsafe { resume_iterator(&mut *m, waker, closing, || this.spend(pool)) }
}

// SAFETY: the pointer is the boxed, pinned machine, and `resume_boxed` is
// its resume function.
#[cfg(feature = "alloc")]
unsafe impl<Fut, Y, const D: bool, const C: bool> Delegable<Y> for Boxed<Machine<Fut, Y, (), D, C>>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    fn __cogen_link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<Y, ()>) {
        let (data, _) = Delegable::__cogen_link(self.get_mut().machine());
        (data, resume_boxed::<Fut, Y, D, C>)
    }

    fn __cogen_take_return(self: Pin<&mut Self>) {}
}

// SAFETY: the pointer is the pinned `LazyBoxed`, and `resume_lazy` is its
// resume function.
#[cfg(feature = "alloc")]
unsafe impl<F, Fut, Y, const D: bool, const C: bool> Delegable<Y>
    for LazyBoxed<F, Machine<Fut, Y, (), D, C>>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    fn __cogen_link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<Y, ()>) {
        (
            NonNull::from(self.get_mut()).cast(),
            resume_lazy::<F, Fut, Y, D, C>,
        )
    }

    fn __cogen_take_return(self: Pin<&mut Self>) {}
}

/// What `yield_from!` can delegate to, after the pick below.
pub trait Source<Y, R> {
    /// The value `yield_from!` evaluates to.
    type Output;
    #[doc(hidden)]
    fn link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<Y, R>);
    #[doc(hidden)]
    fn take_return(self: Pin<&mut Self>) -> Self::Output;
}

/// The impls `Delegable` and `AsyncDelegable` share: the machine itself, the
/// pinned pointers to it, and the `yield_from!` adapter. The two traits only
/// differ in who may delegate to whom.
macro_rules! delegable_impls {
    ($trait:ident, $adapter:ident) => {
        // SAFETY: the pointer is the pinned machine, and `resume_machine` is
        // its resume function.
        #[diagnostic::do_not_recommend]
        unsafe impl<Fut: Future, Y, R, const D: bool, const C: bool> $trait<Y, R, Fut::Output>
            for Machine<Fut, Y, R, D, C>
        {
            fn __cogen_link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<Y, R>) {
                // SAFETY: only turned into a pointer; the machine stays pinned.
                let m = unsafe { self.get_unchecked_mut() };
                (NonNull::from(m).cast(), resume_machine::<Fut, Y, R, D, C>)
            }

            fn __cogen_take_return(self: Pin<&mut Self>) -> Fut::Output {
                // SAFETY: taking the return value moves nothing pinned.
                unsafe { self.get_unchecked_mut() }.take_return()
            }
        }

        // SAFETY: forwards to the pinned pointee.
        #[cfg(feature = "alloc")]
        #[diagnostic::do_not_recommend]
        unsafe impl<G: $trait<Y, R, T> + ?Sized, Y, R, T> $trait<Y, R, T>
            for Pin<alloc::boxed::Box<G>>
        {
            fn __cogen_link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<Y, R>) {
                self.get_mut().as_mut().__cogen_link()
            }

            fn __cogen_take_return(self: Pin<&mut Self>) -> T {
                self.get_mut().as_mut().__cogen_take_return()
            }
        }

        // SAFETY: forwards to the pinned pointee.
        #[diagnostic::do_not_recommend]
        unsafe impl<G: $trait<Y, R, T> + ?Sized, Y, R, T> $trait<Y, R, T> for Pin<&mut G> {
            fn __cogen_link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<Y, R>) {
                self.get_mut().as_mut().__cogen_link()
            }

            fn __cogen_take_return(self: Pin<&mut Self>) -> T {
                self.get_mut().as_mut().__cogen_take_return()
            }
        }

        /// A cogen generator to delegate to.
        pub struct $adapter<D, T>(D, PhantomData<fn() -> T>);

        impl<D: $trait<Y, R, T>, Y, R, T> Source<Y, R> for $adapter<D, T> {
            type Output = T;

            fn link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<Y, R>) {
                // SAFETY: structural pinning of the only field.
                unsafe { self.map_unchecked_mut(|s| &mut s.0) }.__cogen_link()
            }

            fn take_return(self: Pin<&mut Self>) -> T {
                // SAFETY: structural pinning of the only field.
                unsafe { self.map_unchecked_mut(|s| &mut s.0) }.__cogen_take_return()
            }
        }
    };
}

delegable_impls!(Delegable, Gen);
delegable_impls!(AsyncDelegable, AsyncGen);

/// An iterator to delegate to; dropped as soon as it is exhausted or closed.
pub struct Iter<I>(Option<I>);

// The iterator is never pinned: `next` takes `&mut self`.
impl<I> Unpin for Iter<I> {}

unsafe fn resume_iter<I: Iterator>(
    data: NonNull<()>,
    _: &Waker,
    _: &mut Option<()>,
    closing: bool,
    _: Option<NonNull<Pool>>,
) -> Raw<I::Item, ()> {
    // SAFETY: `data` is the `Iter<I>` the link was made from, alive and
    // unaliased per the chain contract.
    let it = unsafe { &mut *data.cast::<Iter<I>>().as_ptr() };
    match it.0.as_mut().filter(|_| !closing).and_then(Iterator::next) {
        Some(item) => Raw::Yielded(item),
        None => {
            it.0 = None;
            Raw::Complete
        }
    }
}

impl<I: Iterator> Source<I::Item, ()> for Iter<I> {
    type Output = ();

    fn link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<I::Item, ()>) {
        (NonNull::from(self.get_mut()).cast(), resume_iter::<I>)
    }

    fn take_return(self: Pin<&mut Self>) {}
}

/// A stream to delegate to (async generators), pinned in place.
pub struct Streamed<S>(Option<S>);

unsafe fn resume_stream<S: Stream>(
    data: NonNull<()>,
    waker: &Waker,
    _: &mut Option<()>,
    closing: bool,
    _: Option<NonNull<Pool>>,
) -> Raw<S::Item, ()> {
    // SAFETY: `data` is the pinned `Streamed<S>` the link was made from,
    // alive and unaliased per the chain contract; the stream is structurally
    // pinned and only dropped in place.
    let this = unsafe { &mut *data.cast::<Streamed<S>>().as_ptr() };
    if closing {
        this.0 = None;
        return Raw::Complete;
    }
    let Some(stream) = this.0.as_mut() else {
        return Raw::Complete;
    };
    // SAFETY: as above.
    match unsafe { Pin::new_unchecked(stream) }.poll_next(&mut Context::from_waker(waker)) {
        Poll::Ready(Some(item)) => Raw::Yielded(item),
        Poll::Ready(None) => {
            this.0 = None;
            Raw::Complete
        }
        Poll::Pending => Raw::Pending,
    }
}

impl<S: Stream> Source<S::Item, ()> for Streamed<S> {
    type Output = ();

    fn link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<S::Item, ()>) {
        // SAFETY: only turned into a pointer; stays pinned.
        (
            NonNull::from(unsafe { self.get_unchecked_mut() }).cast(),
            resume_stream::<S>,
        )
    }

    fn take_return(self: Pin<&mut Self>) {}
}

/// The future behind `yield_from!`: hands its delegate's link to the root,
/// then, once the delegate completed, evaluates to its return value (or to
/// `None` when the generator is being closed).
pub struct YieldFrom<'a, D, Y, R> {
    delegate: Pin<&'a mut D>,
    link: Option<Link<Y, R>>,
    _pinned: core::marker::PhantomPinned,
}

impl<Y, R> Co<Y, R> {
    /// `yield_from!(delegate)`.
    #[inline]
    pub fn yield_from<'a, D: Source<Y, R>>(
        &self,
        delegate: Pin<&'a mut D>,
    ) -> YieldFrom<'a, D, Y, R> {
        YieldFrom {
            delegate,
            link: None,
            _pinned: core::marker::PhantomPinned,
        }
    }
}

impl<D: Source<Y, R>, Y, R> Future for YieldFrom<'_, D, Y, R> {
    type Output = Option<D::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `link` is pinned with the future (its address goes into the
        // chain); nothing is moved out of the pinned fields.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: created by `Co`, awaited directly in the body (see
        // `Frame::current`).
        let slot = unsafe { &mut *crate::machine::current_slot::<Y, R>(cx) };
        if let Slot::Closing = slot {
            return Poll::Ready(None);
        }
        if this.link.is_some() {
            // Back after the delegate completed.
            return Poll::Ready(Some(this.delegate.as_mut().take_return()));
        }
        let (delegate, resume) = this.delegate.as_mut().link();
        let link = this.link.insert(Link {
            delegate,
            resume,
            up: None,
        });
        *slot = Slot::Delegate(NonNull::from(link));
        Poll::Pending
    }
}

/// `yield_from!`'s argument, before the pick.
pub struct Wrap<T>(pub T);

/// The pick: a cogen generator is delegated to directly (an async one only
/// from an async generator); otherwise a stream (async generators only),
/// otherwise an iterator. Chosen at compile time by method resolution
/// (`(&&&&Wrap(x)).__cogen_pick()`, with only the `Via*` traits that apply
/// in scope), which tries the receiver with the most references first.
pub struct PickAsyncGen;
/// See `PickAsyncGen`.
pub struct PickGen;
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
impl<T: AsyncDelegable<Y, R, U>, Y, R, U> ViaAsyncGen<Y, R, U> for &&&Wrap<T> {}

/// See `PickAsyncGen`.
pub trait ViaGen<Y, R, U> {
    #[doc(hidden)]
    fn __cogen_pick(&self) -> PickGen {
        PickGen
    }
}
impl<T: Delegable<Y, R, U>, Y, R, U> ViaGen<Y, R, U> for &&Wrap<T> {}

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
        T: NotDelegable,
    {
        match self.0.never() {}
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

/// The bound of [`PickNone`]: implemented by no type, so that `yield_from!`
/// of an unsuitable value is one error in the user's terms, and the
/// delegation after it type-checks.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` cannot delegate to `{Self}`",
    label = "not something this generator can take items from",
    note = "a #[generator] can `yield_from!` any `IntoIterator` and any #[generator]; an \
            #[async_generator] can also `yield_from!` any `Stream` and any #[async_generator] \
            (a #[generator] cannot wait for their `.await`s)"
)]
pub trait NotDelegable {
    #[doc(hidden)]
    fn never(self) -> core::convert::Infallible;
}

/// What [`PickNone`] would delegate to: no value of it exists.
pub struct Nothing<O>(core::convert::Infallible, PhantomData<fn() -> O>);

impl<Y, R, O> Source<Y, R> for Nothing<O> {
    type Output = O;

    fn link(self: Pin<&mut Self>) -> (NonNull<()>, ResumeFn<Y, R>) {
        match self.0 {}
    }

    fn take_return(self: Pin<&mut Self>) -> O {
        match self.0 {}
    }
}

impl PickAsyncGen {
    #[doc(hidden)]
    pub fn wrap<T: AsyncDelegable<Y, R, U>, Y, R, U>(self, w: Wrap<T>) -> AsyncGen<T, U> {
        AsyncGen(w.0, PhantomData)
    }
}

impl PickGen {
    #[doc(hidden)]
    pub fn wrap<T: Delegable<Y, R, U>, Y, R, U>(self, w: Wrap<T>) -> Gen<T, U> {
        Gen(w.0, PhantomData)
    }
}

impl PickStream {
    #[doc(hidden)]
    pub fn wrap<T: Stream>(self, w: Wrap<T>) -> Streamed<T> {
        Streamed(Some(w.0))
    }
}

impl PickIter {
    #[doc(hidden)]
    pub fn wrap<T: IntoIterator>(self, w: Wrap<T>) -> Iter<T::IntoIter> {
        Iter(Some(w.0.into_iter()))
    }
}
