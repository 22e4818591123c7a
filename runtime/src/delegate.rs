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
//! A delegate's resume function keeps the root's chain up to date itself,
//! and goes on with the next link while that link is of its own kind (see
//! [`drive`]): a recursion runs in one loop there, and the root only sees
//! the items. A delegate is linked when its `yield_from!` is first polled:
//! it is started then (a [`LazyBoxed`] takes its block), and a chain it was
//! already driving is handed over, so that its resumes need not ask.
//!
//! Any `IntoIterator` (and, in async generators, any `Stream`) can be
//! delegated to as well. Those are not linked: the delegating body drains
//! them itself, an item a resume ([`Iter`], [`Streamed`]), as a `for` loop
//! of `yield_!`s would; the body is then the innermost link, which the root
//! resumes directly at any depth.
//!
//! A panic anywhere in the chain unwinds through the root's driver, whose
//! guard (`UnwindChain` in `machine.rs`) then unwinds the rest of the chain
//! the way the native stack would have been: every delegate's state is
//! dropped in place, innermost first, with no cleanup run ([`Mode::Unwind`]),
//! then the root's.

use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use futures_core::Stream;

use crate::async_generator::AsyncGenerator;
#[cfg(feature = "alloc")]
use crate::boxed::{Boxed, LazyBoxed};
use crate::chain::{Chain, Head, Link, Mode, Raw, ResumeFn, Source};
#[cfg(feature = "alloc")]
use crate::co::Co;
#[cfg(feature = "alloc")]
use crate::generator::LastItem;
use crate::generator::{Generator, GeneratorState};
#[cfg(feature = "alloc")]
use crate::machine::Root;
use crate::machine::{Machine, Step};
use crate::pool::Pool;

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
/// Implemented by cogen only. It names, for the generators cogen makes,
/// the protocol `yield_from!` drives them by (a supertrait that cannot be
/// named outside cogen, whose implementations must hand out a delegate
/// pointer and a resume function that agree); `Delegable` and
/// [`AsyncDelegable`] only say who may delegate to whom.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` of `{Self}`, which does not yield `{Y}` (with resume argument `{R}`) like this generator",
    label = "yields another type, or takes another resume argument"
)]
pub unsafe trait Delegable<Y, R = (), T = ()>: Source<Y, R, Output = T> {}

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
pub unsafe trait AsyncDelegable<Y, R = (), T = ()>: Source<Y, R, Output = T> {}

