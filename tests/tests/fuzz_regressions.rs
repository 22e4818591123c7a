//! Inputs the generated-input test of the macro (`macros/src/fuzz.rs`) found
//! mis-expanded, compiled and run for real here.

use cogen::{Generator, GeneratorState, Stream, async_generator, defer, generator, yield_};
use futures::StreamExt;
use std::cell::RefCell;
use std::pin::pin;

/// A `yield_!` that starts a larger expression (an index in a match arm, an
/// operand, a method receiver) was printed as a block followed by the rest:
/// `=> { .. }[0],` does not parse.
#[generator]
fn yield_starts_an_expression(k: u8) -> impl Generator<Vec<u8>, Yield = u8, Return = u8> {
    let first = match k {
        0 => yield_!(1)[0],
        _ => yield_!(1)[1],
    };
    let n = yield_!(2).len() as u8;
    yield_!(3)[0] + first + n
}

#[test]
fn a_yield_starting_an_expression() {
    let mut g = pin!(yield_starts_an_expression(0));
    assert_eq!(g.as_mut().resume(vec![]), GeneratorState::Yielded(1));
    assert_eq!(g.as_mut().resume(vec![10]), GeneratorState::Yielded(2));
    assert_eq!(g.as_mut().resume(vec![0; 3]), GeneratorState::Yielded(3));
    assert_eq!(g.as_mut().resume(vec![100]), GeneratorState::Complete(113));
}

/// The same for an `.await` lowered in a generator with `defer!`.
#[async_generator]
fn await_starts_an_expression(k: u8) -> impl Stream<Item = u8> {
    defer! {}
    let v = match k {
        0 => std::future::ready(vec![7u8]).await[0],
        _ => 0,
    };
    yield_!(v);
    yield_!(std::future::ready(1u8).await + 1);
}

#[test]
fn an_await_starting_an_expression() {
    futures::executor::block_on(async {
        let mut g = pin!(await_starts_an_expression(0));
        let mut out = Vec::new();
        while let Some(x) = g.next().await {
            out.push(x);
        }
        assert_eq!(out, [7, 2]);
    });
}

/// `?` in a `defer!` scope, followed by a method call.
#[async_generator(try)]
fn try_starts_an_expression() -> impl Stream<Item = Result<u8, String>> {
    defer! {}
    let n = Ok::<_, String>(vec![1u8, 2])?.len() as u8;
    yield_!(n);
    let _x: u8 = match n {
        2 => Err::<Vec<u8>, _>("bad".to_string())?[0],
        _ => 0,
    };
}

#[test]
fn a_try_starting_an_expression() {
    let out: Vec<_> = futures::executor::block_on(try_starts_an_expression().collect());
    assert_eq!(out, [Ok(2), Err("bad".to_string())]);
}

/// A `break` in a loop's head (here the `for`'s iterator) leaves the
/// enclosing loop, not the `for`: leaving a block with `defer!` that way runs
/// the cleanup. It was taken for a jump inside the `for`, and skipped it.
#[generator]
fn break_in_a_loop_head<'a>(
    log: &'a RefCell<Vec<&'static str>>,
    stop: bool,
) -> impl Iterator<Item = u8> + 'a {
    loop {
        defer! { log.borrow_mut().push("cleanup"); }
        yield_!(1);
        for _ in match stop {
            true => break,
            false => 0..1,
        } {}
    }
    log.borrow_mut().push("after");
}

#[test]
fn a_break_in_a_loop_head_runs_the_cleanup() {
    let log = RefCell::new(Vec::new());
    assert_eq!(break_in_a_loop_head(&log, true).collect::<Vec<_>>(), [1]);
    assert_eq!(*log.borrow(), ["cleanup", "after"]);
}
