//! Panics through delegation chains, attacked on purpose (issue 13,
//! sections 2, 3 and 5; DESIGN.md, "Panics").
//!
//! Every test builds a chain root -> mid -> leaf (and variants: iterator and
//! stream delegates, `Box::pin`ned delegates) whose every level holds a
//! counted local, a pinned intrusive node that registers its address in a
//! shared registry and withdraws it in `Drop`, an armed-or-not value that
//! panics when dropped, and a `defer!` that logs (and may panic). Then a
//! panic is raised at one level (in the body, in `defer!`, in a destructor)
//! while the chain is resumed, closed or dropped, and caught with
//! `catch_unwind`. What must hold afterwards:
//!
//! * the registry is empty and every registered address is still readable
//!   when it is read (Miri: no read of freed memory), so every pinned value
//!   of every generator was dropped before its memory went (Pin's drop
//!   guarantee, `pin!`ned on the stack, boxed, or in a `LazyBoxed` block);
//! * every counted value was dropped exactly once;
//! * the generators the panic passed through (between the panicking level
//!   and the caller) ran none of their `defer!` blocks (a panic runs
//!   destructors, not `defer!`), and the levels closed before the panic ran
//!   theirs, innermost first;
//! * the root is finished: `None` / `Ready(None)`, `resume` panics with the
//!   "already completed" message, and never yields what follows its
//!   `yield_from!`.
//!
//! Forms: `impl Iterator` (a `LazyBoxed` root and middle, a `Boxed` leaf),
//! `impl Generator` pinned with `pin!` and boxed, with pinned and
//! `Box::pin`ned delegates, `impl Stream` and `impl AsyncGenerator` (with
//! `close().await`), iterator and stream delegates whose `next` /
//! `poll_next` panics, and `mem::forget` / `Box::leak` of roots and of
//! delegates mid-delegation (a leak, never undefined behaviour).
//!
//! Meant for Miri, leak check on, with both borrow models:
//! `cargo +nightly miri test -p cogen-tests --test panics`, and again with
//! `MIRIFLAGS=-Zmiri-tree-borrows`. (The chain 1,000,000 deep is skipped
//! there.)

use cogen::{
    AsyncGenerator, Generator, GeneratorState, Stream, async_generator, defer, generator, yield_,
    yield_from,
};
use futures::StreamExt;
use std::cell::{Cell, RefCell};
use std::marker::PhantomPinned;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll};

// ------------------------------------------------------------- the probes

/// What a test observes.
#[derive(Default)]
struct Log {
    made: Cell<usize>,
    dropped: Cell<usize>,
    events: RefCell<Vec<String>>,
    /// The registry of the intrusive nodes: their addresses.
    nodes: RefCell<Vec<*const Node>>,
}

type L = Rc<Log>;

fn new_log() -> L {
    Rc::new(Log::default())
}

impl Log {
    fn event(&self, e: impl Into<String>) {
        self.events.borrow_mut().push(e.into());
    }

    /// The `defer!` blocks that ran, in order.
    fn defers(&self) -> Vec<String> {
        let events = self.events.borrow();
        let defers = events.iter().filter(|e| e.starts_with("defer "));
        defers.cloned().collect()
    }

    /// Reads every registered node, as an intrusive list's owner would:
    /// under Miri, a node whose memory was freed while still registered is
    /// an error here.
    fn visit(&self) -> Vec<&'static str> {
        let nodes = self.nodes.borrow();
        // SAFETY: a node stays registered only while it is alive (it
        // withdraws in `Drop`, and Pin guarantees `Drop` runs before its
        // memory is reused): what this test checks.
        nodes.iter().map(|&n| unsafe { (*n).name }).collect()
    }

    /// Every value made was dropped once, and no node is registered.
    fn check_clean(&self) {
        assert_eq!(self.visit(), Vec::<&str>::new(), "nodes still registered");
        assert_eq!(
            self.made.get(),
            self.dropped.get(),
            "values made vs dropped"
        );
    }
}

/// A counted value.
struct Val(L);

impl Val {
    fn new(log: &L) -> Self {
        log.made.set(log.made.get() + 1);
        Val(log.clone())
    }
}

impl Drop for Val {
    fn drop(&mut self) {
        let d = &self.0.dropped;
        d.set(d.get() + 1);
        assert!(d.get() <= self.0.made.get(), "a value dropped twice");
    }
}

/// A pinned intrusive node: registers its address, and withdraws it when
/// dropped (the pattern Pin's drop guarantee makes sound).
struct Node {
    log: L,
    name: &'static str,
    registered: Cell<bool>,
    _count: Val,
    _pinned: PhantomPinned,
}

