//! `yield_from!`: delegation to iterators, streams and generators, return
//! values, resume arguments, recursion, linear time and no stack growth at
//! depth 1,000,000, and cleanup order through a delegation chain.

use cogen::{
    AsyncGenerator, Generator, GeneratorState, Stream, async_generator, defer, generator, yield_,
    yield_from,
};
use cogen_tests::tree::{Tree, balanced, walk};
use futures::StreamExt;
use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;

#[generator]
fn mixed() -> impl Iterator<Item = u32> {
    yield_from!(vec![1, 2]);
    yield_from!(3..5);
    yield_from!(std::iter::empty::<u32>());
    let unit: () = yield_from!([5]);
    let () = unit;
    for i in 0..2 {
        yield_from!(std::iter::repeat_n(10 + i, 2));
    }
}

#[test]
fn any_into_iterator_in_loops_and_empty() {
    assert_eq!(mixed().collect::<Vec<_>>(), [1, 2, 3, 4, 5, 10, 10, 11, 11]);
}

#[generator]
fn inner(base: u32) -> impl Generator<u32, Yield = u32, Return = String> {
    let mut got = Vec::new();
    for i in 0..2 {
        got.push(yield_!(base + i));
    }
    format!("{got:?}")
}

#[generator]
fn outer() -> impl Generator<u32, Yield = u32, Return = Vec<String>> {
    let a = yield_from!(inner(10));
    let first = yield_!(0);
    let b = yield_from!(inner(first));
    vec![a, b]
}

#[test]
fn return_values_and_resume_arguments_pass_through() {
    let mut g = pin!(outer());
    assert_eq!(g.as_mut().resume(999), GeneratorState::Yielded(10));
    assert_eq!(g.as_mut().resume(1), GeneratorState::Yielded(11));
    assert_eq!(g.as_mut().resume(2), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(50), GeneratorState::Yielded(50));
    assert_eq!(g.as_mut().resume(3), GeneratorState::Yielded(51));
    assert_eq!(
        g.as_mut().resume(4),
        GeneratorState::Complete(vec!["[1, 2]".to_string(), "[3, 4]".to_string()])
    );
}

// Recursion in the Iterator form needs nothing from the user: see
// `cogen_tests::tree::walk`.
#[test]
fn recursive_tree_walk_in_order() {
    let t = balanced(0, 1000).unwrap();
    assert_eq!(walk(&t).collect::<Vec<_>>(), (0..1000).collect::<Vec<_>>());
}

// Recursion in the `impl Generator` form: the state is inline, so the
// recursive call is boxed (`Box::pin`), as recursive `async fn`s are.
#[generator]
fn count_leaves(t: &Tree) -> impl Generator<Yield = u32, Return = usize> + '_ {
    let mut leaves = 0;
    if let Some(l) = &t.left {
        leaves += yield_from!(Box::pin(count_leaves(l)));
    }
    yield_!(t.value);
    if let Some(r) = &t.right {
        leaves += yield_from!(Box::pin(count_leaves(r)));
    }
    if t.left.is_none() && t.right.is_none() {
        leaves += 1;
    }
    leaves
}

#[test]
fn recursive_generator_form_returns_values_up_the_chain() {
    let t = balanced(0, 7).unwrap();
    let mut g = pin!(count_leaves(&t));
    let mut seen = Vec::new();
    let leaves = loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(v) => seen.push(v),
            GeneratorState::Complete(n) => break n,
        }
    };
    assert_eq!(seen, (0..7).collect::<Vec<_>>());
    assert_eq!(leaves, 4);
}

#[generator]
fn chain(n: u64) -> impl Iterator<Item = u64> {
    if n > 0 {
        yield_from!(chain(n - 1));
    }
    yield_!(n);
}

const DEEP: u64 = 1_000_000;

