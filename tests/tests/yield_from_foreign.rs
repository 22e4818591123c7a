//! `yield_from!` of generators cogen did not make, or whose type hides that
//! it did (an opaque `impl Generator` returned by a trait method): driven
//! through the public `Generator` / `AsyncGenerator` traits, with resume
//! arguments passed through, the return value taken, and close / drop /
//! panic reaching the delegate (issue 14 §4).

use cogen::{
    AsyncGenerator, Generator, GeneratorState, Stream, async_generator, generator, yield_,
    yield_from,
};
use futures::StreamExt;
use std::cell::RefCell;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll};

type Log = Rc<RefCell<Vec<String>>>;

/// A hand-written generator: yields `n` values, each the sum of the
/// resume arguments so far, and returns how many arguments it got. It
/// records its first argument, its close and its drop.
struct Summer {
    n: u32,
    sum: u32,
    seen: u8,
    log: Log,
}

impl Summer {
    fn new(n: u32, log: &Log) -> Self {
        Summer {
            n,
            sum: 0,
            seen: 0,
            log: log.clone(),
        }
    }
}

impl Generator<u32> for Summer {
    type Yield = u32;
    type Return = u8;

    fn resume(mut self: Pin<&mut Self>, arg: u32) -> GeneratorState<u32, u8> {
        self.log.borrow_mut().push(format!("arg {arg}"));
        self.sum += arg;
        self.seen += 1;
        if self.n == 0 {
            return GeneratorState::Complete(self.seen);
        }
        self.n -= 1;
        GeneratorState::Yielded(self.sum)
    }

    fn close(self: Pin<&mut Self>) {
        self.log.borrow_mut().push("close".into());
    }
}

impl Drop for Summer {
    fn drop(&mut self) {
        self.log.borrow_mut().push("drop".into());
    }
}

#[generator]
fn outer(log: Log) -> impl Generator<u32, Yield = u32, Return = String> {
    let first = yield_!(100);
    let got = yield_from!(Summer::new(2, &log));
    let last = yield_!(200);
    format!("{first} {got} {last}")
}

#[test]
fn hand_written_generator_gets_arguments_and_returns() {
    let log = Log::default();
    let mut g = pin!(outer(log.clone()));
    assert_eq!(g.as_mut().resume(1), GeneratorState::Yielded(100));
    // `first` = 2; the delegate starts with `u32::default()`.
    assert_eq!(g.as_mut().resume(2), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(5), GeneratorState::Yielded(5));
    // It completes with 3 arguments seen; the body goes on to its yield.
    assert_eq!(g.as_mut().resume(7), GeneratorState::Yielded(200));
    assert_eq!(
        g.as_mut().resume(9),
        GeneratorState::Complete("2 3 9".into())
    );
    assert_eq!(*log.borrow(), ["arg 0", "arg 5", "arg 7", "drop"]);
}

#[test]
fn close_reaches_a_hand_written_delegate() {
    let log = Log::default();
    let mut g = Box::pin(outer(log.clone()));
    g.as_mut().resume(0);
    g.as_mut().resume(0);
    g.as_mut().close();
    assert_eq!(*log.borrow(), ["arg 0", "close", "drop"]);
}

#[test]
fn drop_closes_a_hand_written_delegate() {
    let log = Log::default();
    let mut g = Box::pin(outer(log.clone()));
    g.as_mut().resume(0);
    g.as_mut().resume(0);
    drop(g);
    assert_eq!(*log.borrow(), ["arg 0", "close", "drop"]);
}

/// Pinned by the caller, by reference or boxed: both are generators too.
#[generator]
fn pinned_forms(log: Log) -> impl Generator<u32, Yield = u32, Return = (u8, u8)> {
    let mut on_stack = pin!(Summer::new(1, &log));
    let a = yield_from!(on_stack.as_mut());
    let b = yield_from!(Box::pin(Summer::new(1, &log)));
    (a, b)
}

#[test]
fn pinned_references_and_boxes() {
    let log = Log::default();
    let mut g = pin!(pinned_forms(log.clone()));
    assert_eq!(g.as_mut().resume(1), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(3), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(4), GeneratorState::Complete((2, 2)));
}

/// A trait whose method returns an opaque generator: the caller sees only
/// `impl Generator<..>`, not cogen's own type.
trait Numbers {
    fn numbers(&self) -> impl Generator<u32, Yield = u32, Return = u8>;
    fn stream(&self) -> impl AsyncGenerator<u32, Yield = u32, Return = u8>;
}

struct Upto(u32);

impl Numbers for Upto {
    #[generator]
    fn numbers(&self) -> impl Generator<u32, Yield = u32, Return = u8> {
        let mut total = 0;
        for i in 0..self.0 {
            total += yield_!(i);
        }
        total as u8
    }

    #[async_generator]
    fn stream(&self) -> impl AsyncGenerator<u32, Yield = u32, Return = u8> {
        let mut total = 0;
        for i in 0..self.0 {
            futures::future::ready(()).await;
            total += yield_!(i);
        }
        total as u8
    }
}