impl Node {
    fn new(log: &L, name: &'static str) -> Self {
        Node {
            log: log.clone(),
            name,
            registered: Cell::new(false),
            _count: Val::new(log),
            _pinned: PhantomPinned,
        }
    }

    fn register(self: Pin<&Self>) {
        let me: *const Node = &*self;
        self.log.nodes.borrow_mut().push(me);
        self.registered.set(true);
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if self.registered.get() {
            let me: *const Node = self;
            self.log.nodes.borrow_mut().retain(|&n| n != me);
        }
    }
}

/// Panics when dropped, if armed.
struct Bomb(bool, #[allow(dead_code)] Val);

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.0 {
            panic!("a destructor panics");
        }
    }
}

/// Where a test raises its panic.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// In the body, right after the level's `yield_from!` (its first item,
    /// for the leaf).
    Body,
    /// In the level's `defer!` block.
    Defer,
    /// In a destructor of one of the level's locals.
    Drop,
}

/// The level (0 root, 1 middle, 2 leaf) and the kind of the panic.
#[derive(Clone, Copy, Debug)]
struct Fault(u8, Kind);

impl Fault {
    fn is(self, level: u8, kind: Kind) -> bool {
        self.0 == level && self.1 == kind
    }
}

/// How a level delegates to the next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Via {
    /// The generator itself, pinned in the delegating body.
    Pinned,
    /// `Box::pin(generator)`.
    Boxed,
    /// A plain iterator (a stream, in async generators) whose `next`
    /// panics at its second item, standing in for the leaf.
    Foreign,
}

const NAMES: [&str; 3] = ["root", "mid", "leaf"];

/// The body every level starts with: a counted local, a registered pinned
/// node, a bomb armed when the fault is a destructor at this level.
macro_rules! level_locals {
    ($log:ident, $f:ident, $level:expr) => {
        let _local = Val::new(&$log);
        let node = pin!(Node::new(&$log, NAMES[$level]));
        node.as_ref().register();
        let _bomb = Bomb($f.is($level, Kind::Drop), Val::new(&$log));
    };
}

/// An iterator that yields 20, then panics.
struct PanicIter(u32, #[allow(dead_code)] Val);

impl Iterator for PanicIter {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        self.0 += 1;
        if self.0 > 1 {
            panic!("the delegated iterator panics");
        }
        Some(20)
    }
}

/// A stream that yields 20, waits once, then panics.
struct PanicStream(u32, #[allow(dead_code)] Val);

impl Stream for PanicStream {
    type Item = u32;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        self.0 += 1;
        match self.0 {
            1 => Poll::Ready(Some(20)),
            2 => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            _ => panic!("the delegated stream panics"),
        }
    }
}

