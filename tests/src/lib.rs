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
