//! The asynchronous side: the [`AsyncGenerator`] trait, and how a
//! [`Machine`] becomes an `AsyncGenerator` or a `Stream`. Same machine as the
//! sync side; the only difference is that the caller's `Context` is passed
//! through, so the body's `.await`s really wait.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

use crate::generator::{resumed_after_completion, GeneratorState, LastItem};
use crate::machine::{Machine, Step};

/// A generator whose body can `.await`: the polling counterpart of
/// [`Generator`](crate::Generator). With `R = ()` it is usually consumed as a
/// [`Stream`]; this trait adds resume arguments, a return value and
/// [`close`](AsyncGenerator::close).
///
/// ```
/// use cogen::{async_generator, yield_, AsyncGenerator, GeneratorState};
///
/// #[async_generator]
/// fn echo() -> impl AsyncGenerator<String, Yield = usize, Return = &'static str> {
///     let mut line = yield_!(0);
///     while !line.is_empty() {
///         line = yield_!(line.len());
///     }
///     "bye"
/// }
///
/// futures::executor::block_on(async {
///     let mut g = core::pin::pin!(echo());
///     assert_eq!(g.as_mut().resume(String::new()).await, GeneratorState::Yielded(0));
///     assert_eq!(g.as_mut().resume("hello".into()).await, GeneratorState::Yielded(5));
///     assert_eq!(g.as_mut().resume(String::new()).await, GeneratorState::Complete("bye"));
/// });
/// ```
#[must_use = "generators are lazy and do nothing unless resumed or polled"]
pub trait AsyncGenerator<R = ()> {
    /// The type of value this generator yields.
    type Yield;
    /// The type of value this generator returns when it completes.
    type Return;

    /// Polls the generator towards its next yield or its end.
    ///
    /// `arg` answers the previous yield: the generator takes it out of the
    /// `Option` when it resumes from a yield, and leaves it in place while it
    /// is only continuing an `.await`. Pass `Some` on the first poll of each
    /// resume and keep passing the same `Option` until the poll is ready.
    /// The argument of the very first resume is dropped (see
    /// [`Generator`](crate::Generator)). So is an argument passed to a poll
    /// that only continues an `.await`, if the body reaches its next yield
    /// in that poll; while the body keeps waiting, it stays in place.
    ///
    /// # Panics
    ///
    /// If polled after it completed, panicked or was closed.
    fn poll_resume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<GeneratorState<Self::Yield, Self::Return>>;

    /// Polls the generator's cleanup: the first call starts closing it (its
    /// pending `defer!` blocks run, and may `.await`); `Ready` once they have
    /// all run and its locals are dropped.
    ///
    /// The default is ready at once, for generators with nothing to clean up.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _ = cx;
        Poll::Ready(())
    }

    /// Resumes the generator with `arg`: a future of its next state.
    fn resume(self: Pin<&mut Self>, arg: R) -> Resume<'_, Self, R>
    where
        Self: Sized,
    {
        Resume {
            gen: self,
            arg: Some(arg),
        }
    }

    /// Closes the generator, running its cleanup to completion, including the
    /// cleanup's own `.await`s. Prefer this to dropping when the cleanup
    /// awaits: drop cannot wait, and a dropped generator's cleanup runs
    /// inside `Drop`, possibly outside any executor, where a call that needs
    /// one (a tokio I/O or timer call) panics. See the crate docs on
    /// cancellation.
    ///
    /// ```
    /// use cogen::{async_generator, yield_, AsyncGenerator};
    /// use futures::StreamExt;
    ///
    /// #[async_generator]
    /// fn numbers() -> impl AsyncGenerator<Yield = u32, Return = ()> {
    ///     yield_!(1);
    ///     yield_!(2);
    /// }
    ///
    /// futures::executor::block_on(async {
    ///     let mut g = Box::pin(numbers());
    ///     g.as_mut().resume(()).await;
    ///     g.as_mut().close().await;
    /// });
    /// ```
    fn close(self: Pin<&mut Self>) -> Close<'_, Self, R>
    where
        Self: Sized,
    {
        Close {
            gen: self,
            _arg: core::marker::PhantomData,
        }
    }
}

/// Future returned by [`AsyncGenerator::resume`]: the generator's next
/// state.
///
/// ```
/// use cogen::{async_generator, yield_, AsyncGenerator, GeneratorState};
///
/// #[async_generator]
/// fn greeter() -> impl AsyncGenerator<&'static str, Yield = String, Return = ()> {
///     let mut name = yield_!(String::from("who?"));
///     while !name.is_empty() {
///         name = yield_!(format!("hello, {name}"));
///     }
/// }
///
/// futures::executor::block_on(async {
///     let mut g = core::pin::pin!(greeter());
///     let first: cogen::Resume<'_, _, _> = g.as_mut().resume("");
///     assert_eq!(first.await, GeneratorState::Yielded("who?".into()));
///     assert_eq!(g.as_mut().resume("ada").await, GeneratorState::Yielded("hello, ada".into()));
///     assert_eq!(g.as_mut().resume("").await, GeneratorState::Complete(()));
/// });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Resume<'a, G, R> {
    gen: Pin<&'a mut G>,
    arg: Option<R>,
}