/// Resumes a machine as the delegate at `link`, and updates the chain.
/// `complete` gets the return value when the machine completes (`None`
/// when it was closed, or had already finished), and may hand back a last
/// item to yield before the link is popped.
///
/// # Safety
/// As for [`Link::resume`]; `m` is the machine of `link`'s delegate, and
/// `complete` may free it (nothing here touches it after).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn resume_at<Fut, Y, R, const D: bool, const C: bool>(
    m: *mut Machine<Fut, Y, R, D, C>,
    link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R, true>>,
    waker: &Waker,
    arg: &mut Option<R>,
    mode: Mode,
    pool: Option<NonNull<Pool>>,
    rootable: bool,
    complete: impl FnOnce(Option<Fut::Output>, bool) -> Option<Y>,
) -> Raw<Y, Chain<Y, R>>
where
    Fut: Future,
{
    // The root, resumed as a link of its own chain (see
    // `Machine::step_linked`; only through `resume_lazy` and
    // `resume_machine`, which pass `rootable`), is the machine whose head
    // this is.
    // SAFETY: per the contract, the machine is alive.
    let root = rootable && unsafe { Machine::head_of(NonNull::new_unchecked(m)) } == Some(head);
    // SAFETY: per the contract, the machine is alive, pinned and unaliased
    // until `complete` runs.
    let m = unsafe { &mut *m };
    let mut cx = Context::from_waker(waker);
    // `mode` is a constant here ([`drive`] splits the resume path from the
    // others), so only one of these is compiled into each.
    let out = if mode == Mode::Resume {
        match m.step_own(&mut cx, arg, pool) {
            Step::Yielded(y) => return Raw::Yielded(y),
            Step::Pending => return Raw::Pending,
            // The root's delegates are the bottom of its chain: the root is
            // resumed when the chain is empty, not through a link of theirs.
            Step::Delegate(inner, _) if root => {
                // SAFETY: per the contract.
                unsafe { (*head.as_ptr()).set_chain(Some(inner)) };
                return Raw::Moved(Some(inner));
            }
            // SAFETY: per the contract; the new links are the delegate's.
            Step::Delegate(inner, bottom) => {
                return unsafe { Link::pushed(link, head, inner, bottom) };
            }
            Step::Complete(out) => Some(out),
            // Completed before, or it was closing and this finished its
            // close (see `Mode::WillClose`).
            Step::Finished => None,
        }
    } else if mode == Mode::Close {
        // SAFETY: pinned, as above.
        match unsafe { Pin::new_unchecked(&mut *m) }.poll_close(&mut cx) {
            Poll::Ready(()) => None,
            Poll::Pending => return Raw::Pending,
        }
    } else if mode == Mode::WillClose {
        // Its delegating body is not resumed as if it had completed when
        // the close it waits for finishes in a resume: it goes on closing.
        return if m.will_close() {
            Raw::Moved(None)
        } else {
            Raw::Pending
        };
    } else {
        // `Mode::Unwind`: its state is dropped in place (its locals, and
        // its captured arguments), and none of its cleanup runs: a panic
        // runs destructors, not `defer!` blocks. Its block, if it is a
        // `LazyBoxed`'s, stays with its owner, which frees it when it drops
        // (with the delegating body's state, next in the walk): `complete`
        // is not called, so nothing is spent or kept.
        m.unwound();
        // SAFETY: per the contract; the link is in the delegating body's
        // state, which the walk has not dropped yet.
        return unsafe { Link::popped(link, head) };
    };
    // SAFETY: per the contract; the machine is no longer borrowed.
    unsafe { completed(link, head, out, |out| complete(out, root)) }
}

/// The delegate at `link` has completed (`out`: its return value, if it
/// had one to give): `complete` has it, and its link is popped.
///
/// # Safety
/// As for [`resume_at`], once the machine is no longer borrowed.
#[inline(always)]
unsafe fn completed<Y, R, T>(
    link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R, true>>,
    out: Option<T>,
    complete: impl FnOnce(Option<T>) -> Option<Y>,
) -> Raw<Y, Chain<Y, R>> {
    match complete(out) {
        Some(last) => {
            // The delegate is gone (a `LazyBoxed`'s block went back to the
            // pool): its link is popped on the next resume.
            // SAFETY: per the contract.
            unsafe { Link::set_resume(link, resume_done::<Y, R>) };
            Raw::Yielded(last)
        }
        // SAFETY: per the contract.
        None => unsafe { Link::popped(link, head) },
    }
}

