//! The one state machine behind every cogen generator, sync or async.
//!
//! The macro turns a generator body into an `async` block. The compiler then
//! does the hard part (a self-referential state machine, so borrows of locals
//! may live across `yield_!`), and this module drives it:
//!
//! * A [`Machine`] owns a [`Slot`] and the body's future. The future is created
//!   lazily, on the first resume, when the machine is already pinned: only then
//!   is the slot's address stable enough to hand to the body as a [`Co`].
//! * `yield_!(v)` writes `v` into the slot and awaits a [`Suspend`] future that
//!   stays `Pending` until the driver writes a resume argument (or
//!   [`Slot::Closing`]) back. The driver recognises a yield by finding
//!   `Yielded` in the slot after `poll` returned `Pending`.
//! * Sync generators poll with a no-op waker; async generators pass the
//!   caller's `Context` straight through, so real awaits work unchanged.
//!
//! Nothing here allocates; the `impl Iterator` form boxes one `Machine`
//! because `Iterator::next` takes `&mut self`, not a pinned reference.

use core::cell::UnsafeCell;
use core::future::Future;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

/// What passes between the driver and the body, one value at a time.
pub enum Slot<Y, R> {
    /// The body is running, or suspended in a foreign `.await`.
    Empty,
    /// The body has just yielded this value; the driver takes it.
    Yielded(Y),
    /// The driver took the yielded value; the body waits for a resume argument.
    Suspended,
    /// The driver has answered the last yield with this argument.
    Resumed(R),
    /// The generator is being closed: every yield point takes its exit path.
    Closing,
    /// The body has finished its cleanup while closing and will never continue.
    Parked,
}

/// The body's handle on its generator's slot.
///
/// The macro binds it to a hygienic name, so user code cannot name it, move it
/// or keep a reference to it past the body.
pub struct Co<Y, R> {
    slot: NonNull<Slot<Y, R>>,
}

// SAFETY: a `Co` only ever lives inside the future owned by the `Machine`
// whose slot it points to, so it moves between threads only together with
// that machine, and it is only dereferenced while the machine is being
// resumed through `Pin<&mut Machine>`, i.e. by the one thread that holds the
// machine exclusively. Sending it is therefore sending `Y`s and `R`s.
// It is deliberately not `Sync`: a `&Co` (held by a `Suspend`) must never
// reach another thread, which would let a nested future write the slot
// concurrently with the driver.
unsafe impl<Y: Send, R: Send> Send for Co<Y, R> {}

impl<Y, R> Co<Y, R> {
    #[inline(always)]
    fn slot(&self) -> *mut Slot<Y, R> {
        self.slot.as_ptr()
    }

    /// `yield_!(value)` in a generator without cleanup: hands `value` out,
    /// and the returned future evaluates to the next resume argument.
    #[inline(always)]
    pub fn yield_(&self, value: Y) -> Suspend<'_, Y, R> {
        // SAFETY: the slot outlives `self` (see `Machine::start`), and the
        // body only runs inside `Machine::step`, which holds no reference
        // into the slot while it polls the body.
        unsafe { *self.slot() = Slot::Yielded(value) };
        Suspend { co: self }
    }

    /// `yield_!(value)` in a generator that has cleanup to run on close: the
    /// future evaluates to `None` when the generator is being closed, and then
    /// the value is dropped without suspending.
    #[inline(always)]
    pub fn yield_or_close(&self, value: Y) -> SuspendOrClose<'_, Y, R> {
        // SAFETY: as in `yield_`.
        let slot = unsafe { &mut *self.slot() };
        if !matches!(slot, Slot::Closing) {
            *slot = Slot::Yielded(value);
        }
        SuspendOrClose { co: self }
    }

    /// Whether the generator is being closed (cleanup is running).
    #[inline(always)]
    pub fn is_closing(&self) -> bool {
        // SAFETY: as in `yield_`; this only reads the discriminant.
        matches!(unsafe { &*self.slot() }, Slot::Closing)
    }

    /// Reached when the body has run all its cleanup while closing: tells the
    /// driver that the body is done, and never completes.
    #[inline]
    pub fn park(&self) -> Park<'_, Y, R> {
        Park { co: self }
    }
}

/// Pending until the driver answers a yield. See [`Co::yield_`].
pub struct Suspend<'a, Y, R> {
    co: &'a Co<Y, R>,
}

impl<Y, R> Future for Suspend<'_, Y, R> {
    type Output = R;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<R> {
        // SAFETY: as in `Co::yield_`.
        let slot = unsafe { &mut *self.co.slot() };
        if let Slot::Resumed(_) = slot {
            if let Slot::Resumed(arg) = core::mem::replace(slot, Slot::Empty) {
                return Poll::Ready(arg);
            }
        }
        Poll::Pending
    }
}

