//! The body's side of the slot protocol: [`Co`], the handle the macro gives
//! a body, and every future the lowered body awaits (`yield_!` is `Put`
//! then `Suspend`; `defer!` adds `SuspendOrClose`, `UntilClosed` and
//! `Park`; `yield_from!` is `YieldFrom`). Each reads or writes the [`Slot`]
//! of the frame polling the body (`frame.rs`); the driver's side of the
//! same exchange is `Machine::step_own` and `Machine::poll_close`
//! (`machine.rs`).

use core::future::{Future, IntoFuture};
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use crate::chain::{splice, Link, Source};
use crate::frame::{current_pool, Frame, Slot};

/// The body's handle on its generator: it carries the yield and resume types.
///
/// The macro binds it to a hygienic name, so user code cannot name it.
pub struct Co<Y, R> {
    _types: PhantomData<fn(Y) -> R>,
}

impl<Y, R> Co<Y, R> {
    pub(crate) fn new() -> Self {
        Co {
            _types: PhantomData,
        }
    }

    /// `yield_!(value)`, first half: hands `value` to the driver, and never
    /// suspends. When the generator is being closed it drops `value` instead
    /// and evaluates to `false`: the yield point takes its exit path.
    #[inline(always)]
    pub fn put(&self, value: Y) -> Put<Y, R> {
        Put {
            value: MaybeUninit::new(value),
            _types: PhantomData,
        }
    }

    /// `yield_!(value)`, second half: suspends until the driver resumes the
    /// generator, and evaluates to the resume argument.
    #[inline(always)]
    pub fn suspend(&self) -> Suspend<Y, R> {
        Suspend {
            _types: PhantomData,
        }
    }

    /// [`Co::suspend`] in a generator with cleanup: evaluates to `None` when
    /// the generator is being closed.
    #[inline(always)]
    pub fn suspend_or_close(&self) -> SuspendOrClose<Y, R> {
        SuspendOrClose(self.suspend())
    }
}

impl<Y> Co<Y, ()> {
    /// [`Co::suspend`] where the resume type is `()`: a resume that brings
    /// no argument resumes it too. That is the first resume of a generator
    /// that had already started when a `yield_from!` took it over (the
    /// argument went to the delegating body, as in Python's `yield from`
    /// and JavaScript's `yield*`, whose delegate gets `None` /
    /// `undefined`); with another resume type there is no value to give,
    /// and that resume panics.
    #[inline(always)]
    pub fn suspend_unit(&self) -> Suspend<Y, (), Unit> {
        Suspend {
            _types: PhantomData,
        }
    }

    /// [`Co::suspend_unit`] in a generator with cleanup.
    #[inline(always)]
    pub fn suspend_or_close_unit(&self) -> SuspendOrClose<Y, (), Unit> {
        SuspendOrClose(self.suspend_unit())
    }
}

/// What a yield evaluates to when resumed without an argument (see
/// [`Co::suspend_unit`]).
pub trait NoArgument<R> {
    /// The value, or a panic.
    fn no_argument() -> R;
}

/// Panics: no resume argument can be made up.
pub struct Missing;

impl<R> NoArgument<R> for Missing {
    #[inline(always)]
    fn no_argument() -> R {
        missing_argument()
    }
}

/// `()`, for a generator whose resume type is `()`.
pub struct Unit;

impl NoArgument<()> for Unit {
    #[inline(always)]
    fn no_argument() {}
}

impl<Y, R> Co<Y, R> {
    /// `fut.await` in an async generator with cleanup: awaits `fut`, unless
    /// the generator is being closed; then `fut` is dropped (cancelled) and
    /// this evaluates to `None`, so that the body takes its exit path and
    /// its pending cleanup runs, instead of waiting for `fut` first.
    #[inline(always)]
    pub fn until_closed<F: IntoFuture>(&self, fut: F) -> UntilClosed<F::IntoFuture, Y, R> {
        UntilClosed {
            fut: fut.into_future(),
            _types: PhantomData,
        }
    }

