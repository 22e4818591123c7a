//! Direct recursion in the inline forms (`impl Generator`, `impl Stream`,
//! `impl AsyncGenerator`): the recursive call is built, when linked, in a
//! block from the root's free list (`Recurse`, `Pooled` in the runtime),
//! and the block goes back as soon as the call completes. What must hold:
//! the items, resume arguments and return values are those of the
//! recursion; an early drop, a `close()` or a panic at depth drops every
//! level's values exactly once, runs the `defer!` blocks it should in
//! order (innermost first), and frees every block (Miri: leak check, both
//! borrow models); a generator driven as a root and then delegated to
//! (its chain handed over) gives its blocks back safely.
//!
//! `cargo +nightly miri test -p cogen-tests --test recurse`, and again with
//! `MIRIFLAGS=-Zmiri-tree-borrows`.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use cogen::{
    AsyncDelegable, AsyncGenerator, Generator, GeneratorState, Stream, async_generator, defer,
    generator, yield_, yield_from,
};
use futures::StreamExt;

type Log = Rc<RefCell<Vec<String>>>;

fn push(l: &Log, s: impl Into<String>) {
    l.borrow_mut().push(s.into());
}

/// Counts its drops.
struct Counted<'a>(&'a Cell<u32>);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

// ---------------------------------------------------------------- sync

/// Depth `d` down to 0: at each level yields `d` and receives an argument;
/// returns the sum of the arguments its subtree received, plus its depth.
/// Two recursive calls per level (a tree of 2^(d+1) - 1 calls), one before
/// and one after its own yield.
#[generator]
fn sums(d: u32) -> impl Generator<u64, Yield = u32, Return = u64> {
    let mut total = u64::from(d);
    if d > 0 {
        total += yield_from!(sums(d - 1));
    }
    total += yield_!(d);
    if d > 0 {
        total += yield_from!(sums(d - 1));
    }
    total
}

#[test]
fn sync_generator_passes_resume_arguments_and_returns_values_up() {
    const D: u32 = 4;
    let mut g = pin!(sums(D));
    let mut seen = Vec::new();
    let mut arg = 1000; // the first resume's argument is dropped
    let total = loop {
        match g.as_mut().resume(arg) {
            GeneratorState::Yielded(d) => {
                seen.push(d);
                arg = u64::from(seen.len() as u32);
            }
            GeneratorState::Complete(t) => break t,
        }
    };
    let calls = (1u64 << (D + 1)) - 1;
    assert_eq!(seen.len() as u64, calls);
    // In order: an in-order walk of the call tree.
    let mut expected = Vec::new();
    fn in_order(d: u32, out: &mut Vec<u32>) {
        if d > 0 {
            in_order(d - 1, out);
        }
        out.push(d);
        if d > 0 {
            in_order(d - 1, out);
        }
    }
    in_order(D, &mut expected);
    assert_eq!(seen, expected);
    // Every yield received the argument of the resume after it: 1..=calls.
    let depths: u64 = expected.iter().map(|&d| u64::from(d)).sum();
    assert_eq!(total, calls * (calls + 1) / 2 + depths);
}

/// As [`sums`], with a counted local and a `defer!` at every level.
#[generator]
fn guarded<'a>(
    d: u32,
    drops: &'a Cell<u32>,
    log: &'a Log,
) -> impl Generator<Yield = u32, Return = ()> + 'a {
    let _c = Counted(drops);
    defer! { push(log, format!("defer {d}")); }
    if d > 0 {
        yield_from!(guarded(d - 1, drops, log));
    }
    yield_!(d);
    if d > 0 {
        yield_from!(guarded(d - 1, drops, log));
    }
}

