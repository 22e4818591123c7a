//! The runtime's unsafe paths, exercised through the macros: resume, yield,
//! completion, panics, drop while suspended, async suspension with a real
//! waker. These are the tests `cargo +nightly miri test -p cogen` runs.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use cogen::{
    async_generator, generator, yield_, AsyncGenerator, Generator, GeneratorState, Stream,
};

/// Counts live instances, so tests can see drops happen exactly once.
#[derive(Debug)]
struct Counted(Rc<RefCell<(usize, usize)>>);

impl Counted {
    fn new(c: &Rc<RefCell<(usize, usize)>>) -> Self {
        c.borrow_mut().0 += 1;
        Counted(c.clone())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.borrow_mut().1 += 1;
    }
}

#[generator]
fn holds(c: Rc<RefCell<(usize, usize)>>, n: usize) -> impl Iterator<Item = Counted> {
    let _kept = Counted::new(&c);
    for _ in 0..n {
        yield_!(Counted::new(&c));
    }
}

#[test]
fn every_value_dropped_exactly_once() {
    let c = Rc::new(RefCell::new((0, 0)));
    let v: Vec<_> = holds(c.clone(), 3).collect();
    assert_eq!(v.len(), 3);
    drop(v);
    assert_eq!(*c.borrow(), (4, 4));
}

#[test]
fn drop_while_suspended_drops_locals() {
    let c = Rc::new(RefCell::new((0, 0)));
    let mut it = holds(c.clone(), 5);
    let first = it.next().unwrap();
    assert_eq!(*c.borrow(), (2, 0));
    drop(it);
    assert_eq!(
        *c.borrow(),
        (2, 1),
        "the body's local dropped, the yielded value still alive"
    );
    drop(first);
    assert_eq!(*c.borrow(), (2, 2));
}

#[test]
fn never_started_drops_arguments() {
    let c = Rc::new(RefCell::new((0, 0)));
    let arg = Counted::new(&c);
    #[generator]
    fn takes(x: Counted) -> impl Iterator<Item = u8> {
        let _x = x;
        yield_!(1);
    }
    drop(takes(arg));
    assert_eq!(*c.borrow(), (1, 1));
}

#[generator]
fn self_borrow(n: u64) -> impl Iterator<Item = u64> {
    let v: Vec<u64> = (0..n).collect();
    for x in v.iter() {
        yield_!(*x);
    }
}

#[test]
fn borrows_across_yields() {
    assert_eq!(self_borrow(4).collect::<Vec<_>>(), [0, 1, 2, 3]);
    // Moving the iterator between items is fine: the state is boxed.
    let mut it = self_borrow(3);
    it.next();
    let mut moved = it;
    assert_eq!(moved.next(), Some(1));
}

#[generator]
fn panics_at(c: Rc<RefCell<(usize, usize)>>, at: u32) -> impl Iterator<Item = u32> {
    let _guard = Counted::new(&c);
    for i in 0.. {
        if i == at {
            panic!("boom");
        }
        yield_!(i);
    }
}

#[test]
fn panic_propagates_then_finished() {
    let c = Rc::new(RefCell::new((0, 0)));
    let mut it = panics_at(c.clone(), 2);
    assert_eq!(it.next(), Some(0));
    assert_eq!(it.next(), Some(1));
    let err = catch_unwind(AssertUnwindSafe(|| it.next())).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"boom"));
    assert_eq!(
        *c.borrow(),
        (1, 1),
        "the guard dropped once, during unwinding"
    );
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
    drop(it);
    assert_eq!(*c.borrow(), (1, 1));
}

/// The first resume's argument has no `yield_!` to receive it: it is dropped
/// once, when the body first yields; later arguments reach their `yield_!`.
#[test]
fn first_argument_is_dropped_once_by_the_first_yield() {
    #[generator]
    fn takes(
        c: Rc<RefCell<(usize, usize)>>,
    ) -> impl Generator<Counted, Yield = usize, Return = ()> {
        let at_start = c.borrow().1;
        let got = yield_!(at_start);
        let before = c.borrow().1;
        drop(got);
        yield_!(before);
    }
    let c = Rc::new(RefCell::new((0, 0)));
    let mut g = Box::pin(takes(c.clone()));
    assert_eq!(
        g.as_mut().resume(Counted::new(&c)),
        GeneratorState::Yielded(0)
    );
    assert_eq!(*c.borrow(), (1, 1), "dropped by the first yield");
    assert_eq!(
        g.as_mut().resume(Counted::new(&c)),
        GeneratorState::Yielded(1)
    );
    assert_eq!(*c.borrow(), (2, 2), "the second reached its yield");
    assert_eq!(
        g.as_mut().resume(Counted::new(&c)),
        GeneratorState::Complete(())
    );
    assert_eq!(*c.borrow(), (3, 3));
}

