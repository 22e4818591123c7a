//! One resume's exchange area, and how the body finds it.
//!
//! The macro turns a generator body into an `async` block. The compiler then
//! does the hard part (a self-referential state machine, so borrows of locals
//! may live across `yield_!`), and the runtime drives it:
//!
//! * Each resume, the driver (`Machine::step`, in `machine.rs`) puts a
//!   [`Frame`] on its own stack, holding a [`Slot`] for the value passing in
//!   or out, and polls the body with a `Context` whose waker points at that
//!   frame.
//! * `yield_!(v)` awaits `Put` (in `co.rs`), which writes `v` into the frame
//!   found through the waker, then `Suspend`, which returns `Pending` once
//!   (the driver takes the value) and, polled again in the next resume,
//!   takes the resume argument the driver put in that resume's frame.
//! * Sync generators wrap a no-op waker; async generators wrap the caller's,
//!   and the frame's waker forwards `wake` and `clone` to it, so real awaits
//!   in the body work unchanged.
//!
//! Passing the frame through the `Context` instead of storing a pointer to
//! it keeps the state free of self-pointers: after inlining, the compiler
//! sees the whole exchange and a counting generator compiles to the loop a
//! hand-written iterator does. A `Put` or `Suspend` is only ever awaited
//! directly by its own generator's body (the contract of the `unsafe`
//! `__private::new`, the only way to get a `Co`, which the macro's lowering
//! meets statically; see `lower.rs` in cogen-macros), so the frame it finds
//! is always its own generator's, of its own `Y` and `R`.

use core::mem::ManuallyDrop;
use core::ptr::NonNull;
use core::task::{Context, RawWaker, RawWakerVTable, Waker};

use crate::chain::Link;
use crate::pool::Pool;

/// What passes between the driver and the body in one resume.
pub enum Slot<Y, R> {
    /// Nothing (more) to hand over.
    Empty,
    /// The body yielded this value.
    Yielded(Y),
    /// The driver's answer to the previous yield: the resume argument. On
    /// the very first resume nothing receives it (no `yield_!` has run);
    /// the first yield overwrites it, which drops it.
    Resumed(R),
    /// The generator is being closed: the next yield point the body reaches
    /// (the one it waits at, or the next one) takes its exit path.
    Closing,
    /// The body finished its cleanup while closing and will never continue.
    Parked,
    /// The body awaits `yield_from!`: the driver is to resume this delegate
    /// until it completes, then come back. The delegate's link is the
    /// second; the first is the innermost link of the chain that goes on
    /// the root's (the same link, unless the delegate was itself
    /// delegating; see `YieldFrom`).
    Delegate(NonNull<Link<Y, R>>, NonNull<Link<Y, R>>),
}

/// One resume's exchange area, on the driver's stack. The waker handed to
/// the body points here.
#[repr(C)]
pub struct Frame<'a, Y, R> {
    // First, so that the (non-generic) waker functions can read it.
    outer: &'a Waker,
    /// The root's free list, for the delegates `yield_from!` starts.
    pool: Option<NonNull<Pool>>,
    slot: Slot<Y, R>,
}

static FRAME_WAKER: RawWakerVTable =
    RawWakerVTable::new(frame_clone, frame_wake, frame_wake, frame_drop);

/// The outer waker of the frame behind a frame waker's data pointer.
///
/// # Safety
/// `data` must be the data pointer of a waker made by [`Frame::waker`] that
/// is still borrowed (so the frame is alive).
unsafe fn outer<'a>(data: *const ()) -> &'a Waker {
    // SAFETY: `Frame` is `repr(C)` with `outer` first, whatever `Y` and `R`.
    unsafe { *(data as *const &'a Waker) }
}

unsafe fn frame_clone(data: *const ()) -> RawWaker {
    // A clone may outlive the frame, so it is a clone of the outer waker.
    // SAFETY: `clone` is only called through a borrow of the frame waker.
    let clone = ManuallyDrop::new(unsafe { outer(data) }.clone());
    RawWaker::new(clone.data(), clone.vtable())
}

unsafe fn frame_wake(data: *const ()) {
    // SAFETY: as in `frame_clone`; a frame waker is never owned (it lives in
    // a `ManuallyDrop`), so waking by value is only reachable by reference.
    unsafe { outer(data) }.wake_by_ref()
}

unsafe fn frame_drop(_: *const ()) {}

impl<'a, Y, R> Frame<'a, Y, R> {
    pub(crate) fn new(outer: &'a Waker, pool: Option<NonNull<Pool>>, slot: Slot<Y, R>) -> Self {
        Frame { outer, pool, slot }
    }

    /// A waker that forwards to `outer` and lets the body's [`Put`] and
    /// [`Suspend`] futures find this frame.
    pub(crate) fn waker(this: *mut Self) -> ManuallyDrop<Waker> {
        // SAFETY: the vtable functions only read `outer`, which lives as long
        // as the frame; the waker is only lent out (as `&Waker` in a
        // `Context`) while the frame is alive, and clones are not frame
        // wakers. `outer` is `Send + Sync`, so the forwarding functions may
        // run on any thread.
        ManuallyDrop::new(unsafe {
            Waker::from_raw(RawWaker::new(this as *const (), &FRAME_WAKER))
        })
    }

    /// What the frame's slot holds after the poll; it is left empty.
    ///
    /// # Safety
    /// `this` must point to a live frame whose waker is no longer lent out.
    #[inline(always)]
    pub(crate) unsafe fn take_slot(this: *mut Self) -> Slot<Y, R> {
        // SAFETY: per the contract, nothing else uses the frame.
        unsafe { core::ptr::replace(&mut (*this).slot, Slot::Empty) }
    }

    /// The slot of the frame of the resume that is polling the body.
    ///
    /// # Safety
    /// Only for the body's own `Put`, `Suspend`, `UntilClosed`, `Park` and
    /// `YieldFrom` futures, which the macro only ever awaits directly in
    /// their generator's body: the context is then the one built in
    /// `Machine::poll_body` for a `Frame<Y, R>`, and nothing else references
    /// that frame during the poll.
    #[inline(always)]
    pub(crate) unsafe fn current(cx: &Context<'_>) -> *mut Slot<Y, R> {
        let waker = cx.waker();
        // No check that this is a frame waker: the contract of
        // `__private::new` (the only way to get a `Co`) rules out any other.
        // A check costs the body's `poll` a compare and a panic path per
        // await, and that size alone kept LLVM from inlining a small body
        // driven from two places
        // (measured: runtime/DESIGN.md, "No frame check in Frame::current").
        // SAFETY: per the function's contract the data points to a live
        // `Frame<Y, R>`.
        unsafe { core::ptr::addr_of_mut!((*(waker.data() as *mut Self)).slot) }
    }
}

/// The pool of the frame polling the body, for its `YieldFrom`.
///
/// # Safety
/// As for [`Frame::current`].
#[inline(always)]
pub(crate) unsafe fn current_pool<Y, R>(cx: &Context<'_>) -> Option<NonNull<Pool>> {
    // SAFETY: per the contract, the data points to a live `Frame<Y, R>`.
    unsafe { (*(cx.waker().data() as *const Frame<'_, Y, R>)).pool }
}