/// Drives the chain from `link` on for as long as its innermost link is of
/// the same kind as `link` (the same resume function `this`): a recursive
/// generator's delegates are all alike, and when one completes or delegates
/// the next is resumed here, without a return to the root and another
/// indirect call (a tree walk: one call from the root a node instead of
/// three). It returns at a yield, a wait, or a link of another kind. The
/// chain stays off the native stack: this is a loop, and the root's head
/// is kept current at every step, so a panic leaves it right.
///
/// The link of every cogen delegate points at its machine (in whatever
/// holds it: a pinned place, a [`Boxed`], a [`LazyBoxed`]'s block);
/// `complete` is what [`resume_at`] is to do when one completes, which is
/// all that differs between those kinds.
///
/// # Safety
/// As for [`Link::resume`]; `this` is the resume function of `link`'s
/// delegate, and every delegate whose resume function it is is a
/// `Machine<Fut, Y, R, D, C>` that `complete` suits.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn drive<Fut, Y, R, const D: bool, const C: bool>(
    link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R, true>>,
    waker: &Waker,
    arg: &mut Option<R>,
    mode: Mode,
    pool: Option<NonNull<Pool>>,
    this: ResumeFn<Y, R>,
    rootable: bool,
    complete: impl Fn(NonNull<Machine<Fut, Y, R, D, C>>, Option<Fut::Output>, bool) -> Option<Y>,
) -> Raw<Y>
where
    Fut: Future,
{
    if mode != Mode::Resume {
        // SAFETY: per the contract.
        return unsafe { drive_closing(link, head, waker, mode, this, rootable, complete) };
    }
    // SAFETY: per the contract.
    unsafe {
        drive_in(
            link,
            head,
            waker,
            arg,
            Mode::Resume,
            pool,
            this,
            rootable,
            complete,
        )
    }
}

/// [`drive`] in [`Mode::Close`] or [`Mode::Unwind`]: out of line and
/// cold, so that the resume path, which runs for every item, has no call
/// of its own to pay for in its prologue. (With the close path a call
/// inside it, every resume pushed and popped two more registers; measured:
/// runtime/DESIGN.md, "Closing a chain out of line".)
///
/// # Safety
/// As for [`drive`].
#[cold]
#[inline(never)]
unsafe fn drive_closing<Fut, Y, R, const D: bool, const C: bool>(
    link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R, true>>,
    waker: &Waker,
    mode: Mode,
    this: ResumeFn<Y, R>,
    rootable: bool,
    complete: impl Fn(NonNull<Machine<Fut, Y, R, D, C>>, Option<Fut::Output>, bool) -> Option<Y>,
) -> Raw<Y>
where
    Fut: Future,
{
    // Closing and unwinding resume nothing: no argument, no pool.
    // SAFETY: per the contract.
    unsafe {
        drive_in(
            link, head, waker, &mut None, mode, None, this, rootable, complete,
        )
    }
}

/// The loop of [`drive`], for one mode.
///
/// # Safety
/// As for [`drive`].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn drive_in<Fut, Y, R, const D: bool, const C: bool>(
    mut link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R, true>>,
    waker: &Waker,
    arg: &mut Option<R>,
    mode: Mode,
    pool: Option<NonNull<Pool>>,
    this: ResumeFn<Y, R>,
    rootable: bool,
    complete: impl Fn(NonNull<Machine<Fut, Y, R, D, C>>, Option<Fut::Output>, bool) -> Option<Y>,
) -> Raw<Y>
where
    Fut: Future,
{
    loop {
        // SAFETY: per the contract, for this link and, below, for each link
        // that becomes the innermost with the same resume function: the
        // functions compare equal only if they are this one or one that
        // compiled to the same code, which treats its delegate alike.
        unsafe {
            let m = Link::delegate(link).cast::<Machine<Fut, Y, R, D, C>>();
            let done = |out, root| complete(m, out, root);
            match resume_at(
                m.as_ptr(),
                link,
                head,
                waker,
                arg,
                mode,
                pool,
                rootable,
                done,
            ) {
                // The next link is carried here rather than read back from
                // the head, which was just written: one dependent load less
                // on the path from one resume to the next.
                Raw::Moved(Some(next)) if Link::resumes_with(next, this) => link = next,
                next => return next.raw(),
            }
        }
    }
}

/// A delegate that has completed (after its last item, or before it was
/// delegated to): it is popped.
unsafe fn resume_done<Y, R>(
    link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R, true>>,
    _: &Waker,
    _: &mut Option<R>,
    mode: Mode,
    _: Option<NonNull<Pool>>,
) -> Raw<Y> {
    // Always the innermost link: never marked (see `Mode::WillClose`).
    if mode == Mode::WillClose {
        return Raw::Pending;
    }
    // SAFETY: per the contract of `ResumeFn`.
    unsafe { Link::popped(link, head) }.raw()
}