    /// Reached when the body has run all its cleanup while closing: tells the
    /// driver the body is done, and never completes.
    #[inline]
    pub fn park(&self) -> Park<Y, R> {
        Park {
            _types: PhantomData,
        }
    }
}

/// The first half of `yield_!`. See [`Co::put`].
///
/// `yield_!(v)` is two awaits, `put(v)` then `suspend()`, rather than one
/// future polled twice, because then neither needs to know which poll it is
/// in: `Put` is only ever polled once, and `Suspend` tells its first poll
/// from its second by the slot alone (`Yielded`, which `Put` has just
/// written, or what the driver answered). The driver passes the same slot
/// on every resume (`Resumed`), so after inlining every check is on a
/// constant, and a loop that resumes the generator keeps none of them:
/// fewer instructions per item than one future with a flag of its own
/// (measured: runtime/DESIGN.md, "yield_! is two awaits").
///
/// The first resume's argument is in the slot when the first `Put` comes;
/// the `Put` overwrites it, which drops it (no `yield_!` received it).
pub struct Put<Y, R> {
    /// Initialised until the first poll, which always happens: the future
    /// is awaited where it is made, and is ready at once.
    value: MaybeUninit<Y>,
    _types: PhantomData<fn(Y) -> R>,
}

// The value is moved out on the (only) poll, never pinned.
impl<Y, R> Unpin for Put<Y, R> {}

impl<Y, R> Future for Put<Y, R> {
    type Output = bool;

    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        // SAFETY: `Put` is only created by `Co`, in code the macro generates
        // and awaits directly in the body (see `Frame::current`).
        let slot = unsafe { &mut *Frame::<Y, R>::current(cx) };
        if let Slot::Closing = slot {
            // SAFETY: the only poll: still initialised, never touched again.
            unsafe { self.value.assume_init_drop() };
            return Poll::Ready(false);
        }
        // SAFETY: as above; moved out instead of dropped.
        *slot = Slot::Yielded(unsafe { self.value.assume_init_read() });
        Poll::Ready(true)
    }
}

/// The second half of `yield_!`. See [`Co::suspend`] and [`Put`]:
///
/// | slot when polled | the poll | does |
/// |---|---|---|
/// | `Yielded` | first, after `Put` | `Pending` (the driver takes the value) |
/// | `Resumed` | second | `Ready(Some(arg))` |
/// | `Closing` | second, closing | `Ready(None)` |
/// | `Empty` | second, resumed without an argument | `N::no_argument()` |
pub struct Suspend<Y, R, N = Missing> {
    _types: PhantomData<fn(Y, N) -> R>,
}

impl<Y, R, N: NoArgument<R>> Suspend<Y, R, N> {
    /// `Ready(Some(arg))` when resumed, `Ready(None)` when closing.
    #[inline(always)]
    fn poll_resumed(&mut self, cx: &mut Context<'_>) -> Poll<Option<R>> {
        // SAFETY: as in `Put::poll`.
        let slot = unsafe { &mut *Frame::<Y, R>::current(cx) };
        match slot {
            Slot::Yielded(_) => Poll::Pending,
            Slot::Closing => Poll::Ready(None),
            _ => match core::mem::replace(slot, Slot::Empty) {
                Slot::Resumed(arg) => Poll::Ready(Some(arg)),
                _ => Poll::Ready(Some(N::no_argument())),
            },
        }
    }
}

#[cold]
#[inline(never)]
fn missing_argument() -> ! {
    panic!(
        "cogen: resumed a generator at a yield without a resume argument: it had already \
         started when `yield_from!` took it over, and the argument of that resume went to \
         the delegating body (only a generator whose resume type is `()` goes on without one)"
    )
}

