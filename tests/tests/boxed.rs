//! `#[generator(boxed)]` / `#[async_generator(boxed)]`: the generator comes
//! back as a nameable, `Unpin` box of a trait object, which a struct field,
//! an associated type or `StreamExt::next` can use as is.

use std::cell::Cell;
use std::pin::Pin;

use cogen::{
    AsyncGenerator, Generator, GeneratorState, Stream, async_generator, generator, yield_,
    yield_from,
};
use futures::StreamExt;
use futures::executor::block_on;
use futures::stream::BoxStream;

#[generator(boxed)]
fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
    for w in text.split_whitespace() {
        yield_!(w);
    }
}

#[test]
fn iterator_form_is_a_box_dyn_iterator() {
    let it: Box<dyn Iterator<Item = &str> + '_> = words("a bc  d");
    assert_eq!(it.collect::<Vec<_>>(), ["a", "bc", "d"]);
}

/// The reason to box: the type can be named in a struct and in an
/// associated type.
struct Sentence(String);

impl<'a> IntoIterator for &'a Sentence {
    type Item = &'a str;
    type IntoIter = Box<dyn Iterator<Item = &'a str> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        words(&self.0)
    }
}

#[test]
fn nameable_as_an_associated_type() {
    let s = Sentence("one two".into());
    let mut seen = Vec::new();
    for w in &s {
        seen.push(w);
    }
    assert_eq!(seen, ["one", "two"]);
}

#[async_generator(boxed)]
fn ticks(n: u32) -> impl Stream<Item = u32> + Send {
    for i in 0..n {
        async {}.await;
        yield_!(i);
    }
}

struct Feed {
    events: BoxStream<'static, u32>,
}

#[test]
fn stream_form_is_futures_box_stream_and_unpin() {
    let mut feed = Feed { events: ticks(3) };
    // `StreamExt::next` needs `Unpin`: no `pin!` here.
    block_on(async {
        assert_eq!(feed.events.next().await, Some(0));
        assert_eq!(feed.events.next().await, Some(1));
        assert_eq!(feed.events.next().await, Some(2));
        assert_eq!(feed.events.next().await, None);
        assert_eq!(feed.events.next().await, None);
    });
}

#[generator(boxed)]
fn doubler() -> impl Generator<u32, Yield = u32, Return = &'static str> {
    let mut x = yield_!(0);
    while x != 0 {
        x = yield_!(x * 2);
    }
    "done"
}

#[test]
fn generator_form_is_a_pinned_box() {
    let mut g: Pin<Box<dyn Generator<u32, Yield = u32, Return = &'static str>>> = doubler();
    assert_eq!(g.as_mut().resume(7), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(21), GeneratorState::Yielded(42));
    assert_eq!(g.as_mut().resume(0), GeneratorState::Complete("done"));
}

#[async_generator(boxed)]
fn echo() -> impl AsyncGenerator<String, Yield = usize, Return = ()> + Send {
    let mut s = yield_!(0);
    while !s.is_empty() {
        s = yield_!(s.len());
    }
}

#[test]
fn async_generator_form_is_a_pinned_box() {
    block_on(async {
        // `resume` is a provided method of the trait (it returns a future
        // that names `Self`), so it is called on the box, which is itself
        // an `AsyncGenerator` and `Unpin`, rather than on the `dyn` inside.
        let mut g = echo();
        assert_eq!(
            Pin::new(&mut g).resume(String::new()).await,
            GeneratorState::Yielded(0)
        );
        assert_eq!(
            Pin::new(&mut g).resume("four".into()).await,
            GeneratorState::Yielded(4)
        );
        assert_eq!(
            Pin::new(&mut g).resume(String::new()).await,
            GeneratorState::Complete(())
        );
    });
}

/// A recursive boxed generator needs no `Box::pin` of its own: its type is
/// the box.
#[generator(boxed)]
fn countdown(n: u32) -> impl Generator<Yield = u32, Return = u32> {
    if n == 0 {
        return 0;
    }
    yield_!(n);
    let below = yield_from!(countdown(n - 1));
    below + 1
}

#[generator(boxed)]
fn walk(depth: u32) -> impl Iterator<Item = u32> {
    yield_!(depth);
    if depth > 0 {
        yield_from!(walk(depth - 1));
        yield_from!(walk(depth - 1));
    }
}

