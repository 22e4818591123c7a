//! `Send` exactly when the state is `Send`; always `Sync`; `'static` when
//! nothing is borrowed. The `!Send` direction is a UI test (ui-tests/).

use cogen::{Generator, Stream, async_generator, generator, yield_};
use static_assertions::assert_impl_all;
use std::rc::Rc;

fn is_send<T: Send>(_: &T) -> bool {
    true
}

fn is_sync<T: Sync>(_: &T) -> bool {
    true
}

fn is_static<T: 'static>(_: &T) -> bool {
    true
}

#[generator]
fn plain(n: u32) -> impl Iterator<Item = u32> {
    let owned = vec![1, 2, 3];
    for x in &owned {
        yield_!(x + n);
    }
}

#[generator]
fn rc_not_across_yield() -> impl Iterator<Item = u32> {
    let n = {
        let rc = Rc::new(5);
        *rc
    };
    yield_!(n);
}

#[async_generator]
fn stream(n: u32) -> impl Stream<Item = u32> + Send + 'static {
    for i in 0..n {
        std::future::ready(()).await;
        yield_!(i);
    }
}

#[test]
fn send_when_state_is_send() {
    assert!(is_send(&plain(1)));
    assert!(is_send(&rc_not_across_yield()));
    assert!(is_send(&stream(1)));
    assert!(is_static(&stream(1)));
}

#[test]
fn always_sync() {
    // A `Cell` held across a yield makes the state `!Sync`; the generator is
    // still `Sync`, because a shared reference gives no access to its state.
    #[generator]
    fn with_cell() -> impl Iterator<Item = u32> + Send + Sync {
        let c = std::cell::Cell::new(1);
        yield_!(c.get());
        c.set(2);
        yield_!(c.get());
    }
    assert!(is_sync(&with_cell()));
    assert_eq!(with_cell().collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn send_stream_runs_on_another_thread() {
    let s = stream(3);
    let got = std::thread::spawn(move || {
        futures::executor::block_on(futures::StreamExt::collect::<Vec<_>>(s))
    })
    .join()
    .unwrap();
    assert_eq!(got, [0, 1, 2]);
}

#[test]
fn rc_across_yield_is_not_send() {
    #[generator]
    fn holds_rc() -> impl Generator<Yield = u32, Return = ()> {
        let rc = Rc::new(5);
        yield_!(*rc);
        yield_!(*rc + 1);
    }
    // Not `Send` (static_assertions cannot name the opaque type, so check the
    // behaviour through a trait with a blanket fallback).
    trait MaybeSend {
        fn is_send(&self) -> bool {
            false
        }
    }
    impl<T: ?Sized> MaybeSend for T {}
    struct Probe<T>(T);
    impl<T: Send> Probe<T> {
        #[allow(dead_code)]
        fn is_send(&self) -> bool {
            true
        }
    }
    assert!(
        !Probe(holds_rc()).is_send(),
        "an Rc held across a yield makes the generator !Send"
    );
    assert!(Probe(plain(1)).is_send());
}

assert_impl_all!(cogen::GeneratorState<u8, u8>: Send, Sync, Copy, std::fmt::Debug);