#[test]
// A million levels are far too slow under Miri; the shallow chains and
// trees above and `panics.rs` cover the same code there.
#[cfg_attr(miri, ignore)]
fn depth_one_million_runs_without_stack_overflow() {
    // Run on a thread with a small stack, to prove the depth does not use it.
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut expected = 0;
            for x in chain(DEEP) {
                assert_eq!(x, expected);
                expected += 1;
            }
            assert_eq!(expected, DEEP + 1);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
// A million levels are far too slow under Miri; the shallow chains and
// trees above and `panics.rs` cover the same code there.
#[cfg_attr(miri, ignore)]
fn dropping_a_deep_chain_midway_does_not_overflow() {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut it = chain(DEEP);
            assert_eq!(it.next(), Some(0));
            assert_eq!(it.next(), Some(1));
            drop(it);
        })
        .unwrap()
        .join()
        .unwrap();
}

// The Stream form keeps its state inline, so a recursive call is boxed.
#[async_generator]
fn achain(n: u64) -> impl Stream<Item = u64> {
    if n > 0 {
        yield_from!(Box::pin(achain(n - 1)));
    }
    tokio::task::yield_now().await;
    yield_!(n);
}

#[test]
// A million levels are far too slow under Miri; the shallow chains and
// trees above and `panics.rs` cover the same code there.
#[cfg_attr(miri, ignore)]
fn async_depth_one_million() {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            rt.block_on(async {
                let mut s = pin!(achain(DEEP));
                let mut expected = 0;
                while let Some(x) = s.next().await {
                    assert_eq!(x, expected);
                    expected += 1;
                    if expected == 10 {
                        break; // and drop the rest of the chain mid-way
                    }
                }
            });
            let mut s = Box::pin(achain(DEEP));
            let total = futures::executor::block_on(async {
                let mut n = 0u64;
                while s.next().await.is_some() {
                    n += 1;
                }
                n
            });
            assert_eq!(total, DEEP + 1);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[async_generator]
fn from_streams() -> impl Stream<Item = u32> {
    yield_from!(futures::stream::iter([1, 2]));
    yield_from!(achain_u32()); // a !Unpin cogen stream
    yield_from!(vec![9]); // plain iterators work in async generators too
}

#[async_generator]
fn achain_u32() -> impl Stream<Item = u32> {
    tokio::task::yield_now().await;
    yield_!(3);
    yield_!(4);
}

#[tokio::test]
async fn async_delegation_to_streams_and_generators() {
    assert_eq!(from_streams().collect::<Vec<_>>().await, [1, 2, 3, 4, 9]);
}

#[async_generator]
fn ainner() -> impl AsyncGenerator<i32, Yield = i32, Return = i32> {
    let x = yield_!(1);
    tokio::task::yield_now().await;
    x * 2
}

#[async_generator]
fn aouter() -> impl AsyncGenerator<i32, Yield = i32, Return = i32> {
    let a = yield_from!(ainner());
    let b = yield_from!(ainner());
    a + b
}

#[tokio::test]
async fn async_return_values_and_resume_arguments() {
    let mut g = pin!(aouter());
    assert_eq!(g.as_mut().resume(0).await, GeneratorState::Yielded(1));
    assert_eq!(g.as_mut().resume(5).await, GeneratorState::Yielded(1));
    assert_eq!(g.as_mut().resume(7).await, GeneratorState::Complete(24));
}

#[test]
fn partially_consumed_and_finished_iterator_delegates() {
    #[generator]
    fn rest(mut it: Box<dyn Iterator<Item = u8>>) -> impl Iterator<Item = u8> {
        it.next();
        yield_from!(it);
    }
    assert_eq!(
        rest(Box::new([1, 2, 3].into_iter())).collect::<Vec<_>>(),
        [2, 3]
    );

    #[generator]
    fn resume_started() -> impl Iterator<Item = u64> {
        let mut c = chain(3);
        c.next();
        yield_from!(c); // a started cogen iterator: continues where it was
        let mut done = chain(0);
        while done.next().is_some() {}
        yield_from!(done); // a finished one: yields nothing
    }
    assert_eq!(resume_started().collect::<Vec<_>>(), [1, 2, 3]);
}

type Log = Rc<RefCell<Vec<String>>>;

#[generator]
fn leaf(l: Log, name: &'static str) -> impl Iterator<Item = u32> {
    defer! { l.borrow_mut().push(format!("close {name}")); }
    for i in 0.. {
        yield_!(i);
    }
}

#[generator]
fn middle(l: Log) -> impl Iterator<Item = u32> {
    defer! { l.borrow_mut().push("close middle".into()); }
    yield_from!(leaf(l.clone(), "leaf"));
}

#[generator]
fn top(l: Log) -> impl Iterator<Item = u32> {
    defer! { l.borrow_mut().push("close top".into()); }
    yield_from!(middle(l.clone()));
}

#[test]
fn dropping_closes_the_active_chain_innermost_first() {
    let l: Log = Rc::default();
    let mut it = top(l.clone());
    assert_eq!(it.next(), Some(0));
    assert_eq!(it.next(), Some(1));
    drop(it);
    assert_eq!(*l.borrow(), ["close leaf", "close middle", "close top"]);
}

#[test]
fn closing_a_generator_form_closes_its_delegates_first() {
    #[generator]
    fn g(l: Log) -> impl Generator<Yield = u32, Return = ()> {
        defer! { l.borrow_mut().push("close g".into()); }
        yield_from!(top(l.clone()));
    }
    let l: Log = Rc::default();
    let mut generator = Box::pin(g(l.clone()));
    assert_eq!(generator.as_mut().resume(()), GeneratorState::Yielded(0));
    generator.as_mut().close();
    assert_eq!(
        *l.borrow(),
        ["close leaf", "close middle", "close top", "close g"]
    );
}

#[test]
fn panic_in_a_delegate_propagates_and_finishes_the_root() {
    #[generator]
    fn bad() -> impl Iterator<Item = u8> {
        yield_!(1);
        panic!("deep");
    }
    #[generator]
    fn root() -> impl Iterator<Item = u8> {
        yield_from!(bad());
        yield_!(2);
    }
    let mut it = root();
    assert_eq!(it.next(), Some(1));
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| it.next())).is_err());
    // The panic unwound through the root's `yield_from!`: it is finished,
    // and does not go on as if its delegate had completed (no 2).
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
    drop(it);
}

