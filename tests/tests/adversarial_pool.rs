//! Attacks on the free list of delegates' blocks (`Pool`, `Pooled`,
//! `Recurse`, `LazyBoxed`) and on the handover of a started generator to a
//! `yield_from!` (`suspend_unit`): what a safe program can do to them, and
//! what must then hold (exact items, drop counts, panics), with Miri's leak
//! check and both borrow models proving no undefined behaviour on the way.
//!
//! - A root that took over a generator's chain is forgotten (its memory
//!   leaked, never dropped): the generator is then usable again, resumed or
//!   dropped, while the leaked root still points into it.
//! - Blocks move between pools: a generator started (with blocks from its
//!   own pool) inside one root's recursion, returned out of it, and
//!   completed under another root.
//! - Panics in a recursive call's construction (a `Deref` coercion inside
//!   the call), in a destructor as a recursive call completes, and in a
//!   `defer!` while the root is dropped with blocks in its pool.
//! - Layouts: two recursive generators of different sizes, interleaved
//!   under one root; over-aligned and zero-sized yields; chains deeper
//!   than the pool keeps, then shallow again.
//! - `yield_from!` of a started generator (resume type `()`) at every state,
//!   in all four forms.
//! - Wakers: clones of the frame's waker kept past the resume, woken after
//!   the generator is gone.
//!
//! `cargo +nightly miri test -p cogen-tests --test adversarial_pool`, and
//! again with `MIRIFLAGS=-Zmiri-tree-borrows`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::ops::Deref;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use cogen::{
    AsyncDelegable, AsyncGenerator, Delegable, Generator, GeneratorState, Stream, async_generator,
    defer, generator, yield_, yield_from,
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

/// Memory a test leaks on purpose (a forgotten root), kept reachable so
/// that Miri's leak check, which ignores what statics reach, reports only
/// what leaked by accident.
static LEAKED: Mutex<Vec<AtomicPtr<()>>> = Mutex::new(Vec::new());

/// Leaks `b` (never dropped), as `mem::forget` would, keeping it reachable.
fn leak<T>(b: Box<T>) {
    let p = Box::into_raw(b);
    LEAKED.lock().unwrap().push(AtomicPtr::new(p.cast()));
}

/// Depth `d` down to 0, with a counted local and a `defer!` at every
/// level: two recursive calls per level, one before and one after its own
/// yield (so that, from the second call on, the root's pool holds blocks).
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

/// The in-order walk `guarded(d)` yields.
fn in_order(d: u32, out: &mut Vec<u32>) {
    if d > 0 {
        in_order(d - 1, out);
    }
    out.push(d);
    if d > 0 {
        in_order(d - 1, out);
    }
}

fn walk_of(d: u32) -> Vec<u32> {
    let mut v = Vec::new();
    in_order(d, &mut v);
    v
}

/// Delegates to `x`, which may have been driven as a root already.
#[generator]
fn relay<'a, G>(x: Pin<&'a mut G>) -> impl Generator<Yield = u32, Return = u32> + 'a
where
    G: Generator<Yield = u32, Return = ()> + Delegable<u32> + 'a,
{
    yield_!(100);
    yield_from!(x);
    yield_!(200);
    7
}

// ------------------------------------------------- forgotten roots

/// `x` runs as a root into its recursion (depth 3 -> 0), `relay` takes its
/// chain over and runs it on (its recursive calls complete under `relay`'s
/// root, their blocks going to `relay`'s pool), then `relay` is forgotten:
/// its borrow of `x` ends without its drop, and `x` is usable again though
/// the leaked root still holds links into it. Resuming `x` must not go on
/// as if its delegate had completed (it panics), and every level of `x`
/// is then dropped exactly once.
#[test]
fn a_forgotten_root_then_the_generator_it_took_over_is_resumed() {
    // The handover is in `relay`'s second resume (its first yields 100).
    for steps in [2, 3, 4] {
        let drops = Cell::new(0);
        let log = Log::default();
        let mut x = Box::pin(guarded(3, &drops, &log));
        assert_eq!(x.as_mut().resume(()), GeneratorState::Yielded(0));
        let mut b = Box::pin(relay(x.as_mut()));
        let mut seen = Vec::new();
        for _ in 0..steps {
            match b.as_mut().resume(()) {
                GeneratorState::Yielded(v) => seen.push(v),
                GeneratorState::Complete(_) => unreachable!(),
            }
        }
        // 100, then the rest of the walk from where `x` stood.
        assert_eq!(seen, [100, 1, 0, 2][..steps as usize]);
        leak(Box::new(b));
        let r = catch_unwind(AssertUnwindSafe(|| x.as_mut().resume(())));
        let msg = r.expect_err("resumed past an unfinished delegate");
        let msg = msg.downcast_ref::<&str>().copied().unwrap_or("");
        assert!(msg.contains("already completed"), "{msg}");
        // Finished: resuming again panics too, dropping drops the rest.
        assert!(catch_unwind(AssertUnwindSafe(|| x.as_mut().resume(()))).is_err());
        drop(x);
        // Every call made so far, once. Level 3 and its first call at depth
        // 2 are alive throughout; `steps` decides how many calls began.
        let made = match steps {
            2 => 4, // 3, 2, 1, 0, then 0 completed and 1 yielded
            _ => 5, // 1's second call (a new depth 0), then up to 2's yield
        };
        assert_eq!(drops.get(), made, "steps {steps}");
    }
}

