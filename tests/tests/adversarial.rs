//! What must keep working, and stay sound, when cogen's macros are written
//! inside other macros' arguments (issue 13 §1): there cogen hands the other
//! macro only a call of a hygienic `macro_rules!` it defines before the
//! statement, never its `Co` handle or guard. Covered: `yield_!` inside
//! `vec!`, `matches!`, `format!`, `assert!`, nested foreign macros, user
//! macros that duplicate, reorder or bind their arguments (statement macros
//! defining `let`s), `tokio::select!` handlers; `yield_from!` and `.await`
//! inside foreign macros with and without `defer!` scopes (and the close path
//! through them); attributes on statements (`#[cfg]` on `yield_!`,
//! `yield_from!` and `defer!`, lint attributes); attribute macros written
//! below `#[generator]`. The attacks that must not compile are the
//! `smuggle_*` / `peer_*` cases in `ui-tests/tests/ui/fail/`.
//!
//! Run under Miri too: `cargo +nightly miri test -p cogen-tests --test adversarial`.

// The macros are the point here, not the best way to write each line.
#![allow(clippy::useless_vec)]

use cogen::{
    AsyncGenerator, Generator, GeneratorState, Stream, async_generator, defer, generator, yield_,
    yield_from,
};
use futures::StreamExt;
use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<String>>>;

fn push(l: &Log, s: impl Into<String>) {
    l.borrow_mut().push(s.into());
}

fn take(l: &Log) -> Vec<String> {
    std::mem::take(&mut *l.borrow_mut())
}

/// Resumes with 10, 20, 30, .. and collects the yields and the return value.
fn drive<G: Generator<u32>>(g: G) -> (Vec<G::Yield>, G::Return) {
    let mut g = pin!(g);
    let mut out = Vec::new();
    let mut arg = 0;
    loop {
        match g.as_mut().resume(arg) {
            GeneratorState::Yielded(y) => out.push(y),
            GeneratorState::Complete(r) => return (out, r),
        }
        arg += 10;
    }
}

macro_rules! id {
    ($($t:tt)*) => {
        $($t)*
    };
}

macro_rules! twice {
    ($e:expr) => {{
        let a = $e;
        let b = $e;
        (a, b)
    }};
}

macro_rules! swap {
    ($a:expr, $b:expr) => {{
        let b = $b;
        let a = $a;
        (a, b)
    }};
}

macro_rules! bind {
    ($name:ident = $e:expr) => {
        let $name = $e;
    };
}

#[generator]
fn in_std_macros() -> impl Generator<u32, Yield = u32, Return = Vec<String>> {
    let v = vec![yield_!(1), yield_!(2)];
    let m = matches!(yield_!(3), 30);
    let f = format!("{}-{}", yield_!(4), yield_!(5));
    assert!(yield_!(6) == 60, "resumed with 60");
    assert_eq!(yield_!(7), 70);
    vec![format!("{v:?}"), format!("{m}"), f]
}