#[test]
fn early_drop_mid_recursion_drops_every_level_once_innermost_first() {
    let drops = Cell::new(0);
    let log = Log::default();
    {
        let mut g = Box::pin(guarded(3, &drops, &log));
        // 0 (depth 3 -> 2 -> 1 -> 0), then 1, then 0 again: 4 levels alive.
        for _ in 0..3 {
            assert!(matches!(g.as_mut().resume(()), GeneratorState::Yielded(_)));
        }
        // Levels 3, 2, 1 completed their first calls' subtrees partly; the
        // live chain is 3 -> 2 -> 1 -> 0 (the second call of level 1).
    }
    let log = log.borrow().clone();
    // Every call made so far dropped its local once: the first subtree of
    // level 1 (two calls: 1's first 0, done), and the live chain.
    let made = 5; // 3, 2, 1, 0 (done), 0 (live)
    assert_eq!(drops.get(), made);
    assert_eq!(log.len(), made as usize);
    // The live chain ran its cleanup innermost first.
    assert_eq!(
        &log[log.len() - 4..],
        ["defer 0", "defer 1", "defer 2", "defer 3"]
    );
}

#[test]
fn close_mid_recursion_runs_defers_innermost_first() {
    let drops = Cell::new(0);
    let log = Log::default();
    let mut g = Box::pin(guarded(4, &drops, &log));
    for _ in 0..6 {
        assert!(matches!(g.as_mut().resume(()), GeneratorState::Yielded(_)));
    }
    let before = log.borrow().len();
    let dropped_before = drops.get();
    g.as_mut().close();
    let after: Vec<String> = log.borrow()[before..].to_vec();
    // The live chain: every level's `defer!`, innermost first, then the
    // root's, each level's local dropped once.
    assert!(after.len() >= 2, "{after:?}");
    let depths: Vec<u32> = after
        .iter()
        .map(|s| s.strip_prefix("defer ").unwrap().parse().unwrap())
        .collect();
    assert!(depths.windows(2).all(|w| w[0] < w[1]), "{depths:?}");
    assert_eq!(*depths.last().unwrap(), 4);
    assert_eq!(drops.get() - dropped_before, after.len() as u32);
    // Closed: resuming panics, dropping does nothing more.
    assert!(catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(()))).is_err());
    drop(g);
    assert_eq!(drops.get() as usize, log.borrow().len());
}

/// Panics at depth `at` (on its first resume), with a counted local at
/// every level.
#[generator]
fn panics_at<'a>(
    d: u32,
    at: u32,
    drops: &'a Cell<u32>,
    log: &'a Log,
) -> impl Generator<Yield = u32, Return = ()> + 'a {
    let _c = Counted(drops);
    defer! { push(log, format!("defer {d}")); }
    yield_!(d);
    if d == at {
        panic!("at depth {d}");
    }
    if d > 0 {
        yield_from!(panics_at(d - 1, at, drops, log));
    }
}

#[test]
fn panic_at_depth_drops_every_level_once_and_runs_no_defer() {
    let drops = Cell::new(0);
    let log = Log::default();
    let mut g = Box::pin(panics_at(5, 1, &drops, &log));
    let mut seen = Vec::new();
    let r = catch_unwind(AssertUnwindSafe(|| {
        while let GeneratorState::Yielded(d) = g.as_mut().resume(()) {
            seen.push(d);
        }
    }));
    assert!(r.is_err());
    assert_eq!(seen, [5, 4, 3, 2, 1]);
    // Every level's local, once: 5, 4, 3, 2, 1.
    assert_eq!(drops.get(), 5);
    // A panic runs destructors, not `defer!` blocks.
    assert!(log.borrow().is_empty(), "{:?}", log.borrow());
    // Finished.
    assert!(catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(()))).is_err());
    drop(g);
    assert_eq!(drops.get(), 5);
}

// ---------------------------------------------------------------- async

/// As [`sums`], awaiting at every level.
#[async_generator]
fn async_sums(d: u32) -> impl AsyncGenerator<u64, Yield = u32, Return = u64> {
    let mut total = u64::from(d);
    if d > 0 {
        total += yield_from!(async_sums(d - 1));
    }
    futures::future::ready(()).await;
    total += yield_!(d);
    if d > 0 {
        total += yield_from!(async_sums(d - 1));
    }
    total
}

#[test]
fn async_generator_passes_resume_arguments_and_returns_values_up() {
    const D: u32 = 3;
    let calls = (1u64 << (D + 1)) - 1;
    futures::executor::block_on(async {
        let mut g = pin!(async_sums(D));
        let mut n = 0u64;
        let mut depths = 0u64;
        let total = loop {
            match g.as_mut().resume(n).await {
                GeneratorState::Yielded(d) => {
                    n += 1;
                    depths += u64::from(d);
                }
                GeneratorState::Complete(t) => break t,
            }
        };
        assert_eq!(n, calls);
        assert_eq!(total, calls * (calls + 1) / 2 + depths);
    });
}

