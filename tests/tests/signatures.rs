//! Signatures mean with the attributes what they mean without: Rust's
//! lifetime elision applies in every form (`Iterator`, `Stream`,
//! `Generator`, `AsyncGenerator`) and every position (`Item`, `Yield`,
//! `Return`, the resume type), with `'_` or fully elided, receivers
//! included (DESIGN.md, "Signatures").

use cogen::{
    AsyncGenerator, Generator, GeneratorState, Stream, async_generator, defer, generator, yield_,
    yield_from,
};
use futures::StreamExt;
use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;

// ---- impl Iterator ----

#[generator]
fn tokens(input: &str) -> impl Iterator<Item = &str> + '_ {
    for w in input.split(' ') {
        yield_!(w);
    }
}

#[generator]
fn tokens_anon(input: &str) -> impl Iterator<Item = &'_ str> + '_ {
    for w in input.split(' ') {
        yield_!(w);
    }
}

// Delegation (boxed lazily) and cleanup (the close path) with a borrowed item.
#[generator]
fn tokens_twice(input: &str, log: Rc<RefCell<Vec<u8>>>) -> impl Iterator<Item = &str> {
    defer! { log.borrow_mut().push(1); }
    yield_from!(tokens(input));
    yield_from!(input.split(' '));
}

#[generator(try)]
fn parsed(input: &str) -> impl Iterator<Item = Result<&str, std::num::ParseIntError>> + '_ {
    for w in input.split(' ') {
        w.parse::<u32>()?;
        yield_!(w);
    }
}

struct Names {
    names: Vec<String>,
}

impl Names {
    #[generator]
    fn non_empty(&self) -> impl Iterator<Item = &String> + '_ {
        for n in &self.names {
            if !n.is_empty() {
                yield_!(n);
            }
        }
    }

    #[generator]
    fn shout(&mut self) -> impl Iterator<Item = &mut String> + '_ {
        for n in self.names.iter_mut() {
            n.make_ascii_uppercase();
            yield_!(n);
        }
    }

    #[generator]
    fn first_and_rest(&self) -> impl Generator<(), Yield = &str, Return = &[String]> + '_ {
        yield_!(self.names[0].as_str());
        &self.names[1..]
    }

    #[async_generator]
    fn streamed(&self) -> impl Stream<Item = &str> + '_ {
        for n in &self.names {
            std::future::ready(()).await;
            yield_!(n.as_str());
        }
    }
}

#[test]
fn iterator_items_borrow_the_argument() {
    assert_eq!(tokens("a bc").collect::<Vec<_>>(), ["a", "bc"]);
    assert_eq!(tokens_anon("a bc").collect::<Vec<_>>(), ["a", "bc"]);
    let log = Rc::new(RefCell::new(vec![]));
    let input = String::from("x y");
    let got: Vec<&str> = tokens_twice(&input, log.clone()).collect();
    assert_eq!(got, ["x", "y", "x", "y"]);
    assert_eq!(*log.borrow(), [1]);
    // Dropped early: the cleanup runs on the close path.
    assert_eq!(tokens_twice(&input, log.clone()).next(), Some("x"));
    assert_eq!(*log.borrow(), [1, 1]);
    let got: Vec<_> = parsed("1 2 x 4").collect();
    assert_eq!(got[..2], [Ok("1"), Ok("2")]);
    assert!(got[2].is_err());
    assert_eq!(got.len(), 3);
}

#[test]
fn receivers() {
    let mut names = Names {
        names: vec!["ann".into(), String::new(), "bo".into()],
    };
    assert_eq!(names.non_empty().collect::<Vec<_>>(), ["ann", "bo"]);
    for n in names.shout() {
        n.push('!');
    }
    assert_eq!(names.names, ["ANN!", "!", "BO!"]);
    let mut g = pin!(names.first_and_rest());
    assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded("ANN!"));
    match g.as_mut().resume(()) {
        GeneratorState::Complete(rest) => assert_eq!(rest, ["!", "BO!"]),
        other => panic!("{other:?}"),
    }
    let s: Vec<&str> = futures::executor::block_on(names.streamed().collect());
    assert_eq!(s, ["ANN!", "!", "BO!"]);
}

// ---- impl Generator: Yield, Return and the resume type ----

#[generator]
fn halves(input: &str) -> impl Generator<(), Yield = &str, Return = &str> + '_ {
    let mid = input.len() / 2;
    yield_!(&input[..mid]);
    &input[mid..]
}

/// Counts the words it is fed that start with `prefix`, yielding each match.
#[generator]
fn matcher(prefix: &str) -> impl Generator<&str, Yield = &str, Return = usize> + '_ {
    let mut n = 0;
    let mut word = yield_!(prefix); // priming yield: the first resume's argument is dropped
    while !word.is_empty() {
        if word.starts_with(prefix) {
            n += 1;
        }
        word = yield_!(word);
    }
    n
}

