//! The one state machine behind every cogen generator, sync or async: the
//! body's future, its phase, and the driver that resumes it (or, while it
//! delegates, its chain's innermost link), closes it and unwinds it.
//!
//! Nothing here allocates; the `impl Iterator` form boxes one `Machine`
//! (`boxed.rs`) because `Iterator::next` takes `&mut self`, not a pinned
//! reference.

use core::convert::Infallible;
use core::future::Future;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use crate::chain::{Head, Link, Mode, Phase, Raw, ResumeFn};
use crate::frame::{Frame, Slot};
use crate::pool::Pool;

/// How a delegating root (`Pooled`, `LazyBoxed`) resumes its own body:
/// [`Plain`], by polling it ([`Machine::step`]), or [`Recursive`], for a
/// body the macro saw delegate to a call of itself, through the function
/// that resumes its delegates ([`Machine::step_linked`]), so that the body
/// has one caller in every build. Only for recursion: a body that mostly
/// yields by itself would pay an out-of-line call per item for it
/// (measured: runtime/DESIGN.md, "One caller for a recursive body").
pub trait Root {
    /// Whether the root's own body is resumed through its links' resume
    /// function, when it can be (it delegates and has no `defer!`).
    const LINKED: bool;
}

/// See [`Root`].
pub struct Plain;

/// See [`Root`].
pub struct Recursive;

impl Root for Plain {
    const LINKED: bool = false;
}

impl Root for Recursive {
    const LINKED: bool = true;
}

/// What one resume of a generator produced.
///
/// `L` is what `Delegate` carries: links, from one step of a machine's own
/// body (`Machine::step_own`); nothing from [`Machine::step`], which has
/// put them in its chain, so with the default (uninhabited) `L` the forms
/// match on the other four outcomes only.
pub enum Step<Y, T, L = Infallible> {
    Yielded(Y),
    Complete(T),
    /// The body is waiting in a foreign `.await` (async generators only).
    Pending,
    /// The generator had already completed, panicked or been closed.
    Finished,
    /// It delegates: the chain `inner ..= bottom` (see [`Slot::Delegate`]).
    Delegate(L, L),
}

/// A generator: the body's future, and where it stands.
///
/// `Fut` is the body's future (an `async` block the macro built); `Y` and
/// `R` are the yield and resume types. `D` says whether the body delegates
/// with `yield_from!`, `C` whether it has cleanup (`defer!`) that closing
/// must run by resuming it (without, closing is closing its delegates, if
/// any, then dropping the future: a delegating body without `defer!` is
/// not resumed to close, so that its `poll` keeps one caller; measured:
/// runtime/DESIGN.md, "Delegation is not cleanup"). What a body does not
/// need is compiled out of its driver, which matters for speed: in an
/// async consumer, where the state is in memory, the delegation chain's
/// mere presence cost time per item, and a second call site of the body's
/// `poll` (closing) kept LLVM from inlining a large body (measured:
/// runtime/DESIGN.md, "Compiled out when unused").
/// The generated functions return this
/// type (or [`crate::__private::Boxed`]) behind an `impl Trait`.
pub struct Machine<Fut: Future, Y, R, const D: bool = false, const C: bool = false> {
    /// The body's future while the phase is `Unstarted`, `Running` or
    /// `Closing`; its return value while `Returned`; nothing when `Done`.
    /// A union rather than an enum, because an `async` block offers no niche
    /// for an enum's tag: one word less per generator.
    storage: Storage<Fut, Fut::Output>,
    /// The phase, and the innermost active `yield_from!` delegate when this
    /// generator is the one being driven (the root). Each link points to the
    /// next outer one, through pinned futures of the chain's bodies: the
    /// chain costs no allocation and no native stack, whatever its depth.
    head: Head<Y, R, D>,
    _types: PhantomData<fn(Y) -> R>,
}

/// Opaque: prints `Generator { .. }` (the body's state has no readable
/// form), so that a struct holding a generator can derive `Debug`. The
/// generated functions return this type behind an `impl Trait`, which
/// shows `Debug` only where the signature names it (`-> impl Iterator<Item
/// = u32> + Debug`); the generator blocks' types show it always.
impl<Fut: Future, Y, R, const D: bool, const C: bool> core::fmt::Debug
    for Machine<Fut, Y, R, D, C>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Generator").finish_non_exhaustive()
    }
}