#[test]
fn yield_inside_std_macros() {
    let (yields, ret) = drive(in_std_macros());
    assert_eq!(yields, [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(ret, ["[10, 20]", "true", "40-50"]);
}

#[generator]
fn in_user_macros() -> impl Generator<u32, Yield = u32, Return = Vec<u32>> {
    let nested = vec![id!(id!(yield_!(1))), id!({ vec![yield_!(2)][0] })];
    // Each copy of the argument is its own yield point.
    let (a, b) = twice!(yield_!(3));
    // The macro evaluates its second argument first.
    let (c, d) = swap!(yield_!(4), yield_!(5));
    // A statement macro whose `let` is used afterwards.
    bind!(e = yield_!(6));
    // Nested yields: the inner one's resume value is the outer's value.
    let f = id!(yield_!(yield_!(7) + 1));
    let mut all = nested;
    all.extend([a, b, c, d, e, f]);
    all
}

#[test]
fn yield_inside_user_macros() {
    let (yields, ret) = drive(in_user_macros());
    assert_eq!(yields, [1, 2, 3, 3, 5, 4, 6, 7, 81]);
    assert_eq!(ret, [10, 20, 30, 40, 60, 50, 70, 90]);
}

#[generator]
fn counted(n: u32) -> impl Generator<u32, Yield = u32, Return = u32> {
    for i in 0..n {
        yield_!(i);
    }
    n * 100
}

#[generator]
fn delegating(l: Log) -> impl Generator<u32, Yield = u32, Return = Vec<u32>> {
    let plain = vec![yield_from!(counted(2))];
    defer! { push(&l, "outer cleanup"); }
    let scoped = id!(yield_from!(counted(1)) + yield_!(9));
    {
        defer! { push(&l, "inner cleanup"); }
        push(&l, format!("{:?}", vec![yield_!(8)]));
    }
    vec![plain[0], scoped]
}

#[test]
fn yield_from_inside_macros_with_and_without_defer() {
    let l = Log::default();
    let (yields, ret) = drive(delegating(l.clone()));
    assert_eq!(yields, [0, 1, 0, 9, 8]);
    assert_eq!(ret, [200, 100 + 40]);
    assert_eq!(take(&l), ["[50]", "inner cleanup", "outer cleanup"]);
}

#[test]
fn closing_at_a_yield_inside_a_macro_runs_the_cleanup() {
    let l = Log::default();
    let mut g = Box::pin(delegating(l.clone()));
    for _ in 0..4 {
        assert!(matches!(g.as_mut().resume(0), GeneratorState::Yielded(_)));
    }
    // Suspended at `yield_!(9)` inside `id!(..)`, in the outer scope.
    g.as_mut().close();
    assert_eq!(take(&l), ["outer cleanup"]);
    drop(g);
    assert!(take(&l).is_empty());

    // Suspended inside the delegate, itself inside `id!(..)`; dropped.
    let mut g = Box::pin(delegating(l.clone()));
    for _ in 0..3 {
        assert!(matches!(g.as_mut().resume(0), GeneratorState::Yielded(_)));
    }
    drop(g);
    assert_eq!(take(&l), ["outer cleanup"]);

    // Suspended at `vec![yield_!(8)]` inside the inner scope.
    let mut g = pin!(delegating(l.clone()));
    for _ in 0..5 {
        assert!(matches!(g.as_mut().resume(0), GeneratorState::Yielded(_)));
    }
    g.as_mut().close();
    assert_eq!(take(&l), ["inner cleanup", "outer cleanup"]);
}

#[async_generator]
fn numbers(n: u32) -> impl Stream<Item = u32> {
    for i in 0..n {
        yield_!(i);
    }
}

#[async_generator]
fn awaits_in_macros(
    l: Log,
    with_defer: bool,
) -> impl Stream<Item = u32> + AsyncGenerator<Yield = u32, Return = ()> {
    let a = vec![std::future::ready(1).await, {
        yield_!(2);
        0
    }];
    yield_!(a.iter().sum());
    if with_defer {
        defer! { push(&l, "cleanup"); }
        let b = id!(std::future::ready(10).await + std::future::ready(20).await);
        yield_!(b);
        yield_from!(id!(numbers(2)));
        let c = format!("{}", id!(async { 5 }.await));
        yield_!(c.parse().unwrap());
    }
    push(&l, "end");
}

#[test]
fn await_and_yield_from_inside_macros() {
    let l = Log::default();
    let got: Vec<u32> = futures::executor::block_on(awaits_in_macros(l.clone(), true).collect());
    assert_eq!(got, [2, 1, 30, 0, 1, 5]);
    assert_eq!(take(&l), ["cleanup", "end"]);
    let got: Vec<u32> = futures::executor::block_on(awaits_in_macros(l.clone(), false).collect());
    assert_eq!(got, [2, 1]);
    assert_eq!(take(&l), ["end"]);
}

#[test]
fn close_at_an_await_inside_a_macro_runs_the_cleanup() {
    futures::executor::block_on(async {
        let l = Log::default();
        let mut g = pin!(awaits_in_macros(l.clone(), true));
        assert_eq!(g.next().await, Some(2));
        assert_eq!(g.next().await, Some(1));
        assert_eq!(g.next().await, Some(30));
        assert_eq!(g.next().await, Some(0));
        // Suspended in the delegate inside `id!(..)`.
        g.as_mut().close().await;
        assert_eq!(take(&l), ["cleanup"]);
        assert_eq!(g.next().await, None);
    });
}

#[async_generator]
fn selecting(
    mut a: tokio::sync::mpsc::Receiver<u32>,
    mut b: tokio::sync::mpsc::Receiver<u32>,
) -> impl Stream<Item = u32> {
    let (mut a_open, mut b_open) = (true, true);
    while a_open || b_open {
        tokio::select! {
            v = a.recv(), if a_open => match v {
                Some(v) => { yield_!(v); }
                None => a_open = false,
            },
            v = b.recv(), if b_open => match v {
                Some(v) => { yield_!(v + 100); }
                None => b_open = false,
            },
        }
    }
}

#[tokio::test]
async fn yield_in_tokio_select_handlers() {
    let (ta, ra) = tokio::sync::mpsc::channel(4);
    let (tb, rb) = tokio::sync::mpsc::channel(4);
    ta.send(1).await.unwrap();
    drop(ta);
    tb.send(2).await.unwrap();
    drop(tb);
    let mut got: Vec<u32> = selecting(ra, rb).collect().await;
    got.sort();
    assert_eq!(got, [1, 102]);
}

#[generator]
fn cfg_statements(l: Log) -> impl Iterator<Item = u32> {
    #[cfg(not(test))]
    yield_!(1);
    #[cfg(test)]
    yield_!(2);
    #[cfg(not(test))]
    yield_from!(0..3);
    #[cfg(test)]
    yield_from!(3..5);
    {
        #[cfg(not(test))]
        defer! { push(&l, "configured out"); }
        #[cfg(test)]
        defer! { push(&l, "configured in"); }
        push(&l, "block");
        #[allow(unused_parens)]
        yield_!((5));
    }
    #[cfg(not(test))]
    println!("{}", yield_!(6));
    #[cfg(test)]
    let _ = format!("{:?}", yield_!(7));
}

#[test]
fn attributes_of_statements_are_kept() {
    let l = Log::default();
    let got: Vec<u32> = cfg_statements(l.clone()).collect();
    assert_eq!(got, [2, 3, 4, 5, 7]);
    assert_eq!(take(&l), ["block", "configured in"]);
}

#[generator]
fn only_cfg_out_defer(l: Log) -> impl Iterator<Item = u32> {
    #[cfg(not(test))]
    defer! { push(&l, "configured out"); }
    push(&l, "body");
    yield_!(1);
    yield_!(2);
}

#[test]
fn a_configured_out_defer_never_runs() {
    let l = Log::default();
    assert_eq!(only_cfg_out_defer(l.clone()).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(take(&l), ["body"]);
    // Nor when the generator is dropped suspended.
    let mut g = only_cfg_out_defer(l.clone());
    assert_eq!(g.next(), Some(1));
    drop(g);
    assert_eq!(take(&l), ["body"]);
}

// Attribute macros written below `#[generator]`: cogen re-emits the function
// with them above itself, so they receive the body as written (this one
// fails to compile if it receives cogen's expansion), and cogen lowers what
// they return.
#[generator]
#[attack_macros::assert_unlowered]
/// Doc comments and other inert attributes stay where they are.
#[allow(clippy::let_unit_value)]
fn below_attribute() -> impl Iterator<Item = u32> {
    yield_!(1);
    let v = vec![yield_!(2)];
    yield_!(v.len() as u32 + 10);
}

#[async_generator]
#[cfg_attr(test, attack_macros::assert_unlowered)]
fn below_cfg_attr() -> impl Stream<Item = u32> {
    defer! {}
    yield_!(id!(std::future::ready(1).await));
}

#[test]
fn attribute_macros_below_see_the_body_as_written() {
    assert_eq!(below_attribute().collect::<Vec<_>>(), [1, 2, 11]);
    let got: Vec<u32> = futures::executor::block_on(below_cfg_attr().collect());
    assert_eq!(got, [1]);
}

// `return`, `?`, `break` and `continue` inside another macro's arguments,
// leaving a `defer!` scope: rewritten (shielded, like the suspension points)
// so that the cleanup runs first.
#[generator]
fn exits_in_macros(l: Log) -> impl Generator<u32, Yield = u32, Return = u32> {
    for i in 0..10 {
        defer! { push(&l, format!("cleanup {i}")); }
        if i == 1 {
            id!(continue);
        }
        if i == 3 {
            id!(break);
        }
        yield_!(i);
    }
    let five = loop {
        defer! { push(&l, "loop cleanup"); }
        id!(break 5);
    };
    defer! { push(&l, "outer cleanup"); }
    yield_!(five);
    id!(return 7);
}

#[generator(try)]
fn question_mark_in_macro(l: Log) -> impl Iterator<Item = Result<u32, String>> {
    defer! { push(&l, "cleanup"); }
    yield_!(1);
    let v: u32 = id!(Err::<u32, String>("bad".into())?);
    yield_!(v);
}

#[test]
fn exits_inside_macros_run_the_cleanup_first() {
    let l = Log::default();
    let (yields, ret) = drive(exits_in_macros(l.clone()));
    assert_eq!(yields, [0, 2, 5]);
    assert_eq!(ret, 7);
    assert_eq!(
        take(&l),
        [
            "cleanup 0",
            "cleanup 1",
            "cleanup 2",
            "cleanup 3",
            "loop cleanup",
            "outer cleanup"
        ]
    );
    let got: Vec<_> = question_mark_in_macro(l.clone()).collect();
    assert_eq!(got, [Ok(1), Err("bad".to_string())]);
    assert_eq!(take(&l), ["cleanup"]);
}
