//! Generator blocks (DESIGN.md, "Generator blocks"): `iter!`, `stream!`,
//! `try_iter!`, `try_stream!`, `gen_block!`, `async_gen_block!`. Every form,
//! both spellings, capture by move, the whole body language, nesting in a
//! generator function and in another block, cleanup on early drop, `?` in
//! the try forms, and `Send` streams under `tokio::spawn`.
//!
//! This file is formatted by `cargo fmt --check`: the bodies of the
//! `iter!({ .. })` spelling below are rustfmt's layout.

use cogen::{
    AsyncGenerator, Generator, GeneratorState, Stream, async_gen_block, defer, gen_block,
    generator, iter, stream, try_iter, try_stream, yield_, yield_from,
};
use futures::StreamExt;
use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;

#[test]
fn iter_both_spellings() {
    let braces = iter! { for i in 0..3u32 { yield_!(i); } };
    assert_eq!(braces.collect::<Vec<_>>(), [0, 1, 2]);
    let parens = iter!({
        for i in 0..3u32 {
            yield_!(i * 10);
        }
    });
    assert_eq!(parens.collect::<Vec<_>>(), [0, 10, 20]);
    // A path works too.
    let pathed = cogen::iter!({ yield_!("x") });
    assert_eq!(pathed.collect::<Vec<_>>(), ["x"]);
}

/// Only compiles if the block moves `text` in: it outlives this function.
fn words(text: String) -> impl Iterator<Item = String> {
    iter!({
        for w in text.split(' ') {
            yield_!(w.to_uppercase());
        }
    })
}

#[test]
fn captures_by_move_and_borrows_its_own_captures_across_yields() {
    assert_eq!(words("a b".into()).collect::<Vec<_>>(), ["A", "B"]);
    // Copy values are copied in: the original stays usable.
    let n = 3;
    let it = iter!({
        for i in 0..n {
            yield_!(i);
        }
    });
    assert_eq!(n, 3);
    assert_eq!(it.count(), 3);
    // Borrowing: capture a reference explicitly, as with `async move`.
    let names = vec!["ann".to_string(), "bo".to_string()];
    let r = &names;
    let lens = iter!({
        for n in r {
            yield_!(n.len());
        }
    });
    assert_eq!(lens.collect::<Vec<_>>(), [3, 2]);
    assert_eq!(names.len(), 2);
}

#[generator]
fn count_to(n: u32) -> impl Iterator<Item = u32> {
    for i in 1..=n {
        yield_!(i);
    }
}

#[test]
fn yield_from_and_defer_in_a_block() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let it = iter!({
        defer! { l.borrow_mut().push("cleanup"); }
        yield_from!(count_to(2)); // a generator function
        yield_from!(iter!({ yield_!(10) })); // another block
        yield_from!([20, 30]); // any IntoIterator
    });
    assert_eq!(it.collect::<Vec<_>>(), [1, 2, 10, 20, 30]);
    assert_eq!(*log.borrow(), ["cleanup"]);

    // Dropped early, while suspended: the cleanup runs.
    let l = log.clone();
    let mut it = iter!({
        defer! { l.borrow_mut().push("dropped"); }
        loop {
            yield_!(1);
        }
    });
    assert_eq!(it.next(), Some(1));
    drop(it);
    assert_eq!(*log.borrow(), ["cleanup", "dropped"]);
}

#[test]
fn try_iter_ends_with_the_error() {
    let inputs = vec!["1", "2", "x", "4"];
    let it = try_iter!({
        for s in inputs {
            yield_!(s.parse::<u32>()?);
        }
    });
    let got: Vec<Result<u32, std::num::ParseIntError>> = it.collect();
    assert_eq!(got.len(), 3);
    assert_eq!(got[..2], [Ok(1), Ok(2)]);
    assert!(got[2].is_err());

    // The error type converts through `?` (`From`), as in a function; a
    // plain `return;` ends the iterator normally.
    #[derive(Debug, PartialEq)]
    struct MyError(String);
    impl From<std::num::ParseIntError> for MyError {
        fn from(e: std::num::ParseIntError) -> Self {
            MyError(e.to_string())
        }
    }
    let it = try_iter!({
        yield_!("7".parse::<u8>()?);
        if true {
            return;
        }
        yield_!(8);
    });
    let got: Vec<Result<u8, MyError>> = it.collect();
    assert_eq!(got, [Ok(7)]);
    let it = try_iter!({
        yield_!("x".parse::<u8>()?);
    });
    let got: Vec<Result<u8, MyError>> = it.collect();
    assert_eq!(got, [Err(MyError("invalid digit found in string".into()))]);
}