/// The argument protocol of `poll_resume`: the argument goes to the yield
/// the generator waits at; a poll that only continues a foreign `.await`
/// leaves a (stray) argument in place while the body keeps waiting, and a
/// generator at a yield polled without one panics instead of inventing one.
#[test]
fn async_argument_protocol() {
    /// Pending `n` times, then ready.
    struct PendingTimes(u32);
    impl std::future::Future for PendingTimes {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            if self.0 == 0 {
                return Poll::Ready(());
            }
            self.0 -= 1;
            Poll::Pending
        }
    }

    #[async_generator]
    fn waits() -> impl AsyncGenerator<u32, Yield = u32, Return = u32> {
        let a = yield_!(0);
        PendingTimes(2).await;
        a + yield_!(a)
    }
    let mut cx = Context::from_waker(Waker::noop());
    let mut g = Box::pin(waits());
    let mut first = Some(100);
    assert_eq!(
        g.as_mut().poll_resume(&mut cx, &mut first),
        Poll::Ready(GeneratorState::Yielded(0))
    );
    let mut arg = Some(5);
    assert_eq!(g.as_mut().poll_resume(&mut cx, &mut arg), Poll::Pending);
    assert_eq!(arg, None, "taken at the yield");
    let mut stray = Some(7);
    assert_eq!(g.as_mut().poll_resume(&mut cx, &mut stray), Poll::Pending);
    assert_eq!(stray, Some(7), "left in place: the body is still waiting");
    assert_eq!(
        g.as_mut().poll_resume(&mut cx, &mut None),
        Poll::Ready(GeneratorState::Yielded(5))
    );
    let err = catch_unwind(AssertUnwindSafe(|| {
        g.as_mut().poll_resume(&mut cx, &mut None)
    }))
    .unwrap_err();
    assert!(err
        .downcast_ref::<&str>()
        .unwrap()
        .contains("without a resume argument"));
}

/// A panicking body drops its captured arguments while unwinding, whether
/// or not it has used them; the poisoned state left behind holds nothing
/// (the machine does not drop it again, see `FinishOnUnwind`).
#[test]
fn panic_drops_captured_arguments_once() {
    #[generator]
    fn first(arg: Counted, later: Counted, at: u32) -> impl Generator<Yield = u32, Return = ()> {
        if at == 0 {
            panic!("before using anything");
        }
        drop(arg);
        yield_!(1);
        panic!(
            "after a yield, `later` still unused: {}",
            later.0.borrow().0
        );
    }
    for at in [0, 1] {
        let c = Rc::new(RefCell::new((0, 0)));
        let mut g = Box::pin(first(Counted::new(&c), Counted::new(&c), at));
        if at == 1 {
            assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(1));
            assert_eq!(*c.borrow(), (2, 1));
        }
        assert!(catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(()))).is_err());
        assert_eq!(*c.borrow(), (2, 2), "both dropped, once, by the unwinding");
        drop(g);
        assert_eq!(*c.borrow(), (2, 2), "nothing dropped twice");
    }
}

#[generator]
fn echo() -> impl Generator<String, Yield = usize, Return = String> {
    let mut all = String::new();
    let mut s = yield_!(0);
    while !s.is_empty() {
        all.push_str(&s);
        s = yield_!(all.len());
    }
    all
}

#[test]
fn resume_arguments_and_return_value() {
    let mut g = pin!(echo());
    assert_eq!(
        g.as_mut().resume("dropped".into()),
        GeneratorState::Yielded(0)
    );
    assert_eq!(g.as_mut().resume("ab".into()), GeneratorState::Yielded(2));
    assert_eq!(g.as_mut().resume("c".into()), GeneratorState::Yielded(3));
    assert_eq!(
        g.as_mut().resume(String::new()),
        GeneratorState::Complete("abc".into())
    );
    let err = catch_unwind(AssertUnwindSafe(|| g.as_mut().resume("x".into()))).unwrap_err();
    assert!(err
        .downcast_ref::<&str>()
        .unwrap()
        .contains("already completed"));
}

#[test]
fn generator_panic_then_resume_panics_cleanly() {
    #[generator]
    fn bad() -> impl Generator<Yield = u8, Return = ()> {
        yield_!(1);
        panic!("inner");
    }
    let mut g = Box::pin(bad());
    g.as_mut().resume(());
    assert!(catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(()))).is_err());
    let err = catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(()))).unwrap_err();
    assert!(err
        .downcast_ref::<&str>()
        .unwrap()
        .contains("already completed"));
}

#[test]
fn close_drops_locals_and_finishes() {
    let c = Rc::new(RefCell::new((0, 0)));
    #[generator]
    fn g(c: Rc<RefCell<(usize, usize)>>) -> impl Generator<Yield = u8, Return = ()> {
        let _l = Counted::new(&c);
        yield_!(1);
        yield_!(2);
    }
    let mut g = Box::pin(g(c.clone()));
    g.as_mut().resume(());
    g.as_mut().close();
    assert_eq!(*c.borrow(), (1, 1));
    assert!(catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(()))).is_err());
}

/// A waker that counts wakes.
struct CountWake(AtomicUsize);

impl Wake for CountWake {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Pending once (waking its task through whatever waker it is given, or a
/// clone of it), then ready.
struct YieldNow {
    polled: bool,
    clone: bool,
}

impl std::future::Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.polled {
            return Poll::Ready(());
        }
        self.polled = true;
        if self.clone {
            let w = cx.waker().clone();
            std::thread::spawn(move || w.wake()).join().unwrap();
        } else {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

#[async_generator]
fn slow(n: u32) -> impl Stream<Item = u32> {
    for i in 0..n {
        YieldNow {
            polled: false,
            clone: i % 2 == 0,
        }
        .await;
        yield_!(i);
    }
}

#[test]
fn async_pending_forwards_the_waker() {
    let wakes = Arc::new(CountWake(AtomicUsize::new(0)));
    let waker = Waker::from(wakes.clone());
    let mut cx = Context::from_waker(&waker);
    let mut s = pin!(slow(4));
    let mut got = Vec::new();
    let mut pendings = 0;
    loop {
        match s.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(x)) => got.push(x),
            Poll::Ready(None) => break,
            Poll::Pending => pendings += 1,
        }
    }
    assert_eq!(got, [0, 1, 2, 3]);
    assert_eq!(pendings, 4);
    assert_eq!(
        wakes.0.load(Ordering::SeqCst),
        4,
        "every wake reached the caller's waker"
    );
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(None), "fused");
}

