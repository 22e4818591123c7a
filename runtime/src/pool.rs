//! Reuse of the heap blocks of the generators a root delegates to: `impl
//! Iterator` generators (`LazyBoxed`, `boxed.rs`) and the inline forms'
//! recursive calls (`Recurse`, `pooled.rs`).
//!
//! A recursive generator (`yield_from!(walk(child))`) needs one heap block
//! per call. The root resumes those delegates one chain at a
//! time, so their blocks come and go in stack order: a block freed when one
//! delegate completes is the block the next delegate asks for. The root
//! keeps such blocks in a free list instead of handing them back to the
//! allocator, whose `malloc` and `free` a tree walk would otherwise pay on
//! every node (measured: runtime/DESIGN.md, "A free list for blocks").
//!
//! The list holds blocks of one layout only (that of the first block it
//! took), and at most `Pool::MAX` of them; a block of another layout, or one
//! more, goes back to the allocator. Everything in it is freed with the root.

#[cfg(feature = "alloc")]
use core::alloc::Layout;
#[cfg(feature = "alloc")]
use core::ptr::NonNull;

#[cfg(feature = "alloc")]
use alloc::alloc::{alloc, dealloc, handle_alloc_error};

/// A free block, written over the block's first bytes.
#[cfg(feature = "alloc")]
struct Free {
    next: Option<NonNull<Free>>,
    layout: Layout,
    /// Blocks in the list from this one on, at most [`Pool::MAX`]: kept
    /// here rather than in the pool, which is then one word (a delegating
    /// inline generator carries its pool).
    len: u32,
}

/// A root's free list, one word. The `impl Iterator` form of a delegating
/// body keeps one in its heap block, beside its machine; an inline form's
/// delegating function keeps one beside its machine (`Pooled`); other
/// roots pass none, and their delegates use the allocator directly. A
/// block may go back to another pool than the one it came from (a
/// generator driven as a root, then delegated to). Without the `alloc`
/// feature there are no heap blocks, and a pool is empty and takes no
/// room.
pub struct Pool {
    #[cfg(feature = "alloc")]
    head: Option<NonNull<Free>>,
}

#[cfg(feature = "alloc")]
impl Pool {
    /// The most blocks a pool keeps. A tree walk needs as many as the tree
    /// is deep; a chain, where every level is alive at once, reuses none,
    /// and keeping all its blocks to free them with the root chased a
    /// pointer through every one of them, cold, slower than freeing each
    /// block as it completes (measured: runtime/DESIGN.md, "A bounded pool").
    const MAX: u32 = 64;

    pub(crate) const fn new() -> Self {
        Pool { head: None }
    }

    /// A block for `layout`, from `pool` if it has one, else from the
    /// allocator.
    ///
    /// # Safety
    /// `pool`, if any, must be valid for writes and not otherwise borrowed.
    #[inline]
    pub(crate) unsafe fn take(pool: Option<NonNull<Pool>>, layout: Layout) -> NonNull<u8> {
        if let Some(mut pool) = pool {
            // SAFETY: per the contract.
            let pool = unsafe { pool.as_mut() };
            if let Some(free) = pool.head {
                // SAFETY: every block in the list starts with a `Free`.
                let Free {
                    next, layout: had, ..
                } = unsafe { free.read() };
                if had == layout {
                    pool.head = next;
                    return free.cast();
                }
            }
        }
        // SAFETY: `layout` is that of a block type with a non-zero size
        // (it holds a machine, whose head alone is a word).
        NonNull::new(unsafe { alloc(layout) }).unwrap_or_else(|| handle_alloc_error(layout))
    }