#[test]
fn stream_and_try_stream() {
    futures::executor::block_on(async {
        let prefix = String::from("n");
        let s = stream!({
            #[for_await]
            for x in futures::stream::iter(0..3) {
                std::future::ready(()).await;
                yield_!(format!("{prefix}{x}"));
            }
        });
        assert_eq!(s.collect::<Vec<_>>().await, ["n0", "n1", "n2"]);

        let s = try_stream!({
            for x in ["1", "y"] {
                let n: u32 = x.parse()?;
                std::future::ready(()).await;
                yield_!(n);
            }
        });
        let got: Vec<Result<u32, std::num::ParseIntError>> = s.collect().await;
        assert_eq!(got[0], Ok(1));
        assert!(got[1].is_err());

        // Delegation to streams and to another block.
        let s = stream!({
            yield_from!(futures::stream::iter([1, 2]));
            yield_from!(stream!({ yield_!(3) }));
        });
        assert_eq!(s.collect::<Vec<u32>>().await, [1, 2, 3]);
    });
}

#[test]
fn async_cleanup_on_close() {
    futures::executor::block_on(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        let mut s = Box::pin(stream!({
            defer! {
                std::future::ready(()).await;
                l.borrow_mut().push("closed");
            }
            loop {
                yield_!(0u8);
            }
        }));
        assert_eq!(s.next().await, Some(0));
        drop(s);
        assert_eq!(*log.borrow(), ["closed"]);
    });
}

#[test]
fn generator_blocks_with_resume_arguments_and_return_values() {
    let factor = 2;
    let mut g = pin!(gen_block!({
        let mut sum = 0;
        let mut x: u32 = yield_!(0);
        while x != 0 {
            sum += x * factor;
            x = yield_!(sum);
        }
        format!("sum {sum}")
    }));
    assert_eq!(g.as_mut().resume(99), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(1), GeneratorState::Yielded(2));
    assert_eq!(g.as_mut().resume(4), GeneratorState::Yielded(10));
    assert_eq!(
        g.as_mut().resume(0),
        GeneratorState::Complete("sum 10".into())
    );

    // Delegation returns the delegate's return value.
    let mut outer = pin!(gen_block!({
        let inner = gen_block!({
            let a: u32 = yield_!(1);
            a + 100
        });
        let r = yield_from!(inner);
        yield_!(r);
    }));
    assert_eq!(outer.as_mut().resume(0), GeneratorState::Yielded(1));
    assert_eq!(outer.as_mut().resume(5), GeneratorState::Yielded(105));
    assert_eq!(outer.as_mut().resume(0), GeneratorState::Complete(()));

    futures::executor::block_on(async {
        let mut g = pin!(async_gen_block!({
            let mut got = Vec::new();
            let mut s: &str = yield_!(got.len());
            while !s.is_empty() {
                std::future::ready(()).await;
                got.push(s.to_uppercase());
                s = yield_!(got.len());
            }
            got
        }));
        assert_eq!(g.as_mut().resume("").await, GeneratorState::Yielded(0));
        assert_eq!(g.as_mut().resume("a").await, GeneratorState::Yielded(1));
        assert_eq!(
            g.as_mut().resume("").await,
            GeneratorState::Complete(vec!["A".to_string()])
        );
    });
}

// ---- Nesting: a block is its own generator ----

#[generator]
fn groups(n: u32) -> impl Iterator<Item = Vec<u32>> {
    for i in 0..n {
        // The block's `yield_!`s are its own; the function's is outside.
        let inner = iter!({
            yield_!(i);
            yield_!(i * 10);
        });
        yield_!(inner.collect());
    }
    // Inside another macro's arguments, and in a closure (a `flat_map` step).
    yield_!(vec![iter!({ yield_!(7) }).sum()]);
    yield_!((0..2).flat_map(|i| iter!({ yield_!(i) })).collect());
}

#[test]
fn nested_in_a_generator_function() {
    assert_eq!(
        groups(2).collect::<Vec<_>>(),
        [vec![0, 0], vec![1, 10], vec![7], vec![0, 1]]
    );
}

#[cogen::async_generator]
fn async_groups() -> impl Stream<Item = u32> {
    // A sync block inside an async generator, and an async one.
    let total: u32 = iter!({
        yield_!(1);
        yield_!(2);
    })
    .sum();
    yield_!(total);
    let s = stream!({
        std::future::ready(()).await;
        yield_!(10);
    });
    yield_from!(s);
}

#[test]
fn nested_in_an_async_generator_and_in_a_block() {
    let v: Vec<u32> = futures::executor::block_on(async_groups().collect());
    assert_eq!(v, [3, 10]);
    // A block in a block: each `yield_!` belongs to the innermost.
    let outer = iter!({
        for i in 0..2u32 {
            let inner = iter!({
                yield_!(i);
                yield_!(i + 100);
            });
            yield_!(inner.collect::<Vec<_>>());
        }
    });
    assert_eq!(outer.collect::<Vec<_>>(), [vec![0, 100], vec![1, 101]]);
}