/// Pending once, then ready (a foreign `.await` that really suspends).
struct PendingOnce(bool);

impl std::future::Future for PendingOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// As [`guarded`], async, waiting once in a foreign `.await` at every
/// level before its yield.
#[async_generator]
fn deep<'a>(
    d: u32,
    drops: &'a Cell<u32>,
    log: &'a Log,
) -> impl AsyncGenerator<Yield = u32, Return = ()> + 'a {
    let _c = Counted(drops);
    defer! { push(log, format!("defer {d}")); }
    if d > 0 {
        yield_from!(deep(d - 1, drops, log));
    }
    PendingOnce(false).await;
    yield_!(d);
    if d > 0 {
        yield_from!(deep(d - 1, drops, log));
    }
}

/// Delegates to `x`, which may have been driven as a root already: its
/// chain (its recursive calls, in blocks from its own free list) is then
/// handed over, and its calls complete under this root.
#[async_generator]
fn outer<'a, G>(x: Pin<&'a mut G>) -> impl AsyncGenerator<Yield = u32, Return = u32> + 'a
where
    G: AsyncGenerator<Yield = u32, Return = ()> + AsyncDelegable<u32> + 'a,
{
    yield_from!(x);
    yield_!(200);
    7
}

#[test]
fn a_root_then_a_delegate_hands_its_calls_over() {
    for stop_after in [None, Some(0), Some(3)] {
        let drops = Cell::new(0);
        let log = Log::default();
        let mut x = Box::pin(deep(3, &drops, &log));
        // As a root: down to depth 0, waiting there (3 -> 2 -> 1 -> 0).
        let mut cx = Context::from_waker(Waker::noop());
        assert!(x.as_mut().poll_resume(&mut cx, &mut Some(())).is_pending());
        let mut seen = Vec::new();
        futures::executor::block_on(async {
            let mut o = pin!(outer(x.as_mut()));
            let mut n = 0;
            loop {
                if stop_after == Some(n) {
                    break; // dropped mid-way: the chain is closed
                }
                match o.as_mut().resume(()).await {
                    GeneratorState::Yielded(d) => seen.push(d),
                    GeneratorState::Complete(r) => {
                        assert_eq!(r, 7);
                        break;
                    }
                }
                n += 1;
            }
        });
        drop(x);
        if stop_after.is_none() {
            let calls = 15; // 2^4 - 1
            assert_eq!(seen.len(), calls + 1);
            assert_eq!(&seen[..4], [0, 1, 0, 2]);
            assert_eq!(*seen.last().unwrap(), 200);
            assert_eq!(drops.get(), calls as u32);
        }
        // Every call made dropped its local once, and ran its `defer!` once,
        // whether it completed or was closed.
        assert_eq!(drops.get() as usize, log.borrow().len());
    }
}

#[derive(Debug)]
struct Tree {
    value: u32,
    kids: Vec<Tree>,
}

fn tree(depth: u32, next: &mut u32) -> Tree {
    let value = *next;
    *next += 1;
    let kids = if depth == 0 {
        Vec::new()
    } else {
        (0..2).map(|_| tree(depth - 1, next)).collect()
    };
    Tree { value, kids }
}

impl Tree {
    /// A method, recursing through its receiver.
    #[async_generator]
    fn values<'a>(&'a self, drops: &'a Cell<u32>) -> impl Stream<Item = u32> + 'a {
        let _c = Counted(drops);
        tokio::task::yield_now().await;
        yield_!(self.value);
        for k in &self.kids {
            yield_from!(k.values(drops));
        }
    }
}