/// Pending once (waking itself): the async bodies really suspend.
fn pause() -> impl Future<Output = ()> {
    let mut first = true;
    std::future::poll_fn(move |cx| {
        if std::mem::take(&mut first) {
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
}

fn panics<T>(f: impl FnOnce() -> T) -> Box<dyn std::any::Any + Send> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(e) => e,
    }
}

fn message(e: &(dyn std::any::Any + Send)) -> String {
    match (e.downcast_ref::<&str>(), e.downcast_ref::<String>()) {
        (Some(s), _) => s.to_string(),
        (_, Some(s)) => s.clone(),
        _ => "?".into(),
    }
}

const COMPLETED: &str =
    "cogen: `resume` called on a generator that has already completed, panicked or been closed";

/// `resume` on a finished generator panics with the completed message.
fn assert_resume_panics<G: Generator<Yield = u32, Return = ()>>(g: Pin<&mut G>) {
    let e = panics(|| g.resume(()));
    assert_eq!(message(&*e), COMPLETED);
}

// ----------------------------------------------------------- sync chains

#[generator]
fn leaf_iter(log: L, f: Fault) -> impl Iterator<Item = u32> {
    level_locals!(log, f, 2);
    defer! {
        log.event("defer leaf");
        if f.is(2, Kind::Defer) { panic!("defer leaf"); }
    }
    yield_!(20);
    if f.is(2, Kind::Body) {
        panic!("leaf body");
    }
    yield_!(21);
}

#[generator]
fn mid_iter(log: L, f: Fault, via: Via) -> impl Iterator<Item = u32> {
    level_locals!(log, f, 1);
    defer! {
        log.event("defer mid");
        if f.is(1, Kind::Defer) { panic!("defer mid"); }
    }
    yield_!(10);
    match via {
        Via::Foreign => yield_from!(PanicIter(0, Val::new(&log))),
        _ => yield_from!(leaf_iter(log.clone(), f)),
    }
    if f.is(1, Kind::Body) {
        panic!("mid body");
    }
    yield_!(11);
}

#[generator]
fn root_iter(log: L, f: Fault, via: Via) -> impl Iterator<Item = u32> {
    level_locals!(log, f, 0);
    defer! {
        log.event("defer root");
        if f.is(0, Kind::Defer) { panic!("defer root"); }
    }
    yield_!(0);
    yield_from!(mid_iter(log.clone(), f, via));
    if f.is(0, Kind::Body) {
        panic!("root body");
    }
    yield_!(1);
}

#[generator]
fn leaf_gen(log: L, f: Fault) -> impl Generator<Yield = u32, Return = ()> {
    level_locals!(log, f, 2);
    defer! {
        log.event("defer leaf");
        if f.is(2, Kind::Defer) { panic!("defer leaf"); }
    }
    yield_!(20);
    if f.is(2, Kind::Body) {
        panic!("leaf body");
    }
    yield_!(21);
}

#[generator]
fn mid_gen(log: L, f: Fault, via: Via) -> impl Generator<Yield = u32, Return = ()> {
    level_locals!(log, f, 1);
    defer! {
        log.event("defer mid");
        if f.is(1, Kind::Defer) { panic!("defer mid"); }
    }
    yield_!(10);
    match via {
        Via::Pinned => yield_from!(leaf_gen(log.clone(), f)),
        Via::Boxed => yield_from!(Box::pin(leaf_gen(log.clone(), f))),
        Via::Foreign => yield_from!(PanicIter(0, Val::new(&log))),
    }
    if f.is(1, Kind::Body) {
        panic!("mid body");
    }
    yield_!(11);
}

#[generator]
fn root_gen(log: L, f: Fault, via: Via) -> impl Generator<Yield = u32, Return = ()> {
    level_locals!(log, f, 0);
    defer! {
        log.event("defer root");
        if f.is(0, Kind::Defer) { panic!("defer root"); }
    }
    yield_!(0);
    match via {
        Via::Boxed => yield_from!(Box::pin(mid_gen(log.clone(), f, via))),
        _ => yield_from!(mid_gen(log.clone(), f, via)),
    }
    if f.is(0, Kind::Body) {
        panic!("root body");
    }
    yield_!(1);
}

/// The defers expected when closing (or dropping) a chain suspended at its
/// leaf's first item, with a panic at `f`: the levels closed before the
/// panic ran theirs, innermost first, the panicking level too (its `defer!`
/// ran, and panicked or was followed by a panicking destructor); the levels
/// above were unwound, and ran none.
fn defers_when_closing(f: Fault, levels: u8) -> Vec<String> {
    (f.0..levels)
        .rev()
        .map(|l| format!("defer {}", NAMES[l as usize]))
        .collect()
}

/// The defers expected when a panic at `f` interrupts resuming: the levels
/// below it completed normally; the panicking level ran its own only if the
/// panic came after (a destructor at its end); the levels above ran none.
fn defers_when_resuming(f: Fault, levels: u8) -> Vec<String> {
    let from = if f.1 == Kind::Drop { f.0 } else { f.0 + 1 };
    (from..levels)
        .rev()
        .map(|l| format!("defer {}", NAMES[l as usize]))
        .collect()
}

/// The items before the panic, then the panic's message.
fn drain_until_panic(mut next: impl FnMut() -> Option<u32>) -> Vec<u32> {
    let mut got = Vec::new();
    loop {
        match catch_unwind(AssertUnwindSafe(&mut next)) {
            Ok(Some(x)) => got.push(x),
            Ok(None) => panic!("completed without a panic; got {got:?}"),
            Err(_) => return got,
        }
    }
}

/// What a chain yields before a panic at `f` while resuming it.
fn items_before(f: Fault) -> Vec<u32> {
    match f {
        Fault(2, Kind::Body) => vec![0, 10, 20],
        // A destructor panics when its level ends, after its last item.
        Fault(2, _) | Fault(1, Kind::Body) => vec![0, 10, 20, 21],
        Fault(1, _) | Fault(0, Kind::Body) => vec![0, 10, 20, 21, 11],
        Fault(_, _) => vec![0, 10, 20, 21, 11, 1],
    }
}

const RESUME_FAULTS: [Fault; 6] = [
    Fault(2, Kind::Body),
    Fault(2, Kind::Drop),
    Fault(1, Kind::Body),
    Fault(1, Kind::Drop),
    Fault(0, Kind::Body),
    Fault(0, Kind::Drop),
];

const CLOSE_FAULTS: [Fault; 6] = [
    Fault(2, Kind::Defer),
    Fault(2, Kind::Drop),
    Fault(1, Kind::Defer),
    Fault(1, Kind::Drop),
    Fault(0, Kind::Defer),
    Fault(0, Kind::Drop),
];

#[test]
fn iterator_chain_a_panic_while_resuming_finishes_every_level() {
    for f in RESUME_FAULTS {
        let log = new_log();
        let mut it = root_iter(log.clone(), f, Via::Pinned);
        let got = drain_until_panic(|| it.next());
        assert_eq!(got, items_before(f), "{f:?}");
        // Unwound at once: every level's locals (and pinned nodes) are gone.
        log.check_clean();
        assert_eq!(log.defers(), defers_when_resuming(f, 3), "{f:?}");
        assert_eq!(
            it.next(),
            None,
            "{f:?}: finished, nothing after the yield_from!"
        );
        assert_eq!(it.next(), None);
        drop(it);
        log.check_clean();
        assert_eq!(
            log.defers(),
            defers_when_resuming(f, 3),
            "{f:?}: no defer! later"
        );
    }
}

#[test]
fn iterator_chain_a_panic_while_dropping_drops_every_pinned_value() {
    for f in CLOSE_FAULTS {
        let log = new_log();
        let mut it = root_iter(log.clone(), f, Via::Pinned);
        assert_eq!(
            [it.next(), it.next(), it.next()],
            [Some(0), Some(10), Some(20)]
        );
        panics(|| drop(it));
        log.check_clean();
        assert_eq!(log.defers(), defers_when_closing(f, 3), "{f:?}");
    }
}

#[test]
fn iterator_delegate_whose_next_panics_finishes_the_chain() {
    let log = new_log();
    let f = Fault(9, Kind::Body);
    let mut it = root_iter(log.clone(), f, Via::Foreign);
    let got = drain_until_panic(|| it.next());
    assert_eq!(got, [0, 10, 20]);
    log.check_clean();
    assert_eq!(log.defers(), Vec::<String>::new());
    assert_eq!(it.next(), None);
    drop(it);
    log.check_clean();
}

fn next<G: Generator<Yield = u32, Return = ()>>(g: Pin<&mut G>) -> Option<u32> {
    match g.resume(()) {
        GeneratorState::Yielded(y) => Some(y),
        GeneratorState::Complete(()) => None,
    }
}

/// A panic at `f` while resuming `g`.
fn generator_resume_case<G>(log: &L, f: Fault, mut g: Pin<&mut G>)
where
    G: Generator<Yield = u32, Return = ()>,
{
    let got = drain_until_panic(|| next(g.as_mut()));
    assert_eq!(got, items_before(f), "{f:?}");
    log.check_clean();
    assert_eq!(log.defers(), defers_when_resuming(f, 3), "{f:?}");
    assert_resume_panics(g.as_mut());
    g.as_mut().close();
    assert_eq!(log.defers(), defers_when_resuming(f, 3), "{f:?}");
    log.check_clean();
}

/// A panic at `f` while closing `g` (`close`), or while dropping it (the
/// caller drops it, pinned on the stack or boxed, after this returns).
fn generator_close_case<G>(log: &L, close: bool, mut g: Pin<&mut G>)
where
    G: Generator<Yield = u32, Return = ()>,
{
    for want in [0, 10, 20] {
        assert_eq!(next(g.as_mut()), Some(want));
    }
    if close {
        let e = panics(|| g.as_mut().close());
        log.check_clean();
        assert_resume_panics(g.as_mut());
        g.as_mut().close();
        std::panic::resume_unwind(e);
    }
}

/// Drives an `impl Generator` chain through every fault: resuming,
/// closing, dropping.
fn generator_chain(via: Via, boxed_root: bool) {
    for f in RESUME_FAULTS {
        let log = new_log();
        let root = root_gen(log.clone(), f, via);
        if boxed_root {
            generator_resume_case(&log, f, Box::pin(root).as_mut());
        } else {
            generator_resume_case(&log, f, pin!(root));
        }
    }
    for close in [true, false] {
        for f in CLOSE_FAULTS {
            let log = new_log();
            let result = catch_unwind(AssertUnwindSafe(|| {
                // Pinned on this closure's stack (or boxed): the unwinding
                // frees it; every node must be withdrawn first.
                let root = root_gen(log.clone(), f, via);
                if boxed_root {
                    generator_close_case(&log, close, Box::pin(root).as_mut());
                } else {
                    generator_close_case(&log, close, pin!(root));
                }
            }));
            assert!(result.is_err());
            log.check_clean();
            assert_eq!(log.defers(), defers_when_closing(f, 3), "{f:?} {via:?}");
        }
    }
}

#[test]
fn generator_chain_pinned_on_the_stack() {
    generator_chain(Via::Pinned, false);
}

#[test]
fn generator_chain_boxed() {
    generator_chain(Via::Pinned, true);
}

#[test]
fn generator_chain_of_boxed_delegates() {
    generator_chain(Via::Boxed, false);
}

#[test]
fn generator_delegating_to_a_panicking_iterator() {
    let log = new_log();
    let mut g = pin!(root_gen(log.clone(), Fault(9, Kind::Body), Via::Foreign));
    let got = drain_until_panic(|| match g.as_mut().resume(()) {
        GeneratorState::Yielded(y) => Some(y),
        GeneratorState::Complete(()) => None,
    });
    assert_eq!(got, [0, 10, 20]);
    log.check_clean();
    assert_resume_panics(g.as_mut());
    assert_eq!(log.defers(), Vec::<String>::new());
}

/// A delegate given by reference stays usable by its owner after the
/// panic: it is finished too.
#[test]
fn a_delegate_lent_by_reference_is_finished_after_a_panic_through_it() {
    #[generator]
    fn lend<'a, G: Generator<Yield = u32, Return = ()> + cogen::Delegable<u32> + 'a>(
        g: Pin<&'a mut G>,
    ) -> impl Iterator<Item = u32> + 'a {
        yield_from!(g);
        yield_!(99);
    }
    let log = new_log();
    let mut mid = pin!(mid_gen(log.clone(), Fault(2, Kind::Body), Via::Pinned));
    let mut it = lend(mid.as_mut());
    assert_eq!(drain_until_panic(|| it.next()), [10, 20]);
    assert_eq!(it.next(), None);
    drop(it);
    log.check_clean();
    assert_resume_panics(mid.as_mut());
    assert_eq!(log.defers(), Vec::<String>::new());
}

