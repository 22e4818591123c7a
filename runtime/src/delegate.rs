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
//! delegated to as well: the root then drives it like a generator that
//! returns `()`.
//!
//! A panic anywhere in the chain unwinds through the root's driver, whose
//! guard (`UnwindChain` in `machine.rs`) then unwinds the rest of the chain
//! the way the native stack would have been: every delegate's state is
//! dropped in place, innermost first, with no cleanup run ([`Mode::Unwind`]),
//! then the root's.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use futures_core::Stream;

#[cfg(feature = "alloc")]
use crate::generator::{Boxed, LastItem, LazyBoxed};
use crate::machine::{Co, Head, Machine, Own, Slot};
use crate::pool::Pool;
use crate::{AsyncGenerator, Generator, GeneratorState};

/// One resume of a delegate, type-erased: `(link, head, waker, arg,
/// mode, pool)`. `link` is the delegate's own, the innermost of the
/// root's chain; `head` is the root's, which the delegate updates itself
/// when the chain changes (see [`Raw::Moved`]); `pool` is the root's free
/// list (see `pool.rs`).
type ResumeFn<Y, R> = unsafe fn(
    NonNull<Link<Y, R>>,
    NonNull<Head<Y, R>>,
    &Waker,
    &mut Option<R>,
    Mode,
    Option<NonNull<Pool>>,
) -> Raw<Y>;

/// What a delegate's resume function is to do with it.
///
/// One parameter rather than one function pointer per kind of call: a link
/// stays three words, and the resume path tests it once, as it tested the
/// `closing` flag this replaced.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// Run it to its next yield, its end, its next delegation or a wait.
    Resume,
    /// Close it: run its pending cleanup (it completes, or waits in an async
    /// cleanup). It yields nothing.
    Close,
    /// A close waits in the cleanup of a delegate inner than this one,
    /// which is to be closed after it: mark it closing (a resume then goes
    /// on with its close, not its body), and do nothing else. `Moved` if
    /// it was not closing yet, `Pending` if it was (and so are the outer
    /// ones: they are marked together), for the walk to stop. Only ever
    /// for a delegate above another, so never an iterator or a stream.
    WillClose,
    /// A panic is unwinding through the chain (see `machine::unwind`): drop
    /// the delegate's state in place, running none of its cleanup, as the
    /// unwinding of a stack frame would, and pop its link. (`drive` may go
    /// on with the next links of its kind, iteratively, as in the other
    /// modes; the caller walks on from whatever the head then says.)
    Unwind,
}

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
///
/// Three outcomes, not one per way the chain can change: the root matches
/// on this once per resume, and with four or more arms LLVM dispatches
/// through a jump table. And small: an item and a tag come back in
/// registers.
pub enum Raw<Y> {
    /// An item; the chain is as the root's head now says.
    Yielded(Y),
    /// Waiting in a foreign `.await` (async generators only).
    Pending,
    /// The chain changed, as the root's head now says: a delegate completed
    /// (or, when closing, closed) and its link was popped, or one delegates
    /// in turn and its delegate's chain was pushed above it. The root goes
    /// on with the innermost link.
    Moved,
}

/// [`Raw`] inside a delegate's resume, where a change of the chain also
/// says which link is the innermost now (`None`: the root's own body), so
/// that [`drive`] need not read the head back.
enum Next<Y, R> {
    Yielded(Y),
    Pending,
    Moved(Option<NonNull<Link<Y, R>>>),
}

impl<Y, R> Next<Y, R> {
    #[inline(always)]
    fn raw(self) -> Raw<Y> {
        match self {
            Next::Yielded(y) => Raw::Yielded(y),
            Next::Pending => Raw::Pending,
            Next::Moved(_) => Raw::Moved,
        }
    }
}

impl<Y, R> Link<Y, R> {
    #[inline(always)]
    fn new(delegate: NonNull<()>, resume: ResumeFn<Y, R>) -> Self {
        Link {
            delegate,
            resume,
            up: None,
        }
    }

