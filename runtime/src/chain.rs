//! The delegate chain: its links, the root's head word, and what one
//! resume of a link reports.
//!
//! A `yield_from!` does not loop in the delegating body: it hands its
//! delegate to the root as a [`Link`] (see `YieldFrom` in `co.rs`), and the
//! root resumes the innermost link directly (see `delegate.rs` for the
//! resume functions behind a link). This file is the data: the links, the
//! root's [`Head`] (its phase and its innermost link in one word), and the
//! operations that push, pop and splice links. It knows nothing of
//! machines or bodies.

use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use crate::pool::Pool;

/// One resume of a delegate, type-erased: `(link, head, waker, arg,
/// mode, pool)`. `link` is the delegate's own, the innermost of the
/// root's chain; `head` is the root's, which the delegate updates itself
/// when the chain changes (see [`Raw::Moved`]); `pool` is the root's free
/// list (see `pool.rs`).
pub(crate) type ResumeFn<Y, R> = unsafe fn(
    NonNull<Link<Y, R>>,
    NonNull<Head<Y, R, true>>,
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
/// keeps its phase (see [`Head`]).
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
///
/// `M` is what `Moved` carries: nothing for the root, which reads its head
/// back; inside a delegate's resume, the innermost link now (a [`Chain`];
/// `None`: the root's own body), so that `drive` (`delegate.rs`) need not
/// read the head back.
pub enum Raw<Y, M = ()> {
    /// An item; the chain is as the root's head now says.
    Yielded(Y),
    /// Waiting in a foreign `.await` (async generators only).
    Pending,
    /// The chain changed, as the root's head now says: a delegate completed
    /// (or, when closing, closed) and its link was popped, or one delegates
    /// in turn and its delegate's chain was pushed above it. The root goes
    /// on with the innermost link.
    Moved(M),
}

impl<Y, M> Raw<Y, M> {
    /// The outcome as the root sees it: `Moved` without its link.
    #[inline(always)]
    pub(crate) fn raw(self) -> Raw<Y> {
        match self {
            Raw::Yielded(y) => Raw::Yielded(y),
            Raw::Pending => Raw::Pending,
            Raw::Moved(_) => Raw::Moved(()),
        }
    }
}

impl<Y, R> Link<Y, R> {
    #[inline(always)]
    pub(crate) fn new(delegate: NonNull<()>, resume: ResumeFn<Y, R>) -> Self {
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
        head: NonNull<Head<Y, R, true>>,
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
    pub(crate) unsafe fn delegate(link: NonNull<Self>) -> NonNull<()> {
        // SAFETY: per the contract.
        unsafe { link.as_ref().delegate }
    }

    /// Whether `resume` is `link`'s resume function (or one that compiled
    /// to the same code).
    ///
    /// # Safety
    /// As for [`Link::resume`].
    #[inline(always)]
    pub(crate) unsafe fn resumes_with(link: NonNull<Self>, resume: ResumeFn<Y, R>) -> bool {
        // SAFETY: per the contract.
        core::ptr::fn_addr_eq(unsafe { link.as_ref().resume }, resume)
    }

    /// Makes `resume` the function of `link`'s later resumes.
    ///
    /// # Safety
    /// As for [`Link::resume`]; `resume` must suit the link's delegate.
    #[inline(always)]
    pub(crate) unsafe fn set_resume(mut link: NonNull<Self>, resume: ResumeFn<Y, R>) {
        // SAFETY: per the contract; nothing else borrows the link.
        unsafe { link.as_mut().resume = resume };
    }

    /// The delegate at `link` has completed: its link is popped, and its
    /// delegating body comes next.
    ///
    /// # Safety
    /// As for [`Link::resume`].
    #[inline(always)]
    pub(crate) unsafe fn popped(
        link: NonNull<Self>,
        mut head: NonNull<Head<Y, R, true>>,
    ) -> Raw<Y, Chain<Y, R>> {
        // SAFETY: per the contract.
        unsafe {
            let up = link.as_ref().up;
            head.as_mut().set_chain(up);
            Raw::Moved(up)
        }
    }

    /// The delegate at `link` delegates in turn: the chain `inner ..=
    /// bottom` (one new link, or more if its delegate was itself
    /// delegating) goes above `link`.
    ///
    /// # Safety
    /// As for [`Link::resume`], for all the links.
    #[inline(always)]
    pub(crate) unsafe fn pushed(
        link: NonNull<Self>,
        mut head: NonNull<Head<Y, R, true>>,
        inner: NonNull<Self>,
        mut bottom: NonNull<Self>,
    ) -> Raw<Y, Chain<Y, R>> {
        // SAFETY: per the contract; `bottom` is not otherwise borrowed.
        unsafe {
            bottom.as_mut().up = Some(link);
            head.as_mut().set_chain(Some(inner));
        }
        Raw::Moved(Some(inner))
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

/// Where a machine stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum Phase {
    // `Running` first and `Unstarted` second: the hot path checks
    // `phase <= Unstarted` with one unsigned compare.
    Running = 0,
    /// Created; the body has not run (its future holds the arguments).
    Unstarted = 1,
    /// A close has started: every later poll continues it.
    Closing = 2,
    /// Completed as a `yield_from!` delegate; the return value waits.
    Returned = 3,
    /// Completed, panicked or closed: nothing is left.
    Done = 4,
}

/// A machine's phase and its chain's innermost link, in one word: the
/// link's address, with the phase in the low bits that a link's alignment
/// leaves zero. Two fields would take two words (the phase's byte rounds up
/// to one; measured: runtime/DESIGN.md, "Phase and link in one word").
///
/// `D` is the machine's: whether its body has `yield_from!`. Without
/// (`!D`) there is no chain: the word is the phase alone, and the phase is
/// read without masking. The flag is part of the type, not an argument of
/// each accessor, so a head is always read as what it is; only a `D` head
/// can be handed to the chain's functions ([`Head::chained`]), which alone
/// write links into it.
#[repr(transparent)]
pub(crate) struct Head<Y, R, const D: bool>(*mut Link<Y, R>);

/// The low bits of [`Head`] that hold the phase; [`Link`] is aligned to 8.
const PHASE_BITS: usize = 0b111;

// SAFETY: the links are in the root's own future (transitively), so they
// move with it, and the root is `Send` only if that future is.
unsafe impl<Y, R, const D: bool> Send for Head<Y, R, D> {}

impl<Y, R, const D: bool> Head<Y, R, D> {
    pub(crate) fn new(phase: Phase) -> Self {
        Head(core::ptr::without_provenance_mut(phase as usize))
    }

    /// The phase's bits: every other bit is zero when there is no chain.
    #[inline(always)]
    pub(crate) fn bits(&self) -> usize {
        if D {
            self.0.addr() & PHASE_BITS
        } else {
            self.0.addr()
        }
    }

    #[inline(always)]
    pub(crate) fn phase(&self) -> Phase {
        match self.bits() {
            0 => Phase::Running,
            1 => Phase::Unstarted,
            2 => Phase::Closing,
            3 => Phase::Returned,
            _ => Phase::Done,
        }
    }

    #[inline(always)]
    pub(crate) fn set_phase(&mut self, phase: Phase) {
        self.0 = if D {
            self.0.map_addr(|a| (a & !PHASE_BITS) | phase as usize)
        } else {
            core::ptr::without_provenance_mut(phase as usize)
        };
    }

    /// The innermost link; always `None` without `yield_from!`.
    #[inline(always)]
    pub(crate) fn chain(&self) -> Option<NonNull<Link<Y, R>>> {
        if D {
            NonNull::new(self.0.map_addr(|a| a & !PHASE_BITS))
        } else {
            None
        }
    }

    /// The innermost link, which is no longer this head's: the chain of a
    /// generator that is itself becoming a delegate, for the new root.
    #[inline(always)]
    pub(crate) fn take_chain(&mut self) -> Option<NonNull<Link<Y, R>>> {
        let top = self.chain();
        if let Some(head) = self.chained_mut() {
            head.set_chain(None);
        }
        top
    }

    /// The head at `this` as the chain's functions take it: `None` without
    /// `yield_from!` (`!D`), whose head never holds a link.
    #[inline(always)]
    pub(crate) fn chained(this: NonNull<Self>) -> Option<NonNull<Head<Y, R, true>>> {
        // The same word (`repr(transparent)`), read with masking: only for
        // `D`, whose word is laid out for it.
        if D {
            Some(this.cast())
        } else {
            None
        }
    }

    /// [`Head::chained`], borrowed.
    #[inline(always)]
    pub(crate) fn chained_mut(&mut self) -> Option<&mut Head<Y, R, true>> {
        // SAFETY: as in `chained`; the borrow is this one.
        Self::chained(NonNull::from(self)).map(|mut head| unsafe { head.as_mut() })
    }
}

impl<Y, R> Head<Y, R, true> {
    #[inline(always)]
    pub(crate) fn set_chain(&mut self, link: Option<NonNull<Link<Y, R>>>) {
        let phase = self.0.addr() & PHASE_BITS;
        self.0 = match link {
            Some(link) => link.as_ptr().map_addr(|a| a | phase),
            None => core::ptr::without_provenance_mut(phase),
        };
    }
}

/// What `yield_from!` drives, after the pick (`pick.rs`): cogen's own
/// generators as they are (`Delegable` and `AsyncDelegable` name this
/// trait for them, and only say who may delegate to whom), and the
/// adapters of `delegate.rs` for iterators, streams and foreign generators.
///
/// # Safety
///
/// Implemented by cogen only (the trait cannot be named outside it): the
/// link written by `__cogen_link` must carry a delegate pointer and a
/// resume function that agree, valid while the implementor stays pinned.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` of `{Self}`, which does not yield `{Y}` (with resume argument `{R}`) like this generator",
    label = "yields another type, or takes another resume argument"
)]
pub unsafe trait Source<Y, R> {
    /// The value `yield_from!` evaluates to.
    type Output;
    /// Writes the delegate's link into `slot` (in place: a link built
    /// elsewhere and copied in was copied with one 16-byte load of two
    /// 8-byte stores, which stalls the load until the stores land;
    /// measured: runtime/DESIGN.md, "Links written in place"), and hands
    /// back the chain it was driving if it was itself delegating.
    ///
    /// # Safety
    /// `pool` as for `Machine::step`.
    #[doc(hidden)]
    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R>;
    /// The delegate's return value, once it has completed; `pool` is the
    /// root's now resuming the delegating body (a `Recurse` gives its
    /// block back there).
    ///
    /// # Safety
    /// `pool` as for `Machine::step`.
    #[doc(hidden)]
    unsafe fn __cogen_take_return(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
    ) -> Self::Output;
    /// Whether it is finished and its drop would do nothing (a completed
    /// delegate whose return value was taken): its block can then go back
    /// without the drop (a `Recurse`'s).
    #[doc(hidden)]
    #[inline(always)]
    fn __cogen_holds_nothing(&self) -> bool {
        false
    }
    /// Whether the delegating body drives it itself, an item a resume
    /// (`__cogen_poll_item`), instead of linking it: an iterator or a
    /// stream, which takes no resume argument and has no cleanup or chain
    /// of its own. (Through a link, an item took an indirect call from the
    /// root and the link's bookkeeping: 50 instructions per item of a
    /// `yield_from!` over a slice against 37 driven from the body; measured:
    /// runtime/DESIGN.md, "Iterators and streams driven from the body".)
    #[doc(hidden)]
    const __COGEN_DIRECT: bool = false;
    /// The next item, for a delegate driven from the body (see
    /// `__COGEN_DIRECT`); never called on the others.
    #[doc(hidden)]
    #[inline(always)]
    fn __cogen_poll_item(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Y>> {
        let _ = cx;
        unreachable!("cogen: a linked delegate was polled for an item")
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
pub(crate) unsafe fn splice<Y, R>(
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