#[async_generator]
fn adder() -> impl AsyncGenerator<u32, Yield = u32, Return = u32> {
    let mut total = 0;
    loop {
        YieldNow {
            polled: false,
            clone: false,
        }
        .await;
        let x = yield_!(total);
        if x == 0 {
            return total;
        }
        total += x;
    }
}

#[test]
fn async_resume_argument_survives_pending() {
    futures::executor::block_on(async {
        let mut g = pin!(adder());
        assert_eq!(g.as_mut().resume(99).await, GeneratorState::Yielded(0));
        assert_eq!(g.as_mut().resume(5).await, GeneratorState::Yielded(5));
        assert_eq!(g.as_mut().resume(7).await, GeneratorState::Yielded(12));
        assert_eq!(g.as_mut().resume(0).await, GeneratorState::Complete(12));
    });
}

#[test]
fn async_drop_while_pending() {
    let c = Rc::new(RefCell::new((0, 0)));
    #[async_generator]
    fn g(c: Rc<RefCell<(usize, usize)>>) -> impl Stream<Item = u8> {
        let _l = Counted::new(&c);
        std::future::pending::<()>().await;
        yield_!(1);
    }
    let mut s = Box::pin(g(c.clone()));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(s.as_mut().poll_next(&mut cx).is_pending());
    drop(s);
    assert_eq!(*c.borrow(), (1, 1));
}

#[test]
fn try_flavour_ends_with_the_error() {
    #[generator(try)]
    fn parse(
        items: Vec<&'static str>,
    ) -> impl Iterator<Item = Result<u32, std::num::ParseIntError>> {
        for s in items {
            yield_!(s.parse::<u32>()?);
        }
    }
    let v: Vec<_> = parse(vec!["1", "2", "x", "3"]).collect();
    assert_eq!(v.len(), 3);
    assert_eq!(v[0], Ok(1));
    assert_eq!(v[1], Ok(2));
    assert!(v[2].is_err());
    assert_eq!(parse(vec!["4"]).collect::<Vec<_>>(), [Ok(4)]);
}

// ---- cleanup and delegation: the unsafe paths of the chain and of closing ----

use cogen::{defer, yield_from};

#[generator]
fn leaf(
    log: Rc<RefCell<Vec<&'static str>>>,
    c: Rc<RefCell<(usize, usize)>>,
) -> impl Iterator<Item = u32> {
    let _l = Counted::new(&c);
    defer! { log.borrow_mut().push("leaf"); }
    for i in 0..3 {
        yield_!(i);
    }
}

#[generator]
fn tree(
    depth: u32,
    log: Rc<RefCell<Vec<&'static str>>>,
    c: Rc<RefCell<(usize, usize)>>,
) -> impl Iterator<Item = u32> {
    let _l = Counted::new(&c);
    defer! { log.borrow_mut().push("node"); }
    if depth == 0 {
        yield_from!(leaf(log.clone(), c.clone()));
    } else {
        yield_from!(tree(depth - 1, log.clone(), c.clone()));
        yield_from!(vec![100, 200]);
        yield_from!(tree(depth - 1, log.clone(), c.clone()));
    }
}

#[test]
fn delegation_chain_completes_and_drops_everything_once() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let c = Rc::new(RefCell::new((0, 0)));
    let v: Vec<_> = tree(2, log.clone(), c.clone()).collect();
    assert_eq!(v.len(), 4 * 3 + 3 * 2);
    assert_eq!(c.borrow().0, c.borrow().1, "no leak, no double drop");
    assert_eq!(log.borrow().iter().filter(|s| **s == "leaf").count(), 4);
}

#[test]
fn dropping_mid_chain_closes_innermost_first() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let c = Rc::new(RefCell::new((0, 0)));
    let mut it = tree(2, log.clone(), c.clone());
    assert_eq!(it.next(), Some(0));
    drop(it);
    assert_eq!(*log.borrow(), ["leaf", "node", "node", "node"]);
    assert_eq!(c.borrow().0, c.borrow().1);
}

#[test]
fn panic_inside_a_delegate_leaves_no_leak() {
    #[generator]
    fn boom(c: Rc<RefCell<(usize, usize)>>) -> impl Iterator<Item = u32> {
        let _l = Counted::new(&c);
        yield_!(1);
        panic!("deep");
    }
    #[generator]
    fn root(c: Rc<RefCell<(usize, usize)>>) -> impl Iterator<Item = u32> {
        let _l = Counted::new(&c);
        yield_from!(boom(c.clone()));
        yield_!(2);
    }
    let c = Rc::new(RefCell::new((0, 0)));
    let mut it = root(c.clone());
    assert_eq!(it.next(), Some(1));
    assert!(catch_unwind(AssertUnwindSafe(|| it.next())).is_err());
    // The panic unwound through the root as well: its locals are dropped
    // already, and it is finished (no 2, as if its delegate had completed).
    assert_eq!(*c.borrow(), (2, 2));
    assert_eq!(it.next(), None);
    drop(it);
    assert_eq!(*c.borrow(), (2, 2));
}