#[generator]
fn via_trait(n: &dyn NumbersDyn) -> impl Generator<u32, Yield = u32, Return = u8> + '_ {
    let a = yield_from!(n.upto().numbers());
    a + 1
}

/// `&dyn` of a trait with `impl Trait` methods is not possible: a helper.
trait NumbersDyn {
    fn upto(&self) -> &Upto;
}
impl NumbersDyn for Upto {
    fn upto(&self) -> &Upto {
        self
    }
}

fn generic_delegate<N: Numbers>(n: &N) -> impl Generator<u32, Yield = u32, Return = u8> + '_ {
    #[generator]
    fn inner<N: Numbers>(n: &N) -> impl Generator<u32, Yield = u32, Return = u8> + '_ {
        yield_from!(n.numbers())
    }
    inner(n)
}

#[test]
fn trait_method_generator_is_delegable() {
    let u = Upto(3);
    let mut g = pin!(via_trait(&u));
    assert_eq!(g.as_mut().resume(50), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(1), GeneratorState::Yielded(1));
    assert_eq!(g.as_mut().resume(2), GeneratorState::Yielded(2));
    assert_eq!(g.as_mut().resume(3), GeneratorState::Complete(7));

    let mut g = pin!(generic_delegate(&u));
    assert_eq!(g.as_mut().resume(0), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(10), GeneratorState::Yielded(1));
    assert_eq!(g.as_mut().resume(10), GeneratorState::Yielded(2));
    assert_eq!(g.as_mut().resume(10), GeneratorState::Complete(30));
}

/// The Iterator form over a foreign `Generator<(), Return = ()>`.
struct Count(u32);
impl Generator for Count {
    type Yield = u32;
    type Return = ();
    fn resume(mut self: Pin<&mut Self>, (): ()) -> GeneratorState<u32, ()> {
        if self.0 == 0 {
            return GeneratorState::Complete(());
        }
        self.0 -= 1;
        GeneratorState::Yielded(self.0)
    }
}

#[generator]
fn iter_over_foreign() -> impl Iterator<Item = u32> {
    yield_from!(Count(3));
    yield_!(99);
}

#[async_generator]
fn stream_over_foreign() -> impl Stream<Item = u32> {
    yield_from!(Count(2));
    yield_!(99);
}

#[test]
fn foreign_generator_in_iterator_and_stream_forms() {
    assert_eq!(iter_over_foreign().collect::<Vec<_>>(), [2, 1, 0, 99]);
    let s = Box::pin(stream_over_foreign());
    assert_eq!(
        futures::executor::block_on(s.collect::<Vec<_>>()),
        [1, 0, 99]
    );
}

/// A hand-written async generator that waits once before each item (it
/// wakes itself), and records its close and drop.
struct Ticks {
    n: u32,
    ready: bool,
    got: Vec<u32>,
    log: Log,
}

impl AsyncGenerator<u32> for Ticks {
    type Yield = u32;
    type Return = Vec<u32>;

    fn poll_resume(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<u32>,
    ) -> Poll<GeneratorState<u32, Vec<u32>>> {
        if !self.ready {
            self.ready = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.ready = false;
        let arg = arg.take().expect("an argument on every resume");
        self.got.push(arg);
        if self.n == 0 {
            return Poll::Ready(GeneratorState::Complete(std::mem::take(&mut self.got)));
        }
        self.n -= 1;
        Poll::Ready(GeneratorState::Yielded(self.n))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _ = cx;
        self.log.borrow_mut().push("async close".into());
        Poll::Ready(())
    }
}

impl Drop for Ticks {
    fn drop(&mut self) {
        self.log.borrow_mut().push("drop".into());
    }
}

#[async_generator]
fn async_outer(log: Log) -> impl AsyncGenerator<u32, Yield = u32, Return = String> {
    let got = yield_from!(Ticks {
        n: 2,
        ready: false,
        got: Vec::new(),
        log: log.clone(),
    });
    // A sync hand-written generator and a trait method's async one too.
    let summed = yield_from!(Summer::new(1, &log));
    let upto = Upto(2);
    let total = yield_from!(upto.stream());
    format!("{got:?} {summed} {total}")
}

#[test]
fn hand_written_async_generator_gets_arguments_and_returns() {
    futures::executor::block_on(async {
        let log = Log::default();
        let mut g = pin!(async_outer(log.clone()));
        assert_eq!(g.as_mut().resume(1).await, GeneratorState::Yielded(1));
        assert_eq!(g.as_mut().resume(2).await, GeneratorState::Yielded(0));
        // Ticks completes with [0, 2, 3]; Summer starts with 0.
        assert_eq!(g.as_mut().resume(3).await, GeneratorState::Yielded(0));
        assert_eq!(g.as_mut().resume(4).await, GeneratorState::Yielded(0));
        assert_eq!(g.as_mut().resume(5).await, GeneratorState::Yielded(1));
        assert_eq!(
            g.as_mut().resume(6).await,
            GeneratorState::Complete("[0, 2, 3] 2 11".into())
        );
        assert_eq!(*log.borrow(), ["drop", "arg 0", "arg 4", "drop"]);
    });
}

#[test]
fn async_close_reaches_a_hand_written_delegate() {
    futures::executor::block_on(async {
        let log = Log::default();
        let mut g = Box::pin(async_outer(log.clone()));
        assert_eq!(g.as_mut().resume(1).await, GeneratorState::Yielded(1));
        g.as_mut().close().await;
        assert_eq!(*log.borrow(), ["async close", "drop"]);
    });
}

/// A delegate that panics: the panic reaches the caller, and the delegate
/// and the body are dropped; nothing is resumed after.
struct Bomb(Log);
impl Generator<u32> for Bomb {
    type Yield = u32;
    type Return = ();
    fn resume(self: Pin<&mut Self>, arg: u32) -> GeneratorState<u32, ()> {
        if arg == 13 {
            panic!("boom");
        }
        GeneratorState::Yielded(arg)
    }
    fn close(self: Pin<&mut Self>) {
        self.0.borrow_mut().push("close".into());
    }
}
impl Drop for Bomb {
    fn drop(&mut self) {
        self.0.borrow_mut().push("drop".into());
    }
}

#[generator]
fn over_bomb(log: Log) -> impl Generator<u32, Yield = u32, Return = ()> {
    yield_from!(Bomb(log));
}

#[test]
fn panic_in_a_foreign_delegate_unwinds_it() {
    let log = Log::default();
    let mut g = Box::pin(over_bomb(log.clone()));
    assert_eq!(g.as_mut().resume(1), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(5), GeneratorState::Yielded(5));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.as_mut().resume(13)));
    assert!(caught.is_err());
    // Dropped in the unwind, not closed.
    assert_eq!(*log.borrow(), ["drop"]);
    drop(g);
    assert_eq!(*log.borrow(), ["drop"]);
}

