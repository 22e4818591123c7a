//! futures-async-stream's `#[stream]`, for the `async` bench (feature
//! `nightly`).

use super::tick;
use futures_async_stream::stream;

#[stream(item = u64)]
pub async fn count(n: u64) {
    for i in 0..n {
        yield i;
    }
}

#[stream(item = u64)]
pub async fn suspend(n: u64) {
    for i in 0..n {
        tick(i).await;
        yield i;
    }
}