/// Pending until the driver answers a yield; `None` when closing.
pub struct SuspendOrClose<'a, Y, R> {
    co: &'a Co<Y, R>,
}

impl<Y, R> Future for SuspendOrClose<'_, Y, R> {
    type Output = Option<R>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<R>> {
        // SAFETY: as in `Co::yield_`.
        let slot = unsafe { &mut *self.co.slot() };
        match slot {
            Slot::Resumed(_) => match core::mem::replace(slot, Slot::Empty) {
                Slot::Resumed(arg) => Poll::Ready(Some(arg)),
                _ => unreachable!(),
            },
            Slot::Closing => Poll::Ready(None),
            _ => Poll::Pending,
        }
    }
}

/// Never completes; marks the slot [`Slot::Parked`]. See [`Co::park`].
pub struct Park<'a, Y, R> {
    co: &'a Co<Y, R>,
}

impl<Y, R> Future for Park<'_, Y, R> {
    type Output = core::convert::Infallible;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: as in `Co::yield_`.
        unsafe { *self.co.slot() = Slot::Parked };
        Poll::Pending
    }
}

enum State<F, Fut> {
    /// Not started: holds the closure that builds the body's future.
    Init(F),
    Running(Fut),
    Done,
}

/// What one poll of the body produced.
pub enum Step<Y, T> {
    Yielded(Y),
    Complete(T),
    /// The body is waiting in a foreign `.await` (async generators only).
    Pending,
    /// The generator had already completed, panicked or been closed.
    Finished,
}

/// A generator: the body's future plus the slot it talks through.
///
/// `F` builds the body's future from a [`Co`]; `Fut` is that future; `Y` and
/// `R` are the yield and resume types. The generated functions return this
/// type (or [`crate::__private::Boxed`]) behind an `impl Trait`.
pub struct Machine<F, Fut: Future, Y, R> {
    slot: UnsafeCell<Slot<Y, R>>,
    state: State<F, Fut>,
    /// Whether the body has cleanup (`defer!`, delegation) that closing must
    /// run by resuming it; without, closing is just dropping the future.
    cleanup: bool,
    _pinned: PhantomPinned,
}

// SAFETY: `Machine` has no method taking `&self` that reads anything but the
// discriminant of `state` (`is_finished`); every other access goes through
// `&mut` or `Pin<&mut>`, so a shared reference gives no access to `F`, `Fut`,
// `Y` or `R`, and sharing one across threads cannot race (the reasoning of
// `core::sync::Exclusive`). This lets `Send` generators be used where `Sync`
// is also required, whatever the body holds.
unsafe impl<F, Fut: Future, Y, R> Sync for Machine<F, Fut, Y, R> {}

impl<F, Fut, Y, R> Machine<F, Fut, Y, R>
where
    F: FnOnce(Co<Y, R>) -> Fut,
    Fut: Future,
{
    /// A generator that will run `body(co)` when first resumed.
    #[inline]
    pub fn new(cleanup: bool, body: F) -> Self {
        Machine {
            slot: UnsafeCell::new(Slot::Empty),
            state: State::Init(body),
            cleanup,
            _pinned: PhantomPinned,
        }
    }

    /// Runs the body until it yields, completes or waits.
    ///
    /// `arg` answers the last yield: it is taken only if the body is suspended
    /// at a yield (an async body waiting in a foreign `.await` does not want
    /// it). The argument of the very first resume is dropped: no `yield_!` is
    /// there to receive it (as in JavaScript).
    #[inline(always)]
    pub fn step(self: Pin<&mut Self>, cx: &mut Context<'_>, arg: &mut Option<R>) -> Step<Y, Fut::Output> {
        // SAFETY: we never move `state` out while it is `Running` (only
        // replace it, which drops the future in place), and `Init`'s closure
        // is not structurally pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let slot = this.slot.get();
        match this.state {
            State::Running(_) => {
                // SAFETY: no reference into the slot is live here.
                if let Slot::Suspended = unsafe { &*slot } {
                    let arg = arg.take().expect("cogen: resumed a generator without a resume argument");
                    unsafe { *slot = Slot::Resumed(arg) };
                }
            }
            State::Init(_) => {
                drop(arg.take());
                this.start();
            }
            State::Done => return Step::Finished,
        }
        let poll = this.poll_body(cx);
        match poll {
            Poll::Ready(out) => {
                this.finish();
                Step::Complete(out)
            }
            // SAFETY: the body is suspended; nothing else references the slot.
            Poll::Pending => match unsafe { &mut *slot } {
                s @ Slot::Yielded(_) => match core::mem::replace(s, Slot::Suspended) {
                    Slot::Yielded(y) => Step::Yielded(y),
                    _ => unreachable!(),
                },
                _ => Step::Pending,
            },
        }
    }

    #[cold]
    fn start(&mut self) {
        let co = Co {
            // SAFETY: `UnsafeCell::get` is never null. The machine is pinned
            // (we are called from `step`), so the slot keeps this address
            // until the machine is dropped, and the future holding the `Co`
            // is dropped first (in `finish` or `Drop`).
            slot: unsafe { NonNull::new_unchecked(self.slot.get()) },
        };
        let State::Init(body) = core::mem::replace(&mut self.state, State::Done) else { unreachable!() };
        self.state = State::Running(body(co));
    }

}

