//! Integration tests, benchmarks and examples for cogen live in this package.

// The README's examples are compiled and run as doc tests, so that the first
// code a newcomer copies works.
#[doc = include_str!("../../README.md")]
pub mod readme {}

/// The binary tree the recursion tests and the `recursion` bench walk.
pub mod tree {
    /// A node holding `value`, with its subtrees.
    pub struct Tree {
        /// This node's value.
        pub value: u32,
        /// The subtree of smaller values.
        pub left: Option<Box<Tree>>,
        /// The subtree of larger values.
        pub right: Option<Box<Tree>>,
    }

    /// In-order walk: recursion in the `impl Iterator` form, which needs
    /// nothing from the user.
    #[cogen::generator]
    pub fn walk(t: &Tree) -> impl Iterator<Item = u32> + '_ {
        if let Some(l) = &t.left {
            cogen::yield_from!(walk(l));
        }
        cogen::yield_!(t.value);
        if let Some(r) = &t.right {
            cogen::yield_from!(walk(r));
        }
    }

    /// A balanced tree holding `lo..hi`, in order.
    pub fn balanced(lo: u32, hi: u32) -> Option<Box<Tree>> {
        (lo < hi).then(|| {
            let mid = lo + (hi - lo) / 2;
            Box::new(Tree {
                value: mid,
                left: balanced(lo, mid),
                right: balanced(mid + 1, hi),
            })
        })
    }
}

/// Counters defined in this library crate, for the benches (other crates)
/// to measure a generator used from another crate than its own.
pub mod other_crate {
    use cogen::{generator, yield_};

    /// `0..n`, hand-written, its `next` marked `#[inline]` as usual: the
    /// bench's own hand-written counter, defined here too so that both
    /// columns of the group come from this crate.
    pub fn hand_count(n: u64) -> HandCount {
        HandCount { i: 0, n }
    }

    /// See [`hand_count`].
    pub struct HandCount {
        i: u64,
        n: u64,
    }

    impl Iterator for HandCount {
        type Item = u64;

        #[inline]
        fn next(&mut self) -> Option<u64> {
            if self.i < self.n {
                let i = self.i;
                self.i += 1;
                Some(i)
            } else {
                None
            }
        }
    }

    /// `0..n`, as a generator with no attribute of its own: the macro's
    /// `#[inline]` is what lets another crate inline its body.
    #[generator]
    pub fn count(n: u64) -> impl Iterator<Item = u64> {
        for i in 0..n {
            yield_!(i);
        }
    }
}