/// As above, but `x` is dropped rather than resumed: its own body is
/// closed (its `defer!` runs) and its calls in flight are dropped once.
#[test]
fn a_forgotten_root_then_the_generator_it_took_over_is_dropped() {
    // 1: `relay` never took the chain over (a plain drop); 3: it did.
    for steps in [1, 3] {
        let drops = Cell::new(0);
        let log = Log::default();
        let mut x = Box::pin(guarded(3, &drops, &log));
        assert_eq!(x.as_mut().resume(()), GeneratorState::Yielded(0));
        let mut b = Box::pin(relay(x.as_mut()));
        for _ in 0..steps {
            assert!(matches!(b.as_mut().resume(()), GeneratorState::Yielded(_)));
        }
        leak(Box::new(b));
        drop(x);
        let made = if steps == 1 { 4 } else { 5 };
        assert_eq!(drops.get(), made, "steps {steps}");
        // Every call dropped ran its `defer!` once.
        let log = log.borrow();
        assert_eq!(log.len(), made as usize, "{log:?}");
    }
}

/// The `impl Iterator` form of [`guarded`]: a `LazyBoxed`, whose delegates'
/// blocks record where their owner is (to mark it spent).
#[generator]
fn guarded_iter<'a>(d: u32, drops: &'a Cell<u32>, log: &'a Log) -> impl Iterator<Item = u32> + 'a {
    let _c = Counted(drops);
    defer! { push(log, format!("defer {d}")); }
    if d > 0 {
        yield_from!(guarded_iter(d - 1, drops, log));
    }
    yield_!(d);
    if d > 0 {
        yield_from!(guarded_iter(d - 1, drops, log));
    }
}

#[generator]
fn relay_iter<'a, G>(x: Pin<&'a mut G>) -> impl Iterator<Item = u32> + 'a
where
    G: Iterator<Item = u32> + Delegable<u32> + Unpin + 'a,
{
    yield_!(100);
    yield_from!(x);
    yield_!(200);
}

/// [`a_forgotten_root_then_the_generator_it_took_over_is_resumed`] for the
/// `impl Iterator` form, whose delegates' blocks point back at their owners.
/// An `impl Iterator` delegate returns nothing, so resuming the generator
/// goes on after the `yield_from!` its forgotten root was driving (the
/// delegate's remaining items are lost with that root); no owner pointer
/// may be written through once the root is gone, and every level is
/// dropped once.
#[test]
fn a_forgotten_root_then_the_iterator_it_took_over_goes_on() {
    for steps in [2, 3, 4] {
        let drops = Cell::new(0);
        let log = Log::default();
        let mut x = guarded_iter(3, &drops, &log);
        assert_eq!(x.next(), Some(0));
        let mut b = relay_iter(Pin::new(&mut x));
        let seen: Vec<u32> = b.by_ref().take(steps).collect();
        assert_eq!(seen, [100, 1, 0, 2][..steps]);
        leak(Box::new(b));
        // `x` can even move now: nothing may point at it any more.
        let mut moved = x;
        let rest: Vec<u32> = moved.by_ref().collect();
        drop(moved);
        // Level 3 waited at its first `yield_from!` (of depth 2): it goes on
        // with its own yield, then its second call, a whole depth-2 walk.
        let mut want = vec![3];
        want.extend(walk_of(2));
        assert_eq!(rest, want, "steps {steps}");
        // Every call made, dropped once, its `defer!` run once.
        let made_before = if steps == 2 { 4 } else { 5 };
        let made = made_before + 7;
        assert_eq!(drops.get(), made, "steps {steps}");
        assert_eq!(log.borrow().len(), made as usize);
    }
}

