//! Other attribute macros of the ecosystem on, or around, generator
//! functions: `#[async_trait]` on an impl block whose trait mixes `async fn`
//! methods with generator methods, and `#[cfg_attr(..)]` on a generator.

use async_trait::async_trait;
use cogen::{Stream, async_generator, generator, yield_};
use futures::StreamExt;

#[async_trait]
trait Repo {
    /// An async method, rewritten by `#[async_trait]`.
    async fn count(&self) -> usize;
    /// A generator method: `#[async_trait]` leaves it alone.
    fn rows(&self) -> impl Iterator<Item = u32> + Send + '_;
    /// An async generator method.
    fn changes(&self) -> impl Stream<Item = u32> + Send + '_;
}

struct Memory(Vec<u32>);

#[async_trait]
impl Repo for Memory {
    async fn count(&self) -> usize {
        self.0.len()
    }

    #[generator]
    fn rows(&self) -> impl Iterator<Item = u32> + Send + '_ {
        for &r in &self.0 {
            yield_!(r);
        }
    }

    #[async_generator]
    fn changes(&self) -> impl Stream<Item = u32> + Send + '_ {
        for &r in &self.0 {
            std::future::ready(()).await;
            yield_!(r * 10);
        }
    }
}

#[test]
fn async_trait_impl_blocks_with_generator_methods() {
    let repo = Memory(vec![1, 2, 3]);
    assert_eq!(repo.rows().collect::<Vec<_>>(), [1, 2, 3]);
    futures::executor::block_on(async {
        assert_eq!(repo.count().await, 3);
        let changes: Vec<u32> = repo.changes().collect().await;
        assert_eq!(changes, [10, 20, 30]);
    });
}

// `cfg_attr` is expanded by rustc before cogen runs: here it adds a lint
// attribute, kept as written.
#[cfg_attr(all(), allow(clippy::needless_range_loop))]
#[generator]
fn evens(v: &[u32]) -> impl Iterator<Item = u32> + '_ {
    for i in 0..v.len() {
        if v[i].is_multiple_of(2) {
            yield_!(v[i]);
        }
    }
}

#[test]
fn cfg_attr_on_a_generator() {
    assert_eq!(evens(&[1, 2, 3, 4]).collect::<Vec<_>>(), [2, 4]);
}