// ---- Send, tokio, an axum-style handler ----

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_streams_spawn_on_tokio() {
    let shared = Arc::new(vec![1u32, 2, 3]);
    let s = assert_send(stream!({
        for x in shared.iter() {
            tokio::task::yield_now().await;
            yield_!(*x);
        }
    }));
    let handle = tokio::spawn(async move { s.collect::<Vec<_>>().await });
    assert_eq!(handle.await.unwrap(), [1, 2, 3]);
}

/// The shape of an SSE handler: a stream over the handler's state, built
/// where it is returned.
fn changes(state: Arc<Vec<&'static str>>) -> impl Stream<Item = Result<String, String>> + Send {
    try_stream!({
        for (i, row) in state.iter().enumerate() {
            if row.is_empty() {
                Err(format!("row {i} is empty"))?;
            }
            tokio::task::yield_now().await;
            yield_!(format!("data: {row}"));
        }
    })
}

#[tokio::test]
async fn handler_shape() {
    let got: Vec<_> = changes(Arc::new(vec!["a", "", "c"])).collect().await;
    assert_eq!(
        got,
        [Ok("data: a".to_string()), Err("row 1 is empty".into())]
    );
}

#[test]
fn blocks_are_generators_of_their_traits() {
    fn sync_g<G: Generator<u8, Yield = u8, Return = u8>>(g: G) -> G {
        g
    }
    fn agen<G: AsyncGenerator<(), Yield = u8, Return = ()>>(g: G) -> G {
        g
    }
    let _ = sync_g(gen_block!({ yield_!(1u8) }));
    let _ = agen(async_gen_block!({ yield_!(1u8) }));
}

/// An axum 0.8 SSE handler over the handler's state, with the stream
/// written where it is returned (the README's example).
mod axum_handler {
    use axum::Router;
    use axum::extract::State;
    use axum::response::sse::{Event, Sse};
    use axum::routing::get;
    use cogen::{Stream, stream, yield_};
    use std::convert::Infallible;
    use std::sync::Arc;
    use std::time::Duration;

    pub struct AppState {
        pub ticks: u32,
    }

    pub async fn ticks(
        State(state): State<Arc<AppState>>,
    ) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
        Sse::new(stream!({
            for i in 0..state.ticks {
                tokio::time::sleep(Duration::from_millis(1)).await;
                yield_!(Ok(Event::default().data(i.to_string())));
            }
        }))
    }

    pub fn app() -> Router {
        Router::new()
            .route("/ticks", get(ticks))
            .with_state(Arc::new(AppState { ticks: 3 }))
    }
}

#[tokio::test]
async fn axum_handler_shape() {
    use axum::extract::State;
    use axum::response::IntoResponse;
    use http_body_util::BodyExt;

    let _router = axum_handler::app(); // the handler is a valid axum handler
    let state = Arc::new(axum_handler::AppState { ticks: 3 });
    let response = axum_handler::ticks(State(state)).await.into_response();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
}

/// Inside a `defer!` scope of a generator function, a block's `return`
/// and `?` are the block's own: the enclosing cleanup does not run for them.
#[generator(try)]
fn outer_with_cleanup(
    log: Rc<RefCell<Vec<String>>>,
) -> impl Iterator<Item = Result<u32, std::num::ParseIntError>> {
    defer! { log.borrow_mut().push("outer cleanup".into()); }
    let inner = try_iter!({
        yield_!("1".parse::<u32>()?);
        yield_!("x".parse::<u32>()?); // ends the inner iterator only
        yield_!(99);
    });
    let early = iter!({
        yield_!(5u32);
        return; // ends the inner iterator only
    });
    for r in inner {
        // Nothing else says what the inner items' error type is.
        let r: Result<u32, std::num::ParseIntError> = r;
        log.borrow_mut()
            .push(format!("{r:?}").chars().take(5).collect());
    }
    for x in early {
        yield_!(x);
    }
    yield_!("2".parse::<u32>()?);
}

#[test]
fn return_and_question_mark_in_a_block_are_the_blocks() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let got: Vec<_> = outer_with_cleanup(log.clone()).collect();
    assert_eq!(got, [Ok(5), Ok(2)]);
    assert_eq!(*log.borrow(), ["Ok(1)", "Err(P", "outer cleanup"]);
}

/// Only a call of a block macro is a block: variables of those names are
/// ordinary code, in the body and in other macros' arguments.
#[generator]
fn names_like_blocks(iter: u32, stream: u32) -> impl Iterator<Item = bool> {
    yield_!(iter != stream);
    yield_!(matches!(Some(iter), Some(n) if n != stream && yield_from!([]) == ()));
}

#[test]
fn variables_named_like_blocks() {
    assert_eq!(names_like_blocks(1, 2).collect::<Vec<_>>(), [true, true]);
}