// ------------------------------------------------- blocks between pools

/// Recursion down to depth 0, which starts a walk with `make` (driven as
/// a root into its recursion: its calls in blocks from its own pool) and
/// returns it; every level returns it up, so it leaves one root's
/// recursion, whose blocks went through that root's pool.
#[generator]
fn maker<'a, G>(
    d: u32,
    make: &'a dyn Fn() -> Pin<Box<G>>,
    drops: &'a Cell<u32>,
) -> impl Generator<Yield = u32, Return = Pin<Box<G>>> + 'a
where
    G: Generator<Yield = u32, Return = ()> + 'a,
{
    let _c = Counted(drops);
    if d == 0 {
        let mut g = make();
        // Into its recursion, past a completed call (its pool has a block).
        for want in [0, 1, 0] {
            assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(want));
        }
        return g;
    }
    yield_!(d);
    let a = yield_from!(maker(d - 1, make, drops));
    yield_!(d);
    a
}

/// The walk [`maker`] returns, started in one root's recursion, is then
/// delegated to from another root: its chain (calls in blocks from its own
/// pool) is handed over and completes there, its blocks going to that
/// root's pool; and the first root, whose recursion it left, is dropped
/// first.
#[test]
fn a_walk_started_in_one_recursion_completes_under_another_root() {
    for drop_first_root_early in [true, false] {
        let drops = Cell::new(0);
        let log = Log::default();
        let make = || Box::pin(guarded(3, &drops, &log));
        let mut a = Some(Box::pin(maker(3, &make, &drops)));
        let (seen, mut g) = drain_any(a.as_mut().unwrap().as_mut());
        assert_eq!(seen, [3, 2, 1, 1, 2, 3]);
        if drop_first_root_early {
            a = None;
        }
        let (seen, r) = {
            let mut b = pin!(relay(g.as_mut()));
            drain_any(b.as_mut())
        };
        assert_eq!(r, 7);
        let mut want = vec![100];
        want.extend(&walk_of(3)[3..]);
        want.push(200);
        assert_eq!(seen, want);
        drop(g);
        drop(a);
        // maker's 4 levels and guarded's 15 calls, once each.
        assert_eq!(drops.get(), 4 + 15);
        assert_eq!(log.borrow().len(), 15);
    }
}

// ------------------------------------------------- panics

/// A level of a walk whose recursive call is a method call on a `Fuse`,
/// which reaches the method through `Deref`: the deref runs inside the
/// recursive call's construction (when it is linked, in a block from the
/// root's pool), and panics at depth `at`.
struct Node<'a> {
    d: u32,
    at: u32,
    drops: &'a Cell<u32>,
}

struct Fuse<'a>(Node<'a>);

impl<'a> Deref for Fuse<'a> {
    type Target = Node<'a>;

    fn deref(&self) -> &Node<'a> {
        if self.0.d == self.0.at {
            panic!("deref at depth {}", self.0.d);
        }
        &self.0
    }
}

impl Node<'_> {
    #[generator]
    fn walk(&self) -> impl Generator<Yield = u32, Return = ()> + '_ {
        let _c = Counted(self.drops);
        if self.d > 0 {
            let child = Fuse(Node {
                d: self.d - 1,
                ..*self
            });
            yield_from!(child.walk());
        }
        yield_!(self.d);
        if self.d > 0 {
            let child = Fuse(Node {
                d: self.d - 1,
                ..*self
            });
            yield_from!(child.walk());
        }
    }
}

/// The panic leaves the block it was to be built in to the pool (or the
/// allocator), unwinds every level once, and finishes the root.
#[test]
fn a_panic_while_a_recursive_call_is_built_unwinds_every_level_once() {
    for at in 0..=2 {
        let drops = Cell::new(0);
        let root = Node {
            d: 3,
            at,
            drops: &drops,
        };
        let mut g = Box::pin(root.walk());
        let mut seen = Vec::new();
        let r = catch_unwind(AssertUnwindSafe(|| {
            while let GeneratorState::Yielded(d) = g.as_mut().resume(()) {
                seen.push(d);
            }
        }));
        let msg = r.expect_err("the deref panics");
        assert_eq!(
            msg.downcast_ref::<String>().map(String::as_str),
            Some(&*format!("deref at depth {at}"))
        );
        // The first call to reach depth `at` panicked as it was built:
        // nothing was yielded, and the levels above it were dropped.
        assert!(seen.is_empty());
        assert_eq!(drops.get(), 3 - at);
        assert!(catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(()))).is_err());
        drop(g);
        assert_eq!(drops.get(), 3 - at);
    }
}