/// Drops count themselves: which resume arguments were dropped, and when.
struct Arg(u32, Rc<RefCell<Vec<u32>>>);

impl Drop for Arg {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

#[generator]
fn iterator_in_a_coroutine() -> impl Generator<Arg, Yield = u32, Return = u32> {
    let first = yield_!(0);
    yield_from!(vec![10, 20]); // resume arguments received meanwhile are dropped
    let after = yield_!(1);
    first.0 + after.0
}

#[test]
fn iterators_in_a_generator_with_a_resume_type_drop_the_arguments() {
    let dropped = Rc::new(RefCell::new(Vec::new()));
    let arg = |n| Arg(n, dropped.clone());
    let mut g = pin!(iterator_in_a_coroutine());
    assert_eq!(g.as_mut().resume(arg(100)), GeneratorState::Yielded(0));
    assert_eq!(*dropped.borrow(), [100]); // the first resume's argument
    assert_eq!(g.as_mut().resume(arg(1)), GeneratorState::Yielded(10));
    assert_eq!(g.as_mut().resume(arg(2)), GeneratorState::Yielded(20));
    assert_eq!(*dropped.borrow(), [100, 2]);
    // This one ends the delegation: dropped too, not received by `yield_!(1)`.
    assert_eq!(g.as_mut().resume(arg(3)), GeneratorState::Yielded(1));
    assert_eq!(*dropped.borrow(), [100, 2, 3]);
    assert_eq!(g.as_mut().resume(arg(40)), GeneratorState::Complete(41));
    assert_eq!(*dropped.borrow(), [100, 2, 3, 40, 1]); // `after`, then `first`
}

#[async_generator]
fn stream_in_an_async_coroutine() -> impl AsyncGenerator<String, Yield = u32, Return = String> {
    let first = yield_!(0);
    yield_from!(futures::stream::iter([10, 20]));
    yield_from!([30]);
    let last = yield_!(1);
    first + &last
}

#[tokio::test]
async fn streams_and_iterators_in_an_async_generator_with_a_resume_type() {
    let mut g = pin!(stream_in_an_async_coroutine());
    let mut out = vec![];
    for a in ["x", "a", "b", "c", "d"] {
        out.push(g.as_mut().resume(a.to_string()).await);
    }
    out.push(g.as_mut().resume("z".to_string()).await);
    use GeneratorState::*;
    assert_eq!(
        out,
        [
            Yielded(0),
            Yielded(10),
            Yielded(20),
            Yielded(30),
            Yielded(1),
            Complete("az".to_string())
        ]
    );
}

// The inline forms recurse without a hand-written `Box::pin`: a direct call
// of the generator itself in `yield_from!` is boxed by the macro.
#[generator]
fn walk_gen(t: &Tree) -> impl Generator<Yield = u32, Return = usize> + '_ {
    let mut count = 1;
    if let Some(l) = &t.left {
        count += yield_from!(walk_gen(l));
    }
    yield_!(t.value);
    if let Some(r) = &t.right {
        count += yield_from!(walk_gen(r));
    }
    count
}