union Storage<Fut, T> {
    fut: ManuallyDrop<Fut>,
    ret: ManuallyDrop<T>,
}

// SAFETY: `Machine` has no method taking `&self` that reads anything but its
// phase (`is_finished`); every other access goes through `&mut` or
// `Pin<&mut>`, so a shared reference gives no access to `Fut` or its output,
// and sharing one across threads cannot race (the reasoning of
// `core::sync::Exclusive`). This lets `Send` generators be used where `Sync`
// is also required, whatever the body holds.
unsafe impl<Fut: Future, Y, R, const D: bool, const C: bool> Sync for Machine<Fut, Y, R, D, C> {}

// The future is pinned structurally (see `poll_body`); everything else is
// plain data. So `Machine` is `Unpin` exactly when the body's future is,
// which an `async` block never is.
impl<Fut: Future + Unpin, Y, R, const D: bool, const C: bool> Unpin for Machine<Fut, Y, R, D, C> {}

impl<Fut, Y, R, const D: bool, const C: bool> Machine<Fut, Y, R, D, C>
where
    Fut: Future,
{
    /// A generator that will run `body` when first resumed.
    #[inline]
    pub fn new(body: Fut) -> Self {
        Machine {
            storage: Storage {
                fut: ManuallyDrop::new(body),
            },
            head: Head::new(Phase::Unstarted),
            _types: PhantomData,
        }
    }

    /// Runs the generator until it yields, completes or waits: its own body,
    /// or, while a `yield_from!` is active, the innermost delegate directly.
    ///
    /// `arg` answers the last yield: it is taken only if the body (or the
    /// delegate) is suspended at a yield; an async body waiting in a foreign
    /// `.await` does not want it, and it is left in `arg`. The argument of
    /// the very first resume is dropped when the body first yields: no
    /// `yield_!` was there to receive it (as in JavaScript).
    ///
    /// `pool` is the root's free list for its delegates' heap blocks, if it
    /// has one (see `pool.rs`).
    ///
    /// # Safety
    /// `pool`, if any, must be valid for writes and not otherwise borrowed
    /// during the call.
    #[inline(always)]
    pub(crate) unsafe fn step(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
        pool: Option<NonNull<Pool>>,
    ) -> Step<Y, Fut::Output> {
        // SAFETY: the future is never moved out of `storage` (only dropped in
        // place).
        let this = unsafe { self.get_unchecked_mut() };
        if !D {
            // No `yield_from!` in the body: no chain, and no code for one.
            // (This repeats the loop's mapping on purpose: folding it into
            // the loop, whose chain is then always empty, was slower on a
            // stream that really suspends; measured: runtime/DESIGN.md,
            // "No chain loop without yield_from!".)
            return match this.step_own(cx, arg, None) {
                Step::Yielded(y) => Step::Yielded(y),
                Step::Complete(out) => Step::Complete(out),
                Step::Pending | Step::Delegate(..) => Step::Pending,
                Step::Finished => Step::Finished,
            };
        }
        loop {
            let Some(link) = this.head.chain() else {
                match this.step_own(cx, arg, pool) {
                    // The bottom link's `up` is `None`: the root's own body.
                    Step::Delegate(inner, _) => {
                        if let Some(head) = this.head.chained_mut() {
                            head.set_chain(Some(inner));
                        }
                    }
                    Step::Yielded(y) => return Step::Yielded(y),
                    Step::Complete(out) => return Step::Complete(out),
                    Step::Pending => return Step::Pending,
                    Step::Finished => return Step::Finished,
                }
                continue;
            };
            // The guard and the head are the same pointer, so that the
            // delegates' writes to the head leave the guard's pointer valid.
            let m = NonNull::from(&mut *this);
            // Always `Some`: only a body with `yield_from!` has a link.
            // SAFETY: the machine is live.
            let Some(head) = (unsafe { Self::head_of(m) }) else {
                unreachable!()
            };
            // A panic in the chain unwinds through every generator of it.
            let unwinding = UnwindChain(m);
            // SAFETY: a link in the chain stays valid while the chain holds
            // it: its body is suspended at that `yield_from!`, and is not
            // resumed (nor dropped) before the link is popped. The pool is
            // as this function requires. The delegates keep the head
            // current as the chain changes.
            let raw = unsafe { Link::resume(link, head, cx.waker(), arg, Mode::Resume, pool) };
            core::mem::forget(unwinding);
            match raw {
                Raw::Yielded(y) => return Step::Yielded(y),
                // A delegate completed (its delegating body takes the return
                // value next), or delegates in turn.
                Raw::Moved(()) => {}
                Raw::Pending => return Step::Pending,
            }
        }
    }

    /// One step of a delegating root of kind `K` (see [`Root`]): its own
    /// body resumed through `own` (`step_linked`) when `K` says so and the
    /// body delegates without `defer!`, else polled (`step`).
    ///
    /// # Safety
    /// As for [`Machine::step`]; `own` must be the resume function of a link
    /// to this machine, as for `step_linked`.
    #[inline(always)]
    pub(crate) unsafe fn step_root<K: Root>(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
        pool: Option<NonNull<Pool>>,
        own: ResumeFn<Y, R>,
    ) -> Step<Y, Fut::Output> {
        // SAFETY: per the contract; the linked step only for a body that
        // delegates and has no `defer!`, as `step_linked` requires.
        unsafe {
            if K::LINKED && D && !C {
                self.step_linked(cx, arg, pool, own)
            } else {
                self.step(cx, arg, pool)
            }
        }
    }

    /// [`Machine::step`] for a root that resumes its own body as it resumes
    /// its delegates: through `own`, the resume function of its links (see
    /// `delegate.rs`), given a link to itself that lives for the call. A
    /// recursive body then has one caller, the delegates' driver, in every
    /// build, which LLVM inlines it into (measured: runtime/DESIGN.md, "One
    /// caller for a recursive body"). Only for a body without `defer!`,
    /// whose close does not resume it (a second caller).
    ///
    /// # Safety
    /// As for [`Machine::step`]; `own` must be the resume function of a link
    /// to this machine, one that treats the machine whose head it is given
    /// as the root (see `resume_at` in `delegate.rs`).
    #[inline(always)]
    unsafe fn step_linked(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
        pool: Option<NonNull<Pool>>,
        own: ResumeFn<Y, R>,
    ) -> Step<Y, Fut::Output> {
        // SAFETY: the future is never moved out of `storage`.
        let this = unsafe { self.get_unchecked_mut() };
        loop {
            let chain = this.head.chain();
            if chain.is_none() {
                // Its own body completed through `own`, which kept the
                // return value (as a delegate's), or it had finished.
                match this.head.phase() {
                    Phase::Returned => return Step::Complete(this.take_return()),
                    Phase::Done => return Step::Finished,
                    _ => {}
                }
            }
            let m = NonNull::from(&mut *this);
            // The root's own link, for this call only: its delegates' links
            // do not point to it (the bottom one's `up` stays `None`).
            let mut own_link = Link::new(m.cast(), own);
            let link = chain.unwrap_or(NonNull::from(&mut own_link));
            // Always `Some`: only a body with `yield_from!` has a link.
            // SAFETY: the machine is live.
            let Some(head) = (unsafe { Self::head_of(m) }) else {
                unreachable!()
            };
            // A panic in the chain, or in this body, unwinds through every
            // generator of it.
            let unwinding = UnwindChain(m);
            // SAFETY: as in `step`; the own link lives until the call
            // returns, and `own` keeps no pointer to it.
            let raw = unsafe { Link::resume(link, head, cx.waker(), arg, Mode::Resume, pool) };
            core::mem::forget(unwinding);
            match raw {
                Raw::Yielded(y) => return Step::Yielded(y),
                Raw::Moved(()) => {}
                Raw::Pending => return Step::Pending,
            }
        }
    }

    /// One step of this machine's own body; `pool` is the root's.
    #[inline(always)]
    pub(crate) fn step_own(
        &mut self,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
        pool: Option<NonNull<Pool>>,
    ) -> Step<Y, Fut::Output, NonNull<Link<Y, R>>> {
        // One unsigned compare on the hot path (`Running` or `Unstarted`);
        // a `match` here compiles to a jump table.
        if self.head.bits() <= Phase::Unstarted as usize {
            // Only closing tells the two apart (a body that never ran has no
            // cleanup to run), and only a body with cleanup is closed by
            // resuming it: without, the phase is not written on every step.
            if C {
                self.head.set_phase(Phase::Running);
            }
        } else if (C || D) && self.head.phase() == Phase::Closing {
            // A close that is waiting in its cleanup (or in a delegate's):
            // polling on finishes the close; nothing more is yielded. Only a
            // body with cleanup or delegates is ever `Closing`, so without
            // them this branch is not compiled (measured: runtime/DESIGN.md,
            // "Compiled out when unused").
            // SAFETY: `self` is pinned (every caller holds it pinned).
            return match unsafe { Pin::new_unchecked(self) }.poll_close(cx) {
                Poll::Ready(()) => Step::Finished,
                Poll::Pending => Step::Pending,
            };
        } else {
            return Step::Finished;
        }
        // The argument goes to the body: a `yield_!` it waits at takes it.
        // A body waiting in a foreign `.await` leaves it, and it goes back
        // to the caller if the body waits again (see `Put` for the rest).
        let slot = match arg.take() {
            Some(arg) => Slot::Resumed(arg),
            None => Slot::Empty,
        };
        match self.poll_body(cx.waker(), pool, slot) {
            (Poll::Ready(out), _) => {
                self.finish();
                Step::Complete(out)
            }
            (Poll::Pending, Slot::Yielded(y)) => Step::Yielded(y),
            (Poll::Pending, Slot::Delegate(inner, bottom)) => Step::Delegate(inner, bottom),
            (Poll::Pending, Slot::Resumed(unused)) => {
                *arg = Some(unused);
                Step::Pending
            }
            (Poll::Pending, _) => Step::Pending,
        }
    }

    /// The head of the machine at `m` as a chain's head (`None` without
    /// `yield_from!`), as a place in the machine: the delegates update it
    /// while the chain is resumed. (A root resumed as a link of its own
    /// chain, see [`Machine::step_linked`], is the machine whose head the
    /// chain's is.)
    ///
    /// # Safety
    /// `m` must point to a live machine.
    #[inline(always)]
    pub(crate) unsafe fn head_of(m: NonNull<Self>) -> Option<NonNull<Head<Y, R, true>>> {
        // SAFETY: per the contract; a place in the machine.
        Head::chained(unsafe { NonNull::new_unchecked(&raw mut (*m.as_ptr()).head) })
    }

    /// The innermost link of the active delegate chain of a generator that
    /// is itself becoming a delegate, for the new root.
    pub(crate) fn take_chain(&mut self) -> Option<NonNull<Link<Y, R>>> {
        self.head.take_chain()
    }

    /// The return value of a generator that completed as a delegate (kept
    /// by `keep_return`).
    pub(crate) fn take_return(&mut self) -> Fut::Output {
        if self.head.phase() != Phase::Returned {
            panic!("cogen: `yield_from!` of a generator that had already completed")
        }
        self.head.set_phase(Phase::Done);
        // SAFETY: the phase was `Returned`, so `ret` holds the value; the
        // phase now says the storage is empty, so it is not read again.
        unsafe { ManuallyDrop::take(&mut self.storage.ret) }
    }

    /// Keeps a delegate's return value for its delegating body.
    pub(crate) fn keep_return(&mut self, out: Fut::Output) {
        debug_assert!(self.head.phase() == Phase::Done);
        self.storage = Storage {
            ret: ManuallyDrop::new(out),
        };
        self.head.set_phase(Phase::Returned);
    }
}