/// A delegate's cleanup panics while a root pinned on the stack is dropped:
/// the root's state (and the delegate's) is dropped before the unwinding
/// frees the stack, and no other cleanup runs.
#[test]
fn a_panicking_delegate_cleanup_while_dropping_drops_the_root_state() {
    #[generator]
    fn child(
        log: Rc<RefCell<Vec<&'static str>>>,
        c: Rc<RefCell<(usize, usize)>>,
    ) -> impl Generator<Yield = u32, Return = ()> {
        let _l = Counted::new(&c);
        defer! {
            log.borrow_mut().push("child");
            panic!("cleanup");
        }
        yield_!(1);
    }
    #[generator]
    fn root(
        log: Rc<RefCell<Vec<&'static str>>>,
        c: Rc<RefCell<(usize, usize)>>,
    ) -> impl Generator<Yield = u32, Return = ()> {
        let _l = Counted::new(&c);
        defer! { log.borrow_mut().push("root"); }
        yield_from!(Box::pin(child(log.clone(), c.clone())));
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let c = Rc::new(RefCell::new((0, 0)));
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut g = pin!(root(log.clone(), c.clone()));
        assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(1));
    }));
    assert!(r.is_err());
    assert_eq!(*c.borrow(), (2, 2));
    assert_eq!(*log.borrow(), ["child"], "the root was unwound: no cleanup");
}

#[test]
fn async_close_with_pending_cleanup_then_drop() {
    #[async_generator]
    fn g(c: Rc<RefCell<(usize, usize)>>) -> impl AsyncGenerator<Yield = u8, Return = ()> {
        let _l = Counted::new(&c);
        defer! {
            YieldNow { polled: false, clone: false }.await;
            let _cleanup_local = Counted::new(&c);
        }
        yield_!(1);
    }
    let c = Rc::new(RefCell::new((0, 0)));
    let mut gen = Box::pin(g(c.clone()));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(matches!(
        gen.as_mut().poll_resume(&mut cx, &mut Some(())),
        Poll::Ready(GeneratorState::Yielded(1))
    ));
    assert!(gen.as_mut().poll_close(&mut cx).is_pending());
    drop(gen); // abandons the waiting cleanup
    assert_eq!(c.borrow().0, c.borrow().1);
}

