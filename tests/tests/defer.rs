//! `defer!`, `close()` and cancellation: exact order of cleanup on every exit
//! path, sync and async.

use cogen::{
    AsyncGenerator, Generator, GeneratorState, Stream, async_generator, defer, generator, yield_,
};
use futures::StreamExt;
use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<String>>>;

fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn push(l: &Log, s: impl Into<String>) {
    l.borrow_mut().push(s.into());
}

fn take(l: &Log) -> Vec<String> {
    std::mem::take(&mut *l.borrow_mut())
}

struct Noisy(&'static str, Log);
impl Drop for Noisy {
    fn drop(&mut self) {
        push(&self.1, format!("drop {}", self.0));
    }
}

#[generator]
fn three(l: Log) -> impl Iterator<Item = u32> {
    let _before = Noisy("before", l.clone());
    defer! { push(&l, "cleanup"); }
    let _after = Noisy("after", l.clone());
    for i in 0..3 {
        push(&l, format!("yield {i}"));
        yield_!(i);
    }
    push(&l, "end of body");
}

#[test]
fn runs_at_completion_after_later_locals_before_earlier_ones() {
    let l = log();
    assert_eq!(three(l.clone()).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(
        take(&l),
        [
            "yield 0",
            "yield 1",
            "yield 2",
            "end of body",
            "drop after",
            "cleanup",
            "drop before"
        ]
    );
}

#[test]
fn runs_when_dropped_while_suspended() {
    let l = log();
    let mut it = three(l.clone());
    assert_eq!(it.next(), Some(0));
    push(&l, "dropping");
    drop(it);
    assert_eq!(
        take(&l),
        [
            "yield 0",
            "dropping",
            "drop after",
            "cleanup",
            "drop before"
        ]
    );
}

#[test]
fn never_started_runs_nothing() {
    let l = log();
    drop(three(l.clone()));
    assert!(take(&l).is_empty());
}

#[generator]
fn exits(l: Log, how: &'static str) -> impl Generator<Yield = u32, Return = Result<u32, String>> {
    defer! { push(&l, "outer"); }
    let mut n = 0;
    'outer: for round in 0..3 {
        defer! { push(&l, format!("round {round}")); }
        loop {
            defer! { push(&l, "inner"); }
            n += 1;
            yield_!(n);
            match how {
                "return" => return Ok(n),
                "question" => {
                    let parsed: u32 = "x".parse().map_err(|_| format!("bad at {n}"))?;
                    return Ok(parsed);
                }
                "break" => break,
                "continue_outer" if round < 1 => continue 'outer,
                "break_outer" => break 'outer,
                _ => {}
            }
            if n % 2 == 0 {
                break;
            }
        }
    }
    Ok(n * 100)
}

fn run(how: &'static str) -> (Vec<u32>, Result<u32, String>, Vec<String>) {
    let l = log();
    let mut g = pin!(exits(l.clone(), how));
    let mut ys = Vec::new();
    let ret = loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(y) => ys.push(y),
            GeneratorState::Complete(r) => break r,
        }
    };
    (ys, ret, take(&l))
}

#[test]
fn return_runs_every_enclosing_cleanup_innermost_first() {
    let (ys, ret, log) = run("return");
    assert_eq!(ys, [1]);
    assert_eq!(ret, Ok(1));
    assert_eq!(log, ["inner", "round 0", "outer"]);
}

#[test]
fn question_mark_runs_cleanup_and_returns_the_converted_error() {
    let (ys, ret, log) = run("question");
    assert_eq!(ys, [1]);
    assert_eq!(ret, Err("bad at 1".to_string()));
    assert_eq!(log, ["inner", "round 0", "outer"]);
}

#[test]
fn break_and_continue_run_the_cleanup_of_each_block_they_leave() {
    let (ys, ret, log) = run("break");
    assert_eq!(ys, [1, 2, 3]);
    assert_eq!(ret, Ok(300));
    assert_eq!(
        log,
        [
            "inner", "round 0", "inner", "round 1", "inner", "round 2", "outer"
        ]
    );

    let (ys, ret, log) = run("continue_outer");
    // round 0: continue 'outer after the first yield; rounds 1 and 2 loop
    // until n is even.
    assert_eq!(ys, [1, 2, 3, 4]);
    assert_eq!(ret, Ok(400));
    assert_eq!(
        log,
        [
            "inner", "round 0", "inner", "round 1", "inner", "inner", "round 2", "outer"
        ]
    );

    let (ys, ret, log) = run("break_outer");
    assert_eq!(ys, [1]);
    assert_eq!(ret, Ok(100));
    assert_eq!(log, ["inner", "round 0", "outer"]);
}