#[test]
fn recursion_and_delegation() {
    let mut g = countdown(3);
    let mut got = Vec::new();
    let ret = loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(y) => got.push(y),
            GeneratorState::Complete(r) => break r,
        }
    };
    assert_eq!((got, ret), (vec![3, 2, 1], 3));
    assert_eq!(walk(2).collect::<Vec<_>>(), [2, 1, 0, 0, 1, 0, 0]);
}

struct Flag<'a>(&'a Cell<u32>);
impl Drop for Flag<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[generator(boxed)]
fn guarded(drops: &Cell<u32>) -> impl Iterator<Item = u32> + '_ {
    let _flag = Flag(drops);
    cogen::defer! { drops.set(drops.get() + 10); }
    yield_!(1);
    yield_!(2);
}

#[test]
fn dropping_the_box_runs_cleanup_once() {
    let drops = Cell::new(0);
    let mut it = guarded(&drops);
    assert_eq!(it.next(), Some(1));
    drop(it);
    assert_eq!(drops.get(), 11);
}

#[test]
fn send_is_kept_when_written() {
    fn is_send<T: Send>(_: &T) {}
    is_send(&ticks(1));
    is_send(&echo());
}

#[generator(try, boxed)]
fn try_numbers<'a>(
    words: &'a [&'a str],
) -> impl Iterator<Item = Result<u8, std::num::ParseIntError>> + 'a {
    for w in words {
        yield_!(w.parse::<u8>()?);
    }
}

#[test]
fn boxed_try_ends_with_the_error() {
    let got: Vec<_> = try_numbers(&["1", "x", "3"]).collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], Ok(1));
    assert!(got[1].is_err());
}

struct Store {
    rows: Vec<String>,
}

impl Store {
    /// A method with an elided receiver lifetime, boxed.
    #[generator(boxed)]
    fn non_empty(&self) -> impl Iterator<Item = &String> + '_ {
        for r in &self.rows {
            if !r.is_empty() {
                yield_!(r);
            }
        }
    }
}

trait Source {
    /// A trait method with a default body: `boxed` gives it a return type
    /// the trait can name without `impl Trait` in its signature.
    #[async_generator(boxed)]
    fn numbers(&self, n: u32) -> impl Stream<Item = u32> + Send + '_
    where
        Self: Sync,
    {
        for i in 0..n {
            yield_!(i);
        }
    }
}

struct Plain;
impl Source for Plain {}

#[test]
fn methods_and_trait_defaults() {
    let s = Store {
        rows: vec!["a".into(), String::new(), "b".into()],
    };
    assert_eq!(s.non_empty().count(), 2);
    let got: Vec<u32> = block_on(Plain.numbers(3).collect());
    assert_eq!(got, [0, 1, 2]);
}

#[generator(boxed)]
fn panics_at(n: u32, drops: &Cell<u32>) -> impl Iterator<Item = u32> + '_ {
    let _flag = Flag(drops);
    for i in 0.. {
        if i == n {
            panic!("boom");
        }
        yield_!(i);
    }
}

#[test]
fn a_panic_in_a_boxed_body_unwinds_its_locals_once() {
    let drops = Cell::new(0);
    let mut it = panics_at(1, &drops);
    assert_eq!(it.next(), Some(0));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| it.next()));
    assert!(caught.is_err());
    assert_eq!(drops.get(), 1);
    // Finished: fused, and dropping it drops nothing twice.
    assert_eq!(it.next(), None);
    drop(it);
    assert_eq!(drops.get(), 1);
}

/// A dyn-compatible trait whose method returns a stream: the trait names
/// the boxed type, and each impl writes the body with `boxed`.
trait Events {
    fn events(&self) -> BoxStream<'_, u32>;
}

struct Every(u32);

impl Events for Every {
    #[async_generator(boxed)]
    fn events(&self) -> impl Stream<Item = u32> + Send + '_ {
        for i in 0..3 {
            yield_!(i * self.0);
        }
    }
}

#[test]
fn implements_a_dyn_compatible_trait() {
    let feeds: Vec<Box<dyn Events>> = vec![Box::new(Every(1)), Box::new(Every(10))];
    let got: Vec<Vec<u32>> = feeds
        .iter()
        .map(|f| block_on(f.events().collect()))
        .collect();
    assert_eq!(got, [vec![0, 1, 2], vec![0, 10, 20]]);
}