#[async_generator]
fn walk_stream(t: &Tree) -> impl Stream<Item = u32> + '_ {
    if let Some(l) = &t.left {
        yield_from!(walk_stream(l));
    }
    tokio::task::yield_now().await;
    yield_!(t.value);
    if let Some(r) = &t.right {
        yield_from!(walk_stream(r));
    }
}

struct Node {
    value: u32,
    kids: Vec<Node>,
}

impl Node {
    #[async_generator]
    fn values(&self) -> impl AsyncGenerator<Yield = u32, Return = ()> + '_ {
        yield_!(self.value);
        for k in &self.kids {
            yield_from!(k.values()); // a method of the same name: boxed too
        }
    }
}

#[test]
fn recursion_in_the_inline_forms_needs_no_box() {
    let tree = balanced(0, 100).expect("non-empty");
    let mut g = pin!(walk_gen(&tree));
    let mut seen = Vec::new();
    let count = loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(v) => seen.push(v),
            GeneratorState::Complete(n) => break n,
        }
    };
    let expected: Vec<u32> = walk(&tree).collect();
    assert_eq!(seen, expected);
    assert_eq!(count, expected.len());

    let streamed: Vec<u32> = futures::executor::block_on(walk_stream(&tree).collect());
    assert_eq!(streamed, expected);

    let node = Node {
        value: 1,
        kids: vec![
            Node {
                value: 2,
                kids: vec![Node {
                    value: 3,
                    kids: vec![],
                }],
            },
            Node {
                value: 4,
                kids: vec![],
            },
        ],
    };
    let values = futures::executor::block_on(async {
        let mut g = pin!(node.values());
        let mut out = Vec::new();
        while let GeneratorState::Yielded(v) = g.as_mut().resume(()).await {
            out.push(v);
        }
        out
    });
    assert_eq!(values, [1, 2, 3, 4]);
}

/// A generator that had already started when `yield_from!` took it over
/// goes on from where it stands: its first resume brings no argument (that
/// one went to the delegating body), which a resume type of `()` does not
/// need (Python's `yield from`, JavaScript's `yield*`).
mod started_delegate {
    use cogen::{AsyncDelegable, AsyncGenerator, Delegable, Generator, GeneratorState, Stream};
    use cogen::{async_generator, generator, yield_, yield_from};
    use futures::StreamExt;
    use std::pin::{Pin, pin};