/// A stream over a foreign generator can be driven by a real executor
/// across threads when everything in it is `Send`.
#[async_generator]
fn send_over_foreign() -> impl Stream<Item = u32> + Send {
    yield_from!(Count(2));
}

#[tokio::test]
async fn foreign_delegate_in_a_send_stream() {
    let got = tokio::spawn(async { Box::pin(send_over_foreign()).collect::<Vec<_>>().await })
        .await
        .unwrap();
    assert_eq!(got, [1, 0]);
}

/// The pick still sends cogen's own generators down the direct path (the
/// linear-recursion one, `Delegable`), and only the others through their
/// traits: what `yield_from!` expands to, named by type.
#[test]
// The references are the pick's, as `yield_from!` writes them.
#[allow(clippy::needless_borrow)]
fn the_pick_keeps_the_direct_path_for_cogen_generators() {
    #[allow(unused_imports)]
    use cogen::__private::{
        ViaAsyncGen as _, ViaForeignAsyncGen as _, ViaForeignGen as _, ViaGen as _, ViaIter as _,
        ViaStream as _, Wrap,
    };
    fn name<T>(_: &T) -> &'static str {
        std::any::type_name::<T>()
    }
    let log = Log::default();
    let own = Wrap(outer(log.clone()));
    assert!(name(&(&&&&&&own).__cogen_pick()).ends_with("PickGen"));
    let own_iter = Wrap(iter_over_foreign());
    assert!(name(&(&&&&&&own_iter).__cogen_pick()).ends_with("PickGen"));
    let own_async = Wrap(async_outer(log.clone()));
    assert!(name(&(&&&&&&own_async).__cogen_pick()).ends_with("PickAsyncGen"));
    let boxed = Wrap(Box::pin(outer(log.clone())));
    assert!(name(&(&&&&&&boxed).__cogen_pick()).ends_with("PickGen"));
    let foreign = Wrap(Summer::new(1, &log));
    assert!(name(&(&&&&&&foreign).__cogen_pick()).ends_with("PickForeignGen"));
    // Through the impl's own signature, the macro's `+ Delegable` shows:
    // the direct path. Through the trait's (generic code), only the trait.
    let u = Upto(1);
    let concrete = Wrap(u.numbers());
    assert!(name(&(&&&&&&concrete).__cogen_pick()).ends_with("PickGen"));
    fn numbers<N: Numbers>(n: &N) -> impl Generator<u32, Yield = u32, Return = u8> + '_ {
        n.numbers()
    }
    fn stream<N: Numbers>(n: &N) -> impl AsyncGenerator<u32, Yield = u32, Return = u8> + '_ {
        n.stream()
    }
    let opaque = Wrap(numbers(&u));
    assert!(name(&(&&&&&&opaque).__cogen_pick()).ends_with("PickForeignGen"));
    let opaque_async = Wrap(stream(&u));
    assert!(name(&(&&&&&&opaque_async).__cogen_pick()).ends_with("PickForeignAsyncGen"));
    let stream = Wrap(Box::pin(stream_over_foreign()));
    assert!(name(&(&&&&&&stream).__cogen_pick()).ends_with("PickAsyncGen"));
    let plain = Wrap(futures::stream::iter([1]));
    assert!(name(&(&&&&&&plain).__cogen_pick()).ends_with("PickStream"));
    let v = Wrap(vec![1]);
    assert!(name(&(&&&&&&v).__cogen_pick()).ends_with("PickIter"));
}