impl<Fut: Future, Y, R, const D: bool, const C: bool> Machine<Fut, Y, R, D, C> {
    /// Whether it completed, panicked or was closed.
    #[inline(always)]
    pub fn is_finished(&self) -> bool {
        matches!(self.head.phase(), Phase::Returned | Phase::Done)
    }

    /// Whether it is finished and holds nothing, not even a return value:
    /// dropping it then runs no code.
    #[inline(always)]
    pub(crate) fn is_done(&self) -> bool {
        self.head.phase() == Phase::Done
    }

    /// Polls the running body once, with a frame holding `slot`; returns the
    /// poll and what the frame holds afterwards.
    ///
    /// If the body panics, the machine must not be resumed in a torn state: a
    /// guard marks it finished as the panic unwinds (the unwinding has
    /// already dropped the body's live locals).
    #[inline(always)]
    fn poll_body(
        &mut self,
        outer: &Waker,
        pool: Option<NonNull<Pool>>,
        slot: Slot<Y, R>,
    ) -> (Poll<Fut::Output>, Slot<Y, R>) {
        let mut frame = Frame::new(outer, pool, slot);
        let frame_ptr: *mut Frame<'_, Y, R> = &mut frame;
        let waker = Frame::waker(frame_ptr);
        let mut cx = Context::from_waker(&waker);
        let guard = FinishOnUnwind::<Y, R, D>(&mut self.head);
        // SAFETY: the phase is `Running` or `Closing` (every caller checked),
        // so `fut` holds the future; it lives inside the pinned machine and is
        // only ever dropped in place (by `finish`), never moved.
        let poll = unsafe { Pin::new_unchecked(&mut *self.storage.fut) }.poll(&mut cx);
        core::mem::forget(guard);
        // SAFETY: the waker (the only other user of `frame_ptr`) is no longer
        // lent out: the poll that borrowed it has returned.
        let slot = unsafe { Frame::take_slot(frame_ptr) };
        (poll, slot)
    }

