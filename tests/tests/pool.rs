//! A recursive `impl Iterator` generator reuses its delegates' heap blocks
//! (and so does an inline form's, its recursive calls):
//! walking a tree allocates about as many blocks as the tree is deep, not
//! one per node. Counted with a counting global allocator (this test binary
//! only).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

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

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to `System`, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
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

/// Allocations made while `f` runs. The test harness's own threads may
/// allocate meanwhile, so this binary holds a single test.
fn allocations_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let out = f();
    (out, ALLOCATIONS.load(Ordering::Relaxed) - before)
}

#[test]
fn a_tree_walk_allocates_per_level_not_per_node() {
    const NODES: u32 = 1 << 12; // 12 levels, plus a partial 13th
    let tree = balanced(0, NODES).unwrap();
    let (sum, allocations) = allocations_of(|| walk(&tree).map(u64::from).sum::<u64>());
    assert_eq!(sum, u64::from(NODES) * u64::from(NODES - 1) / 2);
    // One block per level of the deepest chain (the root's included), where
    // a block per call would be 4,096.
    assert!(
        allocations <= 14,
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
        allocations <= 13,
        "{allocations} allocations for {NODES} nodes (inline form)"
    );
}