// ---------------------------------------------------------- async chains

#[async_generator]
fn leaf_stream(log: L, f: Fault) -> impl AsyncGenerator<Yield = u32, Return = ()> {
    level_locals!(log, f, 2);
    defer! {
        pause().await;
        log.event("defer leaf");
        if f.is(2, Kind::Defer) { panic!("defer leaf"); }
    }
    pause().await;
    yield_!(20);
    pause().await;
    if f.is(2, Kind::Body) {
        panic!("leaf body");
    }
    yield_!(21);
}

#[async_generator]
fn mid_stream(log: L, f: Fault, via: Via) -> impl AsyncGenerator<Yield = u32, Return = ()> {
    level_locals!(log, f, 1);
    defer! {
        log.event("defer mid");
        if f.is(1, Kind::Defer) { panic!("defer mid"); }
    }
    yield_!(10);
    match via {
        Via::Pinned => yield_from!(leaf_stream(log.clone(), f)),
        Via::Boxed => yield_from!(Box::pin(leaf_stream(log.clone(), f))),
        Via::Foreign => yield_from!(PanicStream(0, Val::new(&log))),
    }
    pause().await;
    if f.is(1, Kind::Body) {
        panic!("mid body");
    }
    yield_!(11);
}

#[async_generator]
fn root_stream(log: L, f: Fault, via: Via) -> impl Stream<Item = u32> {
    level_locals!(log, f, 0);
    defer! {
        pause().await;
        log.event("defer root");
        if f.is(0, Kind::Defer) { panic!("defer root"); }
    }
    yield_!(0);
    match via {
        Via::Boxed => yield_from!(Box::pin(mid_stream(log.clone(), f, via))),
        _ => yield_from!(mid_stream(log.clone(), f, via)),
    }
    if f.is(0, Kind::Body) {
        panic!("root body");
    }
    yield_!(1);
}

