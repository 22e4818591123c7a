//! `#[async_generator]`: Stream and AsyncGenerator forms, real suspension
//! under tokio and futures' executor, `#[for_await]`, the `try` flavour.

use cogen::{AsyncGenerator, GeneratorState, Stream, async_generator, yield_};
use futures::{StreamExt, TryStreamExt};
use std::pin::pin;
use std::time::Duration;

#[async_generator]
fn ticks(n: u32, every: Duration) -> impl Stream<Item = u32> + Send + 'static {
    for i in 0..n {
        tokio::time::sleep(every).await;
        yield_!(i);
    }
}

#[tokio::test]
async fn real_timers_under_tokio() {
    let v: Vec<_> = ticks(3, Duration::from_millis(1)).collect().await;
    assert_eq!(v, [0, 1, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawned_on_a_multi_thread_runtime() {
    let handle = tokio::spawn(async {
        let mut s = pin!(ticks(4, Duration::from_millis(1)));
        let mut sum = 0;
        while let Some(x) = s.next().await {
            sum += x;
            tokio::task::yield_now().await;
        }
        sum
    });
    assert_eq!(handle.await.unwrap(), 6);
}

#[async_generator]
fn relay(rx: tokio::sync::mpsc::Receiver<String>) -> impl Stream<Item = String> {
    let mut rx = rx;
    while let Some(msg) = rx.recv().await {
        yield_!(msg.to_uppercase());
    }
}

#[tokio::test]
async fn waits_on_a_channel() {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let producer = tokio::spawn(async move {
        for w in ["a", "b", "c"] {
            tx.send(w.to_string()).await.unwrap();
        }
    });
    let got: Vec<_> = relay(rx).collect().await;
    producer.await.unwrap();
    assert_eq!(got, ["A", "B", "C"]);
}

#[async_generator]
fn doubled<S: Stream<Item = u32>>(input: S) -> impl Stream<Item = u32> {
    #[for_await]
    for x in input {
        if x == 99 {
            break;
        }
        yield_!(x * 2);
    }
    yield_!(0);
}

#[test]
fn for_await_over_any_stream() {
    futures::executor::block_on(async {
        let v: Vec<_> = doubled(futures::stream::iter([1, 2, 3])).collect().await;
        assert_eq!(v, [2, 4, 6, 0]);
        // A !Unpin stream (another generator), with `break`.
        let v: Vec<_> = doubled(doubled(futures::stream::iter([1, 99, 5])))
            .collect()
            .await;
        assert_eq!(v, [4, 0, 0]); // inner: [2, 0]; outer doubles them, then adds its own 0
    });
}

#[async_generator]
fn labelled_for_await(rows: Vec<Vec<u8>>) -> impl Stream<Item = u8> {
    'rows: for row in rows {
        #[for_await]
        for x in futures::stream::iter(row) {
            if x == 0 {
                continue 'rows;
            }
            yield_!(x);
        }
    }
}

#[test]
fn for_await_with_outer_labels() {
    let v: Vec<_> =
        futures::executor::block_on(labelled_for_await(vec![vec![1, 0, 2], vec![3]]).collect());
    assert_eq!(v, [1, 3]);
}

#[derive(Debug, PartialEq)]
enum AppError {
    Parse(String),
    Io,
}

impl From<std::num::ParseIntError> for AppError {
    fn from(e: std::num::ParseIntError) -> Self {
        AppError::Parse(e.to_string())
    }
}

#[async_generator(try)]
fn numbers(lines: Vec<&'static str>) -> impl Stream<Item = Result<u32, AppError>> {
    for line in lines {
        tokio::task::yield_now().await;
        if line == "io" {
            Err(AppError::Io)?;
        }
        yield_!(line.parse::<u32>()?); // `?` converts with `From`
    }
}

#[tokio::test]
async fn try_flavour_yields_ok_and_ends_with_the_error() {
    let v: Vec<_> = numbers(vec!["1", "2"]).collect().await;
    assert_eq!(v, [Ok(1), Ok(2)]);
    let v: Vec<_> = numbers(vec!["1", "x", "3"]).collect().await;
    assert_eq!(v.len(), 2);
    assert!(matches!(&v[1], Err(AppError::Parse(_))));
    let v: Vec<_> = numbers(vec!["io", "3"]).collect().await;
    assert_eq!(v, [Err(AppError::Io)]);
    // Works with TryStreamExt.
    assert_eq!(
        numbers(vec!["4", "5"]).try_collect::<Vec<_>>().await,
        Ok(vec![4, 5])
    );
}

#[async_generator(try)]
fn io_alias() -> impl Stream<Item = std::io::Result<u8>> {
    yield_!(1);
    Err(std::io::Error::other("nope"))?;
    yield_!(2);
}

#[test]
fn try_flavour_with_a_result_alias() {
    let v: Vec<_> = futures::executor::block_on(io_alias().collect());
    assert_eq!(v.len(), 2);
    assert_eq!(*v[0].as_ref().unwrap(), 1);
    assert_eq!(v[1].as_ref().unwrap_err().to_string(), "nope");
}

#[async_generator]
fn accumulate() -> impl AsyncGenerator<u64, Yield = u64, Return = &'static str> {
    let mut total = 0;
    loop {
        tokio::task::yield_now().await;
        let x = yield_!(total);
        if x == 0 {
            break "done";
        }
        total += x;
    }
}

#[tokio::test]
async fn async_generator_form_with_resume_and_return() {
    let mut g = pin!(accumulate());
    assert_eq!(g.as_mut().resume(123).await, GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(2).await, GeneratorState::Yielded(2));
    assert_eq!(g.as_mut().resume(3).await, GeneratorState::Yielded(5));
    assert_eq!(g.as_mut().resume(0).await, GeneratorState::Complete("done"));
}

#[test]
fn fused_and_terminated() {
    use cogen::FusedStream;
    futures::executor::block_on(async {
        let mut s = pin!(ticks_now(2));
        assert!(!s.is_terminated());
        assert_eq!(s.next().await, Some(0));
        assert_eq!(s.next().await, Some(1));
        assert_eq!(s.next().await, None);
        assert!(s.is_terminated());
        assert_eq!(s.next().await, None);
    });
}

// `FusedStream` is implemented; name it in the return type to use it.
#[async_generator]
fn ticks_now(n: u32) -> impl cogen::FusedStream<Item = u32> {
    for i in 0..n {
        yield_!(i);
    }
}

#[test]
fn lazy_until_polled() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static STARTED: AtomicBool = AtomicBool::new(false);
    #[async_generator]
    fn g() -> impl Stream<Item = u8> {
        STARTED.store(true, Ordering::SeqCst);
        yield_!(1);
    }
    let s = g();
    assert!(!STARTED.load(Ordering::SeqCst));
    assert_eq!(futures::executor::block_on(s.collect::<Vec<_>>()), [1]);
    assert!(STARTED.load(Ordering::SeqCst));
}