/// The same fuse, but only the second call of each level panics: the
/// first calls completed, so the root's pool holds blocks when it does.
struct Late<'a> {
    d: u32,
    second: bool,
    drops: &'a Cell<u32>,
}

struct LateFuse<'a>(Late<'a>);

impl<'a> Deref for LateFuse<'a> {
    type Target = Late<'a>;

    fn deref(&self) -> &Late<'a> {
        if self.0.second && self.0.d == 0 {
            panic!("second call");
        }
        &self.0
    }
}

impl Late<'_> {
    #[generator]
    fn walk(&self) -> impl Generator<Yield = u32, Return = ()> + '_ {
        let _c = Counted(self.drops);
        if self.d > 0 {
            let child = LateFuse(Late {
                d: self.d - 1,
                second: false,
                ..*self
            });
            yield_from!(child.walk());
        }
        yield_!(self.d);
        if self.d > 0 {
            let child = LateFuse(Late {
                d: self.d - 1,
                second: true,
                ..*self
            });
            yield_from!(child.walk());
        }
    }
}

#[test]
fn a_panic_while_building_a_call_with_blocks_in_the_pool() {
    let drops = Cell::new(0);
    let root = Late {
        d: 3,
        second: false,
        drops: &drops,
    };
    let mut g = Box::pin(root.walk());
    let mut seen = Vec::new();
    let r = catch_unwind(AssertUnwindSafe(|| {
        while let GeneratorState::Yielded(d) = g.as_mut().resume(()) {
            seen.push(d);
        }
    }));
    assert!(r.is_err());
    // 0 (depth 3 -> 2 -> 1 -> 0), 1, then depth 1's second call panics.
    assert_eq!(seen, [0, 1]);
    assert_eq!(drops.get(), 4);
    drop(g);
    assert_eq!(drops.get(), 4);
}

/// Panics when dropped at depth `at`.
struct Bomb(u32, u32);

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.0 == self.1 {
            panic!("drop at depth {}", self.0);
        }
    }
}

/// Every call at depth `at` panics as it completes, in its local's drop.
#[generator]
fn bombs<'a>(
    d: u32,
    at: u32,
    drops: &'a Cell<u32>,
) -> impl Generator<Yield = u32, Return = ()> + 'a {
    let _c = Counted(drops);
    let _b = Bomb(d, at);
    if d > 0 {
        yield_from!(bombs(d - 1, at, drops));
    }
    yield_!(d);
    if d > 0 {
        yield_from!(bombs(d - 1, at, drops));
    }
}

#[test]
fn a_destructor_panicking_as_a_call_completes_unwinds_every_level_once() {
    for at in 0..=3 {
        let drops = Cell::new(0);
        let mut g = Box::pin(bombs(3, at, &drops));
        let mut seen = Vec::new();
        let r = catch_unwind(AssertUnwindSafe(|| {
            while let GeneratorState::Yielded(d) = g.as_mut().resume(()) {
                seen.push(d);
            }
        }));
        assert!(r.is_err(), "at {at}");
        let msg = r.unwrap_err();
        assert_eq!(
            msg.downcast_ref::<String>().map(String::as_str),
            Some(&*format!("drop at depth {at}"))
        );
        // The first call at depth `at` is the first to complete there,
        // after its own subtree: a depth-`at` walk.
        assert_eq!(seen, walk_of(at), "at {at}");
        // The levels above it, and its subtree, each dropped once.
        let made = (3 - at) + (1 << (at + 1)) - 1;
        assert_eq!(drops.get(), made, "at {at}");
        assert!(catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(()))).is_err());
        drop(g);
        assert_eq!(drops.get(), made, "at {at}");
    }
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
    if d > 0 {
        yield_from!(bad_cleanup(d - 1, bad, drops));
    }
    yield_!(d);
    if d > 0 {
        yield_from!(bad_cleanup(d - 1, bad, drops));
    }
}