#[async_generator]
fn root_async_gen(log: L, f: Fault, via: Via) -> impl AsyncGenerator<Yield = u32, Return = ()> {
    level_locals!(log, f, 0);
    defer! {
        log.event("defer root");
        if f.is(0, Kind::Defer) { panic!("defer root"); }
    }
    yield_!(0);
    match via {
        Via::Boxed => yield_from!(Box::pin(mid_stream(log.clone(), f, via))),
        _ => yield_from!(mid_stream(log.clone(), f, via)),
    }
    if f.is(0, Kind::Body) {
        panic!("root body");
    }
    yield_!(1);
}

fn block_on<T>(f: impl Future<Output = T>) -> T {
    futures::executor::block_on(f)
}

fn stream_chain(via: Via) {
    for f in RESUME_FAULTS {
        let log = new_log();
        let mut s = pin!(root_stream(log.clone(), f, via));
        let got = drain_until_panic(|| block_on(s.next()));
        assert_eq!(got, items_before(f), "{f:?} {via:?}");
        log.check_clean();
        assert_eq!(log.defers(), defers_when_resuming(f, 3), "{f:?} {via:?}");
        assert_eq!(block_on(s.next()), None);
    }
    for f in CLOSE_FAULTS {
        let log = new_log();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut s = pin!(root_stream(log.clone(), f, via));
            for want in [0, 10, 20] {
                assert_eq!(block_on(s.next()), Some(want));
            }
            // Dropped here: an async cleanup that waits is abandoned at
            // its first wait (the leaf's and the root's `pause`).
        }));
        // The leaf's cleanup waits before it can panic; the root's too.
        if result.is_ok() {
            assert!(f.1 == Kind::Defer && f.0 != 1, "{f:?} {via:?}");
        }
        log.check_clean();
    }
}