    /// Drops the body's future (and with it the body's locals), or a return
    /// value nobody took.
    #[inline]
    fn finish(&mut self) {
        let phase = self.head.phase();
        // Done first: if a destructor panics, nothing is dropped twice.
        self.head.set_phase(Phase::Done);
        // SAFETY: the phase says which field holds a value.
        unsafe {
            match phase {
                Phase::Unstarted | Phase::Running | Phase::Closing => {
                    ManuallyDrop::drop(&mut self.storage.fut)
                }
                Phase::Returned => ManuallyDrop::drop(&mut self.storage.ret),
                Phase::Done => {}
            }
        }
    }

    /// Whether closing it has work to do before its state is dropped: a
    /// body with cleanup that is running or closing; or, without
    /// `defer!`, one that delegates and has not finished (its delegates
    /// are closed first, then its state dropped: its body is not resumed,
    /// having no cleanup of its own). Such a body is never marked
    /// `Running` (see `step_own`), so `Unstarted` may mean it has run.
    ///
    /// A function of the phase, not a `&self` method: reading the whole
    /// machine through a shared reborrow, while a delegate's block is
    /// borrowed by its owner, froze that borrow under Tree Borrows (Miri,
    /// `closing_a_generator_form_closes_its_delegates_first`).
    #[inline(always)]
    fn has_close_work(phase: Phase) -> bool {
        match phase {
            Phase::Running => C,
            Phase::Closing => C || D,
            Phase::Unstarted => D && !C,
            Phase::Returned | Phase::Done => false,
        }
    }