    /// Gives back a block `take` returned for `layout`, whose value has been
    /// dropped: to `pool` if it takes that layout, else to the allocator.
    ///
    /// # Safety
    /// `block` must come from [`Pool::take`] with this `layout` (from any
    /// pool, or none) and hold no value any more; `pool` as for `take`.
    #[inline]
    pub(crate) unsafe fn put(pool: Option<NonNull<Pool>>, block: NonNull<u8>, layout: Layout) {
        let fits = layout.size() >= size_of::<Free>() && layout.align() >= align_of::<Free>();
        if let (Some(mut pool), true) = (pool, fits) {
            // SAFETY: per the contract.
            let pool = unsafe { pool.as_mut() };
            // SAFETY: every block in the list starts with a `Free`.
            let (same, len) = match pool.head {
                None => (true, 0),
                Some(h) => {
                    let h = unsafe { h.as_ref() };
                    (h.layout == layout, h.len)
                }
            };
            if same && len < Pool::MAX {
                let free = block.cast::<Free>();
                // SAFETY: the block is free, and large and aligned enough.
                unsafe {
                    free.write(Free {
                        next: pool.head,
                        layout,
                        len: len + 1,
                    })
                };
                pool.head = Some(free);
                return;
            }
        }
        // SAFETY: per the contract, allocated with this layout.
        unsafe { dealloc(block.as_ptr(), layout) }
    }

    /// Whether the list is empty (its drop does nothing).
    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Frees every block in the list.
    #[cold]
    fn free_all(&mut self) {
        while let Some(free) = self.head {
            // SAFETY: every block in the list starts with a `Free`, and was
            // allocated with the layout it records.
            unsafe {
                let Free { next, layout, .. } = free.read();
                self.head = next;
                dealloc(free.as_ptr().cast(), layout);
            }
        }
    }
}

/// Without `alloc`, a pool holds nothing (and takes no room).
#[cfg(not(feature = "alloc"))]
impl Pool {
    pub(crate) const fn new() -> Self {
        Pool {}
    }

    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        true
    }
}

/// A block for a `T`, from `pool` if it has one of that layout, else from
/// the allocator (a dangling one for a zero-sized `T`). The typed face of
/// [`Pool::take`] for the delegates' blocks (`LazyBoxed`, `Recurse`).
///
/// # Safety
/// `pool` as for [`Pool::take`].
#[cfg(feature = "alloc")]
#[inline(always)]
pub(crate) unsafe fn take<T>(pool: Option<NonNull<Pool>>) -> NonNull<T> {
    if size_of::<T>() == 0 {
        return NonNull::dangling();
    }
    // SAFETY: per the contract; the layout's size is not zero.
    unsafe { Pool::take(pool, Layout::new::<T>()) }.cast()
}

/// Gives a block from [`take`] back to `pool` (or the allocator) when
/// dropped, whatever it held having been dropped or abandoned: a guard, so
/// that a value whose drop (or construction) panics still gives its block
/// back.
#[cfg(feature = "alloc")]
pub(crate) struct PutBack<T>(pub(crate) NonNull<T>, pub(crate) Option<NonNull<Pool>>);

#[cfg(feature = "alloc")]
impl<T> PutBack<T> {
    /// Now, rather than when dropped.
    #[inline(always)]
    pub(crate) fn put(self) {
        drop(self)
    }
}

#[cfg(feature = "alloc")]
impl<T> Drop for PutBack<T> {
    #[inline(always)]
    fn drop(&mut self) {
        if size_of::<T>() != 0 {
            // SAFETY: the block came from `take` (`Pool::take` with this
            // layout) and holds no value; the pool is valid for the call
            // that made this guard (every maker's contract).
            unsafe { Pool::put(self.1, self.0.cast(), Layout::new::<T>()) }
        }
    }
}

/// Drops the value in `block` in place and gives the block back to `pool`
/// (or the allocator), even if the drop panics (a `defer!` that panics
/// while a suspended generator is dropped).
///
/// Out of line: the uncommon end of a block (a generator dropped before it
/// completed, or holding something when it did).
///
/// # Safety
/// `block` from [`take`], holding a `T` that nothing references any more
/// (pinned there: it is dropped in place, once); `pool` as for
/// [`Pool::take`].
#[cfg(feature = "alloc")]
#[inline(never)]
pub(crate) unsafe fn release<T>(block: NonNull<T>, pool: Option<NonNull<Pool>>) {
    let put_back = PutBack(block, pool);
    // SAFETY: per the contract.
    unsafe { block.drop_in_place() };
    put_back.put();
}

#[cfg(feature = "alloc")]
impl Drop for Pool {
    // Inline, for the common empty pool of a delegate's block.
    #[inline(always)]
    fn drop(&mut self) {
        if self.head.is_some() {
            self.free_all();
        }
    }
}