#[test]
fn stream_chain_of_pinned_delegates() {
    stream_chain(Via::Pinned);
}

#[test]
fn stream_chain_of_boxed_delegates() {
    stream_chain(Via::Boxed);
}

#[test]
fn stream_delegating_to_a_panicking_stream() {
    let log = new_log();
    let mut s = Box::pin(root_stream(log.clone(), Fault(9, Kind::Body), Via::Foreign));
    let got = drain_until_panic(|| block_on(s.next()));
    assert_eq!(got, [0, 10, 20]);
    log.check_clean();
    assert_eq!(block_on(s.next()), None);
    assert_eq!(log.defers(), Vec::<String>::new());
}

#[test]
fn async_generator_close_with_a_panicking_cleanup() {
    for via in [Via::Pinned, Via::Boxed] {
        for f in CLOSE_FAULTS {
            let log = new_log();
            let result = catch_unwind(AssertUnwindSafe(|| {
                let mut g = pin!(root_async_gen(log.clone(), f, via));
                for want in [0, 10, 20] {
                    let got = block_on(g.as_mut().resume(()));
                    assert_eq!(got, GeneratorState::Yielded(want));
                }
                let e = panics(|| block_on(g.as_mut().close()));
                log.check_clean();
                let again = panics(|| block_on(g.as_mut().resume(())));
                assert_eq!(message(&*again), COMPLETED);
                block_on(g.as_mut().close());
                std::panic::resume_unwind(e);
            }));
            assert!(result.is_err());
            log.check_clean();
            // `close().await` runs the cleanup's awaits: every level up to
            // the panicking one ran its `defer!`.
            assert_eq!(log.defers(), defers_when_closing(f, 3), "{f:?} {via:?}");
        }
    }
}

#[test]
fn async_generator_panic_while_resuming() {
    for via in [Via::Pinned, Via::Boxed] {
        for f in RESUME_FAULTS {
            let log = new_log();
            let mut g = pin!(root_async_gen(log.clone(), f, via));
            let got = drain_until_panic(|| match block_on(g.as_mut().resume(())) {
                GeneratorState::Yielded(y) => Some(y),
                GeneratorState::Complete(()) => None,
            });
            assert_eq!(got, items_before(f), "{f:?} {via:?}");
            log.check_clean();
            assert_eq!(log.defers(), defers_when_resuming(f, 3), "{f:?} {via:?}");
            let again = panics(|| block_on(g.as_mut().resume(())));
            assert_eq!(message(&*again), COMPLETED);
        }
    }
}

/// An async close waits in the leaf's cleanup; the chain is then resumed
/// instead of polled on, which finishes that cleanup, and it panics: the
/// rest of the chain (marked to close next) is unwound, not closed.
#[test]
fn a_cleanup_finished_by_a_resume_after_a_waiting_close_panics() {
    for via in [Via::Pinned, Via::Boxed] {
        let log = new_log();
        let f = Fault(2, Kind::Defer);
        let mut g = pin!(root_async_gen(log.clone(), f, via));
        for want in [0, 10, 20] {
            let got = block_on(g.as_mut().resume(()));
            assert_eq!(got, GeneratorState::Yielded(want));
        }
        let mut cx = Context::from_waker(std::task::Waker::noop());
        // The leaf's cleanup waits at its `pause`.
        assert!(g.as_mut().poll_close(&mut cx).is_pending());
        let e = panics(|| g.as_mut().poll_resume(&mut cx, &mut Some(())));
        assert_eq!(message(&*e), "defer leaf");
        log.check_clean();
        assert_eq!(log.defers(), ["defer leaf"], "{via:?}");
        let again = panics(|| g.as_mut().poll_resume(&mut cx, &mut Some(())));
        assert_eq!(message(&*again), COMPLETED);
        assert!(g.as_mut().poll_close(&mut cx).is_ready());
    }
}