    /// A close waits in the cleanup of one of this delegate's own
    /// delegates: it will be closed next, so a resume must go on with its
    /// close (see `Mode::WillClose`). Whether it was not closing yet.
    #[inline(always)]
    pub(crate) fn will_close(&mut self) -> bool {
        let phase = self.head.phase();
        let open = phase != Phase::Closing && Self::has_close_work(phase);
        if open {
            self.head.set_phase(Phase::Closing);
        }
        open
    }

    /// A panic unwound through this generator while it waited at a
    /// `yield_from!` (see [`UnwindChain`]): its state is dropped in place,
    /// running no cleanup, and it is finished.
    #[inline(always)]
    pub(crate) fn unwound(&mut self) {
        self.finish();
    }

    /// Closes the generator: runs the body's pending cleanup to completion
    /// (resuming it in closing mode, if it has any), then drops its state.
    ///
    /// `Pending` only if an async cleanup is waiting; a sync body never waits.
    pub fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: as in `step`.
        let this = unsafe { self.get_unchecked_mut() };
        if !Self::has_close_work(this.head.phase()) {
            // Never started (no code runs), nothing to clean up, or done.
            this.finish();
            return Poll::Ready(());
        }
        this.head.set_phase(Phase::Closing);
        // Active delegates are closed first, innermost first; each then lets
        // its delegating body take its own exit path.
        if D {
            let m = NonNull::from(&mut *this);
            // A panic in a delegate's cleanup unwinds through the rest of the
            // chain and this generator: their states are dropped now, before
            // the unwinding may free their memory (a `pin!`ned or boxed
            // root, a `LazyBoxed`'s block).
            let unwinding = UnwindChain(m);
            // SAFETY: the machine, pinned; as in `step`.
            let closed = unsafe { close_chain(m, cx.waker()) };
            core::mem::forget(unwinding);
            if closed.is_pending() {
                return Poll::Pending;
            }
            if !C {
                // No cleanup of its own: closing is dropping its state.
                this.finish();
                return Poll::Ready(());
            }
        }
        // A body at a yield takes its exit path now; one waiting in a foreign
        // `.await` (or in its cleanup's) continues it, and takes its exit
        // path at its next yield point.
        match this.poll_body(cx.waker(), None, Slot::Closing) {
            (Poll::Pending, Slot::Closing) => Poll::Pending,
            _ => {
                // Parked after its cleanup, or ran to completion: nothing is
                // left to run. A return value is dropped.
                this.finish();
                Poll::Ready(())
            }
        }
    }
}