/// The machine's own body, as a delegate: it keeps its return value for
/// the delegating body's `yield_from!` to take.
// Never inlined: the root of a recursive inline-form body calls it directly
// (see `machine::Root`), and a copy inlined there would be a second caller
// of the body's `poll`.
#[inline(never)]
pub(crate) unsafe fn resume_machine<Fut, Y, R, const D: bool, const C: bool>(
    link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R, true>>,
    waker: &Waker,
    arg: &mut Option<R>,
    mode: Mode,
    pool: Option<NonNull<Pool>>,
) -> Raw<Y>
where
    Fut: Future,
{
    // The delegates are pinned `Machine<Fut, Y, R, D, C>`s (`__cogen_link`),
    // which the chain contract keeps alive and unaliased.
    let keep = |m: NonNull<Machine<Fut, Y, R, D, C>>, out, _root| {
        if let Some(out) = out {
            // SAFETY: as above; `resume_at` no longer borrows it.
            unsafe { (*m.as_ptr()).keep_return(out) };
        }
        None
    };
    let this = resume_machine::<Fut, Y, R, D, C>;
    // SAFETY: as above.
    unsafe { drive(link, head, waker, arg, mode, pool, this, true, keep) }
}

/// The last item of an `impl Iterator` generator that completed as a
/// delegate: it ends the way its `Iterator::next` does (a `try` body's error
/// is its last item).
#[cfg(feature = "alloc")]
#[inline(always)]
fn last_item<Y, T: LastItem<Y>>(out: Option<T>) -> Option<Y> {
    out.and_then(LastItem::last_item)
}

/// [`Boxed`] as a delegate; its block is freed when it drops.
#[cfg(feature = "alloc")]
unsafe fn resume_boxed<Fut, Y, const D: bool, const C: bool>(
    link: NonNull<Link<Y, ()>>,
    head: NonNull<Head<Y, (), true>>,
    waker: &Waker,
    _: &mut Option<()>,
    mode: Mode,
    pool: Option<NonNull<Pool>>,
) -> Raw<Y>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    let this = resume_boxed::<Fut, Y, D, C>;
    let last = |_: NonNull<Machine<Fut, Y, (), D, C>>, out, _root| last_item(out);
    // SAFETY: the delegates are boxed, pinned machines (`__cogen_link`),
    // which the chain contract keeps alive and unaliased.
    unsafe {
        drive(
            link,
            head,
            waker,
            &mut Some(()),
            mode,
            pool,
            this,
            false,
            last,
        )
    }
}

/// [`LazyBoxed`] as a delegate, started when it was linked (with a block
/// from the root's pool): its block goes back to the pool as soon as it
/// completes, for the next delegate to take.
#[cfg(feature = "alloc")]
// Never inlined: the root of a recursive body calls it directly (see
// `Machine::step_linked`), and a copy inlined there would be a second
// caller of the body's `poll`.
#[inline(never)]
unsafe fn resume_lazy<F, Fut, Y, const D: bool, const C: bool>(
    link: NonNull<Link<Y, ()>>,
    head: NonNull<Head<Y, (), true>>,
    waker: &Waker,
    _: &mut Option<()>,
    mode: Mode,
    pool: Option<NonNull<Pool>>,
) -> Raw<Y>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    let spend = |m: NonNull<Machine<Fut, Y, (), D, C>>, out, root: bool| {
        let last = last_item(out);
        // The root keeps its block until it drops (its `Iterator::next`
        // resumes its own body through this function).
        if !root {
            // SAFETY: the machine has finished, its return value was taken,
            // and `resume_at` no longer borrows it; its owner was set when
            // it was linked; the pool is the root's, as `Machine::step`
            // requires.
            unsafe { LazyBoxed::<F, Machine<Fut, Y, (), D, C>>::spend(m, pool) };
        }
        last
    };
    let this = resume_lazy::<F, Fut, Y, D, C>;
    // SAFETY: the delegates are the pinned machines of started `LazyBoxed`s,
    // in their blocks (`__cogen_link`), which the chain contract keeps alive
    // and unaliased.
    unsafe {
        drive(
            link,
            head,
            waker,
            &mut Some(()),
            mode,
            pool,
            this,
            true,
            spend,
        )
    }
}