/// A `defer!` panicking while the root is closed or dropped, when calls
/// have completed and the root's pool holds their blocks: the panic
/// reaches the caller once, every level is dropped once, and the pool is
/// freed with the root all the same (Miri's leak check).
#[test]
fn a_panicking_cleanup_with_blocks_in_the_pool() {
    // Not level 0: a depth-0 call completes (and runs its cleanup) first.
    for bad in 1..=3 {
        for by_close in [true, false] {
            let drops = Cell::new(0);
            let mut g = Box::pin(bad_cleanup(3, bad, &drops));
            // 0, 1, 0: the first depth-0 call completed (its block is in
            // the pool); the live chain is 3, 2, 1, 0'.
            for want in [0, 1, 0] {
                assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(want));
            }
            let caught = catch_unwind(AssertUnwindSafe(|| {
                if by_close {
                    g.as_mut().close();
                } else {
                    drop(g);
                }
            }));
            let msg = caught.expect_err("the cleanup panics");
            assert_eq!(
                msg.downcast_ref::<String>().map(String::as_str),
                Some(&*format!("cleanup of level {bad}"))
            );
            assert_eq!(drops.get(), 5, "level {bad}, close: {by_close}");
        }
    }
}

// ------------------------------------------------- layouts

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(align(64))]
struct Wide(u32);

/// Recursive, small state.
#[generator]
fn small(d: u32) -> impl Generator<Yield = Wide, Return = u32> {
    if d > 0 {
        yield_from!(small(d - 1));
    }
    yield_!(Wide(d));
    d
}

/// Recursive, a larger state (a buffer alive across its yields), and
/// delegating to `small` between its own recursive calls: its calls'
/// blocks and `small`'s, of two layouts, interleave in one root's pool.
#[generator]
fn large(d: u32) -> impl Generator<Yield = Wide, Return = u32> {
    let buf = [d as u8; 200];
    let mut n = 0;
    if d > 0 {
        n += yield_from!(large(d - 1));
    }
    yield_!(Wide(1000 + u32::from(buf[199])));
    n += yield_from!(small(d));
    if d > 0 {
        n += yield_from!(large(d - 1));
    }
    n + u32::from(buf[0])
}

fn large_walk(d: u32, out: &mut Vec<u32>) -> u32 {
    let mut n = 0;
    if d > 0 {
        n += large_walk(d - 1, out);
    }
    out.push(1000 + d);
    out.extend(0..=d);
    n += d;
    if d > 0 {
        n += large_walk(d - 1, out);
    }
    n + d
}

#[test]
fn delegates_of_two_layouts_and_an_over_aligned_yield() {
    let mut g = pin!(large(3));
    let mut seen = Vec::new();
    let r = loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(w) => {
                assert_eq!(&w as *const Wide as usize % 64, 0);
                seen.push(w.0);
            }
            GeneratorState::Complete(r) => break r,
        }
    };
    let mut want = Vec::new();
    let n = large_walk(3, &mut want);
    assert_eq!(seen, want);
    assert_eq!(r, n);
}

/// Zero-sized yields, through recursion.
#[generator]
fn units(d: u32) -> impl Generator<Yield = (), Return = u32> {
    let mut n = 1;
    if d > 0 {
        n += yield_from!(units(d - 1));
    }
    yield_!(());
    if d > 0 {
        n += yield_from!(units(d - 1));
    }
    n
}

#[test]
fn zero_sized_yields_through_recursion() {
    let (seen, calls) = drain_any(pin!(units(4)));
    assert_eq!(seen.len(), 31);
    assert_eq!(calls, 31);
}

fn drain_any<G: Generator>(mut g: Pin<&mut G>) -> (Vec<G::Yield>, G::Return) {
    let mut seen = Vec::new();
    loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(v) => seen.push(v),
            GeneratorState::Complete(r) => return (seen, r),
        }
    }
}

/// A chain: depth `d` down to 0, each level alive while its call runs.
#[generator]
fn line<'a>(d: u32, drops: &'a Cell<u32>) -> impl Generator<Yield = u32, Return = u32> + 'a {
    let _c = Counted(drops);
    let below = if d > 0 {
        yield_from!(line(d - 1, drops))
    } else {
        0
    };
    yield_!(d);
    below + 1
}