/// Closes the active delegates of the root at `m`, innermost first: each
/// completes (and its link is popped) or waits in its cleanup (`Pending`).
///
/// # Safety
/// `m` must point to a pinned machine, borrowed by nothing else during the
/// call; its chain as in `Machine::step`.
#[inline(always)]
unsafe fn close_chain<Fut: Future, Y, R, const D: bool, const C: bool>(
    m: NonNull<Machine<Fut, Y, R, D, C>>,
    waker: &Waker,
) -> Poll<()> {
    // Without `yield_from!` there is no chain. The head is a place in the
    // machine, which the delegates update.
    // SAFETY: per the contract, the machine is live.
    let Some(head) = (unsafe { Machine::head_of(m) }) else {
        return Poll::Ready(());
    };
    // SAFETY: per the contract.
    while let Some(link) = unsafe { head.as_ref() }.chain() {
        // A closing delegate yields nothing: it completes (and its link is
        // popped) or waits in its cleanup.
        // SAFETY: as in `step`.
        let raw = unsafe { Link::resume(link, head, waker, &mut None, Mode::Close, None) };
        if let Raw::Pending = raw {
            // SAFETY: per the contract.
            unsafe { will_close(head) };
            return Poll::Pending;
        }
    }
    Poll::Ready(())
}

/// A close waits in the cleanup of the innermost delegate of the chain at
/// `head`: the delegates above it are marked closing (see
/// `Mode::WillClose`), so that if the generator is then resumed instead of
/// polled on with `poll_close`, the delegate that finishes its close in
/// that resume is followed by the close of the next, not by its delegating
/// body going on as if it had completed. (The root's own phase is
/// `Closing` already: its `step_own` goes on closing too.) Marked once:
/// the walk stops at a delegate that already was.
///
/// # Safety
/// As for [`close_chain`], for the machine whose head this is.
#[cold]
#[inline(never)]
unsafe fn will_close<Y, R>(head: NonNull<Head<Y, R, true>>) {
    // SAFETY: per the contract.
    let Some(inner) = (unsafe { head.as_ref() }).chain() else {
        return;
    };
    // SAFETY: per the contract: every link of the chain is valid, and in
    // `Mode::WillClose` a delegate only marks itself.
    unsafe {
        let mut next = Link::up(inner);
        while let Some(link) = next {
            let raw = Link::resume(link, head, Waker::noop(), &mut None, Mode::WillClose, None);
            if let Raw::Pending = raw {
                break;
            }
            next = Link::up(link);
        }
    }
}

/// Unwinds the chain of the root at its pointer, then the root, if a panic
/// leaves the scope it guards (it is forgotten on every other way out).
///
/// A panic in a delegate (its body, its cleanup, a destructor, an iterator
/// or stream it drains) has unwound that delegate's body; the generators
/// between it and the caller, suspended at their `yield_from!`, are frames
/// the panic passes through, and are unwound alike: each one's state is
/// dropped in place, innermost first, running no `defer!` block, and is
/// finished (`Done`). Then every generator of the chain is finished, none
/// goes on as if its delegate had completed, and every pinned value in
/// their states has been dropped before the unwinding goes on to free
/// their memory (Pin's drop guarantee).
struct UnwindChain<Fut: Future, Y, R, const D: bool, const C: bool>(
    NonNull<Machine<Fut, Y, R, D, C>>,
);