/// The `impl Iterator` form of a body that delegates; as the root of its
/// chain, its delegates' blocks come from its own pool.
#[cfg(feature = "alloc")]
impl<F, Fut, Y, const D: bool, const C: bool, K: Root> Iterator
    for LazyBoxed<F, Machine<Fut, Y, (), D, C>, K>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    type Item = Y;

    #[inline]
    fn next(&mut self) -> Option<Y> {
        // As the root, its delegates' blocks come from its own pool.
        // SAFETY: no pool to honour.
        let (machine, pool) = unsafe { self.started(None) }?;
        let mut cx = Context::from_waker(Waker::noop());
        let own = resume_lazy::<F, Fut, Y, D, C>;
        // SAFETY: the pool is this generator's own, in its block beside the
        // machine, and borrowed by nothing else; `resume_lazy` is the
        // resume function of a link to this machine.
        unsafe { machine.step_root::<K>(&mut cx, &mut Some(()), Some(pool), own) }.next_item()
    }
}

// SAFETY: the pointer is the boxed, pinned machine, and `resume_boxed` is
// its resume function.
#[cfg(feature = "alloc")]
#[diagnostic::do_not_recommend]
unsafe impl<Fut, Y, const D: bool, const C: bool> Source<Y, ()> for Boxed<Machine<Fut, Y, (), D, C>>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    type Output = ();

    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        _: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, ()>>,
    ) -> Chain<Y, ()> {
        let mut m = self.get_mut().machine();
        // SAFETY: taking the chain moves nothing pinned.
        let chain = unsafe { m.as_mut().get_unchecked_mut() }.take_chain();
        // SAFETY: only turned into a pointer; the machine stays pinned.
        let delegate = NonNull::from(unsafe { m.get_unchecked_mut() }).cast();
        *slot = Some(Link::new(delegate, resume_boxed::<Fut, Y, D, C>));
        chain
    }

    unsafe fn __cogen_take_return(self: Pin<&mut Self>, _: Option<NonNull<Pool>>) {}
}

// SAFETY: the pointer is the started `LazyBoxed`'s pinned machine, at the
// start of its block, and `resume_lazy` is its resume function (or, once
// spent, `resume_done`).
#[cfg(feature = "alloc")]
#[diagnostic::do_not_recommend]
unsafe impl<F, Fut, Y, const D: bool, const C: bool, K> Source<Y, ()>
    for LazyBoxed<F, Machine<Fut, Y, (), D, C>, K>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    type Output = ();

    // Inlined into the delegating body's `yield_from!`: out of line, the
    // call cost a tree walk 10-12 instructions per node (measured:
    // runtime/DESIGN.md, "Delegates started when linked").
    #[inline(always)]
    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, ()>>,
    ) -> Chain<Y, ()> {
        // Started here rather than on its first resume, so that no resume
        // has to ask whether it is, and the link points at the machine
        // itself: a resume is a chain of dependent loads (the link, the
        // delegate, the body's state), and the `LazyBoxed` in between was
        // one more (measured:
        // runtime/DESIGN.md, "Delegates started when linked").
        // SAFETY: per the contract.
        let (delegate, resume, chain) = match unsafe { self.get_mut().link(pool) } {
            Some((m, chain)) => {
                let resume: ResumeFn<Y, ()> = resume_lazy::<F, Fut, Y, D, C>;
                (m.cast(), resume, chain)
            }
            // Completed as a delegate before: nothing is left.
            None => (
                NonNull::dangling(),
                resume_done::<Y, ()> as ResumeFn<Y, ()>,
                None,
            ),
        };
        *slot = Some(Link::new(delegate, resume));
        chain
    }

    unsafe fn __cogen_take_return(self: Pin<&mut Self>, _: Option<NonNull<Pool>>) {}
}

