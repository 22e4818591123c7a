//! Where the macros apply: methods with every receiver, trait impls, trait
//! default methods, generics, lifetimes, where-clauses, `impl Trait`
//! arguments, patterns in parameters, `unsafe fn`, visibility, attributes.

use cogen::{Generator, GeneratorState, generator, yield_};
use std::fmt::Display;
use std::pin::pin;

struct Bag {
    items: Vec<u32>,
}

impl Bag {
    #[generator]
    fn by_ref(&self) -> impl Iterator<Item = u32> + '_ {
        for x in &self.items {
            yield_!(*x);
        }
    }

    #[generator]
    fn by_mut(&mut self) -> impl Iterator<Item = u32> + '_ {
        for x in self.items.iter_mut() {
            *x += 1;
            yield_!(*x);
        }
    }

    #[generator]
    fn by_value(self) -> impl Iterator<Item = u32> {
        for x in self.items {
            yield_!(x);
        }
    }

    #[generator]
    fn boxed(self: Box<Self>) -> impl Iterator<Item = u32> {
        yield_!(self.items.len() as u32);
    }

    /// Documented, and the doc comment is kept.
    #[generator]
    #[allow(clippy::needless_lifetimes)]
    pub(crate) fn with_lifetime<'a>(
        &'a self,
        extra: &'a [u32],
    ) -> impl Iterator<Item = &'a u32> + 'a {
        for x in self.items.iter().chain(extra) {
            yield_!(x);
        }
    }
}

#[test]
fn every_receiver() {
    let mut bag = Bag { items: vec![1, 2] };
    assert_eq!(bag.by_ref().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(bag.by_mut().collect::<Vec<_>>(), [2, 3]);
    assert_eq!(bag.items, [2, 3]);
    assert_eq!(
        bag.with_lifetime(&[9]).copied().collect::<Vec<_>>(),
        [2, 3, 9]
    );
    assert_eq!(
        Box::new(Bag { items: vec![0; 4] })
            .boxed()
            .collect::<Vec<_>>(),
        [4]
    );
    assert_eq!(bag.by_value().collect::<Vec<_>>(), [2, 3]);
}

trait Source {
    fn base(&self) -> u32;

    /// A default method that is a generator.
    #[generator]
    fn numbers(&self, n: u32) -> impl Iterator<Item = u32> + '_ {
        for i in 0..n {
            yield_!(self.base() + i);
        }
    }

    fn labels(&self) -> impl Iterator<Item = String>;
}

struct Ten;

impl Source for Ten {
    fn base(&self) -> u32 {
        10
    }

    #[generator]
    fn labels(&self) -> impl Iterator<Item = String> {
        yield_!(format!("#{}", self.base()));
    }
}

#[test]
fn trait_default_and_impl_methods() {
    assert_eq!(Ten.numbers(3).collect::<Vec<_>>(), [10, 11, 12]);
    assert_eq!(Ten.labels().collect::<Vec<_>>(), ["#10"]);
}

#[generator]
fn generic<T, U>(items: Vec<T>, sep: U) -> impl Iterator<Item = String>
where
    T: Display,
    U: Display + Clone,
{
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            yield_!(sep.to_string());
        }
        yield_!(x.to_string());
    }
}

#[generator]
fn impl_trait_arg(it: impl IntoIterator<Item = u8>, scale: u8) -> impl Iterator<Item = u16> {
    for x in it {
        yield_!(u16::from(x) * u16::from(scale));
    }
}

#[generator]
fn patterns(
    (a, b): (u32, u32),
    Bag { items }: Bag,
    [first, ..]: [u8; 3],
    mut acc: u32,
) -> impl Iterator<Item = u32> {
    acc += a;
    yield_!(acc);
    acc += b;
    yield_!(acc);
    yield_!(items.len() as u32 + u32::from(first));
}

/// # Safety
/// `p` must be valid for reads of `n` elements.
#[generator]
unsafe fn from_raw(p: *const u32, n: usize) -> impl Iterator<Item = u32> {
    for i in 0..n {
        // SAFETY: the caller promised `p` is valid for `n` reads, and the
        // slice it points into outlives the iterator in the test.
        yield_!(unsafe { *p.add(i) });
    }
}