/// Deeper than the pool keeps (`Pool::MAX`, 64): the chain's blocks go
/// back, innermost first, up to the bound, the rest to the allocator;
/// then shallow chains reuse them, then a deep one again. Dropped midway
/// at depth too.
#[test]
fn chains_deeper_than_the_pool_keeps_then_shallow_again() {
    let drops = Cell::new(0);
    let mut made = 0;
    for (depth, stop) in [(70, None), (3, None), (80, None), (70, Some(10)), (1, None)] {
        let mut g = Box::pin(line(depth, &drops));
        let mut seen = Vec::new();
        let r = loop {
            if Some(seen.len()) == stop {
                break None;
            }
            match g.as_mut().resume(()) {
                GeneratorState::Yielded(v) => seen.push(v),
                GeneratorState::Complete(r) => break Some(r),
            }
        };
        drop(g);
        made += depth + 1;
        assert_eq!(drops.get(), made);
        let want: Vec<u32> = (0..=depth).take(stop.unwrap_or(usize::MAX)).collect();
        assert_eq!(seen, want);
        if stop.is_none() {
            assert_eq!(r, Some(depth + 1));
        }
    }
}

// ------------------------------------------------- started delegates

/// Yields `10 d`, delegates to itself one level down, yields `10 d + 1`;
/// returns how many levels ran. Its cleanup makes its yields
/// `suspend_or_close_unit`.
#[generator]
fn steps<'a>(d: u32, log: &'a Log) -> impl Generator<Yield = u32, Return = u32> + 'a {
    defer! { push(log, format!("defer {d}")); }
    yield_!(10 * d);
    let n = if d > 0 {
        yield_from!(steps(d - 1, log))
    } else {
        0
    };
    yield_!(10 * d + 1);
    n + 1
}

/// The same without cleanup: plain `suspend_unit`.
#[generator]
fn plain_steps(d: u32) -> impl Generator<Yield = u32, Return = u32> {
    yield_!(10 * d);
    let n = if d > 0 {
        yield_from!(plain_steps(d - 1))
    } else {
        0
    };
    yield_!(10 * d + 1);
    n + 1
}

#[generator]
fn take_over<'a, G>(x: Pin<&'a mut G>) -> impl Generator<Yield = u32, Return = u32> + 'a
where
    G: Generator<Yield = u32, Return = u32> + Delegable<u32, (), u32> + 'a,
{
    yield_!(100);
    let n = yield_from!(x);
    yield_!(200);
    n
}

/// How a started generator is left before `take_over` takes it.
#[derive(Clone, Copy, Debug)]
enum Before {
    Resumes(usize),
    Completed,
    Closed,
}

const STATES: [Before; 6] = [
    Before::Resumes(0), // unstarted
    Before::Resumes(1), // at its own first yield
    Before::Resumes(2), // inside its own `yield_from!` (a chain to hand over)
    Before::Resumes(3), // two levels down
    Before::Completed,
    Before::Closed,
];

/// What `take_over` yields and returns, or the message it panics with.
fn taken_over<G>(mut x: Pin<&mut G>, before: Before) -> Result<(Vec<u32>, u32), String>
where
    G: Generator<Yield = u32, Return = u32> + Delegable<u32, (), u32>,
{
    match before {
        Before::Resumes(n) => {
            for _ in 0..n {
                assert!(matches!(x.as_mut().resume(()), GeneratorState::Yielded(_)));
            }
        }
        Before::Completed => while let GeneratorState::Yielded(_) = x.as_mut().resume(()) {},
        Before::Closed => {
            let _ = x.as_mut().resume(());
            x.as_mut().close();
        }
    }
    catch_unwind(AssertUnwindSafe(|| drain_any(pin!(take_over(x.as_mut())))))
        .map_err(|e| e.downcast_ref::<&str>().copied().unwrap_or("?").to_string())
}

/// What each state gives (`steps(2)` and `plain_steps(2)` alike): the items
/// from where it stood, and the levels' count; a finished generator cannot
/// be taken over.
fn expected(before: Before) -> Result<(Vec<u32>, u32), String> {
    let at = |n: usize| {
        let mut v = vec![100];
        v.extend_from_slice(&[20, 10, 0, 1, 11, 21][n..]);
        v.push(200);
        Ok((v, 3))
    };
    match before {
        Before::Resumes(n) => at(n),
        Before::Completed | Before::Closed => {
            Err("cogen: `yield_from!` of a generator that had already completed".into())
        }
    }
}

#[test]
fn a_started_generator_taken_over_at_every_state() {
    for before in STATES {
        let log = Log::default();
        let got = taken_over(pin!(steps(2, &log)), before);
        assert_eq!(got, expected(before), "{before:?}");
        // Every level that started ran its cleanup once.
        let started = match before {
            Before::Closed => 1,
            _ => 3,
        };
        assert_eq!(
            log.borrow().len(),
            started,
            "{before:?}: {:?}",
            log.borrow()
        );
        let got = taken_over(pin!(plain_steps(2)), before);
        assert_eq!(got, expected(before), "plain, {before:?}");
    }
}