    #[generator]
    fn inner() -> impl Generator<Yield = u32, Return = &'static str> {
        yield_!(1);
        yield_!(2);
        cogen::defer! { let _ = 0; }
        yield_!(3);
        "inner done"
    }

    #[generator]
    fn outer<'a, G>(g: Pin<&'a mut G>) -> impl Iterator<Item = u32> + 'a
    where
        G: Generator<Yield = u32, Return = &'static str> + Delegable<u32, (), &'static str> + 'a,
    {
        yield_!(0);
        let r = yield_from!(g);
        assert_eq!(r, "inner done");
        yield_!(4);
    }

    #[test]
    fn an_iterator_takes_over_a_started_generator() {
        let mut g = pin!(inner());
        assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(1));
        let got: Vec<u32> = outer(g.as_mut()).collect();
        assert_eq!(got, [0, 2, 3, 4]);
    }

    #[async_generator]
    fn inner_async() -> impl AsyncGenerator<Yield = u32, Return = ()> {
        yield_!(1);
        futures::future::ready(()).await;
        yield_!(2);
    }

    #[async_generator]
    fn outer_stream<'a, G>(g: Pin<&'a mut G>) -> impl Stream<Item = u32> + 'a
    where
        G: AsyncGenerator<Yield = u32, Return = ()> + AsyncDelegable<u32> + 'a,
    {
        yield_!(0);
        yield_from!(g);
        yield_!(3);
    }

    #[test]
    fn a_stream_takes_over_a_started_async_generator() {
        futures::executor::block_on(async {
            let mut g = pin!(inner_async());
            assert_eq!(g.as_mut().resume(()).await, GeneratorState::Yielded(1));
            let got: Vec<u32> = outer_stream(g.as_mut()).collect().await;
            assert_eq!(got, [0, 2, 3]);
        });
    }

    #[generator]
    fn echo() -> impl Generator<u32, Yield = u32, Return = ()> {
        let mut x = yield_!(0);
        while x != 0 {
            x = yield_!(x);
        }
    }

    #[generator]
    fn relay<'a, G>(g: Pin<&'a mut G>) -> impl Generator<u32, Yield = u32, Return = ()> + 'a
    where
        G: Generator<u32, Yield = u32, Return = ()> + Delegable<u32, u32> + 'a,
    {
        yield_from!(g);
    }

    /// With a resume type other than `()` there is no argument to make up:
    /// that resume panics, saying why.
    #[test]
    #[should_panic(expected = "had already started when `yield_from!` took it over")]
    fn a_started_delegate_with_a_resume_type_panics_with_the_reason() {
        let mut g = pin!(echo());
        assert_eq!(g.as_mut().resume(9), GeneratorState::Yielded(0));
        let mut r = pin!(relay(g.as_mut()));
        let _ = r.as_mut().resume(5);
    }
}

/// An iterator that logs its drop and can panic at a given item.
struct Logged {
    next: u32,
    panic_at: Option<u32>,
    log: Log,
}

impl Iterator for Logged {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if Some(self.next) == self.panic_at {
            panic!("iterator panics at {}", self.next);
        }
        self.next += 1;
        Some(self.next - 1)
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        self.log
            .borrow_mut()
            .push(format!("drop iterator at {}", self.next));
    }
}

#[generator]
fn over_logged(log: Log, panic_at: Option<u32>) -> impl Iterator<Item = u32> {
    defer! { log.borrow_mut().push("cleanup".into()); }
    let it = Logged {
        next: 0,
        panic_at,
        log: log.clone(),
    };
    yield_from!(it);
}

#[test]
fn dropping_a_generator_inside_an_iterator_delegation_drops_the_iterator_then_cleans_up() {
    let log: Log = Rc::default();
    let mut g = over_logged(log.clone(), None);
    assert_eq!(g.next(), Some(0));
    assert_eq!(g.next(), Some(1));
    drop(g);
    assert_eq!(*log.borrow(), ["drop iterator at 2", "cleanup"]);
}