// ------------------------------------------- forgetting and leaking roots

/// Leaked generators are kept reachable from here, so that Miri's leak
/// check (on) does not report what the test leaks on purpose.
static LEAKED: std::sync::Mutex<Vec<SendPtr>> = std::sync::Mutex::new(Vec::new());

struct SendPtr(#[allow(dead_code)] *mut ());
// SAFETY: never dereferenced; only kept.
unsafe impl Send for SendPtr {}

fn keep_leaked<T>(leaked: &mut T) {
    LEAKED
        .lock()
        .unwrap()
        .push(SendPtr((leaked as *mut T).cast()));
}

#[test]
fn leaking_roots_mid_delegation() {
    let log = new_log();
    let f = Fault(9, Kind::Body);
    let it = Box::leak(Box::new(root_iter(log.clone(), f, Via::Pinned)));
    assert_eq!(
        [it.next(), it.next(), it.next()],
        [Some(0), Some(10), Some(20)]
    );
    keep_leaked(it);
    let g = Box::leak(Box::new(Box::pin(root_gen(log.clone(), f, Via::Boxed))));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(10));
    keep_leaked(g);
    let s = Box::leak(Box::new(Box::pin(root_stream(log.clone(), f, Via::Pinned))));
    assert_eq!(block_on(s.next()), Some(0));
    assert_eq!(block_on(s.next()), Some(10));
    assert_eq!(block_on(s.next()), Some(20));
    keep_leaked(s);
    // Leaked, so nothing was dropped: the nodes stay registered (and
    // readable: their memory is never freed).
    assert_eq!(log.visit().len(), 8);
    assert_eq!(log.defers(), Vec::<String>::new());
}

/// A root that borrows its delegate is forgotten mid-delegation: the borrow
/// ends, and the delegate's owner uses and drops it. Its chain (its own
/// delegate's link, handed to the forgotten root) is not used again.
#[test]
fn forgetting_a_root_that_borrows_its_delegate() {
    #[generator]
    fn lend<'a, G: Generator<Yield = u32, Return = ()> + cogen::Delegable<u32> + 'a>(
        g: Pin<&'a mut G>,
    ) -> impl Iterator<Item = u32> + 'a {
        yield_from!(g);
        yield_!(99);
    }
    for steps in [1, 2] {
        let log = new_log();
        let mut mid = Box::pin(mid_gen(log.clone(), Fault(9, Kind::Body), Via::Pinned));
        {
            let mut it = lend(mid.as_mut());
            for want in [10, 20].into_iter().take(steps) {
                assert_eq!(it.next(), Some(want));
            }
            let it = Box::leak(Box::new(it));
            keep_leaked(it);
        }
        if steps == 1 {
            // `mid` was at its own yield: it just goes on.
            assert_eq!(mid.as_mut().resume(()), GeneratorState::Yielded(20));
        } else {
            // `mid` waits at its `yield_from!`, whose delegate the forgotten
            // root was driving: resuming it is refused, cleanly.
            let e = panics(|| mid.as_mut().resume(()));
            assert!(
                message(&*e).contains("already completed"),
                "{}",
                message(&*e)
            );
            assert_resume_panics(mid.as_mut());
        }
        drop(mid);
        log.check_clean();
    }
}

/// A delegate that a generator resumed by hand (so it drives its own chain)
/// is forgotten, boxed, in the middle of that chain.
#[test]
fn leaking_a_root_driving_its_own_chain() {
    let log = new_log();
    let f = Fault(9, Kind::Body);
    let mut mid = Box::pin(mid_gen(log.clone(), f, Via::Boxed));
    assert_eq!(mid.as_mut().resume(()), GeneratorState::Yielded(10));
    assert_eq!(mid.as_mut().resume(()), GeneratorState::Yielded(20));
    let mid = Box::leak(Box::new(mid));
    keep_leaked(mid);
    assert_eq!(log.visit().len(), 2);
}