#[generator]
fn steps_iter<'a>(d: u32, log: &'a Log) -> impl Iterator<Item = u32> + 'a {
    defer! { push(log, format!("defer {d}")); }
    yield_!(10 * d);
    if d > 0 {
        yield_from!(steps_iter(d - 1, log));
    }
    yield_!(10 * d + 1);
}

/// The `impl Iterator` form (a `LazyBoxed`), taken over by `Pin::new(&mut
/// it)` at every state it can be in: a finished one has nothing left.
#[test]
fn a_started_iterator_taken_over_at_every_state() {
    // 6: at its last yield; 7: completed.
    for before in [0, 1, 2, 3, 6, 7] {
        let log = Log::default();
        let mut it = steps_iter(2, &log);
        for i in 0..before {
            assert_eq!(it.next().is_some(), i < 6);
        }
        let got: Vec<u32> = relay_iter(Pin::new(&mut it)).collect();
        let mut want = vec![100];
        want.extend_from_slice(&[20, 10, 0, 1, 11, 21][before.min(6)..]);
        want.push(200);
        assert_eq!(got, want, "after {before}");
        // Spent, or finished: nothing more.
        assert_eq!(it.next(), None);
        drop(it);
        assert_eq!(log.borrow().len(), 3, "after {before}");
    }
}

// ------------------------------------------------- async forms, wakers

/// Counts wakes.
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

type Stashed = Rc<RefCell<Vec<Waker>>>;

/// Pending once, keeping a clone of the waker it was polled with (the
/// frame's): it outlives the resume, and the generator.
struct Stash(Stashed, bool);

impl Future for Stash {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.1 {
            return Poll::Ready(());
        }
        self.1 = true;
        self.0.borrow_mut().push(cx.waker().clone());
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[async_generator]
fn steps_async<'a>(
    d: u32,
    log: &'a Log,
    stash: &'a Stashed,
) -> impl AsyncGenerator<Yield = u32, Return = u32> + 'a {
    defer! { push(log, format!("defer {d}")); }
    Stash(stash.clone(), false).await;
    yield_!(10 * d);
    let n = if d > 0 {
        yield_from!(steps_async(d - 1, log, stash))
    } else {
        0
    };
    yield_!(10 * d + 1);
    n + 1
}

#[async_generator]
fn take_over_async<'a, G>(x: Pin<&'a mut G>) -> impl AsyncGenerator<Yield = u32, Return = u32> + 'a
where
    G: AsyncGenerator<Yield = u32, Return = u32> + AsyncDelegable<u32, (), u32> + 'a,
{
    yield_!(100);
    let n = yield_from!(x);
    yield_!(200);
    n
}

/// Resumes `g` to its next yield or its end with a counting waker, polling
/// through its `Pending`s.
fn next_async<G: AsyncGenerator<Yield = u32>>(
    mut g: Pin<&mut G>,
    cx: &mut Context<'_>,
) -> GeneratorState<u32, G::Return> {
    loop {
        if let Poll::Ready(s) = g.as_mut().poll_resume(cx, &mut Some(())) {
            return s;
        }
    }
}

