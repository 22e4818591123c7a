//! The free list of the inline forms (`impl Generator`, `impl Stream`,
//! `impl AsyncGenerator`): [`Pooled`], a delegating root with its [`Pool`]
//! beside its machine, and [`Recurse`], a direct recursive call
//! (`yield_from!(walk(child))`), whose generator is built, when it is
//! linked, in a block from the root's pool, and whose block goes back to a
//! pool as soon as it completes: the inline forms' counterpart of
//! `LazyBoxed` (`boxed.rs`).
//!
//! A `Recurse` keeps no pointer to a pool: it takes its block from the pool
//! it is linked with, and gives it back to the pool of the root resuming
//! its delegating body when that body takes its return value (any pool
//! takes any block: `Pool::put`). Both are the pool of a root being resumed
//! at that moment, valid for the call. A `Recurse` dropped before its
//! delegate completed (an early drop, a close, a panic unwinding the chain)
//! gives its block to the allocator. So no pool needs to outlive anything:
//! a generator that was a root and is then delegated to (`take_chain`), a
//! root dropped while a generator it delegated to lives on, leave no
//! `Recurse` pointing at a pool that is gone.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use futures_core::{FusedStream, Stream};

use crate::async_generator::AsyncGenerator;
use crate::chain::{Chain, Link, Source};
use crate::delegate::{resume_machine, AsyncDelegable, Delegable};
use crate::generator::{Generator, GeneratorState, LastItem};
use crate::machine::{Machine, Plain, Root, Step};
use crate::pool::Pool;
#[cfg(feature = "alloc")]
use crate::pool::{release, take, PutBack};

/// An inline generator whose body delegates (`yield_from!`): its machine,
/// and the free list it lends its delegates' blocks from when it is the
/// root. As a delegate it forwards to its machine, whose delegates then use
/// its own root's pool.
///
/// Machine first: it drops first, and its delegates' blocks are given back
/// (to the allocator, see the module docs) before the pool frees its list.
/// `K`: how it resumes its own body as a root (`machine::Root`).
pub struct Pooled<M, K = Plain> {
    machine: M,
    pool: Pool,
    kind: PhantomData<K>,
}

// SAFETY: the pool holds only free heap blocks, no values, and is reached
// only through `Pin<&mut Self>`: the `Pooled` may go to another thread
// when its machine may, and sharing one gives what sharing the machine
// gives (no method reads the pool through `&self`).
unsafe impl<M: Send, K> Send for Pooled<M, K> {}
// SAFETY: as above.
unsafe impl<M: Sync, K> Sync for Pooled<M, K> {}

/// Opaque, as the machine's (`Generator { .. }`).
impl<M: core::fmt::Debug, K> core::fmt::Debug for Pooled<M, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.machine.fmt(f)
    }
}

impl<M, K> Pooled<M, K> {
    #[inline(always)]
    pub(crate) fn new(machine: M) -> Self {
        Pooled {
            machine,
            pool: Pool::new(),
            kind: PhantomData,
        }
    }

    /// The pinned machine (structurally pinned), and the pool (not pinned:
    /// no pointer to it outlives a resume, see the module docs).
    #[inline(always)]
    fn project(self: Pin<&mut Self>) -> (Pin<&mut M>, NonNull<Pool>) {
        // SAFETY: the machine is never moved out of a pinned `Pooled`; the
        // pool is only lent for the call.
        unsafe {
            let this = self.get_unchecked_mut();
            (
                Pin::new_unchecked(&mut this.machine),
                NonNull::from(&mut this.pool),
            )
        }
    }
}

/// One step of a `Pooled` root: its own body resumed as `K` says (see
/// [`Root`]), its delegates' blocks from its own pool.
///
/// # Safety
/// As for [`Machine::step`].
#[inline(always)]
#[track_caller]
unsafe fn step<Fut: Future, Y, R, const D: bool, const C: bool, K: Root>(
    g: Pin<&mut Pooled<Machine<Fut, Y, R, D, C>, K>>,
    cx: &mut Context<'_>,
    arg: &mut Option<R>,
) -> Step<Y, Fut::Output> {
    let (m, pool) = g.project();
    let own = resume_machine::<Fut, Y, R, D, C>;
    // SAFETY: the pool is this root's own, borrowed by nothing else;
    // `resume_machine` is the resume function of a link to this machine.
    unsafe { m.step_root::<K>(cx, arg, Some(pool), own) }
}

impl<Fut, Y, R, const D: bool, const C: bool, K: Root> Generator<R>
    for Pooled<Machine<Fut, Y, R, D, C>, K>
