//! Features used together, where bugs tend to hide.

use cogen::{
    Generator, GeneratorState, Stream, async_generator, defer, generator, yield_, yield_from,
};
use futures::StreamExt;
use std::sync::{Arc, Mutex};

#[generator(try)]
fn numbers(input: &'static str) -> impl Iterator<Item = Result<u32, std::num::ParseIntError>> {
    for word in input.split_whitespace() {
        yield_!(word.parse::<u32>()?);
    }
}

#[generator(try)]
fn all_numbers(
    inputs: Vec<&'static str>,
) -> impl Iterator<Item = Result<u32, std::num::ParseIntError>> {
    for input in inputs {
        // A `try` generator delegating to another: its items, errors included,
        // pass through as items.
        yield_from!(numbers(input));
    }
}

#[test]
fn try_generators_delegating_to_try_generators() {
    let v: Vec<_> = all_numbers(vec!["1 2", "x 3", "4"]).collect();
    assert_eq!(v.len(), 4);
    assert_eq!(v[0], Ok(1));
    assert_eq!(v[1], Ok(2));
    assert!(v[2].is_err());
    assert_eq!(v[3], Ok(4));
}

#[async_generator]
fn word_lengths(
    text: String,
    log: Arc<Mutex<Vec<String>>>,
) -> impl Stream<Item = usize> + Send + 'static {
    defer! { log.lock().unwrap().push("done".into()); }
    // A borrow of the generator's own local held across both yields and awaits.
    for w in text.split_whitespace() {
        tokio::task::yield_now().await;
        yield_!(w.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_borrow_across_awaits_on_a_spawned_task() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let s = word_lengths("a bb ccc".into(), log.clone());
    let got = tokio::spawn(async move { s.collect::<Vec<_>>().await })
        .await
        .unwrap();
    assert_eq!(got, [1, 2, 3]);
    assert_eq!(*log.lock().unwrap(), ["done"]);
}

#[generator]
fn inner_counter(log: Arc<Mutex<Vec<String>>>) -> impl Generator<i32, Yield = i32, Return = i32> {
    defer! { log.lock().unwrap().push("inner closed".into()); }
    let mut total = 0;
    loop {
        let x = yield_!(total);
        if x < 0 {
            return total;
        }
        total += x;
    }
}

#[generator]
fn outer_counter(log: Arc<Mutex<Vec<String>>>) -> impl Generator<i32, Yield = i32, Return = i32> {
    defer! { log.lock().unwrap().push("outer closed".into()); }
    let mut sum = 0;
    for _ in 0..2 {
        // Each round delegates; the delegate's defer! runs when it returns.
        sum += yield_from!(inner_counter(log.clone()));
    }
    sum
}

#[test]
fn delegates_with_cleanup_resume_arguments_and_returns_in_a_loop() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut g = std::pin::pin!(outer_counter(log.clone()));
    assert_eq!(g.as_mut().resume(0), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(5), GeneratorState::Yielded(5));
    assert_eq!(g.as_mut().resume(-1), GeneratorState::Yielded(0)); // second round starts
    assert_eq!(*log.lock().unwrap(), ["inner closed"]);
    assert_eq!(g.as_mut().resume(7), GeneratorState::Yielded(7));
    assert_eq!(g.as_mut().resume(-1), GeneratorState::Complete(12));
    assert_eq!(
        *log.lock().unwrap(),
        ["inner closed", "inner closed", "outer closed"]
    );
}

#[async_generator]
fn ticker_with_cleanup(n: u32, log: Arc<Mutex<Vec<String>>>) -> impl Stream<Item = u32> {
    defer! { log.lock().unwrap().push(format!("ticker {n} closed")); }
    for i in 0..n {
        tokio::task::yield_now().await;
        yield_!(i);
    }
}

#[async_generator]
fn merged(log: Arc<Mutex<Vec<String>>>) -> impl Stream<Item = u32> {
    defer! { log.lock().unwrap().push("merged closed".into()); }
    yield_from!(ticker_with_cleanup(2, log.clone()));
    #[for_await]
    for x in ticker_with_cleanup(3, log.clone()) {
        yield_!(x * 10);
    }
}

#[tokio::test]
async fn async_delegation_and_for_await_with_cleanup_dropped_midway() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let got: Vec<_> = merged(log.clone()).take(3).collect().await; // drops while in the for_await
    assert_eq!(got, [0, 1, 0]);
    assert_eq!(
        *log.lock().unwrap(),
        ["ticker 2 closed", "ticker 3 closed", "merged closed"],
        "the inner stream (a local of the loop) closes with the body, before the body's own cleanup"
    );
}
