//! Generated types print opaquely (`Generator { .. }`), so that a struct
//! holding one can derive `Debug` (issue 14 §7). A generator function's
//! `impl Trait` shows `Debug` where its signature names it; the generator
//! blocks' types show it always.

use cogen::{
    AsyncGenerator, Generator, Stream, async_gen_block, async_generator, gen_block, generator,
    iter, stream, try_iter, try_stream, yield_, yield_from,
};
use std::fmt::Debug;

#[generator]
fn plain() -> impl Iterator<Item = u32> + Debug {
    yield_!(1);
}

// A delegating `impl Iterator` is a different type (started lazily).
#[generator]
fn delegating() -> impl Iterator<Item = u32> + Debug {
    yield_from!(plain());
}

#[generator]
fn coroutine() -> impl Generator<u32, Yield = u32, Return = u8> + Debug {
    let x = yield_!(1);
    x as u8
}

#[async_generator]
fn streaming() -> impl Stream<Item = u32> + Debug {
    yield_!(1);
}

#[async_generator]
fn async_coroutine() -> impl AsyncGenerator<Yield = u32, Return = ()> + Debug {
    yield_!(1);
}

#[derive(Debug)]
struct Holder<I> {
    name: &'static str,
    items: I,
}

#[test]
fn functions_whose_signature_names_debug() {
    assert_eq!(format!("{:?}", plain()), "Generator { .. }");
    let mut d = delegating();
    assert_eq!(format!("{d:?}"), "Generator { .. }");
    assert_eq!(d.next(), Some(1));
    assert_eq!(format!("{d:?}"), "Generator { .. }");
    assert_eq!(format!("{:?}", coroutine()), "Generator { .. }");
    assert_eq!(format!("{:?}", Box::pin(streaming())), "Generator { .. }");
    assert_eq!(format!("{:?}", async_coroutine()), "Generator { .. }");
    let h = Holder {
        name: "plain",
        items: plain(),
    };
    assert_eq!(
        format!("{h:?}"),
        "Holder { name: \"plain\", items: Generator { .. } }"
    );
    assert_eq!((h.name, h.items.count()), ("plain", 1));
}

fn show(x: &impl Debug) -> String {
    format!("{x:?}")
}

fn show_iter<I: Iterator<Item = Result<u32, &'static str>> + Debug>(x: &I) -> String {
    format!("{x:?}")
}

fn show_stream<S: Stream<Item = Result<u32, &'static str>> + Debug>(x: &S) -> String {
    format!("{x:?}")
}

#[test]
fn blocks_are_always_debug() {
    let n = 2u32;
    assert_eq!(show(&iter! { yield_!(n); }), "Generator { .. }");
    assert_eq!(show(&stream! { yield_!(n); }), "Generator { .. }");
    assert_eq!(
        show_iter(&try_iter! { yield_!(n); Err::<(), &str>("e")?; }),
        "Generator { .. }"
    );
    assert_eq!(
        show_stream(&try_stream! { yield_!(n); Err::<(), &str>("e")?; }),
        "Generator { .. }"
    );
    let g = gen_block! {
        let _: u32 = yield_!(n);
        1u8
    };
    assert_eq!(show(&g), "Generator { .. }");
    let g = async_gen_block! {
        let _: () = yield_!(n);
    };
    assert_eq!(show(&g), "Generator { .. }");
}