#[test]
fn size_hint_is_honest() {
    assert_eq!(ticks_now(3).size_hint(), (0, None));
}

#[test]
fn plain_return_ends_a_try_generator_normally() {
    use cogen::{defer, generator};
    #[generator(try)]
    fn upto(
        limit: u32,
        input: Vec<&'static str>,
    ) -> impl Iterator<Item = Result<u32, std::num::ParseIntError>> {
        for s in input {
            let n: u32 = s.parse()?;
            if n > limit {
                return; // ends normally: no error item
            }
            yield_!(n);
        }
    }
    assert_eq!(upto(5, vec!["1", "9", "2"]).collect::<Vec<_>>(), [Ok(1)]);
    assert_eq!(upto(5, vec!["1", "x"]).filter(Result::is_err).count(), 1);

    // The same inside a block with `defer!`.
    #[async_generator(try)]
    fn with_cleanup(
        log: std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>,
    ) -> impl Stream<Item = Result<u8, String>> {
        defer! { log.lock().unwrap().push("cleanup"); }
        yield_!(1);
        return;
    }
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let v: Vec<_> = futures::executor::block_on(with_cleanup(log.clone()).collect());
    assert_eq!(v, [Ok(1)]);
    assert_eq!(*log.lock().unwrap(), ["cleanup"]);
}

#[async_generator]
fn two() -> impl AsyncGenerator<u8, Yield = u8, Return = &'static str> {
    let a = yield_!(1);
    yield_!(a);
    "done"
}

/// A pinned pointer to an async generator is one too (`Pin<P>`, as for
/// `Generator` and futures-core's `Stream`): it can be resumed and closed
/// through `Pin<&mut Pin<Box<G>>>`, e.g. when stored in a struct.
#[test]
fn pinned_pointers_are_async_generators() {
    futures::executor::block_on(async {
        let mut boxed: std::pin::Pin<Box<_>> = Box::pin(two());
        let mut outer = std::pin::pin!(boxed.as_mut());
        assert_eq!(
            outer.as_mut().resume(0).await,
            cogen::GeneratorState::Yielded(1)
        );
        assert_eq!(
            outer.as_mut().resume(7).await,
            cogen::GeneratorState::Yielded(7)
        );
        let mut again = std::pin::pin!(boxed);
        assert_eq!(
            again.as_mut().resume(0).await,
            cogen::GeneratorState::Complete("done")
        );
        again.as_mut().close().await;
    });
}