// SAFETY: the pointer is the pinned machine, and `resume_machine` is its
// resume function.
#[diagnostic::do_not_recommend]
unsafe impl<Fut: Future, Y, R, const D: bool, const C: bool> Source<Y, R>
    for Machine<Fut, Y, R, D, C>
{
    type Output = Fut::Output;

    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        _: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R> {
        // SAFETY: only turned into a pointer (and its chain taken); the
        // machine stays pinned.
        let m = unsafe { self.get_unchecked_mut() };
        let chain = m.take_chain();
        let resume = resume_machine::<Fut, Y, R, D, C>;
        *slot = Some(Link::new(NonNull::from(m).cast(), resume));
        chain
    }

    unsafe fn __cogen_take_return(self: Pin<&mut Self>, _: Option<NonNull<Pool>>) -> Fut::Output {
        // SAFETY: taking the return value moves nothing pinned.
        unsafe { self.get_unchecked_mut() }.take_return()
    }

    #[inline(always)]
    fn __cogen_holds_nothing(&self) -> bool {
        self.is_done()
    }
}

// SAFETY: forwards to the pinned pointee. `Pin<Box<G>>` and `Pin<&mut G>`:
// one impl for every pinned pointer, as futures-core does for `Stream`.
#[diagnostic::do_not_recommend]
unsafe impl<P, Y, R> Source<Y, R> for Pin<P>
where
    P: core::ops::DerefMut<Target: Source<Y, R>> + Unpin,
{
    type Output = <P::Target as Source<Y, R>>::Output;

    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R> {
        // SAFETY: per the contract.
        unsafe { self.get_mut().as_mut().__cogen_link(pool, slot) }
    }

    unsafe fn __cogen_take_return(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
    ) -> Self::Output {
        // SAFETY: per the contract.
        unsafe { self.get_mut().as_mut().__cogen_take_return(pool) }
    }
}

/// Who may delegate to whom: a machine is either kind (its public return
/// type says which), and so is a pinned pointer to one of a kind.
macro_rules! delegable_markers {
    ($($trait:ident)*) => {$(
        // SAFETY: `Source` carries the contract.
        #[diagnostic::do_not_recommend]
        unsafe impl<Fut: Future, Y, R, const D: bool, const C: bool> $trait<Y, R, Fut::Output>
            for Machine<Fut, Y, R, D, C>
        {
        }

        // SAFETY: as above.
        #[diagnostic::do_not_recommend]
        unsafe impl<P, Y, R, T> $trait<Y, R, T> for Pin<P> where
            P: core::ops::DerefMut<Target: $trait<Y, R, T>> + Unpin
        {
        }
    )*};
}

delegable_markers!(Delegable AsyncDelegable);

#[cfg(feature = "alloc")]
// SAFETY: `Source` carries the contract.
unsafe impl<Fut, Y, const D: bool, const C: bool> Delegable<Y> for Boxed<Machine<Fut, Y, (), D, C>>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
}

#[cfg(feature = "alloc")]
// SAFETY: `Source` carries the contract.
unsafe impl<F, Fut, Y, const D: bool, const C: bool, K> Delegable<Y>
    for LazyBoxed<F, Machine<Fut, Y, (), D, C>, K>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
}

/// An iterator to delegate to, driven from the delegating body, an item a
/// resume (see `Source::__COGEN_DIRECT`): it is never linked. A resume
/// argument received while it is delegated to is dropped (JavaScript's
/// `yield*` over an array does the same), so any resume type `R` can
/// delegate to it. (Not a [`Streamed`] of an always-ready stream: a
/// mismatched item type would then be reported as a `Stream`'s.)
pub struct Iter<I>(pub(crate) I);