#[test]
fn stream_recursion_in_order_and_dropped_midway() {
    let t = tree(4, &mut 0);
    let drops = Cell::new(0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let all: Vec<u32> = rt.block_on(t.values(&drops).collect());
    assert_eq!(all, (0..31).collect::<Vec<_>>());
    assert_eq!(drops.get(), 31);
    drops.set(0);
    rt.block_on(async {
        let mut s = pin!(t.values(&drops));
        for i in 0..7 {
            assert_eq!(s.next().await, Some(i));
        }
    });
    // 0..=4 down the left spine, 5 and 6 beside them: 7 calls made.
    assert_eq!(drops.get(), 7);
}

/// A delegating inline generator carries its free list: one word (what
/// the recursion tests of this file measure against the generators of
/// `main`: `guarded` 88 -> 120 bytes, `sums` 88 -> 112, of which 8 are
/// the pool and the rest the recursive calls' arguments, now in the
/// caller's state until the call is made).
#[test]
fn a_delegating_generator_carries_its_free_list() {
    let drops = Cell::new(0);
    let log = Log::default();
    let g = guarded(1, &drops, &log);
    assert!(core::mem::size_of_val(&g) >= size_of::<usize>());
    drop(g);
}

/// A recursive call's arguments are evaluated where they are written, in
/// order, with `?` and `.await` in them; a closure or a literal argument
/// keeps the type the parameter expects.
#[generator]
fn args<'a>(
    d: u32,
    step: fn(u32) -> u32,
    scale: u8,
    log: &'a Log,
) -> impl Generator<Yield = u32, Return = Result<u32, String>> + 'a {
    yield_!(step(d) * u32::from(scale));
    if d > 0 {
        let next = |what: &str, v: u32| {
            push(log, format!("{what} {v}"));
            v
        };
        let checked: Result<u32, String> = Ok(d - 1);
        let r = yield_from!(args(next("first", checked?), |x| x + 1, 2, {
            next("third", 0);
            log
        },));
        return Ok(r? + 1);
    }
    Ok(0)
}

#[async_generator]
fn awaited(d: u32) -> impl AsyncGenerator<Yield = u32, Return = u32> {
    yield_!(d);
    if d > 0 {
        return 1 + yield_from!(awaited(futures::future::ready(d - 1).await));
    }
    0
}

#[test]
fn arguments_are_evaluated_in_place_and_in_order() {
    let log = Log::default();
    let mut g = pin!(args(2, |x| x * 10, 1, &log));
    let mut seen = Vec::new();
    let r = loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(v) => seen.push(v),
            GeneratorState::Complete(r) => break r,
        }
    };
    assert_eq!(seen, [20, 4, 2]);
    assert_eq!(r, Ok(2));
    assert_eq!(*log.borrow(), ["first 1", "third 0", "first 0", "third 0"]);

    let (items, ret) = futures::executor::block_on(async {
        let mut g = pin!(awaited(3));
        let mut items = Vec::new();
        loop {
            match g.as_mut().resume(()).await {
                GeneratorState::Yielded(v) => items.push(v),
                GeneratorState::Complete(r) => break (items, r),
            }
        }
    });
    assert_eq!(items, [3, 2, 1, 0]);
    assert_eq!(ret, 3);
}

/// A future that never completes: a cleanup awaiting it can only be
/// abandoned.
struct Never;

impl std::future::Future for Never {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

/// Recursion whose every level's cleanup awaits, the innermost forever.
#[async_generator]
fn stuck<'a>(
    d: u32,
    drops: &'a Cell<u32>,
    log: &'a Log,
) -> impl Stream<Item = u32> + AsyncGenerator<Yield = u32, Return = ()> + 'a {
    let _c = Counted(drops);
    defer! {
        push(log, format!("cleanup {d} starts"));
        if d == 0 {
            Never.await;
        } else {
            PendingOnce(false).await;
        }
        push(log, format!("cleanup {d} ends"));
    }
    yield_!(d);
    if d > 0 {
        yield_from!(stuck(d - 1, drops, log));
    }
}