/// The async generator form taken over at every state, with the frames'
/// wakers kept past their resumes and woken after everything is dropped:
/// each wakes the caller's waker.
#[test]
fn a_started_async_generator_taken_over_at_every_state_and_late_wakes() {
    for before in STATES {
        let counter = Arc::new(Counter(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        let log = Log::default();
        let stash = Stashed::default();
        let got = {
            let mut x = pin!(steps_async(2, &log, &stash));
            match before {
                Before::Resumes(n) => {
                    for _ in 0..n {
                        let s = next_async(x.as_mut(), &mut cx);
                        assert!(matches!(s, GeneratorState::Yielded(_)));
                    }
                }
                Before::Completed => {
                    while let GeneratorState::Yielded(_) = next_async(x.as_mut(), &mut cx) {}
                }
                Before::Closed => {
                    let _ = next_async(x.as_mut(), &mut cx);
                    assert!(x.as_mut().poll_close(&mut cx).is_ready());
                }
            }
            catch_unwind(AssertUnwindSafe(|| {
                let mut t = pin!(take_over_async(x.as_mut()));
                let mut seen = Vec::new();
                loop {
                    match next_async(t.as_mut(), &mut cx) {
                        GeneratorState::Yielded(v) => seen.push(v),
                        GeneratorState::Complete(r) => return (seen, r),
                    }
                }
            }))
            .map_err(|e| e.downcast_ref::<&str>().copied().unwrap_or("?").to_string())
        };
        assert_eq!(got, expected(before), "{before:?}");
        let started = if matches!(before, Before::Closed) {
            1
        } else {
            3
        };
        assert_eq!(log.borrow().len(), started, "{before:?}");
        // One wake by reference per level that started, then the kept
        // clones, woken now that every frame is gone.
        assert_eq!(counter.0.load(Ordering::Relaxed), started);
        let kept: Vec<Waker> = stash.borrow_mut().drain(..).collect();
        assert_eq!(kept.len(), started);
        for w in kept {
            w.wake();
        }
        assert_eq!(counter.0.load(Ordering::Relaxed), 2 * started);
    }
}

#[async_generator]
fn steps_stream<'a>(d: u32, log: &'a Log) -> impl Stream<Item = u32> + 'a {
    defer! { push(log, format!("defer {d}")); }
    yield_!(10 * d);
    if d > 0 {
        yield_from!(steps_stream(d - 1, log));
    }
    yield_!(10 * d + 1);
}

#[async_generator]
fn take_over_stream<'a, G>(x: Pin<&'a mut G>) -> impl Stream<Item = u32> + 'a
where
    G: Stream<Item = u32> + AsyncDelegable<u32> + 'a,
{
    yield_!(100);
    yield_from!(x);
    yield_!(200);
}

/// The `impl Stream` form taken over at every state it can be in: as the
/// generator form, a completed one cannot be taken over (it panics).
#[test]
fn a_started_stream_taken_over_at_every_state() {
    // 6: at its last yield; 7: completed.
    for before in [0, 1, 2, 3, 6, 7] {
        let log = Log::default();
        let got = catch_unwind(AssertUnwindSafe(|| {
            futures::executor::block_on(async {
                let mut x = pin!(steps_stream(2, &log));
                for i in 0..before {
                    assert_eq!(x.as_mut().next().await.is_some(), i < 6);
                }
                take_over_stream(x.as_mut()).collect::<Vec<u32>>().await
            })
        }));
        if before == 7 {
            let msg = got.expect_err("a completed stream taken over");
            assert_eq!(
                msg.downcast_ref::<&str>().copied(),
                Some("cogen: `yield_from!` of a generator that had already completed")
            );
        } else {
            let mut want = vec![100];
            want.extend_from_slice(&[20, 10, 0, 1, 11, 21][before..]);
            want.push(200);
            assert_eq!(got.unwrap(), want, "after {before}");
        }
        assert_eq!(log.borrow().len(), 3, "after {before}");
    }
}

// ------------------------------------------------- reentrancy

/// At every level, after its first call completed (the root's pool holds
/// a block), runs a whole other root to its end inside this resume: a
/// nested root, with its own pool, lending blocks while the outer root's
/// pool is lent to this very resume.
#[generator]
fn nesting<'a>(
    d: u32,
    drops: &'a Cell<u32>,
    log: &'a Log,
) -> impl Generator<Yield = u32, Return = ()> + 'a {
    if d > 0 {
        yield_from!(nesting(d - 1, drops, log));
    }
    let (seen, ()) = drain_any(pin!(guarded(2, drops, log)));
    assert_eq!(seen, walk_of(2));
    // And one dropped midway, inside this resume too.
    let mut half = Box::pin(guarded(2, drops, log));
    for want in [0, 1, 0] {
        assert_eq!(half.as_mut().resume(()), GeneratorState::Yielded(want));
    }
    drop(half);
    yield_!(d);
    if d > 0 {
        yield_from!(nesting(d - 1, drops, log));
    }
}

#[test]
fn roots_run_inside_a_delegates_resume() {
    let drops = Cell::new(0);
    let log = Log::default();
    let (seen, ()) = drain_any(pin!(nesting(3, &drops, &log)));
    assert_eq!(seen, walk_of(3));
    // 15 levels, each ran a whole walk (7 calls) and part of one (4 calls:
    // 2, 1, 0, then 0 again).
    assert_eq!(drops.get(), 15 * 11);
    assert_eq!(log.borrow().len(), 15 * 11);
}