impl<Fut: Future, Y, R, const D: bool, const C: bool> Drop for UnwindChain<Fut, Y, R, D, C> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: the guard lives in `step` or `poll_close`, which hold the
        // pinned machine; the panic has left every delegate's resume, so
        // nothing else borrows it or its chain.
        unsafe { unwind(self.0) }
    }
}

/// See [`UnwindChain`]. Out of line and cold: only ever reached while a
/// panic unwinds, and kept out of the landing pads of the loops that
/// resume a chain.
///
/// A destructor that panics here panics during unwinding, and the process
/// aborts, as it does when a destructor panics while a stack unwinds.
///
/// # Safety
/// As for [`close_chain`].
#[cold]
#[inline(never)]
unsafe fn unwind<Fut: Future, Y, R, const D: bool, const C: bool>(
    m: NonNull<Machine<Fut, Y, R, D, C>>,
) {
    // Iteratively, innermost first: a link lives in the state of the next
    // outer generator, which is dropped after it. Each delegate is marked
    // finished before its state is dropped, so that the drop of the
    // delegating state that owns it (next) finds nothing to do; the
    // delegate whose own body panicked was finished by its
    // `FinishOnUnwind`, and its locals were dropped by the unwinding.
    // Without `yield_from!` there is no chain. The head is a place in the
    // machine, which the delegates update.
    // SAFETY: per the contract, the machine is live.
    if let Some(head) = unsafe { Machine::head_of(m) } {
        // SAFETY: the chain is valid as in `step`, and borrowed by nothing.
        while let Some(link) = unsafe { head.as_ref() }.chain() {
            // SAFETY: as in `step`; in `Mode::Unwind` a delegate only drops
            // its state and pops its link (and maybe the next ones).
            unsafe { Link::resume(link, head, Waker::noop(), &mut None, Mode::Unwind, None) };
        }
    }
    // Then the root itself: the body waiting at the `yield_from!` is
    // dropped in place, and is finished.
    // SAFETY: per the contract.
    unsafe { (*m.as_ptr()).unwound() };
}

impl<Fut: Future, Y, R, const D: bool, const C: bool> Drop for Machine<Fut, Y, R, D, C> {
    // Inlined for the same reason `FinishOnUnwind` drops nothing: an
    // out-of-line call on the unwind path of a pinned-on-the-stack generator
    // takes its address and keeps its state out of registers (measured:
    // runtime/DESIGN.md, "Machine's drop inlined").
    #[inline(always)]
    fn drop(&mut self) {
        if Self::has_close_work(self.head.phase()) {
            // Dropping a suspended generator cancels it: its pending cleanup
            // runs now. Drop cannot wait, so a cleanup that awaits something
            // not ready is abandoned at that point.
            let mut cx = Context::from_waker(Waker::noop());
            // SAFETY: only `step_own` and `poll_close`, which take the machine
            // pinned, leave `Unstarted`; so this machine has been pinned and,
            // being dropped, will not move.
            let _ = unsafe { Pin::new_unchecked(&mut *self) }.poll_close(&mut cx);
        }
        self.finish();
    }
}

/// Marks the machine finished if the body panics while polled.
///
/// It does not drop the body's future: a future whose poll panicked is
/// poisoned, and the unwinding has already dropped everything it held (its
/// locals and its captured arguments; `panic_drops_captured_arguments_once`
/// in `runtime/tests/machine.rs` counts them), so dropping it would do
/// nothing. Not calling its drop glue here matters
/// for speed: this runs in the landing pad of every inlined poll, and a call
/// taking the state's address there makes LLVM keep the whole state in
/// memory instead of registers (measured: runtime/DESIGN.md,
/// "FinishOnUnwind drops nothing").
struct FinishOnUnwind<'a, Y, R, const D: bool>(&'a mut Head<Y, R, D>);

impl<Y, R, const D: bool> Drop for FinishOnUnwind<'_, Y, R, D> {
    #[inline(always)]
    fn drop(&mut self) {
        self.0.set_phase(Phase::Done);
    }
}