// The iterator is never pinned: `next` takes `&mut self`.
impl<I> Unpin for Iter<I> {}

// SAFETY: never linked: `__cogen_link` is never called (`YieldFrom` polls
// it for items instead, as `__COGEN_DIRECT` says).
#[diagnostic::do_not_recommend]
unsafe impl<I: Iterator, R> Source<I::Item, R> for Iter<I> {
    type Output = ();

    const __COGEN_DIRECT: bool = true;

    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        _: Option<NonNull<Pool>>,
        _: &mut Option<Link<I::Item, R>>,
    ) -> Chain<I::Item, R> {
        unreachable!("cogen: an iterator delegate was linked")
    }

    unsafe fn __cogen_take_return(self: Pin<&mut Self>, _: Option<NonNull<Pool>>) {}

    #[inline(always)]
    fn __cogen_poll_item(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
        Poll::Ready(self.get_mut().0.next())
    }
}

/// A stream to delegate to (async generators), pinned in place, and driven
/// from the delegating body as an [`Iter`] is.
pub struct Streamed<S>(pub(crate) S);

// SAFETY: never linked: `__cogen_link` is never called (`YieldFrom` polls
// it for items instead, as `__COGEN_DIRECT` says).
#[diagnostic::do_not_recommend]
unsafe impl<S: Stream, R> Source<S::Item, R> for Streamed<S> {
    type Output = ();

    const __COGEN_DIRECT: bool = true;

    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        _: Option<NonNull<Pool>>,
        _: &mut Option<Link<S::Item, R>>,
    ) -> Chain<S::Item, R> {
        unreachable!("cogen: a stream delegate was linked")
    }

    unsafe fn __cogen_take_return(self: Pin<&mut Self>, _: Option<NonNull<Pool>>) {}

    #[inline(always)]
    fn __cogen_poll_item(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        // SAFETY: the stream is structurally pinned: never moved out, only
        // dropped in place with `Streamed`.
        unsafe { self.map_unchecked_mut(|s| &mut s.0) }.poll_next(cx)
    }
}

/// A [`Generator`] seen as an [`AsyncGenerator`] that is always ready, so
/// that one adapter, [`ForeignAsyncGen`], drives foreign generators of both
/// kinds.
pub struct Ready<G>(pub(crate) G);

impl<G: Generator<R>, R> AsyncGenerator<R> for Ready<G> {
    type Yield = G::Yield;
    type Return = G::Return;