#[test]
fn drop_mid_await_cancels_it_and_runs_cleanup_once() {
    #[async_generator]
    fn g(
        log: Rc<RefCell<Vec<&'static str>>>,
        c: Rc<RefCell<(usize, usize)>>,
    ) -> impl Stream<Item = Counted> {
        let _l = Counted::new(&c);
        defer! { log.borrow_mut().push("cleanup"); }
        yield_!(Counted::new(&c));
        std::future::pending::<()>().await;
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let c = Rc::new(RefCell::new((0, 0)));
    let mut s = Box::pin(g(log.clone(), c.clone()));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(matches!(
        s.as_mut().poll_next(&mut cx),
        Poll::Ready(Some(_))
    ));
    assert!(s.as_mut().poll_next(&mut cx).is_pending());
    drop(s);
    assert_eq!(*log.borrow(), ["cleanup"]);
    assert_eq!(c.borrow().0, c.borrow().1);
}

// ---- the pool of recycled delegate blocks (see `pool.rs`) ----

#[generator]
fn countdown(n: u32, c: Rc<RefCell<(usize, usize)>>) -> impl Iterator<Item = u32> {
    let _l = Counted::new(&c);
    if n > 0 {
        yield_!(n);
        yield_from!(countdown(n - 1, c.clone()));
    }
}

/// Another recursive type, with a bigger state: its blocks have another
/// layout than `countdown`'s, so the root's pool turns them away.
#[generator]
fn wide(n: u32, c: Rc<RefCell<(usize, usize)>>) -> impl Iterator<Item = u32> {
    let _l = Counted::new(&c);
    let pad = [n; 16];
    if n > 0 {
        yield_!(pad[15] + 1000);
        yield_from!(wide(n - 1, c.clone()));
    }
}

#[test]
fn delegates_of_two_layouts_share_a_root() {
    #[generator]
    fn root(c: Rc<RefCell<(usize, usize)>>) -> impl Iterator<Item = u32> {
        for _ in 0..3 {
            yield_from!(countdown(3, c.clone()));
            yield_from!(wide(2, c.clone()));
        }
    }
    let c = Rc::new(RefCell::new((0, 0)));
    let v: Vec<_> = root(c.clone()).collect();
    assert_eq!(v, [3, 2, 1, 1002, 1001].repeat(3));
    assert_eq!(c.borrow().0, 3 * (4 + 3));
    assert_eq!(c.borrow().0, c.borrow().1, "no leak, no double drop");
}

#[test]
fn a_started_recursive_generator_delegated_to_keeps_going() {
    #[generator]
    fn root(
        started: impl Iterator<Item = u32> + cogen::Delegable<u32>,
    ) -> impl Iterator<Item = u32> {
        yield_!(100);
        yield_from!(started);
    }
    let c = Rc::new(RefCell::new((0, 0)));
    let mut first = countdown(4, c.clone());
    assert_eq!(first.next(), Some(4));
    assert_eq!(first.next(), Some(3)); // it is delegating, its chain has a link
    assert_eq!(root(first).collect::<Vec<_>>(), [100, 2, 1]);
    assert_eq!(c.borrow().0, c.borrow().1);
}

#[test]
fn a_pinned_root_has_no_pool_and_frees_its_delegates() {
    #[generator]
    fn root(c: Rc<RefCell<(usize, usize)>>) -> impl Generator<Yield = u32, Return = ()> {
        yield_from!(countdown(3, c.clone()));
        yield_from!(countdown(2, c.clone()));
    }
    let c = Rc::new(RefCell::new((0, 0)));
    let mut g = pin!(root(c.clone()));
    let mut v = Vec::new();
    while let GeneratorState::Yielded(x) = g.as_mut().resume(()) {
        v.push(x);
    }
    assert_eq!(v, [3, 2, 1, 2, 1]);
    assert_eq!(c.borrow().0, c.borrow().1);
}

#[test]
fn a_panic_deep_in_a_recursion_frees_the_pooled_blocks() {
    #[generator]
    fn fall(n: u32, c: Rc<RefCell<(usize, usize)>>) -> impl Iterator<Item = u32> {
        let _l = Counted::new(&c);
        if n == 0 {
            panic!("bottom");
        }
        yield_!(n);
        yield_from!(countdown(2, c.clone())); // completes: its block is pooled
        yield_from!(fall(n - 1, c.clone()));
    }
    let c = Rc::new(RefCell::new((0, 0)));
    let mut it = fall(3, c.clone());
    let r = catch_unwind(AssertUnwindSafe(|| it.by_ref().collect::<Vec<_>>()));
    assert!(r.is_err());
    assert_eq!(c.borrow().0, c.borrow().1, "every level unwound at once");
    assert_eq!(it.next(), None);
    drop(it);
    assert_eq!(c.borrow().0, c.borrow().1);
}

#[test]
fn a_try_delegate_ends_with_its_error_then_its_delegator_goes_on() {
    // The delegate's last item is its error: it is yielded, and the link is
    // popped on the next resume (by then the block is back in the pool).
    #[generator(try)]
    fn parse(
        items: Vec<&'static str>,
        c: Rc<RefCell<(usize, usize)>>,
    ) -> impl Iterator<Item = Result<u32, std::num::ParseIntError>> {
        let _l = Counted::new(&c);
        for s in items {
            yield_!(s.parse::<u32>()?);
        }
    }
    let c = Rc::new(RefCell::new((0, 0)));
    #[generator(try)]
    fn nested(
        depth: u32,
        c: Rc<RefCell<(usize, usize)>>,
    ) -> impl Iterator<Item = Result<u32, std::num::ParseIntError>> {
        let _l = Counted::new(&c);
        yield_!(depth);
        if depth > 0 {
            // Each level's delegate ends with an error, and the level goes on.
            yield_from!(parse(vec!["7", "x"], c.clone()));
            yield_from!(nested(depth - 1, c.clone()));
        }
    }
    let v: Vec<_> = nested(3, c.clone()).collect();
    let oks: Vec<u32> = v.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    assert_eq!(oks, [3, 7, 2, 7, 1, 7, 0]);
    assert_eq!(v.iter().filter(|r| r.is_err()).count(), 3);
    assert_eq!(c.borrow().0, c.borrow().1);
}

#[test]
fn a_spent_delegate_delegated_again_yields_nothing() {
    #[generator]
    fn twice(c: Rc<RefCell<(usize, usize)>>) -> impl Iterator<Item = u32> {
        let mut g = countdown(2, c.clone());
        yield_from!(Pin::new(&mut g));
        yield_from!(Pin::new(&mut g)); // completed as a delegate: its block is back
        yield_!(99);
    }
    let c = Rc::new(RefCell::new((0, 0)));
    assert_eq!(twice(c.clone()).collect::<Vec<_>>(), [2, 1, 99]);
    assert_eq!(c.borrow().0, c.borrow().1);
}

#[test]
fn dropping_a_deep_recursion_midway_closes_every_level_innermost_first() {
    #[generator]
    fn down(n: u32, log: Rc<RefCell<Vec<u32>>>) -> impl Iterator<Item = u32> {
        defer! { log.borrow_mut().push(n); }
        yield_!(n);
        if n > 0 {
            yield_from!(down(n - 1, log.clone()));
            yield_from!(down(n - 1, log.clone())); // a second subtree: reused blocks
        }
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut it = down(4, log.clone());
    // 4, then the root's first subtree (15 items), then 3 and 2 of its
    // second: blocks were pooled and reused on the way.
    let head: Vec<_> = it.by_ref().take(18).collect();
    assert_eq!(head[..6], [4, 3, 2, 1, 0, 0]);
    assert_eq!(head[16..], [3, 2]);
    assert_eq!(log.borrow().len(), 15, "the first subtree ran its cleanup");
    log.borrow_mut().clear();
    drop(it);
    assert_eq!(*log.borrow(), [2, 3, 4]);
}

/// A future that is pending once (waking itself), then ready: an async
/// cleanup or body that really waits.
fn pause() -> impl std::future::Future<Output = ()> {
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

/// An async close that waits in a delegate's cleanup, then a resume instead
/// of polling the close on: the close goes on through the rest of the chain
/// (the middle generator is not resumed as if its delegate had completed),
/// and nothing more is yielded.
#[test]
fn a_resume_after_a_waiting_close_goes_on_closing_the_chain() {
    #[async_generator]
    fn leaf(log: Rc<RefCell<Vec<&'static str>>>) -> impl AsyncGenerator<Yield = u32, Return = ()> {
        defer! {
            pause().await;
            log.borrow_mut().push("leaf");
        }
        yield_!(20);
        yield_!(21);
    }
    #[async_generator]
    fn mid(log: Rc<RefCell<Vec<&'static str>>>) -> impl AsyncGenerator<Yield = u32, Return = ()> {
        defer! { log.borrow_mut().push("mid"); }
        yield_from!(leaf(log.clone()));
        yield_!(98);
    }
    #[async_generator]
    fn root(log: Rc<RefCell<Vec<&'static str>>>) -> impl AsyncGenerator<Yield = u32, Return = ()> {
        defer! { log.borrow_mut().push("root"); }
        yield_from!(mid(log.clone()));
        yield_!(99);
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut g = Box::pin(root(log.clone()));
    let waker = Waker::noop();
    let mut cx = Context::from_waker(waker);
    let first = g.as_mut().poll_resume(&mut cx, &mut Some(()));
    assert_eq!(first, Poll::Ready(GeneratorState::Yielded(20)));
    assert!(g.as_mut().poll_close(&mut cx).is_pending());
    // Resumed instead: it finishes the close, and yields nothing more.
    let r = catch_unwind(AssertUnwindSafe(|| {
        g.as_mut().poll_resume(&mut cx, &mut Some(()))
    }));
    let e = r.unwrap_err();
    assert!(e
        .downcast_ref::<&str>()
        .unwrap()
        .contains("resume` called on a generator that has already completed"));
    assert_eq!(*log.borrow(), ["leaf", "mid", "root"]);
    assert!(g.as_mut().poll_close(&mut cx).is_ready());

    // The same through a recursion, whose delegates are all of one kind
    // (resumed in one loop, without a return to the root).
    #[async_generator]
    fn rec(n: u32, log: Rc<RefCell<Vec<u32>>>) -> impl AsyncGenerator<Yield = u32, Return = ()> {
        defer! {
            if n == 0 {
                pause().await;
            }
            log.borrow_mut().push(n);
        }
        if n > 0 {
            yield_from!(Box::pin(rec(n - 1, log.clone())));
        }
        yield_!(n);
        yield_!(100 + n);
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut g = Box::pin(rec(3, log.clone()));
    let first = g.as_mut().poll_resume(&mut cx, &mut Some(()));
    assert_eq!(first, Poll::Ready(GeneratorState::Yielded(0)));
    assert!(g.as_mut().poll_close(&mut cx).is_pending());
    let r = catch_unwind(AssertUnwindSafe(|| {
        g.as_mut().poll_resume(&mut cx, &mut Some(()))
    }));
    assert!(r.is_err(), "finished: nothing more is yielded");
    assert_eq!(*log.borrow(), [0, 1, 2, 3]);
}

/// Logs its drop: cleanup without `defer!`.
struct Logs(Rc<RefCell<Vec<&'static str>>>, &'static str);

impl Drop for Logs {
    fn drop(&mut self) {
        self.0.borrow_mut().push(self.1);
    }
}

/// As [`a_resume_after_a_waiting_close_goes_on_closing_the_chain`], with
/// delegating bodies that have no `defer!`: they are closed by closing
/// their chain and dropping their state, never resumed, so they must still
/// be marked closing while the leaf's cleanup waits, and not go on as if
/// their delegate had completed.
#[test]
fn a_resume_after_a_waiting_close_goes_on_closing_a_chain_without_defer() {
    #[async_generator]
    fn leaf(log: Rc<RefCell<Vec<&'static str>>>) -> impl AsyncGenerator<Yield = u32, Return = ()> {
        defer! {
            pause().await;
            log.borrow_mut().push("leaf");
        }
        yield_!(20);
        yield_!(21);
    }
    #[async_generator]
    fn mid(log: Rc<RefCell<Vec<&'static str>>>) -> impl AsyncGenerator<Yield = u32, Return = ()> {
        let _guard = Logs(log.clone(), "mid");
        yield_from!(leaf(log.clone()));
        yield_!(98);
    }
    #[async_generator]
    fn root(log: Rc<RefCell<Vec<&'static str>>>) -> impl AsyncGenerator<Yield = u32, Return = ()> {
        let _guard = Logs(log.clone(), "root");
        yield_from!(mid(log.clone()));
        yield_!(99);
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut g = Box::pin(root(log.clone()));
    let mut cx = Context::from_waker(Waker::noop());
    let first = g.as_mut().poll_resume(&mut cx, &mut Some(()));
    assert_eq!(first, Poll::Ready(GeneratorState::Yielded(20)));
    assert!(g.as_mut().poll_close(&mut cx).is_pending());
    assert!(log.borrow().is_empty(), "the leaf's cleanup waits");
    let r = catch_unwind(AssertUnwindSafe(|| {
        g.as_mut().poll_resume(&mut cx, &mut Some(()))
    }));
    assert!(
        r.is_err(),
        "finished: nothing more is yielded (no 98, no 99)"
    );
    assert_eq!(*log.borrow(), ["leaf", "mid", "root"]);
    assert!(g.as_mut().poll_close(&mut cx).is_ready());
    drop(g);
    assert_eq!(*log.borrow(), ["leaf", "mid", "root"]);
}

/// Dropping a root without `defer!` in the middle of a chain whose
/// delegates have it: the chain is closed innermost first (the leaf's
/// local declared after its `defer!` is dropped before that cleanup runs,
/// as at any block's end), then the delegating bodies' states are dropped,
/// innermost first.
#[test]
fn dropping_a_root_without_defer_closes_its_chain_innermost_first() {
    #[generator]
    fn leaf(log: Rc<RefCell<Vec<&'static str>>>) -> impl Iterator<Item = u32> {
        defer! { log.borrow_mut().push("leaf cleanup"); }
        let _guard = Logs(log.clone(), "leaf state");
        for i in 0.. {
            yield_!(i);
        }
    }
    #[generator]
    fn mid(log: Rc<RefCell<Vec<&'static str>>>) -> impl Iterator<Item = u32> {
        let _guard = Logs(log.clone(), "mid state");
        yield_from!(leaf(log.clone()));
    }
    #[generator]
    fn root(log: Rc<RefCell<Vec<&'static str>>>) -> impl Iterator<Item = u32> {
        let _guard = Logs(log.clone(), "root state");
        yield_from!([7, 8]);
        yield_from!(mid(log.clone()));
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut it = root(log.clone());
    assert_eq!(it.by_ref().take(4).collect::<Vec<_>>(), [7, 8, 0, 1]);
    drop(it);
    assert_eq!(
        *log.borrow(),
        ["leaf state", "leaf cleanup", "mid state", "root state"]
    );
}

/// A generator that delegates, with or without `defer!`, closed or dropped
/// before its first resume: none of its code runs.
#[test]
fn closing_or_dropping_an_unstarted_delegating_generator_runs_none_of_its_code() {
    #[generator]
    fn with_cleanup(
        log: Rc<RefCell<Vec<&'static str>>>,
    ) -> impl Generator<Yield = u32, Return = ()> {
        log.borrow_mut().push("ran");
        defer! { log.borrow_mut().push("cleanup"); }
        yield_from!(vec![1, 2]);
    }
    #[generator]
    fn without_cleanup(
        log: Rc<RefCell<Vec<&'static str>>>,
    ) -> impl Generator<Yield = u32, Return = ()> {
        log.borrow_mut().push("ran");
        yield_from!(vec![1, 2]);
    }
    #[generator]
    fn as_iterator(log: Rc<RefCell<Vec<&'static str>>>) -> impl Iterator<Item = u32> {
        log.borrow_mut().push("ran");
        yield_from!(vec![1, 2]);
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    drop(with_cleanup(log.clone()));
    drop(without_cleanup(log.clone()));
    drop(as_iterator(log.clone()));
    let mut g = pin!(with_cleanup(log.clone()));
    g.as_mut().close();
    let mut h = pin!(without_cleanup(log.clone()));
    h.as_mut().close();
    assert!(log.borrow().is_empty());
    // Started, then closed: the one with cleanup runs it; the other is
    // dropped.
    let mut g = pin!(with_cleanup(log.clone()));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(1));
    g.as_mut().close();
    let mut h = pin!(without_cleanup(log.clone()));
    assert_eq!(h.as_mut().resume(()), GeneratorState::Yielded(1));
    h.as_mut().close();
    assert_eq!(*log.borrow(), ["ran", "cleanup", "ran"]);
}

/// A recursive `impl Iterator` generator without `defer!` resumes its own
/// body through its delegates' driver (the runtime's `Recursive`): dropped
/// midway, every level's state is dropped once, innermost first; a panic
/// deep in it finishes the whole walk; a `try` recursion ends with its
/// error.
#[test]
fn a_recursive_iterator_without_defer_drops_panics_and_ends_like_any_other() {
    #[generator]
    fn down(
        n: u32,
        log: Rc<RefCell<Vec<u32>>>,
        panic_at: Option<u32>,
    ) -> impl Iterator<Item = u32> {
        struct Level(u32, Rc<RefCell<Vec<u32>>>);
        impl Drop for Level {
            fn drop(&mut self) {
                self.1.borrow_mut().push(self.0);
            }
        }
        let _level = Level(n, log.clone());
        if Some(n) == panic_at {
            panic!("level {n}");
        }
        yield_!(n);
        if n > 0 {
            yield_from!(down(n - 1, log.clone(), panic_at));
            yield_from!(down(n - 1, log.clone(), panic_at));
        }
    }
    // Completes: 2^4 - 1 = 15 levels, each dropped once.
    let log = Rc::new(RefCell::new(Vec::new()));
    assert_eq!(down(3, log.clone(), None).count(), 15);
    assert_eq!(log.borrow().len(), 15);
    // Dropped midway: the live levels, innermost first.
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut it = down(4, log.clone(), None);
    assert_eq!(it.by_ref().take(3).collect::<Vec<_>>(), [4, 3, 2]);
    assert!(log.borrow().is_empty());
    drop(it);
    assert_eq!(*log.borrow(), [2, 3, 4]);
    // A panic at the bottom: the walk is finished, every level dropped once.
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut it = down(3, log.clone(), Some(0));
    assert_eq!(it.by_ref().take(3).collect::<Vec<_>>(), [3, 2, 1]);
    assert!(catch_unwind(AssertUnwindSafe(|| it.next())).is_err());
    assert_eq!(it.next(), None);
    drop(it);
    let mut dropped = log.borrow().clone();
    dropped.sort();
    assert_eq!(dropped, [0, 1, 2, 3]);

    // The `try` flavour: the innermost error ends the walk as its last item.
    #[generator(try)]
    fn parse_down(n: u32) -> impl Iterator<Item = Result<u32, std::num::ParseIntError>> {
        let v: u32 = if n == 0 { "x".parse()? } else { n };
        yield_!(v);
        yield_from!(parse_down(n - 1));
        yield_!(100 + n);
    }
    let v: Vec<_> = parse_down(2).collect();
    assert_eq!(v.len(), 5);
    assert_eq!(v[..2], [Ok(2), Ok(1)]);
    assert!(v[2].is_err());
    assert_eq!(v[3..], [Ok(101), Ok(102)]);
}

/// The inline forms' recursive roots (the runtime's `Recursive` over a
/// pooled machine) without `defer!`: return values come up the chain, a
/// close or a drop midway drops every live level once, innermost first, a
/// panic deep in it finishes the whole walk, and an async recursion that
/// waits resumes where it waited.
#[test]
fn a_recursive_inline_generator_without_defer_returns_closes_and_waits() {
    struct Level(u32, Rc<RefCell<Vec<u32>>>);
    impl Drop for Level {
        fn drop(&mut self) {
            self.1.borrow_mut().push(self.0);
        }
    }
    #[generator]
    fn count(
        n: u32,
        log: Rc<RefCell<Vec<u32>>>,
        panic_at: Option<u32>,
    ) -> impl Generator<Yield = u32, Return = u32> {
        let _level = Level(n, log.clone());
        if Some(n) == panic_at {
            panic!("level {n}");
        }
        yield_!(n);
        let mut below = 0;
        if n > 0 {
            below += yield_from!(count(n - 1, log.clone(), panic_at));
            below += yield_from!(count(n - 1, log.clone(), panic_at));
        }
        below + 1
    }
    let drain = |g: Pin<&mut dyn Generator<Yield = u32, Return = u32>>| {
        let mut g = g;
        let mut items = Vec::new();
        loop {
            match g.as_mut().resume(()) {
                GeneratorState::Yielded(y) => items.push(y),
                GeneratorState::Complete(r) => return (items, r),
            }
        }
    };
    let log = Rc::new(RefCell::new(Vec::new()));
    let (items, levels) = drain(pin!(count(3, log.clone(), None)));
    assert_eq!(items.len(), 15);
    assert_eq!(levels, 15);
    assert_eq!(log.borrow().len(), 15);
    // Closed midway: the live levels, innermost first.
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut g = pin!(count(4, log.clone(), None));
    for want in [4, 3, 2] {
        assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(want));
    }
    g.as_mut().close();
    assert_eq!(*log.borrow(), [2, 3, 4]);
    // Dropped midway, the same.
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut g = Box::pin(count(4, log.clone(), None));
    for want in [4, 3, 2] {
        assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(want));
    }
    drop(g);
    assert_eq!(*log.borrow(), [2, 3, 4]);
    // A panic at the bottom finishes the walk; every level dropped once.
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut g = Box::pin(count(3, log.clone(), Some(0)));
    for want in [3, 2, 1] {
        assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(want));
    }
    assert!(catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(()))).is_err());
    assert!(catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(()))).is_err());
    drop(g);
    let mut dropped = log.borrow().clone();
    dropped.sort();
    assert_eq!(dropped, [0, 1, 2, 3]);

    // An async recursion that waits once at every level.
    #[async_generator]
    fn walk(n: u32) -> impl Stream<Item = u32> {
        pause().await;
        yield_!(n);
        if n > 0 {
            yield_from!(walk(n - 1));
            yield_from!(walk(n - 1));
        }
    }
    let mut s = pin!(walk(2));
    let mut cx = Context::from_waker(Waker::noop());
    let mut items = Vec::new();
    let mut pendings = 0;
    loop {
        match s.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(x)) => items.push(x),
            Poll::Ready(None) => break,
            Poll::Pending => pendings += 1,
        }
    }
    assert_eq!(items, [2, 1, 0, 0, 1, 0, 0]);
    assert_eq!(pendings, 7);
}

