//! The heap forms of a machine, for `impl Iterator` generators: [`Boxed`]
//! (boxed when made) and [`LazyBoxed`] (boxed when first resumed or linked,
//! in a block from its root's pool, and given back as soon as it
//! completes). Their `Iterator` impls are in `generator.rs`, their
//! `Delegable` impls in `delegate.rs`.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;

use crate::chain::Chain;
use crate::co::Co;
use crate::machine::{Machine, Plain};
use crate::pool::{release, take, Pool, PutBack};

/// The `impl Iterator` form: a boxed machine, because `Iterator::next` takes
/// `&mut self` and the body's state may borrow from itself.
pub struct Boxed<M>(Pin<alloc::boxed::Box<M>>);

/// Opaque, as the machine's (`Generator { .. }`).
impl<M: core::fmt::Debug> core::fmt::Debug for Boxed<M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

impl<M> Boxed<M> {
    /// The pinned machine inside.
    #[inline(always)]
    pub(crate) fn machine(&mut self) -> Pin<&mut M> {
        self.0.as_mut()
    }
}

impl<Fut, Y, const D: bool, const C: bool> Boxed<Machine<Fut, Y, (), D, C>>
where
    Fut: Future,
{
    /// Allocates, then builds the machine in the allocation.
    ///
    /// In that order, not `Box::pin(make())`: a machine built first on the
    /// stack is then copied into the allocation, and LLVM does not see
    /// through the copy that the generator is fresh. A loop over it then
    /// dispatched on the body's state through a jump table every item, and
    /// creating one cost more too (measured:
    /// runtime/DESIGN.md, "Built in place, not copied in").
    #[inline(always)]
    pub(crate) fn new_with(make: impl FnOnce() -> Machine<Fut, Y, (), D, C>) -> Self {
        let mut uninit = alloc::boxed::Box::new_uninit();
        core::mem::MaybeUninit::write(&mut *uninit, make());
        // SAFETY: initialised just above.
        Boxed(alloc::boxed::Box::into_pin(unsafe { uninit.assume_init() }))
    }
}

/// The `impl Iterator` form of a body that delegates (`yield_from!`), which
/// is what recursion is: like [`Boxed`], but the block is allocated on the
/// first `next` (or, as a delegate, when its `yield_from!` links it), not
/// when the generator is made; until then the value holds the body's
/// closure, that is, the arguments. A delegate's block then comes from its
/// root's pool, and goes back there as soon as the delegate completes, so a
/// recursive generator reuses a handful of blocks instead of allocating one
/// per call.
///
/// Only for delegating bodies: for the others, a block allocated in `next`
/// comes out of a branch there, and LLVM no longer sees the fresh block
/// built in view, which a counting loop then pays for on every item
/// (measured: runtime/DESIGN.md, "LazyBoxed only for delegating bodies").
/// A delegating root drives a chain anyway, and pays one more compare per
/// item. `K`: how it resumes its own body as a root
/// (`machine::Root`).
pub struct LazyBoxed<F, M, K = Plain>(Lazy<F, M>, PhantomData<K>);

/// Opaque, as the machine's (`Generator { .. }`), started or not.
impl<F, M, K> core::fmt::Debug for LazyBoxed<F, M, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Generator").finish_non_exhaustive()
    }
}

enum Lazy<F, M> {
    /// Not resumed yet: the body's closure.
    Unstarted(F),
    /// Resumed: the machine, pinned in its block until the `LazyBoxed`
    /// drops or is spent.
    Started(NonNull<Block<M>>),
    /// Completed as a delegate: its block went back to the root's pool.
    Spent,
}

/// A [`LazyBoxed`] linked as a delegate: its machine, and the chain it hands
/// over (see [`LazyBoxed::link`]).
type Linked<M, Y> = (NonNull<M>, Chain<Y, ()>);

/// A started [`LazyBoxed`]'s pinned machine, and its pool.
type Started<'a, M> = (Pin<&'a mut M>, NonNull<Pool>);

/// What a [`LazyBoxed`] allocates: its machine, and the free list it keeps as a
/// root for its delegates' blocks.
///
/// `repr(C)`, machine first: a delegate's link points at its machine, and
/// that is also where its block is.
#[repr(C)]
pub(crate) struct Block<M> {
    machine: M,
    pool: Pool,
    /// The state of the `LazyBoxed` whose block this is, set when it is
    /// linked as a delegate: it is marked spent when the block goes back to
    /// the pool.
    owner: NonNull<()>,
}

// SAFETY: a `LazyBoxed` owns its closure and its block (the pointer is
// never shared), so it may move to another thread when both may.
unsafe impl<F: Send, M: Send, K> Send for LazyBoxed<F, M, K> {}

// SAFETY: no method reads a `LazyBoxed` through `&self`, so sharing one
// gives no access to its closure or machine (the reasoning of `Machine`'s
// `Sync`).
unsafe impl<F, M, K> Sync for LazyBoxed<F, M, K> {}

// The closure is only ever moved, never pinned; the machine is pinned in
// the block, which does not move with the `LazyBoxed`.
impl<F, M, K> Unpin for LazyBoxed<F, M, K> {}

impl<F, Fut, Y, const D: bool, const C: bool, K> LazyBoxed<F, Machine<Fut, Y, (), D, C>, K>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future,
{
    /// A generator that will run the body `make` returns.
    #[inline(always)]
    pub(crate) fn new(make: F) -> Self {
        LazyBoxed(Lazy::Unstarted(make), PhantomData)
    }

