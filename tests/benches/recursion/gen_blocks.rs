//! Nightly `gen` blocks, for the `recursion` bench (feature `nightly`).
//! A `gen` block has no delegation: each level re-yields its child's items,
//! and the recursive iterator is boxed (its type would be infinite).

use super::columns::Tree;

pub fn chain(n: u64) -> Box<dyn Iterator<Item = u64>> {
    Box::new(gen move {
        if n > 0 {
            for x in chain(n - 1) {
                yield x;
            }
        }
        yield n;
    })
}

pub fn walk(t: &Tree) -> Box<dyn Iterator<Item = u32> + '_> {
    Box::new(gen move {
        if let Some(l) = &t.left {
            for x in walk(l) {
                yield x;
            }
        }
        yield t.value;
        if let Some(r) = &t.right {
            for x in walk(r) {
                yield x;
            }
        }
    })
}