/// A root that delegates to a generator it was handed, already delegating
/// (its chain is spliced onto the root's), and a panic deep in it.
#[test]
fn a_panic_in_a_spliced_chain_finishes_every_level() {
    #[generator]
    fn take<G: Generator<Yield = u32, Return = ()> + cogen::Delegable<u32>>(
        log: L,
        g: G,
    ) -> impl Generator<Yield = u32, Return = ()> {
        let f = Fault(9, Kind::Body);
        level_locals!(log, f, 0);
        defer! { log.event("defer root"); }
        yield_from!(g);
        yield_!(99);
    }
    let log = new_log();
    let mut mid = Box::pin(mid_gen(log.clone(), Fault(2, Kind::Body), Via::Pinned));
    assert_eq!(mid.as_mut().resume(()), GeneratorState::Yielded(10));
    assert_eq!(mid.as_mut().resume(()), GeneratorState::Yielded(20));
    let mut root = pin!(take(log.clone(), mid));
    panics(|| root.as_mut().resume(()));
    log.check_clean();
    assert_resume_panics(root.as_mut());
    assert_eq!(log.defers(), Vec::<String>::new());
}

// ------------------------------------------------------- a deep chain

/// Counts its own `defer!` blocks, for chains too deep to log.
#[generator]
fn deep(n: u32, log: L, defers: Rc<Cell<usize>>, bottom: Kind) -> impl Iterator<Item = u32> {
    let _local = Val::new(&log);
    defer! {
        defers.set(defers.get() + 1);
        if n == 0 && bottom == Kind::Defer { panic!("defer at the bottom"); }
    }
    if n > 0 {
        yield_from!(deep(n - 1, log.clone(), defers.clone(), bottom));
    } else {
        yield_!(0);
        if bottom == Kind::Body {
            panic!("body at the bottom");
        }
    }
    yield_!(n);
}

/// A panic at the bottom of a chain 1,000,000 deep, while resuming and while
/// dropping: the chain is unwound iteratively, on a small stack.
#[test]
// A million levels are far too slow under Miri; the three-level chains
// above cover the same code there.
#[cfg_attr(miri, ignore)]
fn a_panic_at_the_bottom_of_a_chain_one_million_deep() {
    const DEEP: u32 = 1_000_000;
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let log = new_log();
            let defers = Rc::new(Cell::new(0));
            let mut it = deep(DEEP, log.clone(), defers.clone(), Kind::Body);
            assert_eq!(it.next(), Some(0));
            panics(|| it.next());
            assert_eq!(log.made.get(), DEEP as usize + 1);
            log.check_clean();
            assert_eq!(defers.get(), 0, "every level was unwound: no defer! ran");
            assert_eq!(it.next(), None);
            drop(it);

            let log = new_log();
            let defers = Rc::new(Cell::new(0));
            let mut it = deep(DEEP, log.clone(), defers.clone(), Kind::Defer);
            assert_eq!(it.next(), Some(0));
            panics(|| drop(it));
            log.check_clean();
            assert_eq!(defers.get(), 1, "only the bottom's, which panicked");
        })
        .unwrap()
        .join()
        .unwrap();
}

// ------------------------------------- destructors of captured arguments

/// Holds its arguments until it is dropped: when closed, it parks after its
/// cleanup, and its arguments go with its state.
#[generator]
fn leaf_with_args(log: L, _bomb: Bomb, _kept: Val) -> impl Iterator<Item = u32> {
    level_locals!(log, NO_FAULT, 2);
    defer! { log.event("defer leaf"); }
    yield_!(20);
    yield_!(21);
}

const NO_FAULT: Fault = Fault(9, Kind::Body);

#[generator]
fn holder(
    log: L,
    armed: bool,
    _bomb: Bomb,
    _kept: Val,
) -> impl Generator<Yield = u32, Return = ()> {
    level_locals!(log, NO_FAULT, 0);
    defer! { log.event("defer root"); }
    let bomb = Bomb(armed, Val::new(&log));
    yield_from!(leaf_with_args(log.clone(), bomb, Val::new(&log)));
    yield_!(1);
}

/// A destructor of a delegate's captured argument panics while the chain is
/// dropped (after the delegate's cleanup ran), or one of the root's own.
#[test]
fn a_captured_argument_panics_in_its_destructor_while_dropping() {
    for leaf_armed in [true, false] {
        let log = new_log();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let root_bomb = Bomb(!leaf_armed, Val::new(&log));
            let mut g = pin!(holder(log.clone(), leaf_armed, root_bomb, Val::new(&log)));
            assert_eq!(next(g.as_mut()), Some(20));
        }));
        assert!(result.is_err());
        log.check_clean();
        // The leaf's cleanup ran before its argument's destructor panicked;
        // the root's ran too when the panic was its own argument's, after
        // its body's cleanup.
        let want: &[&str] = if leaf_armed {
            &["defer leaf"]
        } else {
            &["defer leaf", "defer root"]
        };
        assert_eq!(log.defers(), want);
    }
}