// `arg` is never pinned: it is moved into the generator when taken.
impl<G, R> Unpin for Resume<'_, G, R> {}

impl<G: AsyncGenerator<R>, R> Future for Resume<'_, G, R> {
    type Output = GeneratorState<G::Yield, G::Return>;

    // Through `.await`, the caller is the user's `.await`.
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.gen.as_mut().poll_resume(cx, &mut this.arg)
    }
}

/// Future returned by [`AsyncGenerator::close`]: ready once the generator's
/// cleanup has run, awaits included.
///
/// ```
/// use cogen::{async_generator, defer, yield_, AsyncGenerator};
/// use std::sync::atomic::{AtomicBool, Ordering};
///
/// static FLUSHED: AtomicBool = AtomicBool::new(false);
///
/// #[async_generator]
/// fn writer() -> impl AsyncGenerator<Yield = (), Return = ()> {
///     defer! {
///         std::future::ready(()).await; // e.g. flush over the network
///         FLUSHED.store(true, Ordering::SeqCst);
///     }
///     loop {
///         yield_!(());
///     }
/// }
///
/// futures::executor::block_on(async {
///     let mut w = Box::pin(writer());
///     w.as_mut().resume(()).await;
///     let closing: cogen::Close<'_, _, _> = w.as_mut().close();
///     closing.await;
/// });
/// assert!(FLUSHED.load(Ordering::SeqCst));
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Close<'a, G, R> {
    gen: Pin<&'a mut G>,
    _arg: core::marker::PhantomData<fn(R)>,
}

impl<G: AsyncGenerator<R>, R> Future for Close<'_, G, R> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.gen.as_mut().poll_close(cx)
    }
}

/// `Pin<&mut G>`, `Pin<Box<G>>`: a pinned pointer to an async generator is
/// one, as for [`Generator`](crate::Generator) (and futures-core's `Stream`).
impl<P, R> AsyncGenerator<R> for Pin<P>
where
    P: core::ops::DerefMut<Target: AsyncGenerator<R>> + Unpin,
{
    type Yield = <P::Target as AsyncGenerator<R>>::Yield;
    type Return = <P::Target as AsyncGenerator<R>>::Return;

    #[track_caller]
    fn poll_resume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<GeneratorState<Self::Yield, Self::Return>> {
        self.get_mut().as_mut().poll_resume(cx, arg)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().as_mut().poll_close(cx)
    }
}

impl<Fut, Y, R, const D: bool, const C: bool> AsyncGenerator<R> for Machine<Fut, Y, R, D, C>
where
    Fut: Future,
{
    type Yield = Y;
    type Return = Fut::Output;

    #[inline]
    #[track_caller]
    fn poll_resume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<GeneratorState<Y, Fut::Output>> {
        // SAFETY: no pool: a delegating function keeps its own in a
        // `Pooled` (`pooled.rs`); this one (a block, a `boxed` generator)
        // keeps none.
        unsafe { self.step(cx, arg, None) }.polled()
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Machine::poll_close(self, cx)
    }
}

impl<Fut, Y, const D: bool, const C: bool> Stream for Machine<Fut, Y, (), D, C>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    type Item = Y;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Y>> {
        // SAFETY: no pool, as in `poll_resume`.
        unsafe { self.step(cx, &mut Some(()), None) }.polled_item()
    }
}

impl<Y, T> Step<Y, T> {
    /// What [`AsyncGenerator::poll_resume`] returns for this step.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn polled(self) -> Poll<GeneratorState<Y, T>> {
        match self {
            Step::Yielded(y) => Poll::Ready(GeneratorState::Yielded(y)),
            Step::Complete(out) => Poll::Ready(GeneratorState::Complete(out)),
            Step::Pending => Poll::Pending,
            Step::Finished => resumed_after_completion(),
        }
    }
}

impl<Y, T: LastItem<Y>> Step<Y, T> {
    /// What [`Stream::poll_next`] returns for this step.
    #[inline(always)]
    pub(crate) fn polled_item(self) -> Poll<Option<Y>> {
        match self {
            Step::Yielded(y) => Poll::Ready(Some(y)),
            Step::Complete(out) => Poll::Ready(out.last_item()),
            Step::Pending => Poll::Pending,
            Step::Finished => Poll::Ready(None),
        }
    }
}

impl<Fut, Y, const D: bool, const C: bool> FusedStream for Machine<Fut, Y, (), D, C>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    fn is_terminated(&self) -> bool {
        self.is_finished()
    }
}