    fn poll_resume(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<GeneratorState<G::Yield, G::Return>> {
        // SAFETY: structural pinning of the only field.
        let gen = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        // `ForeignAsyncGen` passes an argument on every resume: its first is
        // `R::default()`, and after that a leaf of the chain is the first
        // thing a resume of the root reaches, with the root's argument. (A
        // sync generator never waits, so no poll of it continues a wait.)
        match arg.take() {
            Some(arg) => Poll::Ready(gen.resume(arg)),
            None => panic!("cogen: a delegated generator was resumed without an argument"),
        }
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        // SAFETY: structural pinning of the only field.
        unsafe { self.map_unchecked_mut(|s| &mut s.0) }.close();
        Poll::Ready(())
    }
}

/// Any [`Generator`] that is not one of cogen's own (a hand-written impl, a
/// generator behind an opaque `impl Generator` of a trait method): the
/// async adapter over [`Ready`].
pub type ForeignGen<G, R> = ForeignAsyncGen<Ready<G>, R>;

/// Any [`AsyncGenerator`] (or, through [`Ready`], [`Generator`]) that is not
/// one of cogen's own (a hand-written impl, a generator behind an opaque
/// `impl Generator` of a trait method), driven through its public trait and
/// pinned in place: a leaf of the chain, resumed by the root with the
/// arguments the root receives (`poll_resume`), and closed (`poll_close`)
/// or dropped like the delegates cogen makes. It has no first argument to
/// receive: `yield_from!` resumes it the first time with `R::default()`
/// (what a cogen generator would drop anyway).
pub struct ForeignAsyncGen<G: AsyncGenerator<R>, R> {
    gen: Option<G>,
    ret: Option<G::Return>,
    started: bool,
}

impl<G: AsyncGenerator<R>, R> ForeignAsyncGen<G, R> {
    pub(crate) fn new(gen: G) -> Self {
        ForeignAsyncGen {
            gen: Some(gen),
            ret: None,
            started: false,
        }
    }
}

/// See [`ForeignAsyncGen`].
unsafe fn resume_foreign_async_gen<G: AsyncGenerator<R>, R: Default>(
    link: NonNull<Link<G::Yield, R>>,
    head: NonNull<Head<G::Yield, R, true>>,
    waker: &Waker,
    arg: &mut Option<R>,
    mode: Mode,
    _: Option<NonNull<Pool>>,
) -> Raw<G::Yield> {
    // SAFETY: the delegate is the pinned `ForeignAsyncGen<G, R>` the link
    // was made from, alive and unaliased per the chain contract; the
    // generator is structurally pinned and only dropped in place.
    let this = unsafe {
        &mut *Link::delegate(link)
            .cast::<ForeignAsyncGen<G, R>>()
            .as_ptr()
    };
    let Some(gen) = this.gen.as_mut() else {
        return match mode {
            Mode::WillClose => Raw::Pending,
            // SAFETY: per the contract.
            _ => unsafe { Link::popped(link, head) }.raw(),
        };
    };
    // SAFETY: as above.
    let gen = unsafe { Pin::new_unchecked(gen) };
    let mut cx = Context::from_waker(waker);
    match mode {
        Mode::Resume => {
            if !this.started {
                // Its first resume: the argument that resumed the root went
                // to the body that delegates.
                this.started = true;
                if arg.is_none() {
                    *arg = Some(R::default());
                }
            }
            match gen.poll_resume(&mut cx, arg) {
                Poll::Ready(GeneratorState::Yielded(y)) => Raw::Yielded(y),
                Poll::Ready(GeneratorState::Complete(ret)) => {
                    this.gen = None;
                    this.ret = Some(ret);
                    // SAFETY: per the contract.
                    unsafe { Link::popped(link, head) }.raw()
                }
                Poll::Pending => Raw::Pending,
            }
        }
        Mode::WillClose => Raw::Pending,
        Mode::Close => match gen.poll_close(&mut cx) {
            Poll::Ready(()) => {
                this.gen = None;
                // SAFETY: per the contract.
                unsafe { Link::popped(link, head) }.raw()
            }
            Poll::Pending => Raw::Pending,
        },
        Mode::Unwind => {
            this.gen = None;
            // SAFETY: per the contract.
            unsafe { Link::popped(link, head) }.raw()
        }
    }
}

// SAFETY: the link points to this adapter, with its own resume function.
#[diagnostic::do_not_recommend]
unsafe impl<G: AsyncGenerator<R, Yield = Y>, Y, R: Default> Source<Y, R> for ForeignAsyncGen<G, R> {
    type Output = G::Return;

    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        _: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R> {
        // SAFETY: only turned into a pointer; stays pinned.
        let delegate = NonNull::from(unsafe { self.get_unchecked_mut() }).cast();
        *slot = Some(Link::new(delegate, resume_foreign_async_gen::<G, R>));
        None
    }

    unsafe fn __cogen_take_return(self: Pin<&mut Self>, _: Option<NonNull<Pool>>) -> G::Return {
        // SAFETY: moves the return value only, never the pinned generator.
        match unsafe { self.get_unchecked_mut() }.ret.take() {
            Some(ret) => ret,
            None => panic!("cogen: `yield_from!` of a generator that had already completed"),
        }
    }
}
