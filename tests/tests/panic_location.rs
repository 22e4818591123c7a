//! "Resumed after completion" panics point at the caller's line, as std's
//! do (`#[track_caller]`): sync `resume` (directly, through `Pin<&mut _>`,
//! `Pin<Box<_>>` and `&mut _`), and an async `resume(..).await`.
//!
//! One test in this binary: the panic hook it installs is process-wide.

use cogen::{AsyncGenerator, Generator, async_generator, generator, yield_};
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::pin;
use std::sync::Mutex;

#[generator]
fn once() -> impl Generator<Yield = u8, Return = ()> {
    yield_!(1);
}

#[async_generator]
fn async_once() -> impl AsyncGenerator<Yield = u8, Return = ()> {
    yield_!(1);
}

static WHERE: Mutex<Option<(String, u32)>> = Mutex::new(None);

/// Runs `f`, which must panic; returns the panic's file and line.
fn panic_location(f: impl FnOnce()) -> (String, u32) {
    *WHERE.lock().unwrap() = None;
    assert!(catch_unwind(AssertUnwindSafe(f)).is_err());
    WHERE
        .lock()
        .unwrap()
        .take()
        .expect("the hook saw the panic")
}

fn here(l: &Location<'_>) -> (String, u32) {
    (l.file().to_string(), l.line())
}

#[test]
fn resume_after_completion_panics_at_the_callers_line() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info.payload_as_str().unwrap_or_default();
        if msg.contains("already completed") {
            *WHERE.lock().unwrap() = info.location().map(here);
        } else {
            default(info); // the test's own assertions
        }
    }));

    let mut g = pin!(once());
    g.as_mut().resume(());
    g.as_mut().resume(());
    let line = line!() + 2;
    let at = panic_location(|| {
        let _ = g.as_mut().resume(());
    });
    assert_eq!(at, (file!().to_string(), line));

    // Through the forwarding impls.
    let mut boxed = Box::pin(once());
    boxed.as_mut().resume(());
    boxed.as_mut().resume(());
    let mut twice = pin!(boxed);
    let line = line!() + 2;
    let at = panic_location(|| {
        let _ = twice.as_mut().resume(());
    });
    assert_eq!(at, (file!().to_string(), line));
    let mut pinned = pin!(once());
    let mut by_ref = pinned.as_mut();
    let mut by_ref = pin!(&mut by_ref);
    by_ref.as_mut().resume(());
    by_ref.as_mut().resume(());
    let line = line!() + 2;
    let at = panic_location(|| {
        let _ = by_ref.as_mut().resume(());
    });
    assert_eq!(at, (file!().to_string(), line));

    let mut a = pin!(async_once());
    futures::executor::block_on(async {
        a.as_mut().resume(()).await;
        a.as_mut().resume(()).await;
    });
    // Awaited, the caller is the `.await`. (A `Resume` future polled by an
    // executor directly has the executor as its caller.)
    let await_line = line!() + 3;
    let at_await = panic_location(|| {
        futures::executor::block_on(async {
            a.as_mut().resume(()).await;
        })
    });
    let _ = std::panic::take_hook();
    assert_eq!(at_await, (file!().to_string(), await_line));
}