where
    Fut: Future,
{
    type Yield = Y;
    type Return = Fut::Output;

    #[inline]
    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: R) -> GeneratorState<Y, Fut::Output> {
        let mut cx = Context::from_waker(Waker::noop());
        // SAFETY: a root's step.
        unsafe { step(self, &mut cx, &mut Some(arg)) }.resumed()
    }

    fn close(self: Pin<&mut Self>) {
        Generator::close(self.project().0)
    }
}

impl<Fut, Y, R, const D: bool, const C: bool, K: Root> AsyncGenerator<R>
    for Pooled<Machine<Fut, Y, R, D, C>, K>
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
        // SAFETY: a root's step.
        unsafe { step(self, cx, arg) }.polled()
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().0.poll_close(cx)
    }
}

impl<Fut, Y, const D: bool, const C: bool, K: Root> Stream for Pooled<Machine<Fut, Y, (), D, C>, K>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    type Item = Y;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Y>> {
        // SAFETY: a root's step.
        unsafe { step(self, cx, &mut Some(())) }.polled_item()
    }
}

impl<Fut, Y, const D: bool, const C: bool, K: Root> FusedStream
    for Pooled<Machine<Fut, Y, (), D, C>, K>
where
    Fut: Future,
    Fut::Output: LastItem<Y>,
{
    fn is_terminated(&self) -> bool {
        self.machine.is_finished()
    }
}

/// A direct recursive call in an inline form: the call's arguments and the
/// call itself (a closure, so that the recursive generator's state is not
/// part of its caller's: that would contain itself), then, once linked,
/// the generator `G` in a heap block, pinned there until it completes or
/// the `Recurse` drops.
#[cfg(feature = "alloc")]
pub struct Recurse<A, F, G> {
    state: State<A, F, G>,
    _gen: PhantomData<fn() -> G>,
}

#[cfg(feature = "alloc")]
enum State<A, F, G> {
    /// Not linked yet: the arguments, evaluated, and the call.
    Unlinked(A, F),
    /// Linked: the generator, in a block from `Pool::take`.
    Linked(NonNull<G>),
    /// Its block is gone (the generator completed, or building it panicked).
    Done,
}

// SAFETY: a `Recurse` owns its arguments, its call and its generator (the
// block's pointer is never shared): it may go to another thread when they
// all may.
#[cfg(feature = "alloc")]
unsafe impl<A: Send, F: Send, G: Send> Send for Recurse<A, F, G> {}

// SAFETY: no method reads a `Recurse` through `&self` (the reasoning of
// `Machine`'s `Sync`).
#[cfg(feature = "alloc")]
unsafe impl<A, F, G> Sync for Recurse<A, F, G> {}

// The arguments and the call are only ever moved, never pinned; the
// generator is pinned in its block, which does not move with the `Recurse`.
#[cfg(feature = "alloc")]
impl<A, F, G> Unpin for Recurse<A, F, G> {}

#[cfg(feature = "alloc")]
impl<A, F: FnOnce(A) -> G, G> Recurse<A, F, G> {
    #[inline(always)]
    pub(crate) fn new(args: A, call: F) -> Self {
        Recurse {
            state: State::Unlinked(args, call),
            _gen: PhantomData,
        }
    }

    /// The pinned generator, built in a block from `pool` if it has not
    /// been.
    ///
    /// # Safety
    /// `pool` as for [`Pool::take`].
    #[inline(always)]
    unsafe fn generator(&mut self, pool: Option<NonNull<Pool>>) -> Pin<&mut G> {
        let block = match core::mem::replace(&mut self.state, State::Done) {
            State::Linked(block) => block,
            State::Unlinked(args, call) => {
                // SAFETY: per the contract.
                let block = unsafe { take::<G>(pool) };
                // If the call panics, the block holds nothing: it goes back
                // to `pool`, valid for this whole call; the `Recurse` stays
                // `Done` (its arguments and call were moved into the call).
                let put_back = PutBack::<G>(block, pool);
                // Built in the block, not on the stack and copied in (as
                // `LazyBoxed::start` does).
                // SAFETY: a fresh block for a `G`.
                unsafe { block.write(call(args)) };
                core::mem::forget(put_back);
                block
            }
            State::Done => panic!("cogen: a recursive `yield_from!` linked after it completed"),
        };
        self.state = State::Linked(block);
        // SAFETY: the block holds the generator until `take_return` or the
        // drop releases it, and it never moves out of the block.
        unsafe { Pin::new_unchecked(&mut *block.as_ptr()) }
    }