    /// # Safety
    /// `link` must be the innermost link of the chain of the root whose
    /// head `head` is, and `pool` as for `Machine::step`.
    #[inline(always)]
    pub(crate) unsafe fn resume(
        link: NonNull<Self>,
        head: NonNull<Head<Y, R>>,
        waker: &Waker,
        arg: &mut Option<R>,
        mode: Mode,
        pool: Option<NonNull<Pool>>,
    ) -> Raw<Y> {
        // SAFETY: per the contract, the link and its delegate are alive and
        // nothing else accesses them, nor the head, while the root drives
        // the chain.
        unsafe { (link.as_ref().resume)(link, head, waker, arg, mode, pool) }
    }

    /// The delegate behind a link, for its resume function.
    ///
    /// # Safety
    /// As for [`Link::resume`].
    #[inline(always)]
    unsafe fn delegate(link: NonNull<Self>) -> NonNull<()> {
        // SAFETY: per the contract.
        unsafe { link.as_ref().delegate }
    }

    /// Makes `resume` the function of `link`'s later resumes.
    ///
    /// # Safety
    /// As for [`Link::resume`]; `resume` must suit the link's delegate.
    #[inline(always)]
    unsafe fn set_resume(mut link: NonNull<Self>, resume: ResumeFn<Y, R>) {
        // SAFETY: per the contract; nothing else borrows the link.
        unsafe { link.as_mut().resume = resume };
    }

    /// The delegate at `link` has completed: its link is popped, and its
    /// delegating body comes next.
    ///
    /// # Safety
    /// As for [`Link::resume`].
    #[inline(always)]
    unsafe fn popped(link: NonNull<Self>, mut head: NonNull<Head<Y, R>>) -> Next<Y, R> {
        // SAFETY: per the contract.
        unsafe {
            let up = link.as_ref().up;
            head.as_mut().set_chain(up);
            Next::Moved(up)
        }
    }

    /// The delegate at `link` delegates in turn: the chain `inner ..=
    /// bottom` (one new link, or more if its delegate was itself
    /// delegating) goes above `link`.
    ///
    /// # Safety
    /// As for [`Link::resume`], for all the links.
    #[inline(always)]
    unsafe fn pushed(
        link: NonNull<Self>,
        mut head: NonNull<Head<Y, R>>,
        inner: NonNull<Self>,
        mut bottom: NonNull<Self>,
    ) -> Next<Y, R> {
        // SAFETY: per the contract; `bottom` is not otherwise borrowed.
        unsafe {
            bottom.as_mut().up = Some(link);
            head.as_mut().set_chain(Some(inner));
        }
        Next::Moved(Some(inner))
    }

    /// The next outer link.
    ///
    /// # Safety
    /// As for [`Link::resume`].
    #[inline(always)]
    pub(crate) unsafe fn up(link: NonNull<Self>) -> Option<NonNull<Self>> {
        // SAFETY: per the contract.
        unsafe { link.as_ref().up }
    }
}