#[test]
fn generator_positions() {
    let mut g = pin!(halves("abcd"));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded("ab"));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Complete("cd"));

    let text = String::from("apple banana avocado");
    let mut m = pin!(matcher("a"));
    assert_eq!(m.as_mut().resume(""), GeneratorState::Yielded("a"));
    for w in text.split(' ') {
        assert_eq!(m.as_mut().resume(w), GeneratorState::Yielded(w));
    }
    assert_eq!(m.as_mut().resume(""), GeneratorState::Complete(2));
}

// ---- #[async_generator] ----

#[async_generator]
fn async_tokens(input: &str) -> impl Stream<Item = &str> + '_ {
    for w in input.split(' ') {
        std::future::ready(()).await;
        yield_!(w);
    }
}

#[async_generator]
fn async_tokens_anon(input: &str) -> impl Stream<Item = &'_ str> + '_ {
    defer! { std::future::ready(()).await; }
    for w in input.split(' ') {
        std::future::ready(()).await; // cancellable: the body has cleanup
        yield_!(w);
    }
}

#[async_generator]
fn async_delegating(input: &str) -> impl Stream<Item = &str> + '_ {
    yield_from!(async_tokens(input));
    yield_from!(futures::stream::iter(input.split(' ')));
}

#[async_generator(try)]
fn async_parsed(input: &str) -> impl Stream<Item = Result<&str, std::num::ParseIntError>> + '_ {
    for w in input.split(' ') {
        w.parse::<u32>()?;
        yield_!(w);
    }
}

#[async_generator]
fn async_matcher(prefix: &str) -> impl AsyncGenerator<&str, Yield = &str, Return = &str> + '_ {
    let mut word = yield_!(prefix);
    while !word.starts_with(prefix) {
        std::future::ready(()).await;
        word = yield_!(word);
    }
    word
}

#[test]
fn async_forms() {
    futures::executor::block_on(async {
        let text = String::from("p q");
        let v: Vec<&str> = async_tokens(&text).collect().await;
        assert_eq!(v, ["p", "q"]);
        let v: Vec<&str> = async_tokens_anon(&text).collect().await;
        assert_eq!(v, ["p", "q"]);
        let v: Vec<&str> = async_delegating(&text).collect().await;
        assert_eq!(v, ["p", "q", "p", "q"]);
        let v: Vec<_> = async_parsed("1 y").collect().await;
        assert_eq!(v[0], Ok("1"));
        assert!(v[1].is_err());

        let mut g = pin!(async_matcher("b"));
        assert_eq!(g.as_mut().resume("").await, GeneratorState::Yielded("b"));
        assert_eq!(
            g.as_mut().resume("apple").await,
            GeneratorState::Yielded("apple")
        );
        assert_eq!(
            g.as_mut().resume("banana").await,
            GeneratorState::Complete("banana")
        );
    });
}

// ---- Extra bounds: the fused traits beside the main one ----
// (Clippy prefers `impl FusedIterator<Item = u32>`, which works too; this
// is the spelling under test.)

#[allow(clippy::implied_bounds_in_impls)]
#[generator]
fn fused_counter(n: u32) -> impl Iterator<Item = u32> + std::iter::FusedIterator {
    for i in 0..n {
        yield_!(i);
    }
}

#[allow(clippy::implied_bounds_in_impls)]
#[async_generator]
fn fused_stream(n: u32) -> impl Stream<Item = u32> + cogen::FusedStream + Send {
    for i in 0..n {
        yield_!(i);
    }
}

#[allow(clippy::implied_bounds_in_impls)]
#[async_generator]
fn fused_closable(
    n: u32,
) -> impl Stream<Item = u32> + cogen::FusedStream + AsyncGenerator<Yield = u32, Return = ()> {
    for i in 0..n {
        yield_!(i);
    }
}

fn assert_fused<I: std::iter::FusedIterator>(i: I) -> I {
    i
}

#[test]
fn fused_bounds_are_accepted() {
    let mut it = assert_fused(fused_counter(2));
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [0, 1]);
    assert_eq!(it.next(), None);
    futures::executor::block_on(async {
        use futures::stream::FusedStream;
        let mut s = pin!(fused_stream(2));
        assert!(!s.is_terminated());
        assert_eq!(s.as_mut().collect::<Vec<_>>().await, [0, 1]);
        assert!(s.is_terminated());
        let mut c = pin!(fused_closable(3));
        assert_eq!(c.next().await, Some(0));
        assert!(!c.is_terminated());
        c.as_mut().close().await;
        assert_eq!(c.next().await, None);
    });
}
