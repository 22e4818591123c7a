//! A recursive `impl Iterator` generator reuses its delegates' heap blocks
//! (and so does an inline form's, its recursive calls):
//! walking a tree allocates about as many blocks as the tree is deep, not
//! one per node. Counted with a counting global allocator (this test binary
//! only).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cogen::{Generator, GeneratorState, generator, yield_, yield_from};
use cogen_tests::tree::{Tree, balanced, walk};

/// The walk of `cogen_tests::tree::walk`, in the `impl Generator` form: its
/// recursive calls are built in blocks from the outermost generator's free
/// list.
#[generator]
fn walk_gen(t: &Tree) -> impl Generator<Yield = u32, Return = ()> + '_ {
    if let Some(l) = &t.left {
        yield_from!(walk_gen(l));
    }
    yield_!(t.value);
    if let Some(r) = &t.right {
        yield_from!(walk_gen(r));
    }
}

/// The same walk boxing its recursive calls by hand: they never reach the
/// free list (the control for the count above).
#[generator]
fn walk_boxed(t: &Tree) -> impl Generator<Yield = u32, Return = ()> + '_ {
    if let Some(l) = &t.left {
        yield_from!(Box::pin(walk_boxed(l)));
    }
    yield_!(t.value);
    if let Some(r) = &t.right {
        yield_from!(Box::pin(walk_boxed(r)));
    }
}

struct Counting;

thread_local! {
    /// Allocations made on this thread while counting; `None` when not
    /// counting. Only the test's own thread counts: the harness's threads
    /// may allocate meanwhile (a count of 15 against at most 14 was seen
    /// under `cargo test --workspace`). `const` and `Copy`, so reading it
    /// inside the allocator allocates nothing.
    static ALLOCATIONS: Cell<Option<usize>> = const { Cell::new(None) };
}

// SAFETY: forwards to `System`, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get().map(|n| n + 1)));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by this thread while `f` runs.
fn allocations_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ALLOCATIONS.with(|n| n.set(Some(0)));
    let out = f();
    let count = ALLOCATIONS.with(|n| n.replace(None)).unwrap_or(0);
    (out, count)
}

#[test]
fn a_tree_walk_allocates_per_level_not_per_node() {
    const NODES: u32 = 1 << 12; // 12 levels, plus a partial 13th
    let tree = balanced(0, NODES).unwrap();
    let (sum, allocations) = allocations_of(|| walk(&tree).map(u64::from).sum::<u64>());
    assert_eq!(sum, u64::from(NODES) * u64::from(NODES - 1) / 2);
    // One block per level of the deepest chain (the root's included), where
    // a block per call would be 4,096.
    // At least the levels themselves: the count is live (it reads zero if
    // the allocator stopped counting).
    assert!(
        (12..=14).contains(&allocations),
        "{allocations} allocations for {NODES} nodes"
    );

    // The same in the inline form, pinned on the stack: the root itself is
    // not allocated, so one block per level below it.
    let (sum, allocations) = allocations_of(|| {
        let mut g = std::pin::pin!(walk_gen(&tree));
        let mut sum = 0u64;
        while let GeneratorState::Yielded(v) = g.as_mut().resume(()) {
            sum += u64::from(v);
        }
        sum
    });
    assert_eq!(sum, u64::from(NODES) * u64::from(NODES - 1) / 2);
    assert!(
        (11..=13).contains(&allocations),
        "{allocations} allocations for {NODES} nodes (inline form)"
    );
    // Without the free list, one per call below the root.
    let (_, boxed) = allocations_of(|| {
        let mut g = std::pin::pin!(walk_boxed(&tree));
        while let GeneratorState::Yielded(_) = g.as_mut().resume(()) {}
    });
    assert_eq!(boxed, NODES as usize - 1, "a Box::pin per recursive call");
}