/// The chain a delegate was already driving when it was linked, if it was
/// delegating itself (a generator resumed by hand up to a `yield_from!`,
/// then delegated to): its innermost link. It is handed over then, when the
/// delegate is linked, so that no resume has to ask whether there is one.
pub(crate) type Chain<Y, R> = Option<NonNull<Link<Y, R>>>;

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
    /// Writes the generator's link into `slot` (in place: a link built
    /// elsewhere and copied in was copied with one 16-byte load of two
    /// 8-byte stores, which stalls the load until the stores land; a tree
    /// walk in cache took 22.5 ns a node with the copy, 15.7 without).
    ///
    /// # Safety
    /// `pool` as for `Machine::step`.
    #[doc(hidden)]
    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R>;
    /// The return value, once the generator has completed as a delegate.
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
    /// Writes the generator's link into `slot` (in place: a link built
    /// elsewhere and copied in was copied with one 16-byte load of two
    /// 8-byte stores, which stalls the load until the stores land; a tree
    /// walk in cache took 22.5 ns a node with the copy, 15.7 without).
    ///
    /// # Safety
    /// `pool` as for `Machine::step`.
    #[doc(hidden)]
    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R>;
    /// The return value, once the generator has completed as a delegate.
    #[doc(hidden)]
    fn __cogen_take_return(self: Pin<&mut Self>) -> T;
}

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
    head: NonNull<Head<Y, R>>,
    waker: &Waker,
    arg: &mut Option<R>,
    mode: Mode,
    pool: Option<NonNull<Pool>>,
    complete: impl FnOnce(Option<Fut::Output>) -> Option<Y>,
) -> Next<Y, R>
where
    Fut: Future,
{
    // SAFETY: per the contract, the machine is alive, pinned and unaliased
    // until `complete` runs.
    let m = unsafe { &mut *m };
    let mut cx = Context::from_waker(waker);
    // `mode` is a constant here ([`drive`] splits the resume path from the
    // others), so only one of these is compiled into each.
    let out = if mode == Mode::Resume {
        match m.step_own(&mut cx, arg, pool) {
            Own::Yielded(y) => return Next::Yielded(y),
            Own::Pending => return Next::Pending,
            // SAFETY: per the contract; the new links are the delegate's.
            Own::Delegate(inner, bottom) => {
                return unsafe { Link::pushed(link, head, inner, bottom) };
            }
            Own::Complete(out) => Some(out),
            // Completed before, or it was closing and this finished its
            // close (see `Mode::WillClose`).
            Own::Finished => None,
        }
    } else if mode == Mode::Close {
        // SAFETY: pinned, as above.
        match unsafe { Pin::new_unchecked(&mut *m) }.poll_close(&mut cx) {
            Poll::Ready(()) => None,
            Poll::Pending => return Next::Pending,
        }
    } else if mode == Mode::WillClose {
        // Its delegating body is not resumed as if it had completed when
        // the close it waits for finishes in a resume: it goes on closing.
        return if m.will_close() {
            Next::Moved(None)
        } else {
            Next::Pending
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
    unsafe { completed(link, head, out, complete) }
}

/// The delegate at `link` has completed (`out`: its return value, if it
/// had one to give): `complete` has it, and its link is popped.
///
/// # Safety
/// As for [`resume_at`], once the machine is no longer borrowed.
#[inline(always)]
unsafe fn completed<Y, R, T>(
    link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R>>,
    out: Option<T>,
    complete: impl FnOnce(Option<T>) -> Option<Y>,
) -> Next<Y, R> {
    match complete(out) {
        Some(last) => {
            // The delegate is gone (a `LazyBoxed`'s block went back to the
            // pool): its link is popped on the next resume.
            // SAFETY: per the contract.
            unsafe { Link::set_resume(link, resume_done::<Y, R>) };
            Next::Yielded(last)
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
    head: NonNull<Head<Y, R>>,
    waker: &Waker,
    arg: &mut Option<R>,
    mode: Mode,
    pool: Option<NonNull<Pool>>,
    this: ResumeFn<Y, R>,
    complete: impl Fn(NonNull<Machine<Fut, Y, R, D, C>>, Option<Fut::Output>) -> Option<Y>,
) -> Raw<Y>
where
    Fut: Future,
{
    if mode != Mode::Resume {
        // SAFETY: per the contract.
        return unsafe { drive_closing(link, head, waker, mode, this, complete) };
    }
    // SAFETY: per the contract.
    unsafe { drive_in(link, head, waker, arg, Mode::Resume, pool, this, complete) }
}

/// [`drive`] in [`Mode::Close`] or [`Mode::Unwind`]: out of line and
/// cold, so that the resume path, which runs for every item, has no call
/// of its own to pay for in its prologue. (With the close path a call
/// inside it, every resume pushed and popped two more registers: five or
/// six more instructions per item for a generator delegating to another,
/// callgrind, all three forms.)
///
/// # Safety
/// As for [`drive`].
#[cold]
#[inline(never)]
unsafe fn drive_closing<Fut, Y, R, const D: bool, const C: bool>(
    link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R>>,
    waker: &Waker,
    mode: Mode,
    this: ResumeFn<Y, R>,
    complete: impl Fn(NonNull<Machine<Fut, Y, R, D, C>>, Option<Fut::Output>) -> Option<Y>,
) -> Raw<Y>
where
    Fut: Future,
{
    // Closing and unwinding resume nothing: no argument, no pool.
    // SAFETY: per the contract.
    unsafe { drive_in(link, head, waker, &mut None, mode, None, this, complete) }
}

/// The loop of [`drive`], for one mode.
///
/// # Safety
/// As for [`drive`].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn drive_in<Fut, Y, R, const D: bool, const C: bool>(
    mut link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R>>,
    waker: &Waker,
    arg: &mut Option<R>,
    mode: Mode,
    pool: Option<NonNull<Pool>>,
    this: ResumeFn<Y, R>,
    complete: impl Fn(NonNull<Machine<Fut, Y, R, D, C>>, Option<Fut::Output>) -> Option<Y>,
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
            let done = |out| complete(m, out);
            match resume_at(m.as_ptr(), link, head, waker, arg, mode, pool, done) {
                // The next link is carried here rather than read back from
                // the head, which was just written: one dependent load less
                // on the path from one resume to the next.
                Next::Moved(Some(next)) if core::ptr::fn_addr_eq(next.as_ref().resume, this) => {
                    link = next
                }
                next => return next.raw(),
            }
        }
    }
}

/// A delegate that has completed (after its last item, or before it was
/// delegated to): it is popped.
unsafe fn resume_done<Y, R>(
    link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R>>,
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
unsafe fn resume_machine<Fut, Y, R, const D: bool, const C: bool>(
    link: NonNull<Link<Y, R>>,
    head: NonNull<Head<Y, R>>,
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
    let keep = |m: NonNull<Machine<Fut, Y, R, D, C>>, out| {
        if let Some(out) = out {
            // SAFETY: as above; `resume_at` no longer borrows it.
            unsafe { (*m.as_ptr()).keep_return(out) };
        }
        None
    };
    let this = resume_machine::<Fut, Y, R, D, C>;
    // SAFETY: as above.
    unsafe { drive(link, head, waker, arg, mode, pool, this, keep) }
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
    head: NonNull<Head<Y, ()>>,
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
    let last = |_: NonNull<Machine<Fut, Y, (), D, C>>, out| last_item(out);
    // SAFETY: the delegates are boxed, pinned machines (`__cogen_link`),
    // which the chain contract keeps alive and unaliased.
    unsafe { drive(link, head, waker, &mut Some(()), mode, pool, this, last) }
}

/// [`LazyBoxed`] as a delegate, started when it was linked (with a block
/// from the root's pool): its block goes back to the pool as soon as it
/// completes, for the next delegate to take.
#[cfg(feature = "alloc")]
unsafe fn resume_lazy<F, Fut, Y, const D: bool, const C: bool>(
    link: NonNull<Link<Y, ()>>,
    head: NonNull<Head<Y, ()>>,
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
    let spend = |m: NonNull<Machine<Fut, Y, (), D, C>>, out| {
        let last = last_item(out);
        // SAFETY: the machine has finished, its return value was taken, and
        // `resume_at` no longer borrows it; its owner was set when it was
        // linked; the pool is the root's, as `Machine::step` requires.
        unsafe { LazyBoxed::<F, Machine<Fut, Y, (), D, C>>::spend(m, pool) };
        last
    };
    let this = resume_lazy::<F, Fut, Y, D, C>;
    // SAFETY: the delegates are the pinned machines of started `LazyBoxed`s,
    // in their blocks (`__cogen_link`), which the chain contract keeps alive
    // and unaliased.
    unsafe { drive(link, head, waker, &mut Some(()), mode, pool, this, spend) }
}

// SAFETY: the pointer is the boxed, pinned machine, and `resume_boxed` is
// its resume function.
#[cfg(feature = "alloc")]
unsafe impl<Fut, Y, const D: bool, const C: bool> Delegable<Y> for Boxed<Machine<Fut, Y, (), D, C>>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
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

    fn __cogen_take_return(self: Pin<&mut Self>) {}
}

// SAFETY: the pointer is the started `LazyBoxed`'s pinned machine, at the
// start of its block, and `resume_lazy` is its resume function (or, once
// spent, `resume_done`).
#[cfg(feature = "alloc")]
unsafe impl<F, Fut, Y, const D: bool, const C: bool> Delegable<Y>
    for LazyBoxed<F, Machine<Fut, Y, (), D, C>>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, ()>>,
    ) -> Chain<Y, ()> {
        // Started here rather than on its first resume, so that no resume
        // has to ask whether it is, and the link points at the machine
        // itself: a resume is a chain of dependent loads (the link, the
        // delegate, the body's state), and the `LazyBoxed` in between was
        // one more (tree walk: ~8% of the time).
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

    fn __cogen_take_return(self: Pin<&mut Self>) {}
}

