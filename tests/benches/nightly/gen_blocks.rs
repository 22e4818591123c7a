//! Nightly `gen` blocks, for the `sync` bench (feature `nightly`).

pub fn count(n: u64) -> impl Iterator<Item = u64> {
    gen move {
        for i in 0..n {
            yield i;
        }
    }
}

pub fn double(xs: &[u64]) -> impl Iterator<Item = u64> + '_ {
    gen move {
        for &x in xs {
            yield x * 2;
        }
    }
}

// No `own_vec`: a `gen` block may not hold a borrow of its own locals across
// a `yield` (error[E0626]: borrow may still be in use when `gen` block
// yields), so the self-borrow column is left out rather than rewritten into
// something else.