#[test]
fn close_runs_pending_cleanup_innermost_first() {
    let l = log();
    let mut g = Box::pin(exits(l.clone(), "none"));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(1));
    g.as_mut().close();
    assert_eq!(take(&l), ["inner", "round 0", "outer"]);
    // Closed: resuming panics, closing again and dropping do nothing more.
    g.as_mut().close();
    assert!(
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.as_mut().resume(()))).is_err()
    );
    drop(g);
    assert!(take(&l).is_empty());
}

#[generator]
fn lifo(l: Log) -> impl Iterator<Item = u8> {
    defer! { push(&l, "first registered"); }
    defer! { push(&l, "second registered"); }
    {
        defer! { push(&l, "nested block"); }
        yield_!(1);
    }
    push(&l, "after nested");
    yield_!(2);
}

#[test]
fn several_run_last_registered_first_nested_blocks_first() {
    let l = log();
    assert_eq!(lifo(l.clone()).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(
        take(&l),
        [
            "nested block",
            "after nested",
            "second registered",
            "first registered"
        ]
    );
    let mut it = lifo(l.clone());
    it.next();
    drop(it);
    assert_eq!(
        take(&l),
        ["nested block", "second registered", "first registered"]
    );
}

#[generator]
fn uses_locals(l: Log) -> impl Iterator<Item = usize> {
    let mut buffer = Vec::new();
    defer! {
        // Not a closure: it reads `buffer`, which the code below mutates.
        push(&l, format!("flushed {}", buffer.len()));
    }
    for i in 0..3 {
        buffer.push(i);
        yield_!(buffer.len());
    }
}

#[test]
fn cleanup_may_use_locals_the_code_after_it_mutates() {
    let l = log();
    assert_eq!(uses_locals(l.clone()).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(take(&l), ["flushed 3"]);
    let mut it = uses_locals(l.clone());
    it.next();
    drop(it);
    assert_eq!(take(&l), ["flushed 1"]);
}

#[generator]
fn yields_after_close_do_not_suspend(l: Log) -> impl Iterator<Item = u8> {
    defer! { push(&l, "cleanup"); }
    loop {
        yield_!(1);
        push(&l, "not reached when closed");
    }
}

#[test]
fn close_terminates_even_in_an_infinite_loop() {
    let l = log();
    let mut it = yields_after_close_do_not_suspend(l.clone());
    assert_eq!(it.next(), Some(1));
    drop(it);
    assert_eq!(take(&l), ["cleanup"]);
}

#[generator(try)]
fn try_with_defer(
    l: Log,
    input: Vec<&'static str>,
) -> impl Iterator<Item = Result<u32, std::num::ParseIntError>> {
    defer! { push(&l, "closed file"); }
    for s in input {
        yield_!(s.parse::<u32>()?);
    }
}

#[test]
fn try_flavour_question_mark_runs_cleanup_then_yields_the_error() {
    let l = log();
    let v: Vec<_> = try_with_defer(l.clone(), vec!["1", "x", "2"]).collect();
    assert_eq!(v.len(), 2);
    assert!(v[1].is_err());
    assert_eq!(take(&l), ["closed file"]);
}

#[test]
fn option_question_mark_in_a_defer_scope() {
    #[generator]
    fn g(l: Log, x: Option<u8>) -> impl Generator<Yield = u8, Return = Option<u8>> {
        defer! { push(&l, "done"); }
        let v = x?;
        yield_!(v);
        Some(v + 1)
    }
    let l = log();
    let mut generator = pin!(g(l.clone(), None));
    assert_eq!(
        generator.as_mut().resume(()),
        GeneratorState::Complete(None)
    );
    assert_eq!(take(&l), ["done"]);
}

#[test]
fn break_with_value_through_a_defer() {
    #[generator]
    fn g(l: Log) -> impl Generator<Yield = u8, Return = u32> {
        loop {
            defer! { push(&l, "iteration"); }
            yield_!(1);
            break 42;
        }
    }
    let l = log();
    let mut generator = pin!(g(l.clone()));
    assert_eq!(generator.as_mut().resume(()), GeneratorState::Yielded(1));
    assert_eq!(generator.as_mut().resume(()), GeneratorState::Complete(42));
    assert_eq!(take(&l), ["iteration"]);
}

#[test]
fn closures_inside_a_defer_scope_keep_their_own_return_and_question_mark() {
    #[generator]
    fn g(l: Log) -> impl Iterator<Item = u32> {
        defer! { push(&l, "cleanup"); }
        let parse = |s: &str| -> Result<u32, std::num::ParseIntError> {
            if s.is_empty() {
                return Ok(0);
            }
            Ok(s.parse::<u32>()? + 1)
        };
        yield_!(parse("").unwrap());
        yield_!(parse("4").unwrap());
        assert!(parse("x").is_err());
    }
    let l = log();
    assert_eq!(g(l.clone()).collect::<Vec<_>>(), [0, 5]);
    assert_eq!(take(&l), ["cleanup"]);
}

#[test]
fn no_cleanup_on_panic_but_no_leak_and_finished() {
    #[generator]
    fn g(l: Log) -> impl Iterator<Item = u8> {
        let _guard = Noisy("guard", l.clone());
        defer! { push(&l, "cleanup"); }
        yield_!(1);
        panic!("boom");
    }
    let l = log();
    let mut it = g(l.clone());
    assert_eq!(it.next(), Some(1));
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| it.next())).is_err());
    assert_eq!(
        take(&l),
        ["drop guard"],
        "defer! does not run on panic; destructors do"
    );
    assert_eq!(it.next(), None);
    drop(it);
    assert!(take(&l).is_empty());
}