/// What `yield_from!` can delegate to, after the pick below.
pub trait Source<Y, R> {
    /// The value `yield_from!` evaluates to.
    type Output;
    /// Writes the delegate's link into `slot`; see
    /// [`Delegable::__cogen_link`].
    ///
    /// # Safety
    /// `pool` as for `Machine::step`.
    #[doc(hidden)]
    unsafe fn link(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R>;
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
            unsafe fn __cogen_link(
                self: Pin<&mut Self>,
                _: Option<NonNull<Pool>>,
                slot: &mut Option<Link<Y, R>>,
            ) -> Chain<Y, R> {
                // SAFETY: only turned into a pointer (and its chain taken);
                // the machine stays pinned.
                let m = unsafe { self.get_unchecked_mut() };
                let chain = m.take_chain();
                let resume = resume_machine::<Fut, Y, R, D, C>;
                *slot = Some(Link::new(NonNull::from(m).cast(), resume));
                chain
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
            unsafe fn __cogen_link(
                self: Pin<&mut Self>,
                pool: Option<NonNull<Pool>>,
                slot: &mut Option<Link<Y, R>>,
            ) -> Chain<Y, R> {
                // SAFETY: per the contract.
                unsafe { self.get_mut().as_mut().__cogen_link(pool, slot) }
            }

            fn __cogen_take_return(self: Pin<&mut Self>) -> T {
                self.get_mut().as_mut().__cogen_take_return()
            }
        }

        // SAFETY: forwards to the pinned pointee.
        #[diagnostic::do_not_recommend]
        unsafe impl<G: $trait<Y, R, T> + ?Sized, Y, R, T> $trait<Y, R, T> for Pin<&mut G> {
            unsafe fn __cogen_link(
                self: Pin<&mut Self>,
                pool: Option<NonNull<Pool>>,
                slot: &mut Option<Link<Y, R>>,
            ) -> Chain<Y, R> {
                // SAFETY: per the contract.
                unsafe { self.get_mut().as_mut().__cogen_link(pool, slot) }
            }

            fn __cogen_take_return(self: Pin<&mut Self>) -> T {
                self.get_mut().as_mut().__cogen_take_return()
            }
        }

        /// A cogen generator to delegate to.
        pub struct $adapter<D, T>(D, PhantomData<fn() -> T>);

        impl<D: $trait<Y, R, T>, Y, R, T> Source<Y, R> for $adapter<D, T> {
            type Output = T;

            unsafe fn link(
                self: Pin<&mut Self>,
                pool: Option<NonNull<Pool>>,
                slot: &mut Option<Link<Y, R>>,
            ) -> Chain<Y, R> {
                // SAFETY: structural pinning of the only field; the pool per
                // the contract.
                unsafe {
                    self.map_unchecked_mut(|s| &mut s.0)
                        .__cogen_link(pool, slot)
                }
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

/// An iterator takes no resume arguments: one received while it is being
/// delegated to is dropped (JavaScript's `yield*` over an array does the
/// same), so any resume type `R` can delegate to it.
unsafe fn resume_iter<I: Iterator, R>(
    link: NonNull<Link<I::Item, R>>,
    head: NonNull<Head<I::Item, R>>,
    _: &Waker,
    arg: &mut Option<R>,
    mode: Mode,
    _: Option<NonNull<Pool>>,
) -> Raw<I::Item> {
    drop(arg.take());
    // SAFETY: the delegate is the `Iter<I>` the link was made from, alive
    // and unaliased per the chain contract.
    let it = unsafe { &mut *Link::delegate(link).cast::<Iter<I>>().as_ptr() };
    match it
        .0
        .as_mut()
        .filter(|_| mode == Mode::Resume)
        .and_then(Iterator::next)
    {
        Some(item) => Raw::Yielded(item),
        // Never innermost but one (it delegates to nothing): unreachable.
        None if mode == Mode::WillClose => Raw::Pending,
        None => {
            it.0 = None;
            // SAFETY: per the contract.
            unsafe { Link::popped(link, head) }.raw()
        }
    }
}

impl<I: Iterator, R> Source<I::Item, R> for Iter<I> {
    type Output = ();

    unsafe fn link(
        self: Pin<&mut Self>,
        _: Option<NonNull<Pool>>,
        slot: &mut Option<Link<I::Item, R>>,
    ) -> Chain<I::Item, R> {
        let delegate = NonNull::from(self.get_mut()).cast();
        *slot = Some(Link::new(delegate, resume_iter::<I, R>));
        None
    }

    fn take_return(self: Pin<&mut Self>) {}
}

/// A stream to delegate to (async generators), pinned in place.
pub struct Streamed<S>(Option<S>);

/// As for [`resume_iter`], a resume argument is dropped.
unsafe fn resume_stream<S: Stream, R>(
    link: NonNull<Link<S::Item, R>>,
    head: NonNull<Head<S::Item, R>>,
    waker: &Waker,
    arg: &mut Option<R>,
    mode: Mode,
    _: Option<NonNull<Pool>>,
) -> Raw<S::Item> {
    drop(arg.take());
    // SAFETY: the delegate is the pinned `Streamed<S>` the link was made
    // from, alive and unaliased per the chain contract; the stream is
    // structurally pinned and only dropped in place.
    let this = unsafe { &mut *Link::delegate(link).cast::<Streamed<S>>().as_ptr() };
    let item = match this.0.as_mut().filter(|_| mode == Mode::Resume) {
        // SAFETY: as above.
        Some(stream) => {
            unsafe { Pin::new_unchecked(stream) }.poll_next(&mut Context::from_waker(waker))
        }
        None => Poll::Ready(None),
    };
    match item {
        Poll::Ready(Some(item)) => Raw::Yielded(item),
        // Never innermost but one (it delegates to nothing): unreachable.
        Poll::Ready(None) if mode == Mode::WillClose => Raw::Pending,
        Poll::Ready(None) => {
            this.0 = None;
            // SAFETY: per the contract.
            unsafe { Link::popped(link, head) }.raw()
        }
        Poll::Pending => Raw::Pending,
    }
}

impl<S: Stream, R> Source<S::Item, R> for Streamed<S> {
    type Output = ();

    unsafe fn link(
        self: Pin<&mut Self>,
        _: Option<NonNull<Pool>>,
        slot: &mut Option<Link<S::Item, R>>,
    ) -> Chain<S::Item, R> {
        // SAFETY: only turned into a pointer; stays pinned.
        let delegate = NonNull::from(unsafe { self.get_unchecked_mut() }).cast();
        *slot = Some(Link::new(delegate, resume_stream::<S, R>));
        None
    }

    fn take_return(self: Pin<&mut Self>) {}
}

/// A [`Generator`] seen as an [`AsyncGenerator`] that is always ready, so
/// that one adapter, [`ForeignAsyncGen`], drives foreign generators of both
/// kinds.
pub struct Ready<G>(G);

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

/// See [`ForeignAsyncGen`].
unsafe fn resume_foreign_async_gen<G: AsyncGenerator<R>, R: Default>(
    link: NonNull<Link<G::Yield, R>>,
    head: NonNull<Head<G::Yield, R>>,
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

impl<G: AsyncGenerator<R, Yield = Y>, Y, R: Default> Source<Y, R> for ForeignAsyncGen<G, R> {
    type Output = G::Return;

    unsafe fn link(
        self: Pin<&mut Self>,
        _: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R> {
        // SAFETY: only turned into a pointer; stays pinned.
        let delegate = NonNull::from(unsafe { self.get_unchecked_mut() }).cast();
        *slot = Some(Link::new(delegate, resume_foreign_async_gen::<G, R>));
        None
    }

    fn take_return(self: Pin<&mut Self>) -> G::Return {
        // SAFETY: moves the return value only, never the pinned generator.
        match unsafe { self.get_unchecked_mut() }.ret.take() {
            Some(ret) => ret,
            None => panic!("cogen: `yield_from!` of a generator that had already completed"),
        }
    }
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
        // SAFETY: as above; the pool is the root's (see `Machine::step`),
        // the one that will drive the delegate.
        let chain = unsafe {
            let pool = crate::machine::current_pool::<Y, R>(cx);
            this.delegate.as_mut().link(pool, &mut this.link)
        };
        let Some(link) = this.link.as_mut() else {
            // SAFETY: `Source::link` writes the link (its contract).
            unsafe { core::hint::unreachable_unchecked() }
        };
        let link = NonNull::from(link);
        // A delegate that was itself delegating brings its chain, which then
        // goes on top: its innermost link is resumed first.
        let inner = match chain {
            // SAFETY: the delegate's chain, valid as in `Machine::step` (its
            // links are in its own suspended bodies), and no longer its own.
            Some(inner) => unsafe { splice(inner, link) },
            None => link,
        };
        *slot = Slot::Delegate(inner, link);
        Poll::Pending
    }
}

/// Puts the chain that ends at `inner`'s outermost link on top of `link`;
/// `inner` stays the innermost. Out of line, and rare: a delegate that was
/// itself delegating when it was delegated to.
///
/// # Safety
/// The chain must be valid as in `Machine::step`, and no longer anyone's.
#[cold]
#[inline(never)]
unsafe fn splice<Y, R>(
    inner: NonNull<Link<Y, R>>,
    link: NonNull<Link<Y, R>>,
) -> NonNull<Link<Y, R>> {
    let mut bottom = inner;
    // SAFETY: per the contract.
    unsafe {
        while let Some(up) = Link::up(bottom) {
            bottom = up;
        }
        bottom.as_mut().up = Some(link);
    }
    inner
}

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

impl<Y, R, O> Source<Y, R> for Nothing<O> {
    type Output = O;

    unsafe fn link(
        self: Pin<&mut Self>,
        _: Option<NonNull<Pool>>,
        _: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R> {
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

impl PickForeignAsyncGen {
    #[doc(hidden)]
    pub fn wrap<T: AsyncGenerator<R>, R: Default>(self, w: Wrap<T>) -> ForeignAsyncGen<T, R> {
        ForeignAsyncGen {
            gen: Some(w.0),
            ret: None,
            started: false,
        }
    }
}

// The `R: Default` of the foreign adapters (their first resume argument)
// is also asked here, where the pick is made: a resume type without
// `Default` is then one error, `Token: Default`, that names no trait of
// cogen's (at `Source` it named `Source` and the adapter).
impl PickForeignGen {
    #[doc(hidden)]
    pub fn wrap<T: Generator<R>, R: Default>(self, w: Wrap<T>) -> ForeignGen<T, R> {
        ForeignAsyncGen {
            gen: Some(Ready(w.0)),
            ret: None,
            started: false,
        }
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