/// A close left waiting in the innermost level's cleanup, then the root
/// dropped: every level's state (and block) is dropped once; the waiting
/// cleanup is abandoned where it waits, as documented for drop.
#[test]
fn a_pending_close_then_a_drop_mid_recursion_drops_every_level_once() {
    let (drops, log) = (Cell::new(0), Log::default());
    {
        let mut s = Box::pin(stuck(3, &drops, &log));
        let mut cx = Context::from_waker(Waker::noop());
        for want in [3, 2, 1, 0] {
            assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(want)));
        }
        // Closing: the innermost cleanup (level 0) waits forever.
        assert!(AsyncGenerator::poll_close(s.as_mut(), &mut cx).is_pending());
        assert!(AsyncGenerator::poll_close(s.as_mut(), &mut cx).is_pending());
        assert_eq!(drops.get(), 0);
    }
    assert_eq!(drops.get(), 4, "every level's local dropped once");
    let log = log.borrow();
    assert_eq!(log.first().map(String::as_str), Some("cleanup 0 starts"));
    assert!(!log.iter().any(|l| l == "cleanup 0 ends"));
}

struct Node {
    value: u32,
    kids: Vec<Node>,
}

impl Node {
    /// Recursive method calls on both kinds of receiver: a plain name (`k`,
    /// built from the free list when linked) and an indexed place
    /// (`self.kids[i]`, evaluated first and boxed).
    #[generator]
    fn values(&self) -> impl Generator<Yield = u32, Return = u32> + '_ {
        yield_!(self.value);
        let mut count = 1;
        for (i, k) in self.kids.iter().enumerate() {
            count += if i % 2 == 0 {
                yield_from!(k.values())
            } else {
                yield_from!(self.kids[i].values())
            };
        }
        count
    }
}

#[test]
fn recursive_method_calls_on_any_receiver() {
    let leaf = |value| Node {
        value,
        kids: Vec::new(),
    };
    let tree = Node {
        value: 0,
        kids: vec![
            Node {
                value: 1,
                kids: vec![leaf(2), leaf(3)],
            },
            leaf(4),
            Node {
                value: 5,
                kids: vec![leaf(6)],
            },
        ],
    };
    let mut g = pin!(tree.values());
    let mut got = Vec::new();
    let count = loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(v) => got.push(v),
            GeneratorState::Complete(n) => break n,
        }
    };
    assert_eq!(got, [0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(count, 7);
}

/// A recursive `yield_from!` inside another macro's arguments: the call is
/// recognised in the user's tokens, before the argument is shielded from
/// that macro (without that, E0733: the state would contain itself).
#[generator]
fn depth_in_macro(d: u32) -> impl Generator<Yield = u32, Return = u32> {
    yield_!(d);
    if d == 0 {
        return 1;
    }
    let below: Vec<u32> = vec![yield_from!(depth_in_macro(d - 1))];
    below[0] + 1
}

#[test]
fn recursion_inside_another_macros_arguments() {
    let mut g = pin!(depth_in_macro(3));
    let mut got = Vec::new();
    let levels = loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(v) => got.push(v),
            GeneratorState::Complete(n) => break n,
        }
    };
    assert_eq!((got, levels), (vec![3, 2, 1, 0], 4));
}

/// As [`guarded`], but the cleanup of level `bad` panics.
#[generator]
fn bad_cleanup<'a>(
    d: u32,
    bad: u32,
    drops: &'a Cell<u32>,
) -> impl Generator<Yield = u32, Return = ()> + 'a {
    let _c = Counted(drops);
    defer! {
        if d == bad {
            panic!("cleanup of level {d}");
        }
    }
    yield_!(d);
    if d > 0 {
        yield_from!(bad_cleanup(d - 1, bad, drops));
    }
}

/// A panic in the cleanup of a middle level, during `close()` and during
/// drop: it reaches the caller once, every level's local is dropped once,
/// and every block is freed (Miri's leak check).
#[test]
fn a_panicking_cleanup_at_each_level_drops_every_level_once() {
    for bad in 0..=3 {
        for by_close in [true, false] {
            let drops = Cell::new(0);
            let mut g = Box::pin(bad_cleanup(3, bad, &drops));
            // The live chain: levels 3, 2, 1, 0.
            for want in [3, 2, 1, 0] {
                assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(want));
            }
            let caught = catch_unwind(AssertUnwindSafe(|| {
                if by_close {
                    g.as_mut().close();
                } else {
                    drop(g);
                }
            }));
            assert!(caught.is_err(), "level {bad}, close: {by_close}");
            assert_eq!(drops.get(), 4, "level {bad}, close: {by_close}");
        }
    }
}