/// A panic in a delegate's cleanup while a chain of delegating bodies
/// without `defer!` is dropped (they are closed by closing their chain,
/// not by resuming them): the panic reaches the caller, and every level's
/// state is still dropped once, innermost first.
#[test]
fn a_panicking_cleanup_under_delegating_bodies_without_defer_drops_every_level_once() {
    fn panics() {
        panic!("leaf cleanup panics");
    }
    #[generator]
    fn leaf(log: Rc<RefCell<Vec<&'static str>>>) -> impl Iterator<Item = u32> {
        let _guard = Logs(log.clone(), "leaf state");
        defer! { panics(); }
        for i in 0.. {
            yield_!(i);
        }
    }
    #[generator]
    fn mid(log: Rc<RefCell<Vec<&'static str>>>) -> impl Iterator<Item = u32> {
        let _guard = Logs(log.clone(), "mid state");
        yield_from!(leaf(log.clone()));
    }
    #[generator]
    fn root(log: Rc<RefCell<Vec<&'static str>>>) -> impl Iterator<Item = u32> {
        let _guard = Logs(log.clone(), "root state");
        yield_from!(mid(log.clone()));
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut it = root(log.clone());
    assert_eq!(it.by_ref().take(2).collect::<Vec<_>>(), [0, 1]);
    assert!(catch_unwind(AssertUnwindSafe(move || drop(it))).is_err());
    assert_eq!(*log.borrow(), ["leaf state", "mid state", "root state"]);
}