impl<F, Fut: Future, Y, R> Machine<F, Fut, Y, R> {
    /// Whether it completed, panicked or was closed.
    #[inline(always)]
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Polls the running body once. If the body panics, the machine must not
    /// be resumed in a torn state: a guard marks it finished as the panic
    /// unwinds (the unwinding already dropped the body's live locals).
    #[inline(always)]
    fn poll_body(&mut self, cx: &mut Context<'_>) -> Poll<Fut::Output> {
        let state: *mut State<F, Fut> = &mut self.state;
        let guard = FinishOnUnwind(self.slot.get(), state);
        // SAFETY: `state` is valid (from `&mut self`). The future lives inside
        // the pinned machine and is only ever dropped in place (by `finish` or
        // the machine's drop), never moved.
        let poll = match unsafe { &mut *state } {
            State::Running(fut) => unsafe { Pin::new_unchecked(fut) }.poll(cx),
            _ => unreachable!(),
        };
        core::mem::forget(guard);
        poll
    }

    /// Drops the body's future (its locals) and any value left in the slot.
    #[inline]
    fn finish(&mut self) {
        self.state = State::Done;
        *self.slot.get_mut() = Slot::Empty;
    }

    /// Closes the generator: runs the body's pending cleanup to completion
    /// (resuming it in closing mode, if it has any), then drops its state.
    ///
    /// `Pending` only if an async cleanup is waiting; a sync body never waits.
    pub fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: as in `step`.
        let this = unsafe { self.get_unchecked_mut() };
        match this.state {
            State::Running(_) if this.cleanup => {}
            State::Done => return Poll::Ready(()),
            _ => {
                this.finish();
                return Poll::Ready(());
            }
        }
        let slot = this.slot.get_mut();
        if !matches!(slot, Slot::Parked) {
            *slot = Slot::Closing;
        }
        let poll = this.poll_body(cx);
        match (poll, this.slot.get_mut()) {
            (Poll::Pending, Slot::Closing) => Poll::Pending,
            _ => {
                // Parked after its cleanup, or it ran to completion: either
                // way nothing is left to run. A return value is dropped.
                this.finish();
                Poll::Ready(())
            }
        }
    }
}

impl<F, Fut: Future, Y, R> Drop for Machine<F, Fut, Y, R> {
    fn drop(&mut self) {
        if !(self.cleanup && matches!(self.state, State::Running(_))) {
            return;
        }
        // Dropping a suspended generator cancels it: its pending cleanup runs
        // now. Drop cannot wait, so a cleanup that awaits something not ready
        // is abandoned at that point, and the body's locals are dropped.
        let mut cx = Context::from_waker(core::task::Waker::noop());
        // SAFETY: the state is `Running`, which only `step` (taking
        // `Pin<&mut Self>`) sets, so this machine has been pinned and, being
        // dropped, has not moved since.
        let this = unsafe { Pin::new_unchecked(&mut *self) };
        if this.poll_close(&mut cx).is_pending() {
            self.finish();
        }
    }
}

struct FinishOnUnwind<F, Fut, Y, R>(*mut Slot<Y, R>, *mut State<F, Fut>);

impl<F, Fut, Y, R> Drop for FinishOnUnwind<F, Fut, Y, R> {
    #[cold]
    fn drop(&mut self) {
        // Only reached while a panic from the body unwinds, after the borrow
        // of the future that was being polled has ended.
        // SAFETY: both pointers come from the `&mut Machine` that `poll_body`
        // holds for the duration of the poll.
        unsafe {
            *self.1 = State::Done;
            *self.0 = Slot::Empty;
        }
    }
}