impl<Y, R, N: NoArgument<R>> Future for Suspend<Y, R, N> {
    type Output = R;

    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<R> {
        match self.poll_resumed(cx) {
            Poll::Ready(Some(arg)) => Poll::Ready(arg),
            // A body without cleanup is never resumed in closing mode.
            _ => Poll::Pending,
        }
    }
}

/// The second half of `yield_!` in a generator with cleanup.
pub struct SuspendOrClose<Y, R, N = Missing>(Suspend<Y, R, N>);

impl<Y, R, N: NoArgument<R>> Future for SuspendOrClose<Y, R, N> {
    type Output = Option<R>;

    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<R>> {
        self.0.poll_resumed(cx)
    }
}

/// See [`Co::until_closed`].
pub struct UntilClosed<F, Y, R> {
    fut: F,
    _types: PhantomData<fn(Y) -> R>,
}

impl<F: Future, Y, R> Future for UntilClosed<F, Y, R> {
    type Output = Option<F::Output>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: as in `Put::poll`.
        let slot = unsafe { &mut *Frame::<Y, R>::current(cx) };
        if let Slot::Closing = slot {
            return Poll::Ready(None);
        }
        // SAFETY: `fut` is pinned structurally: never moved out of `self`.
        let fut = unsafe { self.map_unchecked_mut(|s| &mut s.fut) };
        fut.poll(cx).map(Some)
    }
}

/// Never completes; marks the frame [`Slot::Parked`]. See [`Co::park`].
pub struct Park<Y, R> {
    _types: PhantomData<fn(Y) -> R>,
}

impl<Y, R> Future for Park<Y, R> {
    type Output = core::convert::Infallible;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: as in `Put::poll`.
        unsafe { *Frame::<Y, R>::current(cx) = Slot::Parked };
        Poll::Pending
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

    // Inlined into the body: out of line (two `yield_from!` are two call
    // sites), every delegation passed the frame through memory (measured:
    // runtime/DESIGN.md, "YieldFrom's poll inlined").
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `link` is pinned with the future (its address goes into the
        // chain); nothing is moved out of the pinned fields.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: created by `Co`, awaited directly in the body (see
        // `Frame::current`).
        let slot = unsafe { &mut *Frame::<Y, R>::current(cx) };
        if let Slot::Closing = slot {
            return Poll::Ready(None);
        }
        if D::__COGEN_DIRECT {
            // An iterator or a stream: its items go out from here, as a
            // `for` loop of `yield_!`s would yield them (see
            // `Source::__COGEN_DIRECT`).
            return match this.delegate.as_mut().__cogen_poll_item(cx) {
                Poll::Ready(Some(item)) => {
                    // A resume argument in the slot is dropped: an iterator
                    // or a stream takes none.
                    *slot = Slot::Yielded(item);
                    Poll::Pending
                }
                Poll::Ready(None) => {
                    // SAFETY: no pool is used by a delegate that is never
                    // linked.
                    let ret = unsafe { this.delegate.as_mut().__cogen_take_return(None) };
                    Poll::Ready(Some(ret))
                }
                Poll::Pending => {
                    // The stream waits: as the body waits in an `.await`,
                    // with the argument of this resume dropped, not handed
                    // back (a delegate takes none).
                    if let Slot::Resumed(_) = slot {
                        *slot = Slot::Empty;
                    }
                    Poll::Pending
                }
            };
        }
        if this.link.is_some() {
            // Back after the delegate completed.
            // SAFETY: as below.
            let ret = unsafe {
                let pool = current_pool::<Y, R>(cx);
                this.delegate.as_mut().__cogen_take_return(pool)
            };
            return Poll::Ready(Some(ret));
        }
        // SAFETY: as above; the pool is the root's (see `Machine::step`),
        // the one that will drive the delegate.
        let chain = unsafe {
            let pool = current_pool::<Y, R>(cx);
            this.delegate.as_mut().__cogen_link(pool, &mut this.link)
        };
        let Some(link) = this.link.as_mut() else {
            // SAFETY: `Source::__cogen_link` writes the link (its contract).
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