    /// The machine and the pool of a started generator, starting it (with a
    /// block from `pool`) if it has not been; `None` once spent.
    ///
    /// # Safety
    /// `pool` as for [`Pool::take`].
    #[inline(always)]
    pub(crate) unsafe fn started(
        &mut self,
        pool: Option<NonNull<Pool>>,
    ) -> Option<Started<'_, Machine<Fut, Y, (), D, C>>> {
        let block = match self.0 {
            Lazy::Started(block) => block,
            // SAFETY: per the contract.
            Lazy::Unstarted(_) => unsafe { self.start(pool) },
            Lazy::Spent => return None,
        };
        // SAFETY: a started block holds its machine until the `LazyBoxed`
        // drops or is spent; the machine never moves out of it.
        unsafe {
            let block = &mut *block.as_ptr();
            Some((
                Pin::new_unchecked(&mut block.machine),
                NonNull::from(&mut block.pool),
            ))
        }
    }

    /// Boxes the machine, in a block from `pool`.
    ///
    /// # Safety
    /// `pool` as for [`Pool::take`]; the generator must be unstarted.
    #[inline(always)]
    unsafe fn start(
        &mut self,
        pool: Option<NonNull<Pool>>,
    ) -> NonNull<Block<Machine<Fut, Y, (), D, C>>> {
        let Lazy::Unstarted(make) = core::mem::replace(&mut self.0, Lazy::Spent) else {
            unreachable!()
        };
        // SAFETY: per the contract.
        let block = unsafe { take::<Block<Machine<Fut, Y, (), D, C>>>(pool) };
        // Built in the block, not on the stack and copied in: after a copy
        // LLVM no longer sees that the generator is fresh, and a loop over it
        // dispatched on the body's state through a jump table every item
        // (measured: runtime/DESIGN.md, "Built in place, not copied in").
        // SAFETY: a fresh block for a `Block`.
        unsafe {
            block.write(Block {
                machine: Machine::new(make(Co::new())),
                pool: Pool::new(),
                // Set when it is linked as a delegate.
                owner: NonNull::dangling(),
            })
        };
        self.0 = Lazy::Started(block);
        block
    }

    /// Links the generator as a delegate: starts it (with a block from
    /// `pool`) if it has not been, and has its block learn where its owner
    /// is, to mark it spent from [`LazyBoxed::spend`] (the owner does not
    /// move until then, nor is it used: the `yield_from!` holds it
    /// borrowed). The machine, at the start of its block, and the chain it
    /// was driving, if it had been resumed by hand up to a `yield_from!`;
    /// `None` once spent.
    ///
    /// # Safety
    /// `pool` as for [`Pool::take`].
    #[inline(always)]
    pub(crate) unsafe fn link(
        &mut self,
        pool: Option<NonNull<Pool>>,
    ) -> Option<Linked<Machine<Fut, Y, (), D, C>, Y>> {
        let (block, chain) = match self.0 {
            // SAFETY: a started block holds its machine (first: `repr(C)`)
            // until the `LazyBoxed` drops or is spent; only its chain is
            // taken.
            Lazy::Started(block) => (block, unsafe { (*block.as_ptr()).machine.take_chain() }),
            // A fresh machine has no chain.
            // SAFETY: per the contract.
            Lazy::Unstarted(_) => (unsafe { self.start(pool) }, None),
            Lazy::Spent => return None,
        };
        // Taken last: any later use of `self` would invalidate it.
        let owner = NonNull::from(&mut self.0).cast();
        // SAFETY: as above.
        unsafe { (*block.as_ptr()).owner = owner };
        // The pointer is the block's, so `spend` may use it for the whole
        // block.
        Some((block.cast(), chain))
    }

    /// Gives the block of a delegate that has completed (or been closed)
    /// back to `pool`, and marks its owner spent.
    ///
    /// # Safety
    /// `m` must be the machine of a generator linked with
    /// [`LazyBoxed::link`], finished, and referenced by nothing any more;
    /// `pool` as for [`Pool::take`].
    #[inline(always)]
    pub(crate) unsafe fn spend(m: NonNull<Machine<Fut, Y, (), D, C>>, pool: Option<NonNull<Pool>>) {
        let block = m.cast::<Block<Machine<Fut, Y, (), D, C>>>();
        // SAFETY: per the contract: the owner is where `link` found it,
        // still started with this block (the variant holds no value needing
        // a drop), and not borrowed; then the block is released.
        unsafe {
            let owner = (*block.as_ptr())
                .owner
                .cast::<Lazy<F, Machine<Fut, Y, (), D, C>>>();
            owner.write(Lazy::Spent);
            // The usual case: a machine that finished holds nothing, and the
            // block's own pool is empty, so dropping them would do nothing,
            // and the block just goes back, cheaper than dropping it in place
            // (measured: runtime/DESIGN.md, "Spent blocks go straight back").
            let b = &*block.as_ptr();
            if b.machine.is_done() && b.pool.is_empty() {
                PutBack(block, pool).put();
            } else {
                release(block, pool)
            }
        }
    }
}

impl<F, M, K> Drop for LazyBoxed<F, M, K> {
    // Only the check is inlined: a delegate is dropped right after its
    // `yield_from!`, spent, and then there is nothing to do but see that,
    // and a call for it cost a tree walk on every node (measured:
    // runtime/DESIGN.md, "Only the check inlined in LazyBoxed's drop").
    #[inline(always)]
    fn drop(&mut self) {
        if let Lazy::Started(block) = self.0 {
            // SAFETY: the `LazyBoxed` is going away, and with it the only
            // reference to its block.
            unsafe { release(block, None) }
        }
    }
}