    /// Takes the return value of the completed generator with `take`, drops
    /// the generator in place and gives its block back to `pool`.
    ///
    /// # Safety
    /// `pool` as for [`Pool::take`].
    #[inline(always)]
    unsafe fn finish<T>(
        &mut self,
        pool: Option<NonNull<Pool>>,
        take: impl FnOnce(Pin<&mut G>) -> T,
        holds_nothing: impl FnOnce(&G) -> bool,
    ) -> T {
        let State::Linked(block) = self.state else {
            panic!("cogen: `yield_from!` of a generator that had already completed")
        };
        // SAFETY: linked: the block holds the generator, pinned.
        let ret = take(unsafe { Pin::new_unchecked(&mut *block.as_ptr()) });
        // `Done` first: if the drop panics, nothing is dropped or released
        // twice.
        self.state = State::Done;
        // SAFETY: the generator is referenced by nothing any more (its link
        // was popped when it completed). The usual case: it holds nothing,
        // its drop would do nothing, and the block just goes back (as in
        // `LazyBoxed::spend`); else it is dropped in place, once, and its
        // block released even if that drop panics. `pool` per the contract.
        unsafe {
            if holds_nothing(&*block.as_ptr()) {
                PutBack(block, pool).put();
            } else {
                release(block, pool)
            }
        }
        ret
    }
}

#[cfg(feature = "alloc")]
impl<A, F, G> Drop for Recurse<A, F, G> {
    #[inline(always)]
    fn drop(&mut self) {
        if let State::Linked(block) = core::mem::replace(&mut self.state, State::Done) {
            // Dropped before the generator completed (the delegating body is
            // dropped, closed, or unwound): no pool is known to be valid
            // now, and the block goes to the allocator. The generator's
            // link, if still in a chain, was popped first: a chain is closed
            // or unwound innermost first, and its links live in the states
            // of the delegating bodies, which own the `Recurse`s.
            // SAFETY: the `Recurse` is going away, and with it the only
            // reference to its generator.
            unsafe { release(block, None) }
        }
    }
}

// SAFETY: forwards to the pinned machine, which is what is linked.
#[diagnostic::do_not_recommend]
unsafe impl<M: Source<Y, R>, Y, R, K> Source<Y, R> for Pooled<M, K> {
    type Output = M::Output;

    #[inline(always)]
    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R> {
        // SAFETY: per the contract.
        unsafe { self.project().0.__cogen_link(pool, slot) }
    }

    #[inline(always)]
    unsafe fn __cogen_take_return(self: Pin<&mut Self>, pool: Option<NonNull<Pool>>) -> M::Output {
        // SAFETY: per the contract.
        unsafe { self.project().0.__cogen_take_return(pool) }
    }

    #[inline(always)]
    fn __cogen_holds_nothing(&self) -> bool {
        self.pool.is_empty() && self.machine.__cogen_holds_nothing()
    }
}

// SAFETY: the generator, pinned in its block, is what is linked; it stays
// there until its return value is taken or the `Recurse` drops (after its
// link is popped, see `Drop`).
#[cfg(feature = "alloc")]
#[diagnostic::do_not_recommend]
unsafe impl<A, F, G, Y, R> Source<Y, R> for Recurse<A, F, G>
where
    F: FnOnce(A) -> G,
    G: Source<Y, R>,
{
    type Output = G::Output;

    #[inline(always)]
    unsafe fn __cogen_link(
        self: Pin<&mut Self>,
        pool: Option<NonNull<Pool>>,
        slot: &mut Option<Link<Y, R>>,
    ) -> Chain<Y, R> {
        // SAFETY: the pool per the contract.
        unsafe { self.get_mut().generator(pool).__cogen_link(pool, slot) }
    }

    #[inline(always)]
    unsafe fn __cogen_take_return(self: Pin<&mut Self>, pool: Option<NonNull<Pool>>) -> G::Output {
        // SAFETY: the pool per the contract.
        unsafe {
            self.get_mut().finish(
                pool,
                |g| g.__cogen_take_return(pool),
                |g| g.__cogen_holds_nothing(),
            )
        }
    }
}

/// Who may delegate to whom, as for the machine inside.
macro_rules! pooled_markers {
    ($($trait:ident)*) => {$(
        // SAFETY: `Source` carries the contract.
        unsafe impl<M: $trait<Y, R, T>, Y, R, T, K> $trait<Y, R, T> for Pooled<M, K> {}

        // SAFETY: as above.
        #[cfg(feature = "alloc")]
        unsafe impl<A, F, G, Y, R, T> $trait<Y, R, T> for Recurse<A, F, G>
        where
            F: FnOnce(A) -> G,
            G: $trait<Y, R, T>,
        {
        }
    )*};
}

pooled_markers!(Delegable AsyncDelegable);
