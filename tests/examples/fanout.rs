//! Structured fan-out: merge several child streams into one, and make sure
//! that when the merged stream goes away, so do its children.
//!
//! Two ways to write the merge as an `#[async_generator]`:
//!
//! * [`merge_spawned`] runs each child on its own tokio task (so children
//!   make progress in parallel, ahead of the consumer, up to the channel's
//!   capacity) and yields what arrives on an mpsc channel. The tasks live
//!   in a `JoinSet`, a local of the generator's body: however the merged
//!   stream goes away (it ends, the consumer stops early and drops it, or
//!   the consumer is itself cancelled), the body's locals are dropped, and
//!   dropping a `JoinSet` aborts its tasks. No child outlives its parent.
//! * [`merge_inline`] polls the children itself (`futures`'
//!   `select_all`, consumed with `#[for_await]`): children only run while
//!   the merged stream is polled, and dropping it drops them on the spot.
//!
//! The children ([`ticker`]) count themselves in a shared [`Counters`]:
//! `live` goes up when a child starts and down in its `defer!` when it
//! stops (for a child on an aborted task, when tokio drops the task);
//! `produced` counts the items it made. After the merged stream is dropped,
//! `live` reaches 0 within a bounded time and `produced` stops moving.
//!
//! A child is almost always waiting in `sleep(..).await`, not at a
//! `yield_!`, when it is dropped: dropping a generator cancels that await,
//! so its `defer!` runs all the same.
//!
//! Run it with `cargo run -p cogen-tests --example fanout`.

use cogen::{Stream, async_generator, defer, yield_};
use futures::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Shared by all children: how many are running, how many items they made.
#[derive(Default, Debug)]
pub struct Counters {
    pub live: AtomicUsize,
    pub produced: AtomicUsize,
}

impl Counters {
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }
    pub fn produced(&self) -> usize {
        self.produced.load(Ordering::SeqCst)
    }
}

/// A child: `(id, 0), (id, 1), ...` every `period`, forever.
#[async_generator]
pub fn ticker(
    id: usize,
    period: Duration,
    counters: Arc<Counters>,
) -> impl Stream<Item = (usize, u64)> + Send {
    counters.live.fetch_add(1, Ordering::SeqCst);
    defer! { counters.live.fetch_sub(1, Ordering::SeqCst); }
    for i in 0.. {
        tokio::time::sleep(period).await;
        counters.produced.fetch_add(1, Ordering::SeqCst);
        yield_!((id, i));
    }
}

/// Merges `children`, each running on its own tokio task, in arrival order.
/// Dropping the merged stream aborts every child task.
#[async_generator]
pub fn merge_spawned<S>(children: Vec<S>) -> impl Stream<Item = S::Item> + Send
where
    S: Stream + Send + 'static,
    S::Item: Send + 'static,
{
    let (tx, mut rx) = mpsc::channel(1);
    let mut tasks = JoinSet::new(); // dropping it aborts every task in it
    for child in children {
        let tx = tx.clone();
        tasks.spawn(async move {
            let mut child = std::pin::pin!(child);
            while let Some(item) = child.next().await {
                if tx.send(item).await.is_err() {
                    break; // the merged stream is gone
                }
            }
        });
    }
    drop(tx); // `recv` returns `None` once every child has finished
    while let Some(item) = rx.recv().await {
        yield_!(item);
    }
    // Every child finished on its own: surface a child's panic, if any.
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done
            && e.is_panic()
        {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

/// Merges `children` by polling them from the merged stream itself.
#[async_generator]
pub fn merge_inline<S>(children: Vec<S>) -> impl Stream<Item = S::Item>
where
    S: Stream + Unpin,
{
    #[for_await]
    for item in futures::stream::select_all(children) {
        yield_!(item);
    }
}

/// Three tickers, at 3, 5 and 7 ms.
pub fn children(counters: &Arc<Counters>) -> Vec<impl Stream<Item = (usize, u64)> + Send + use<>> {
    [3, 5, 7]
        .into_iter()
        .enumerate()
        .map(|(id, ms)| ticker(id, Duration::from_millis(ms), counters.clone()))
        .collect()
}

/// Waits until no child is live, or `limit` passes; returns whether it got there.
pub async fn all_stopped(counters: &Counters, limit: Duration) -> bool {
    tokio::time::timeout(limit, async {
        while counters.live() != 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .is_ok()
}

/// Takes ten items from `merged` and prints them and how many children are
/// live; then drops `merged`.
async fn take_ten_then_drop<S>(mut merged: S, counters: &Counters)
where
    S: Stream + Unpin,
    S::Item: std::fmt::Debug,
{
    let mut items = Vec::new();
    for _ in 0..10 {
        items.push(merged.next().await.unwrap());
    }
    println!("   items: {items:?}");
    println!("   before the drop: live = {}", counters.live());
    drop(merged);
}

#[tokio::main]
async fn main() {
    println!("== merge_spawned: three children on their own tasks; take 10 items, then drop");
    let counters = Arc::new(Counters::default());
    take_ten_then_drop(Box::pin(merge_spawned(children(&counters))), &counters).await;
    println!(
        "   right after the drop: live = {} (the aborted tasks are dropped soon)",
        counters.live()
    );
    let stopped = all_stopped(&counters, Duration::from_secs(1)).await;
    let produced = counters.produced();
    tokio::time::sleep(Duration::from_millis(50)).await;
    println!(
        "   all children stopped: {stopped}; produced {produced} items, {} after 50ms more",
        counters.produced()
    );

    println!("== merge_inline: the children are polled by the merged stream itself");
    let counters = Arc::new(Counters::default());
    let merged = merge_inline(children(&counters).into_iter().map(Box::pin).collect());
    take_ten_then_drop(Box::pin(merged), &counters).await;
    println!(
        "   right after the drop: live = {} (dropped on the spot)",
        counters.live()
    );
}