// ---- async ----

struct Gate(Rc<RefCell<bool>>);

impl std::future::Future for Gate {
    type Output = ();
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if *self.0.borrow() {
            std::task::Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

// A stream that can also be closed explicitly, awaiting its cleanup.
#[async_generator]
fn feed(
    l: Log,
    open: Rc<RefCell<bool>>,
) -> impl Stream<Item = u32> + AsyncGenerator<Yield = u32, Return = ()> {
    push(&l, "open cursor");
    defer! {
        push(&l, "closing cursor");
        Gate(open.clone()).await; // async cleanup
        push(&l, "cursor closed");
    }
    for i in 0.. {
        tokio::task::yield_now().await;
        yield_!(i);
    }
}

#[tokio::test]
async fn async_close_awaits_the_cleanup() {
    let l = log();
    let open = Rc::new(RefCell::new(false));
    let mut s = Box::pin(feed(l.clone(), open.clone()));
    assert_eq!(s.next().await, Some(0));
    assert_eq!(s.next().await, Some(1));
    let opener = open.clone();
    let (closed, ()) = futures::join!(
        async {
            AsyncGenerator::close(s.as_mut()).await;
            take(&l)
        },
        async move {
            tokio::task::yield_now().await;
            *opener.borrow_mut() = true;
        }
    );
    assert_eq!(closed, ["open cursor", "closing cursor", "cursor closed"]);
    assert_eq!(s.next().await, None);
}

#[test]
fn async_drop_runs_a_cleanup_that_completes_without_waiting() {
    let l = log();
    let open = Rc::new(RefCell::new(true));
    let mut s = Box::pin(feed(l.clone(), open));
    futures::executor::block_on(async {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        while s.as_mut().poll_next(&mut cx).is_pending() {}
    });
    drop(s);
    assert_eq!(take(&l), ["open cursor", "closing cursor", "cursor closed"]);
}

#[test]
fn async_drop_abandons_a_cleanup_that_would_wait() {
    let l = log();
    let open = Rc::new(RefCell::new(false));
    let mut s = Box::pin(feed(l.clone(), open));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    while s.as_mut().poll_next(&mut cx).is_pending() {}
    drop(s);
    // Drop cannot wait: the cleanup ran up to its first pending await.
    assert_eq!(take(&l), ["open cursor", "closing cursor"]);
}

#[tokio::test]
async fn stream_completion_and_break_run_async_cleanup() {
    #[async_generator]
    fn g(l: Log) -> impl Stream<Item = u8> {
        for i in 0..3u8 {
            defer! {
                tokio::task::yield_now().await;
                push(&l, format!("end {i}"));
            }
            if i == 1 {
                continue;
            }
            yield_!(i);
        }
    }
    let l = log();
    assert_eq!(g(l.clone()).collect::<Vec<_>>().await, [0, 2]);
    assert_eq!(take(&l), ["end 0", "end 1", "end 2"]);
}

#[tokio::test]
async fn async_generator_close_then_poll_finishes() {
    #[async_generator]
    fn g(l: Log) -> impl AsyncGenerator<u8, Yield = u8, Return = ()> {
        defer! { push(&l, "cleanup"); }
        loop {
            let x = yield_!(0);
            push(&l, format!("got {x}"));
        }
    }
    let l = log();
    let mut generator = pin!(g(l.clone()));
    assert_eq!(
        generator.as_mut().resume(1).await,
        GeneratorState::Yielded(0)
    );
    assert_eq!(
        generator.as_mut().resume(2).await,
        GeneratorState::Yielded(0)
    );
    generator.as_mut().close().await;
    assert_eq!(take(&l), ["got 2", "cleanup"]);
}

// ---- closing while the body waits in a foreign `.await`, not at a yield ----

#[async_generator]
fn waits_forever(l: Log) -> impl Stream<Item = u32> + AsyncGenerator<Yield = u32, Return = ()> {
    let _guard = Noisy("local", l.clone());
    defer! { push(&l, "cleanup"); }
    yield_!(1);
    push(&l, "waiting");
    std::future::pending::<()>().await;
    push(&l, "never");
}

#[test]
fn drop_while_waiting_in_an_await_cancels_it_and_runs_cleanup() {
    let l = log();
    let mut s = Box::pin(waits_forever(l.clone()));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert_eq!(
        s.as_mut().poll_next(&mut cx),
        std::task::Poll::Ready(Some(1))
    );
    assert!(s.as_mut().poll_next(&mut cx).is_pending());
    drop(s);
    assert_eq!(take(&l), ["waiting", "cleanup", "drop local"]);
}

#[tokio::test]
async fn close_while_waiting_in_an_await_completes() {
    let l = log();
    let mut s = Box::pin(waits_forever(l.clone()));
    assert_eq!(s.next().await, Some(1));
    // Start the next item; the body goes on to wait forever.
    assert!(futures::poll!(s.next()).is_pending());
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        AsyncGenerator::close(s.as_mut()),
    )
    .await
    .expect("close does not wait for the cancelled await");
    assert_eq!(take(&l), ["waiting", "cleanup", "drop local"]);
}

#[tokio::test]
async fn for_await_is_cancelled_by_close_too() {
    #[async_generator]
    fn relay(l: Log) -> impl Stream<Item = u32> {
        defer! { push(&l, "relay closed"); }
        #[for_await]
        for x in futures::stream::iter([1u32]).chain(futures::stream::pending()) {
            yield_!(x);
        }
    }
    let l = log();
    let mut s = Box::pin(relay(l.clone()));
    assert_eq!(s.next().await, Some(1));
    assert!(futures::poll!(s.next()).is_pending());
    drop(s);
    assert_eq!(take(&l), ["relay closed"]);
}

#[tokio::test]
async fn awaits_inside_cleanup_are_not_cancelled() {
    #[async_generator]
    fn g(l: Log) -> impl Stream<Item = u32> + AsyncGenerator<Yield = u32, Return = ()> {
        defer! {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            push(&l, "cleanup finished its await");
        }
        yield_!(1);
        std::future::pending::<()>().await;
    }
    let l = log();
    let mut s = Box::pin(g(l.clone()));
    assert_eq!(s.next().await, Some(1));
    assert!(futures::poll!(s.next()).is_pending());
    AsyncGenerator::close(s.as_mut()).await;
    assert_eq!(take(&l), ["cleanup finished its await"]);
}