#[test]
fn a_panic_in_a_delegated_iterator_finishes_the_generator_and_drops_the_iterator_once() {
    let log: Log = Rc::default();
    let mut g = over_logged(log.clone(), Some(2));
    assert_eq!(g.next(), Some(0));
    assert_eq!(g.next(), Some(1));
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.next())).is_err());
    // The panic unwound through the body: its locals, the iterator among
    // them, were dropped once, and no `defer!` ran (a panic runs
    // destructors only).
    assert_eq!(*log.borrow(), ["drop iterator at 2"]);
    assert_eq!(g.next(), None);
    drop(g);
    assert_eq!(*log.borrow(), ["drop iterator at 2"]);
}

/// A stream that is pending once before each item (waking itself), and
/// logs its drop.
struct Hesitant {
    left: u32,
    ready: bool,
    log: Log,
}

impl Stream for Hesitant {
    type Item = u32;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u32>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        if !self.ready {
            self.ready = true;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        self.ready = false;
        self.left -= 1;
        std::task::Poll::Ready(Some(self.left))
    }
}

impl Drop for Hesitant {
    fn drop(&mut self) {
        self.log
            .borrow_mut()
            .push(format!("drop stream with {} left", self.left));
    }
}

#[async_generator]
fn over_hesitant(log: Log) -> impl AsyncGenerator<Arg, Yield = u32, Return = u32> {
    let first = yield_!(100);
    yield_from!(Hesitant {
        left: 2,
        ready: false,
        log: log.clone()
    });
    let last = yield_!(200);
    first.0 + last.0
}

#[test]
fn a_waiting_stream_delegate_drops_the_resume_argument_and_the_stream_once() {
    let dropped = Rc::new(RefCell::new(Vec::new()));
    let arg = |n| Some(Arg(n, dropped.clone()));
    let log: Log = Rc::default();
    let mut g = pin!(over_hesitant(log.clone()));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut a = arg(0);
    assert_eq!(
        g.as_mut().poll_resume(&mut cx, &mut a),
        std::task::Poll::Ready(GeneratorState::Yielded(100))
    );
    // Into the delegation: the stream waits, and the argument that resumed
    // the body (received by `first`) is not the delegate's.
    let mut a = arg(1);
    assert!(g.as_mut().poll_resume(&mut cx, &mut a).is_pending());
    assert!(a.is_none());
    // While the stream waits, a resume argument is dropped, not handed back.
    let mut a = arg(2);
    assert_eq!(
        g.as_mut().poll_resume(&mut cx, &mut a),
        std::task::Poll::Ready(GeneratorState::Yielded(1))
    );
    assert!(a.is_none());
    assert_eq!(*dropped.borrow(), [0, 2]);
    let mut a = arg(3);
    assert!(g.as_mut().poll_resume(&mut cx, &mut a).is_pending());
    assert!(a.is_none());
    assert_eq!(*dropped.borrow(), [0, 2, 3]);
    let mut a = arg(4);
    assert_eq!(
        g.as_mut().poll_resume(&mut cx, &mut a),
        std::task::Poll::Ready(GeneratorState::Yielded(0))
    );
    // The stream ends on this resume: its argument is dropped, the stream too.
    let mut a = arg(5);
    assert_eq!(
        g.as_mut().poll_resume(&mut cx, &mut a),
        std::task::Poll::Ready(GeneratorState::Yielded(200))
    );
    assert_eq!(*dropped.borrow(), [0, 2, 3, 4, 5]);
    assert_eq!(*log.borrow(), ["drop stream with 0 left"]);
    let mut a = arg(6);
    assert_eq!(
        g.as_mut().poll_resume(&mut cx, &mut a),
        std::task::Poll::Ready(GeneratorState::Complete(7))
    );
    assert_eq!(*dropped.borrow(), [0, 2, 3, 4, 5, 6, 1]);
}
