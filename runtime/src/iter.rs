//! [`GeneratorIter`]: any pinned `Generator<Yield = Y, Return = ()>` as an
//! `Iterator`, with no allocation, for `no_std` crates without `alloc`
//! (whose `#[generator]`s cannot use the boxed `impl Iterator` form).

use core::iter::FusedIterator;
use core::pin::Pin;

use crate::generator::{Generator, GeneratorState};

/// An `Iterator` over a pinned generator that returns `()`: each `next`
/// resumes it once. Needs neither `std` nor `alloc`.
///
/// ```
/// use cogen::{generator, yield_, Generator, GeneratorIter};
/// use core::pin::pin;
///
/// #[generator]
/// fn evens(limit: u32) -> impl Generator<Yield = u32, Return = ()> {
///     for i in (0..limit).step_by(2) {
///         yield_!(i);
///     }
/// }
///
/// let mut total = 0;
/// for x in GeneratorIter::new(pin!(evens(7))) {
///     total += x;
/// }
/// assert_eq!(total, 2 + 4 + 6);
/// ```
///
/// It is fused: once the generator has completed, `next` returns `None`
/// without resuming it again.
#[derive(Debug)]
pub struct GeneratorIter<'a, G: ?Sized> {
    /// `None` once the generator has completed.
    gen: Option<Pin<&'a mut G>>,
}

impl<'a, G: ?Sized> GeneratorIter<'a, G> {
    /// Iterates over `gen`'s yielded values.
    pub fn new(gen: Pin<&'a mut G>) -> Self {
        GeneratorIter { gen: Some(gen) }
    }
}

impl<G: Generator<Return = ()> + ?Sized> Iterator for GeneratorIter<'_, G> {
    type Item = G::Yield;

    #[inline]
    fn next(&mut self) -> Option<G::Yield> {
        match self.gen.as_mut()?.as_mut().resume(()) {
            GeneratorState::Yielded(y) => Some(y),
            GeneratorState::Complete(()) => {
                self.gen = None;
                None
            }
        }
    }
}

impl<G: Generator<Return = ()> + ?Sized> FusedIterator for GeneratorIter<'_, G> {}