#[test]
fn generics_where_clauses_impl_trait_patterns_unsafe() {
    assert_eq!(generic(vec![1, 2, 3], ',').collect::<String>(), "1,2,3");
    assert_eq!(impl_trait_arg([1, 2], 3).collect::<Vec<_>>(), [3, 6]);
    assert_eq!(
        patterns((1, 2), Bag { items: vec![0; 5] }, [7, 8, 9], 10).collect::<Vec<_>>(),
        [11, 13, 12]
    );
    let data = [4, 5, 6];
    // SAFETY: `data` holds 3 elements and outlives the iterator.
    let v: Vec<_> = unsafe { from_raw(data.as_ptr(), 3) }.collect();
    assert_eq!(v, data);
}

#[generator]
fn generic_coroutine<T: Clone + PartialEq>(
    target: T,
) -> impl Generator<T, Yield = usize, Return = (usize, T)> {
    let mut n = 0;
    loop {
        let got = yield_!(n);
        n += 1;
        if got == target {
            return (n, got);
        }
    }
}

#[test]
fn generic_generator_form() {
    let mut g = pin!(generic_coroutine("stop"));
    assert_eq!(
        g.as_mut().resume("first is dropped"),
        GeneratorState::Yielded(0)
    );
    assert_eq!(g.as_mut().resume("go"), GeneratorState::Yielded(1));
    assert_eq!(
        g.as_mut().resume("stop"),
        GeneratorState::Complete((2, "stop"))
    );
}

mod visibility {
    use cogen::{generator, yield_};

    #[generator]
    pub fn public() -> impl Iterator<Item = u8> {
        yield_!(1);
    }

    #[generator]
    pub(crate) fn crate_visible() -> impl Iterator<Item = u8> {
        yield_!(2);
    }
}

#[test]
fn visibility_is_kept() {
    assert_eq!(
        visibility::public()
            .chain(visibility::crate_visible())
            .collect::<Vec<_>>(),
        [1, 2]
    );
}

/// Arguments are moved into the generator whole, like an `async fn`'s:
/// a guard argument the body never mentions lives until the generator drops.
#[test]
fn unused_arguments_live_as_long_as_the_generator() {
    use std::cell::Cell;
    struct Guard<'a>(&'a Cell<bool>);
    impl Drop for Guard<'_> {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    struct Pair<'a> {
        used: u8,
        _guard: Guard<'a>,
    }
    #[generator]
    fn g<'a>(_guard: Guard<'a>, pair: Pair<'a>) -> impl Iterator<Item = u8> + 'a {
        yield_!(pair.used);
    }
    let (a, b) = (Cell::new(false), Cell::new(false));
    let it = g(
        Guard(&a),
        Pair {
            used: 1,
            _guard: Guard(&b),
        },
    );
    assert!(!a.get() && !b.get(), "arguments are held by the generator");
    drop(it);
    assert!(a.get() && b.get());
}

#[test]
fn precise_capture_syntax() {
    #[generator]
    fn uses<'a>(s: &'a str) -> impl Iterator<Item = char> + use<'a> {
        for c in s.chars() {
            yield_!(c);
        }
    }
    assert_eq!(uses("ab").collect::<String>(), "ab");
}

/// The macro marks a generator `#[inline]` (so that its body can be inlined
/// into a caller in another crate or codegen unit), unless the user wrote an
/// `inline` attribute of their own: then theirs is the only one. A second
/// `inline` would be an unused attribute, denied here.
#[deny(unused_attributes)]
mod inline_attributes {
    use cogen::{generator, yield_};

    #[generator]
    pub fn default_hint() -> impl Iterator<Item = u8> {
        yield_!(1);
    }

    #[generator]
    #[inline(never)]
    pub fn never() -> impl Iterator<Item = u8> {
        yield_!(2);
    }

    #[generator]
    #[inline(always)]
    pub fn always() -> impl Iterator<Item = u8> {
        yield_!(3);
    }

    #[inline]
    #[generator]
    pub fn written_before() -> impl Iterator<Item = u8> {
        yield_!(4);
    }
}

#[test]
fn a_users_inline_attribute_is_kept_alone() {
    use inline_attributes::*;
    let all: Vec<u8> = default_hint()
        .chain(never())
        .chain(always())
        .chain(written_before())
        .collect();
    assert_eq!(all, [1, 2, 3, 4]);
}
